#include "trygg/pipeline/Config.hpp"
#include "trygg/temporal/Daylight.hpp"

#include "ConfigTable.hpp"
#include "Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Source.hpp"
#include "trygg/output/Layers.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace trygg::pipeline {
namespace fs = std::filesystem;

namespace {

class Reader {
public:
    Reader(std::string file, const toml::table& root) : m_file(std::move(file)), m_root(root) {}

    std::string where(const toml::node* node) const {
        if (node && node->source().begin.line > 0)
            return "'" + m_file + "' line " + std::to_string(node->source().begin.line);
        return "'" + m_file + "'";
    }

    [[noreturn]] void fail(const toml::node* node, const std::string& key, const std::string& msg) const {
        throw InputError("config: " + where(node) + ", " + key + ": " + msg);
    }

    // Refuses keys that are not in `known`, so a typo never goes unnoticed.
    void onlyKnown(const toml::table& tbl, const std::string& prefix, std::initializer_list<const char*> known) const {
        onlyKnown(tbl, prefix, std::vector<const char*>(known));
    }
    void onlyKnown(const toml::table& tbl, const std::string& prefix, const std::vector<const char*>& known) const {
        for (const auto& [k, node] : tbl) {
            bool ok = false;
            for (const char* name : known) ok = ok || k.str() == name;
            if (!ok) {
                std::string list;
                for (const char* name : known) list += (list.empty() ? "" : ", ") + std::string(name);
                fail(&node, prefix + std::string(k.str()), "unknown key. Known here: " + list);
            }
        }
    }

    const toml::table* table(const char* name) const {
        const toml::node* n = m_root.get(name);
        if (!n) return nullptr;
        if (!n->is_table()) fail(n, name, "must be a table ([" + std::string(name) + "])");
        return n->as_table();
    }

    std::optional<std::string> str(const toml::table* t, const std::string& section, const char* key) const {
        if (!t) return std::nullopt;
        const toml::node* n = t->get(key);
        if (!n) return std::nullopt;
        if (!n->is_string()) fail(n, section + "." + key, "must be a text in quotes");
        return n->as_string()->get();
    }

    std::optional<bool> boolean(const toml::table* t, const std::string& section, const char* key) const {
        if (!t) return std::nullopt;
        const toml::node* n = t->get(key);
        if (!n) return std::nullopt;
        if (!n->is_boolean()) fail(n, section + "." + key, "must be true or false");
        return n->as_boolean()->get();
    }

    // A number, or one of the words in `words` (returned as nullopt number with the word set).
    std::optional<double> number(const toml::table* t, const std::string& section, const char* key,
                                 std::initializer_list<const char*> words = {}) const {
        if (!t) return std::nullopt;
        const toml::node* n = t->get(key);
        if (!n) return std::nullopt;
        if (n->is_integer()) return static_cast<double>(n->as_integer()->get());
        if (n->is_floating_point()) {
            const double v = n->as_floating_point()->get();
            if (!std::isfinite(v)) fail(n, section + "." + key, "must be a finite number, not " + std::to_string(v));
            return v;
        }
        if (n->is_string()) {
            for (const char* w : words)
                if (n->as_string()->get() == w) return std::nullopt;
        }
        std::string alt;
        for (const char* w : words) alt += std::string(" or \"") + w + "\"";
        fail(n, section + "." + key, "must be a number" + alt);
    }

    const toml::node* node(const toml::table* t, const char* key) const { return t ? t->get(key) : nullptr; }

private:
    std::string m_file;
    const toml::table& m_root;
};

// The filter keys shared by [filter] and [periods.NAME]: texts, or arrays of texts and numbers.
// `more`: further keys the section may hold, read by the caller.
FilterText readFilterText(const Reader& r, const toml::table* t, const std::string& section, bool periodAllowed,
                          std::vector<const char*> more = {}) {
    FilterText f;
    if (periodAllowed) {
        for (const char* k : {"period", "from", "to", "hours", "weekdays", "months", "categories"}) more.push_back(k);
        r.onlyKnown(*t, section + ".", more);
        f.period = r.str(t, section, "period");
    } else {
        r.onlyKnown(*t, section + ".", {"from", "to", "hours", "weekdays", "months"});
    }
    f.from = r.str(t, section, "from");
    f.to = r.str(t, section, "to");
    f.hours = r.str(t, section, "hours");
    auto list = [&](const char* key) {
        std::vector<std::string> out;
        const toml::node* n = r.node(t, key);
        if (!n) return out;
        auto one = [&](const toml::node& item) {
            if (item.is_string()) out.push_back(item.as_string()->get());
            else if (item.is_integer()) out.push_back(std::to_string(item.as_integer()->get()));
            else r.fail(&item, section + "." + key, "each item must be a name in quotes or a number");
        };
        if (const auto* arr = n->as_array()) {
            for (const auto& item : *arr) one(item);
        } else {
            one(*n);
        }
        return out;
    };
    f.weekdays = list("weekdays");
    f.months = list("months");
    if (periodAllowed) f.categories = list("categories");
    return f;
}

std::string resolve(const fs::path& base, const std::string& p) {
    if (p.empty() || p.rfind("/vsi", 0) == 0 || io::isConnectionString(p)) return p;
    const fs::path path(p);
    return path.is_absolute() ? p : (base / path).lexically_normal().string();
}

} // namespace

bool isLayerName(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

temporal::TimeFilter parseFilter(const FilterText& text, const std::map<std::string, temporal::TimeFilter>& periods,
                                 const std::string& where) {
    temporal::TimeFilter f;
    try {
        if (text.period) {
            const auto it = periods.find(*text.period);
            if (it == periods.end()) {
                std::string known;
                for (const auto& [name, p] : periods) known += (known.empty() ? "" : ", ") + name;
                throw InputError("no period named '" + *text.period + "'. " +
                                 (known.empty() ? "Declare it under [periods." + *text.period + "]" : "Known: " + known));
            }
            f = it->second;
        }
        if (text.from) f.from = temporal::parseDateBound(*text.from, false);
        if (text.to) f.to = temporal::parseDateBound(*text.to, true);
        if (text.hours) f.hours = temporal::parseHours(*text.hours);
        if (!text.weekdays.empty()) f.weekdays = temporal::parseWeekdays(text.weekdays);
        if (!text.months.empty()) f.months = temporal::parseMonths(text.months);
    } catch (const InputError& e) {
        throw InputError(where + ": " + e.what());
    }
    if (f.from && f.to && *f.to <= *f.from) throw InputError(where + ": 'to' must come after 'from'");
    return f;
}

// ConfigTable: a table of the file, read through its Reader.
namespace {
const Reader& readerOf(const void* r) { return *static_cast<const Reader*>(r); }
const toml::table* tableOf(const void* t) { return static_cast<const toml::table*>(t); }
} // namespace

void ConfigTable::onlyKnown(std::initializer_list<const char*> known) const {
    readerOf(m_reader).onlyKnown(*tableOf(m_table), m_section.empty() ? "" : m_section + ".", known);
}
bool ConfigTable::has(const char* k) const { return tableOf(m_table)->get(k) != nullptr; }
std::optional<std::string> ConfigTable::str(const char* k) const {
    return readerOf(m_reader).str(tableOf(m_table), m_section, k);
}
std::optional<bool> ConfigTable::boolean(const char* k) const {
    return readerOf(m_reader).boolean(tableOf(m_table), m_section, k);
}
std::optional<double> ConfigTable::number(const char* k, std::initializer_list<const char*> words) const {
    return readerOf(m_reader).number(tableOf(m_table), m_section, k, words);
}
std::optional<std::string> ConfigTable::textIfText(const char* k) const {
    const toml::node* n = tableOf(m_table)->get(k);
    if (!n || !n->is_string()) return std::nullopt;
    return n->as_string()->get();
}
std::optional<std::vector<std::string>> ConfigTable::texts(const char* k, const std::string& notAList) const {
    const toml::node* n = tableOf(m_table)->get(k);
    if (!n) return std::nullopt;
    if (!n->is_array()) fail(k, notAList);
    std::vector<std::string> out;
    for (const auto& e : *n->as_array()) {
        if (!e.is_string()) readerOf(m_reader).fail(&e, key(k), notAList);
        out.push_back(e.as_string()->get());
    }
    return out;
}
std::optional<std::vector<double>> ConfigTable::numbers(const char* k, const std::string& notAList) const {
    const toml::node* n = tableOf(m_table)->get(k);
    if (!n) return std::nullopt;
    if (!n->is_array()) fail(k, notAList);
    std::vector<double> out;
    for (const auto& e : *n->as_array()) {
        const auto v = e.value<double>();
        if (!v || !std::isfinite(*v)) fail(k, notAList);
        out.push_back(*v);
    }
    return out;
}
std::string ConfigTable::path(const char* k) const { return resolve(m_base, str(k).value_or("")); }

std::optional<ConfigTable> ConfigTable::table(const char* k, const std::string& notATable) const {
    const toml::node* n = tableOf(m_table)->get(k);
    if (!n) return std::nullopt;
    if (!n->is_table()) fail(k, notATable);
    return ConfigTable(m_reader, n->as_table(), key(k), m_base);
}
std::vector<ConfigTable> ConfigTable::tables(const char* k, const std::string& notAList,
                                             const std::string& notATable) const {
    std::vector<ConfigTable> out;
    const toml::node* n = tableOf(m_table)->get(k);
    if (!n) return out;
    if (!n->is_array()) fail(k, notAList);
    for (const auto& e : *n->as_array()) {
        if (!e.is_table()) readerOf(m_reader).fail(&e, key(k), notATable);
        out.emplace_back(m_reader, e.as_table(), key(k), m_base);
    }
    return out;
}
void ConfigTable::fail(const char* k, const std::string& message) const {
    const toml::node* n = tableOf(m_table)->get(k);
    readerOf(m_reader).fail(n ? n : tableOf(m_table), key(k), message);
}
void ConfigTable::failAt(const std::string& name, const std::string& message) const {
    readerOf(m_reader).fail(tableOf(m_table), name, message);
}

Config loadConfig(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError("config: cannot open '" + path + "'. Check the path");
    std::stringstream buf;
    buf << in.rdbuf();
    Config cfg;
    cfg.sourcePath = path;
    cfg.sourceText = buf.str();

    toml::table root;
    try {
        root = toml::parse(cfg.sourceText, path);
    } catch (const toml::parse_error& e) {
        throw InputError("config: '" + path + "' line " + std::to_string(e.source().begin.line) + ": " +
                         std::string(e.description()) + ". Fix the TOML syntax");
    }
    Reader r(path, root);
    // The run's own tables, and each step's (Step::configTables).
    std::vector<const char*> known = {"analysis", "study_area", "incidents", "publish", "analyses", "periods", "filter",
                                      "output"};
    for (const Step* step : steps::pipeline())
        for (const char* table : step->configTables()) known.push_back(table);
    r.onlyKnown(root, "", known);
    const fs::path base = fs::absolute(path).parent_path();

    if (const auto* t = r.table("analysis")) {
        r.onlyKnown(*t, "analysis.", {"name", "crs", "time_zone"});
        if (auto v = r.str(t, "analysis", "name")) cfg.name = *v;
        if (auto v = r.str(t, "analysis", "crs")) cfg.analysisCrs = *v;
        if (auto v = r.str(t, "analysis", "time_zone")) {
            try {
                temporal::WallClock clock(*v);
            } catch (const InputError&) {
                r.fail(t, "analysis.time_zone",
                       "'" + *v + "' is not a time zone of the system's tz database; give one such as \"Europe/Stockholm\"");
            }
            cfg.timeZone = *v;
        }
    }
    if (const auto* t = r.table("study_area")) {
        r.onlyKnown(*t, "study_area.", {"path", "layer", "sql", "crs", "where"});
        io::StudyAreaSpec s;
        s.path = resolve(base, r.str(t, "study_area", "path").value_or(""));
        if (s.path.empty()) r.fail(t, "study_area.path", "missing: give the boundary file, or remove [study_area]");
        s.layer = r.str(t, "study_area", "layer").value_or("");
        if (const auto sql = r.str(t, "study_area", "sql")) {
            if (!s.layer.empty()) r.fail(t, "study_area.sql", "give layer or sql, not both");
            if (!io::isSqlQuery(*sql)) r.fail(t, "study_area.sql", "must be a query starting with SELECT or WITH");
            s.layer = *sql;
        }
        s.crs = r.str(t, "study_area", "crs").value_or("");
        s.where = r.str(t, "study_area", "where").value_or("");
        cfg.studyArea = s;
    }
    const auto* inc = r.table("incidents");
    if (!inc) throw InputError("config: '" + path + "' has no [incidents] table. Add one with path = \"...\"");
    r.onlyKnown(*inc, "incidents.",
                {"path", "layer", "sql", "crs", "x_field", "y_field", "time_field", "time_format", "earliest_date",
                 "latest_date", "category_field", "id_field", "weight_field"});
    cfg.incidents.path = resolve(base, r.str(inc, "incidents", "path").value_or(""));
    if (cfg.incidents.path.empty()) r.fail(inc, "incidents.path", "missing: give the file of incident reports");
    cfg.incidents.layer = r.str(inc, "incidents", "layer").value_or("");
    // A query instead of a layer (a database's rows, say WHERE brottstyp IN (...)): openVector runs it.
    if (const auto sql = r.str(inc, "incidents", "sql")) {
        if (!cfg.incidents.layer.empty()) r.fail(inc, "incidents.sql", "give layer or sql, not both");
        if (!io::isSqlQuery(*sql)) r.fail(inc, "incidents.sql", "must be a query starting with SELECT or WITH");
        cfg.incidents.layer = *sql;
    }
    cfg.incidents.crs = r.str(inc, "incidents", "crs").value_or("");
    cfg.incidents.fields.x = r.str(inc, "incidents", "x_field").value_or("");
    cfg.incidents.fields.y = r.str(inc, "incidents", "y_field").value_or("");
    if (const toml::node* n = r.node(inc, "time_field")) {
        auto one = [&](const toml::node& item) {
            if (!item.is_string() || item.as_string()->get().empty())
                r.fail(&item, "incidents.time_field", "must be a column name in quotes, or a list of them such as "
                                                      "[\"Datum\", \"Klockslag\"]");
            cfg.incidents.fields.time.push_back(item.as_string()->get());
        };
        if (const auto* arr = n->as_array()) {
            if (arr->empty()) r.fail(n, "incidents.time_field", "the list of time columns is empty");
            for (const auto& item : *arr) one(item);
        } else {
            one(*n);
        }
    }
    cfg.incidents.timeFormat = r.str(inc, "incidents", "time_format").value_or("");
    if (!cfg.incidents.timeFormat.empty() && cfg.incidents.timeFormat.find('%') == std::string::npos)
        r.fail(r.node(inc, "time_format"), "incidents.time_format",
               "'" + cfg.incidents.timeFormat + "' has no % field; write it as strptime does, such as \"%Y %m %d %H %M\"");
    {
        const auto earliest = r.str(inc, "incidents", "earliest_date");
        const auto latest = r.str(inc, "incidents", "latest_date");
        if (earliest || latest) {
            io::DateRange d = io::DateRange::defaultFor(
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
            try {
                if (earliest) {
                    d.fromWall = temporal::parseDateBound(*earliest, false);
                    d.fromText = *earliest;
                }
                if (latest) {
                    d.toWall = temporal::parseDateBound(*latest, true);
                    d.toText = *latest + " (through)";
                }
            } catch (const InputError& e) {
                r.fail(r.node(inc, earliest ? "earliest_date" : "latest_date"), "incidents.earliest_date/latest_date", e.what());
            }
            if (d.toWall <= d.fromWall) r.fail(inc, "incidents.latest_date", "must come after earliest_date");
            cfg.incidents.dates = d;
        }
    }
    cfg.incidents.fields.category = r.str(inc, "incidents", "category_field").value_or("");
    cfg.incidents.fields.id = r.str(inc, "incidents", "id_field").value_or("");
    cfg.incidents.fields.weight = r.str(inc, "incidents", "weight_field").value_or("");

    if (const auto* t = r.table("publish")) {
        r.onlyKnown(*t, "publish.", {"enabled", "min_count"});
        if (auto v = r.boolean(t, "publish", "enabled")) cfg.publish.enabled = *v;
        if (auto v = r.number(t, "publish", "min_count")) {
            if (*v < 1 || *v > 100 || *v != std::floor(*v))
                r.fail(r.node(t, "min_count"), "publish.min_count", "must be a whole number, 1 .. 100");
            cfg.publish.minCount = static_cast<int>(*v);
        }
    }
    if (const auto* t = r.table("periods")) {
        for (const auto& [name, node] : *t) {
            const std::string section = "periods." + std::string(name.str());
            if (!node.is_table()) r.fail(&node, section, "must be a table with from, to, hours, weekdays or months");
            cfg.periods[std::string(name.str())] =
                parseFilter(readFilterText(r, node.as_table(), section, false), {}, "config: " + r.where(&node) + ", " + section);
            cfg.periods[std::string(name.str())].period = std::string(name.str());
        }
    }
    if (const auto* t = r.table("filter")) {
        const FilterText ft = readFilterText(r, t, "filter", true);
        cfg.filter = parseFilter(ft, cfg.periods, "config: " + r.where(t) + ", filter");
        cfg.categories = ft.categories;
    }
    if (const auto* t = r.table("analyses")) {
        for (const auto& [key, node] : *t) {
            const std::string name(key.str()), section = "analyses." + name;
            if (!node.is_table()) r.fail(&node, section, "must be a table: [analyses." + name + "]");
            if (!isLayerName(name))
                r.fail(&node, section, "'" + name + "' must be lower-case letters, digits and _, as it goes in front of its layers' names");
            // Its layers must not be taken for the main analysis's: "problem" would write
            // problem_measures, which is the table of problems and measures.
            for (const auto& l : output::declaredLayers())
                if (l.name.size() > name.size() + 1 && l.name.rfind(name + "_", 0) == 0 && output::layerOf(l.name.substr(name.size() + 1)))
                    r.fail(&node, section, "'" + name + "' would name its layers like one of Trygg's own ('" + l.name +
                                               "'); choose another name");
            const toml::table* a = node.as_table();
            std::vector<const char*> keys = {"title"};
            for (const Step* step : steps::pipeline())
                if (step->analysisSwitch()) keys.push_back(step->analysisSwitch());
            const FilterText ft = readFilterText(r, a, section, true, keys);
            AnalysisConfig ac;
            ac.name = name;
            ac.title = r.str(a, section, "title").value_or(name);
            ac.filter = parseFilter(ft, cfg.periods, "config: " + r.where(&node) + ", " + section);
            ac.categories = ft.categories;
            for (std::size_t k = 1; k < keys.size(); ++k)
                if (auto v = r.boolean(a, section, keys[k])) ac.steps[keys[k]] = *v;
            cfg.analyses.push_back(std::move(ac));
        }
    }
    const auto* out = r.table("output");
    if (!out) throw InputError("config: '" + path + "' has no [output] table. Add one with path = \"....gpkg\"");
    r.onlyKnown(*out, "output.", {"path", "schema", "overwrite", "report", "qgis_project", "language"});
    cfg.output.schema = r.str(out, "output", "schema").value_or("");
    if (auto v = r.boolean(out, "output", "report")) cfg.output.report = *v;
    if (auto v = r.boolean(out, "output", "qgis_project")) cfg.output.qgisProject = *v;
    if (auto v = r.str(out, "output", "language")) {
        if (*v != "sv" && *v != "en") r.fail(r.node(out, "language"), "output.language", "'" + *v + "' is not \"sv\" or \"en\"");
        cfg.output.language = *v;
    }
    cfg.output.path = resolve(base, r.str(out, "output", "path").value_or(""));
    if (auto v = r.boolean(out, "output", "overwrite")) cfg.output.overwrite = *v;
    const ConfigTable file(&r, &root, "", base.string());
    for (const Step* step : steps::pipeline()) step->readConfig(file, cfg);
    validate(cfg);
    return cfg;
}

void validate(const Config& c) {
    const std::string where = c.sourcePath.empty() ? "options" : "config '" + c.sourcePath + "'";
    if (c.incidents.path.empty()) throw InputError(where + ": no incidents file given");
    if (c.output.path.empty()) throw InputError(where + ": no output file given (a .gpkg path)");
    if (io::isConnectionString(c.output.path)) {
        // Into a database: the schema the results replace.
        if (c.output.schema.empty())
            throw InputError(where + ": the output is a database: name the schema to write (--schema NAME, or schema = "
                                     "\"...\" in [output])");
        if (!isLayerName(c.output.schema) || c.output.schema.size() > 50)
            throw InputError(where + ": the output schema '" + c.output.schema + "' must be lower-case letters, digits and _");
    } else if (!c.output.schema.empty()) {
        throw InputError(where + ": a schema (" + c.output.schema + ") is for a database output; '" + c.output.path +
                         "' is a file");
    } else if (fs::path(c.output.path).extension() != ".gpkg")
        throw InputError(where + ": the output '" + c.output.path + "' must end in .gpkg");
    if (c.grid.cellSizeM && !(*c.grid.cellSizeM > 0))
        throw InputError(where + ": the cell size must be a positive number of metres, not " +
                         std::to_string(*c.grid.cellSizeM));
    for (const auto* w : {&c.gistar.weights, &c.localMoran.weights}) {
        if (w->distanceM < 0)
            throw InputError(where + ": the distance band must be a positive number of metres, not " +
                             std::to_string(w->distanceM));
        if (!(w->power > 0)) throw InputError(where + ": the inverse-distance power must be positive");
    }
    if (!c.grid.enabled && !c.kde.enabled)
        throw InputError(where + ": with [grid] enabled = false there is nothing to compute; enable [kde]");
    if (c.incremental.startM < 0 || c.incremental.stepM < 0)
        throw InputError(where + ": the incremental start and step must be positive metres");
    if (c.gistar.autoBand && c.gistar.weights.kind != stats::WeightsKind::DistanceBand &&
        c.gistar.weights.kind != stats::WeightsKind::InverseDistance)
        throw InputError(where + ": distance_band_m = \"auto\" needs weights = \"distance_band\" or \"inverse_distance\"");
    if (c.localMoran.weights.includeSelf)
        throw InputError(where + ": local Moran's I needs weights without the cell itself");
    // Gi* with inverse distance: the cell's own distance is 0, so 1/d has no value for it (in
    // spdep, include.self() then nbdists() gives 1/0). We found no documented rule in ArcGIS's
    // help for the self weight under inverse distance. A weight of 1 against 1/200 for the
    // neighbours makes Gi* the cell's own standardised count (correlation 0.9999 on real
    // data): a map of counts dressed up as hot spots. Refused rather than guessed.
    if (c.publish.enabled && c.grid.alignment == grid::Alignment::Extent)
        throw InputError(where + ": publishing mode needs the grid snapped (align = \"snapped\"): align = \"extent\" puts "
                                 "the grid's corner at the exact coordinates of the westernmost and southernmost reports");
    if (c.gistar.weights.kind == stats::WeightsKind::InverseDistance && c.gistar.weights.includeSelf)
        throw InputError(where + ": gistar: weights = \"inverse_distance\" with the cell itself (Gi*) has no "
                                 "meaningful self weight (its distance is 0): the cell's own weight would swamp its "
                                 "neighbours' 1/d and Gi* would map the counts. Use weights = \"distance_band\", or "
                                 "include_self = false (--exclude-self) for Gi with inverse distance");
}

namespace {

// The file a GDAL path reads: "/vsigzip/x.csv.gz" reads x.csv.gz, "/vsizip/a.zip/b.shp" reads a.zip.
std::string underlyingFile(std::string path) {
    for (const char* prefix : {"/vsigzip/", "/vsizip/", "/vsitar/"}) {
        if (path.rfind(prefix, 0) != 0) continue;
        path = path.substr(std::string(prefix).size() - 1);  // keep the leading '/' of an absolute path
        if (std::string(prefix) != "/vsigzip/") {
            // The archive is the longest prefix that is a file.
            for (fs::path p = path; !p.empty() && p != p.root_path(); p = p.parent_path()) {
                std::error_code ec;
                if (fs::is_regular_file(p, ec)) return p.string();
            }
        }
        return path;
    }
    return path;
}

} // namespace

std::vector<std::pair<std::string, std::string>> inputFiles(const Config& c) {
    std::vector<std::pair<std::string, std::string>> out;
    auto add = [&](const std::string& what, const std::string& path) {
        if (path.empty() || path.rfind("PG:", 0) == 0) return;
        if (path.rfind("/vsimem/", 0) == 0) return;  // in memory: no file to harm
        out.emplace_back(what, underlyingFile(path));
    };
    add("the config", c.sourcePath);
    add("incidents", c.incidents.path);
    if (c.studyArea) add("study area", c.studyArea->path);
    for (const Step* step : steps::pipeline()) step->inputFiles(c, add);  // each step's own inputs
    return out;
}

std::vector<std::string> outputFiles(const Config& c) {
    std::vector<std::string> out{c.output.path};
    const fs::path gpkg(c.output.path);
    if (c.output.report) out.push_back(fs::path(gpkg).replace_extension(".html").string());
    if (c.kde.enabled && c.kde.geotiff) {
        const std::string stem = (gpkg.parent_path() / gpkg.stem()).string();
        std::vector<std::string> prefixes{""};
        for (const auto& a : c.analyses)
            if (a.runs("kde")) prefixes.push_back(a.name + "_");
        for (const auto& prefix : prefixes)
            for (const char* table : {"kde_density", "kde_risk"})
                for (const char* ext : {".tif", ".qml"}) out.push_back(stem + "." + prefix + table + ext);
    }
    return out;
}

void refuseOutputOverInput(const Config& c) {
    const auto inputs = inputFiles(c);
    for (const std::string& output : outputFiles(c)) {
        std::error_code ec;
        const fs::path outAbs = fs::weakly_canonical(fs::absolute(output), ec);
        for (const auto& [what, input] : inputs) {
            if (io::isConnectionString(input)) continue;  // a database, not a file
            std::error_code e1, e2;
            const fs::path inAbs = fs::weakly_canonical(fs::absolute(input), e1);
            // The same path once symlinks and ".." are resolved, or the same file (inode) by a hard link.
            const bool same = (!e1 && !ec && inAbs == outAbs) ||
                              (fs::exists(output, e2) && fs::exists(input, e2) && fs::equivalent(output, input, e2));
            if (same)
                throw InputError("output: '" + output + "' is the " + what + " file '" + input +
                                 "' this run reads; writing it would destroy the input. Choose another output path");
        }
    }
}

} // namespace trygg::pipeline
