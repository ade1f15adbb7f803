#include "trygg/pipeline/Config.hpp"

#include "trygg/core/Error.hpp"

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

// The weights keys shared by [gistar] and [local_moran].
void readWeights(const Reader& r, const toml::table* t, const std::string& section, stats::WeightsSpec& w,
                 bool autoAllowed = false) {
    if (auto v = r.str(t, section, "weights")) {
        const auto kind = stats::parseWeightsKind(*v);
        if (!kind)
            r.fail(r.node(t, "weights"), section + ".weights",
                   "'" + *v + "' is not \"distance_band\", \"inverse_distance\", \"knn\", \"queen\" or \"rook\"");
        w.kind = *kind;
    }
    std::optional<double> band = autoAllowed ? r.number(t, section, "distance_band_m", {"default", "auto"})
                                             : r.number(t, section, "distance_band_m", {"default"});
    if (band) {
        // 0 is no band: the default is asked for by name, never by a zero.
        if (!(*band > 0))
            r.fail(r.node(t, "distance_band_m"), section + ".distance_band_m",
                   "must be a positive number of metres, or \"default\"");
        w.distanceM = *band;
    }
    if (auto v = r.number(t, section, "power")) w.power = *v;
    if (auto v = r.number(t, section, "k")) {
        if (*v < 1 || *v != std::floor(*v)) r.fail(r.node(t, "k"), section + ".k", "must be a whole number >= 1");
        w.k = static_cast<int>(*v);
    }
    if (auto v = r.boolean(t, section, "row_standardise")) w.rowStandardise = *v;
}

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
    if (p.empty() || p.rfind("/vsi", 0) == 0) return p;
    const fs::path path(p);
    return path.is_absolute() ? p : (base / path).lexically_normal().string();
}

// A name that can prefix or suffix a layer's name: lower-case ASCII letters, digits and _.
bool isLayerName(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

} // namespace

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
    r.onlyKnown(root, "", {"analysis", "study_area", "incidents", "grid", "gistar", "local_moran", "inference", "global",
                           "areas", "kde", "perception", "hotspot_areas", "overlays", "context", "publish", "analyses", "periods", "filter", "change", "followup", "emerging", "output"});
    const fs::path base = fs::absolute(path).parent_path();

    if (const auto* t = r.table("analysis")) {
        r.onlyKnown(*t, "analysis.", {"name", "crs"});
        if (auto v = r.str(t, "analysis", "name")) cfg.name = *v;
        if (auto v = r.str(t, "analysis", "crs")) cfg.analysisCrs = *v;
    }
    if (const auto* t = r.table("study_area")) {
        r.onlyKnown(*t, "study_area.", {"path", "layer", "crs", "where"});
        io::StudyAreaSpec s;
        s.path = resolve(base, r.str(t, "study_area", "path").value_or(""));
        if (s.path.empty()) r.fail(t, "study_area.path", "missing: give the boundary file, or remove [study_area]");
        s.layer = r.str(t, "study_area", "layer").value_or("");
        s.crs = r.str(t, "study_area", "crs").value_or("");
        s.where = r.str(t, "study_area", "where").value_or("");
        cfg.studyArea = s;
    }
    const auto* inc = r.table("incidents");
    if (!inc) throw InputError("config: '" + path + "' has no [incidents] table. Add one with path = \"...\"");
    r.onlyKnown(*inc, "incidents.",
                {"path", "layer", "crs", "x_field", "y_field", "time_field", "time_format", "earliest_date",
                 "latest_date", "category_field", "id_field", "weight_field"});
    cfg.incidents.path = resolve(base, r.str(inc, "incidents", "path").value_or(""));
    if (cfg.incidents.path.empty()) r.fail(inc, "incidents.path", "missing: give the file of incident reports");
    cfg.incidents.layer = r.str(inc, "incidents", "layer").value_or("");
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

    if (const auto* t = r.table("grid")) {
        r.onlyKnown(*t, "grid.", {"enabled", "shape", "cell_size_m", "align", "max_cells", "force"});
        if (auto v = r.boolean(t, "grid", "enabled")) cfg.grid.enabled = *v;
        if (auto v = r.str(t, "grid", "shape")) {
            if (*v == "square") cfg.grid.shape = grid::Shape::Square;
            else if (*v == "hex") cfg.grid.shape = grid::Shape::Hex;
            else r.fail(r.node(t, "shape"), "grid.shape", "'" + *v + "' is not \"square\" or \"hex\"");
        }
        cfg.grid.cellSizeM = r.number(t, "grid", "cell_size_m", {"auto"});
        if (auto v = r.str(t, "grid", "align")) {
            if (*v == "snapped") cfg.grid.alignment = grid::Alignment::Snapped;
            else if (*v == "extent") cfg.grid.alignment = grid::Alignment::Extent;
            else r.fail(r.node(t, "align"), "grid.align", "'" + *v + "' is not \"snapped\" or \"extent\"");
        }
        if (auto v = r.number(t, "grid", "max_cells")) {
            if (!(*v >= 1 && *v <= 1e12)) r.fail(r.node(t, "max_cells"), "grid.max_cells", "must be from 1 to 10^12");
            cfg.grid.maxCells = static_cast<std::int64_t>(*v);
        }
        if (auto v = r.boolean(t, "grid", "force")) cfg.grid.force = *v;
    }
    if (const auto* t = r.table("gistar")) {
        r.onlyKnown(*t, "gistar.", {"weights", "distance_band_m", "power", "k", "include_self", "row_standardise"});
        const toml::node* band = r.node(t, "distance_band_m");
        if (band && band->is_string() && band->as_string()->get() == "auto") {
            cfg.gistar.autoBand = true;
            toml::table rest = *t;  // read the other keys without the word
            rest.erase("distance_band_m");
            readWeights(r, &rest, "gistar", cfg.gistar.weights);
        } else {
            readWeights(r, t, "gistar", cfg.gistar.weights, true);
        }
        if (auto v = r.boolean(t, "gistar", "include_self")) cfg.gistar.weights.includeSelf = *v;
    }
    if (const auto* t = r.table("local_moran")) {
        r.onlyKnown(*t, "local_moran.", {"enabled", "weights", "distance_band_m", "power", "k", "row_standardise"});
        if (auto v = r.boolean(t, "local_moran", "enabled")) cfg.localMoran.enabled = *v;
        readWeights(r, t, "local_moran", cfg.localMoran.weights);
    }
    if (const auto* t = r.table("inference")) {
        r.onlyKnown(*t, "inference.", {"correction", "permutations", "seed", "threads", "alpha", "classes_from"});
        if (auto v = r.str(t, "inference", "classes_from")) {
            if (*v == "auto") cfg.inference.classesFrom = ClassesFrom::Auto;
            else if (*v == "analytic") cfg.inference.classesFrom = ClassesFrom::Analytic;
            else if (*v == "pseudo") cfg.inference.classesFrom = ClassesFrom::Pseudo;
            else r.fail(r.node(t, "classes_from"), "inference.classes_from", "'" + *v + "' is not \"auto\", \"analytic\" or \"pseudo\"");
        }
        if (auto v = r.str(t, "inference", "correction")) {
            const auto c = stats::parseCorrection(*v);
            if (!c) r.fail(r.node(t, "correction"), "inference.correction", "'" + *v + "' is not \"fdr\", \"bonferroni\" or \"none\"");
            cfg.inference.correction = *c;
        }
        if (auto v = r.number(t, "inference", "permutations")) {
            if (*v < 0 || *v > 99999 || *v != std::floor(*v))
                r.fail(r.node(t, "permutations"), "inference.permutations", "must be a whole number from 0 to 99999");
            cfg.inference.permutations = static_cast<int>(*v);
        }
        if (auto v = r.number(t, "inference", "seed")) {
            if (*v < 0 || *v != std::floor(*v) || *v > 9007199254740992.0)
                r.fail(r.node(t, "seed"), "inference.seed", "must be a whole number from 0 to 2^53");
            cfg.inference.seed = static_cast<std::uint64_t>(*v);
        }
        if (auto v = r.number(t, "inference", "threads")) {
            if (*v < 0 || *v > 1024 || *v != std::floor(*v))
                r.fail(r.node(t, "threads"), "inference.threads", "must be a whole number from 0 (every core) to 1024");
            cfg.inference.threads = static_cast<int>(*v);
        }
        if (auto v = r.number(t, "inference", "alpha")) {
            if (!(*v > 0 && *v < 1)) r.fail(r.node(t, "alpha"), "inference.alpha", "must lie between 0 and 1");
            cfg.inference.alpha = *v;
        }
    }
    if (const auto* t = r.table("global")) {
        r.onlyKnown(*t, "global.", {"enabled", "incremental", "incremental_start_m", "incremental_step_m",
                                    "incremental_count"});
        if (auto v = r.boolean(t, "global", "enabled")) cfg.globalTests = *v;
        if (auto v = r.boolean(t, "global", "incremental")) cfg.incremental.enabled = *v;
        if (auto v = r.number(t, "global", "incremental_start_m", {"default"})) cfg.incremental.startM = *v;
        if (auto v = r.number(t, "global", "incremental_step_m", {"default"})) cfg.incremental.stepM = *v;
        if (auto v = r.number(t, "global", "incremental_count")) {
            if (*v < 2 || *v > 100 || *v != std::floor(*v))
                r.fail(r.node(t, "incremental_count"), "global.incremental_count", "must be a whole number from 2 to 100");
            cfg.incremental.count = static_cast<int>(*v);
        }
    }
    if (const auto* t = r.table("areas")) {
        r.onlyKnown(*t, "areas.", {"path", "layer", "crs", "id_field", "name_field", "weights", "population_field",
                                   "survey_path", "survey_area_field", "survey_question_field", "survey_year_field",
                                   "survey_index_field"});
        AreasConfig a;
        a.layer.path = resolve(base, r.str(t, "areas", "path").value_or(""));
        if (a.layer.path.empty()) r.fail(t, "areas.path", "missing: give the polygon layer of areas, or remove [areas]");
        a.layer.layer = r.str(t, "areas", "layer").value_or("");
        a.layer.crs = r.str(t, "areas", "crs").value_or("");
        a.layer.idField = r.str(t, "areas", "id_field").value_or("");
        a.layer.nameField = r.str(t, "areas", "name_field").value_or("");
        if (auto v = r.str(t, "areas", "weights")) {
            if (*v != "queen" && *v != "rook")
                r.fail(r.node(t, "weights"), "areas.weights", "'" + *v + "' is not \"queen\" or \"rook\"");
            a.queen = *v == "queen";
        }
        a.populationField = r.str(t, "areas", "population_field").value_or("");
        a.layer.populationField = a.populationField;
        if (auto v = r.str(t, "areas", "survey_path")) {
            io::SurveySpec sv;
            sv.path = resolve(base, *v);
            if (auto f = r.str(t, "areas", "survey_area_field")) sv.areaField = *f;
            if (auto f = r.str(t, "areas", "survey_question_field")) sv.questionField = *f;
            if (auto f = r.str(t, "areas", "survey_year_field")) sv.yearField = *f;
            if (auto f = r.str(t, "areas", "survey_index_field")) sv.indexField = *f;
            a.survey = sv;
        }
        cfg.areas = a;
    }
    if (const auto* t = r.table("kde")) {
        r.onlyKnown(*t, "kde.", {"enabled", "kernel", "bandwidth_m", "multiplier", "adaptive_k", "pixel_m", "output",
                                 "top_percent", "population", "edge_correction", "geotiff"});
        KdeConfig& k = cfg.kde;
        if (auto v = r.boolean(t, "kde", "edge_correction")) k.edgeCorrection = *v;
        if (auto v = r.boolean(t, "kde", "geotiff")) k.geotiff = *v;
        k.enabled = r.boolean(t, "kde", "enabled").value_or(true);
        if (auto v = r.str(t, "kde", "kernel")) {
            const auto kernel = kde::parseKernel(*v);
            if (!kernel)
                r.fail(r.node(t, "kernel"), "kde.kernel",
                       "'" + *v + "' is not \"quartic\", \"epanechnikov\", \"triangular\", \"uniform\" or \"gaussian\"");
            k.kernel = *kernel;
        }
        if (const toml::node* n = r.node(t, "bandwidth_m"); n && n->is_string()) {
            const std::string v = n->as_string()->get();
            if (v == "arcgis") k.rule = BandwidthRule::ArcGis;
            else if (v == "nrd") k.rule = BandwidthRule::NormalReference;
            else r.fail(n, "kde.bandwidth_m", "must be a number of metres, \"arcgis\" or \"nrd\"");
        } else if (auto v = r.number(t, "kde", "bandwidth_m")) {
            if (!(*v > 0)) r.fail(r.node(t, "bandwidth_m"), "kde.bandwidth_m", "must be positive");
            k.rule = BandwidthRule::Fixed;
            k.bandwidthM = *v;
        }
        if (auto v = r.number(t, "kde", "multiplier")) {
            if (!(*v > 0)) r.fail(r.node(t, "multiplier"), "kde.multiplier", "must be positive");
            k.multiplier = *v;
        }
        if (auto v = r.number(t, "kde", "adaptive_k")) {
            if (*v < 0 || *v != std::floor(*v)) r.fail(r.node(t, "adaptive_k"), "kde.adaptive_k", "must be a whole number >= 0");
            k.adaptiveK = static_cast<int>(*v);
        }
        if (auto v = r.number(t, "kde", "pixel_m", {"default"})) {
            if (!(*v > 0)) r.fail(r.node(t, "pixel_m"), "kde.pixel_m", "must be positive");
            k.pixelM = *v;
        }
        if (auto v = r.str(t, "kde", "output")) {
            if (*v == "density_km2") k.normalisation = kde::Normalisation::DensityKm2;
            else if (*v == "raw") k.normalisation = kde::Normalisation::Raw;
            else if (*v == "per_cell") k.normalisation = kde::Normalisation::PerArea;
            else r.fail(r.node(t, "output"), "kde.output", "'" + *v + "' is not \"density_km2\", \"raw\" or \"per_cell\"");
        }
        if (const toml::node* pn = r.node(t, "population")) {
            if (!pn->is_table()) r.fail(pn, "kde.population", "must be a table ([kde.population])");
            const toml::table* pt = pn->as_table();
            r.onlyKnown(*pt, "kde.population.", {"path", "layer", "crs", "field", "method", "min_density_km2"});
            io::WeightedPointsSpec ps;
            ps.path = resolve(base, r.str(pt, "kde.population", "path").value_or(""));
            ps.layer = r.str(pt, "kde.population", "layer").value_or("");
            ps.crs = r.str(pt, "kde.population", "crs").value_or("");
            ps.field = r.str(pt, "kde.population", "field").value_or("");
            if (ps.path.empty() || ps.field.empty())
                r.fail(pt, "kde.population", "needs path and field (the residents per point or grid square)");
            k.population = ps;
            if (auto v = r.str(pt, "kde.population", "method")) {
                using M = KdeConfig::RiskMethod;
                if (*v == "rate") k.riskMethod = M::Rate;
                else if (*v == "ratio") k.riskMethod = M::Ratio;
                else if (*v == "log") k.riskMethod = M::Log;
                else if (*v == "diff") k.riskMethod = M::Difference;
                else if (*v == "sum") k.riskMethod = M::Sum;
                else r.fail(r.node(pt, "method"), "kde.population.method",
                            "'" + *v + "' is not \"rate\", \"ratio\", \"log\", \"diff\" or \"sum\"");
            }
            if (auto v = r.number(pt, "kde.population", "min_density_km2")) {
                if (*v < 0) r.fail(r.node(pt, "min_density_km2"), "kde.population.min_density_km2", "must be >= 0");
                k.minPopulationKm2 = *v;
            }
        }
        if (const toml::node* n = r.node(t, "top_percent")) {
            if (!n->is_array()) r.fail(n, "kde.top_percent", "must be a list of percentages, such as [1, 5, 10]");
            k.topPercent.clear();
            for (const auto& e : *n->as_array()) {
                const auto v = e.value<double>();
                if (!v || !(*v > 0 && *v < 100)) r.fail(n, "kde.top_percent", "each share must lie between 0 and 100");
                k.topPercent.push_back(*v);
            }
        }
    }
    if (const auto* t = r.table("perception")) {
        r.onlyKnown(*t, "perception.", {"path", "layer", "crs", "x_field", "y_field", "id_field", "score_field",
                                        "time_of_day_field", "reasons_field", "scale_min", "scale_max", "unsafe",
                                        "unsafe_from", "min_reports", "min_reports_around", "hot_bin", "classes_for"});
        PerceptionConfig p;
        p.reports.what = "perception";
        p.reports.path = resolve(base, r.str(t, "perception", "path").value_or(""));
        if (p.reports.path.empty()) r.fail(t, "perception.path", "missing: give the file of perception reports");
        p.reports.layer = r.str(t, "perception", "layer").value_or("");
        p.reports.crs = r.str(t, "perception", "crs").value_or("");
        p.reports.fields.x = r.str(t, "perception", "x_field").value_or("");
        p.reports.fields.y = r.str(t, "perception", "y_field").value_or("");
        p.reports.fields.id = r.str(t, "perception", "id_field").value_or("");
        p.scoreField = r.str(t, "perception", "score_field").value_or("");
        if (p.scoreField.empty()) r.fail(t, "perception.score_field", "missing: name the field with the score");
        p.timeOfDayField = r.str(t, "perception", "time_of_day_field").value_or("");
        p.reasonsField = r.str(t, "perception", "reasons_field").value_or("");
        if (auto v = r.number(t, "perception", "scale_min")) p.scale.min = *v;
        if (auto v = r.number(t, "perception", "scale_max")) p.scale.max = *v;
        if (!(p.scale.max > p.scale.min)) r.fail(t, "perception.scale_max", "must be above scale_min");
        if (auto v = r.str(t, "perception", "unsafe")) {
            if (*v != "high" && *v != "low")
                r.fail(r.node(t, "unsafe"), "perception.unsafe", "'" + *v + "' is not \"high\" or \"low\" (the unsafe end)");
            p.scale.highIsUnsafe = *v == "high";
        }
        p.scale.unsafeFrom = p.scale.highIsUnsafe ? p.scale.max - 2 : p.scale.min + 2;
        if (auto v = r.number(t, "perception", "unsafe_from")) p.scale.unsafeFrom = *v;
        if (!p.scale.contains(p.scale.unsafeFrom)) r.fail(t, "perception.unsafe_from", "must lie on the scale");
        if (auto v = r.number(t, "perception", "min_reports")) p.minReports = static_cast<std::uint32_t>(std::max(1.0, *v));
        if (auto v = r.number(t, "perception", "min_reports_around"))
            p.minNeighbourhood = static_cast<std::uint32_t>(std::max(1.0, *v));
        if (auto v = r.number(t, "perception", "hot_bin")) {
            if (*v < 1 || *v > 3) r.fail(r.node(t, "hot_bin"), "perception.hot_bin", "must be 1, 2 or 3");
            p.hotBin = static_cast<int>(*v);
        }
        if (const toml::node* n = r.node(t, "classes_for")) {
            if (!n->is_array()) r.fail(n, "perception.classes_for", "must be a list such as [\"kväll\", \"natt\"]");
            for (const auto& e : *n->as_array()) {
                const auto v = e.value<std::string>();
                const auto tod = v ? perception::parseTimeOfDay(*v) : std::nullopt;
                if (!tod || *tod == perception::TimeOfDay::Unknown)
                    r.fail(n, "perception.classes_for", "each entry must be \"dag\", \"kväll\" or \"natt\"");
                p.classesFor.push_back(*tod);
            }
            if (p.timeOfDayField.empty())
                r.fail(n, "perception.classes_for", "needs time_of_day_field to know when each report was made");
        }
        cfg.perception = p;
    }
    if (const auto* t = r.table("hotspot_areas")) {
        r.onlyKnown(*t, "hotspot_areas.", {"enabled", "min_bin", "dark_distance_m", "lights", "places"});
        HotspotAreasConfig& h = cfg.hotspotAreas;
        if (auto v = r.boolean(t, "hotspot_areas", "enabled")) h.enabled = *v;
        if (auto v = r.number(t, "hotspot_areas", "min_bin")) {
            if (*v < 1 || *v > 3) r.fail(r.node(t, "min_bin"), "hotspot_areas.min_bin", "must be 1, 2 or 3");
            h.minBin = static_cast<int>(*v);
        }
        if (auto v = r.number(t, "hotspot_areas", "dark_distance_m")) {
            if (!(*v > 0)) r.fail(r.node(t, "dark_distance_m"), "hotspot_areas.dark_distance_m", "must be positive");
            h.darkDistanceM = *v;
        }
        if (const toml::node* n = r.node(t, "lights")) {
            if (!n->is_table()) r.fail(n, "hotspot_areas.lights", "must be a table {path = \"...\", layer = \"...\"}");
            io::WeightedPointsSpec l;
            l.path = resolve(base, r.str(n->as_table(), "hotspot_areas.lights", "path").value_or(""));
            l.layer = r.str(n->as_table(), "hotspot_areas.lights", "layer").value_or("");
            if (l.path.empty()) r.fail(n, "hotspot_areas.lights", "needs path");
            h.lights = l;
        }
        if (const toml::node* n = r.node(t, "places")) {
            if (!n->is_array()) r.fail(n, "hotspot_areas.places", "must be a list of [[hotspot_areas.places]] tables");
            for (const auto& e : *n->as_array()) {
                if (!e.is_table()) r.fail(n, "hotspot_areas.places", "each entry must be a table with path and name_field");
                const toml::table* pt = e.as_table();
                io::NamedFeaturesSpec p;
                p.path = resolve(base, r.str(pt, "hotspot_areas.places", "path").value_or(""));
                p.layer = r.str(pt, "hotspot_areas.places", "layer").value_or("");
                p.nameField = r.str(pt, "hotspot_areas.places", "name_field").value_or("");
                p.crs = r.str(pt, "hotspot_areas.places", "crs").value_or("");
                if (p.path.empty() || p.nameField.empty()) r.fail(&e, "hotspot_areas.places", "needs path and name_field");
                h.places.push_back(p);
            }
        }
    }
    if (const toml::node* n = root.get("overlays")) {
        if (!n->is_array()) r.fail(n, "overlays", "must be a list of [[overlays]] tables");
        for (const auto& e : *n->as_array()) {
            if (!e.is_table()) r.fail(&e, "overlays", "each entry must be a table");
            const toml::table* t = e.as_table();
            r.onlyKnown(*t, "overlays.", {"name", "path", "layer", "crs", "measure", "class_field", "classes"});
            OverlayConfig o;
            o.name = r.str(t, "overlays", "name").value_or("");
            o.layer.path = resolve(base, r.str(t, "overlays", "path").value_or(""));
            o.layer.layer = r.str(t, "overlays", "layer").value_or("");
            o.layer.crs = r.str(t, "overlays", "crs").value_or("");
            o.layer.nameField = r.str(t, "overlays", "class_field").value_or("");
            o.measure = r.str(t, "overlays", "measure").value_or("count");
            if (o.name.empty() || o.layer.path.empty()) r.fail(t, "overlays", "needs name and path");
            if (o.measure != "count" && o.measure != "density" && o.measure != "share" && o.measure != "length" &&
                o.measure != "distance")
                r.fail(r.node(t, "measure"), "overlays.measure",
                       "'" + o.measure + "' is not count, density, share, length or distance");
            if (const toml::node* c = r.node(t, "classes")) {
                if (!c->is_array() || o.layer.nameField.empty())
                    r.fail(c, "overlays.classes", "must be a list, with class_field naming the field it refers to");
                for (const auto& v : *c->as_array())
                    if (auto s2 = v.value<std::string>()) o.classes.push_back(*s2);
            }
            cfg.overlays.push_back(o);
        }
    }
    if (const toml::node* n = root.get("context")) {
        if (!n->is_array()) r.fail(n, "context", "must be a list of [[context]] tables");
        for (const auto& e : *n->as_array()) {
            if (!e.is_table()) r.fail(&e, "context", "each entry must be a table");
            const toml::table* t = e.as_table();
            r.onlyKnown(*t, "context.", {"name", "path", "layer", "crs", "label_field"});
            ContextConfig c;
            c.name = r.str(t, "context", "name").value_or("");
            c.layer.path = resolve(base, r.str(t, "context", "path").value_or(""));
            c.layer.layer = r.str(t, "context", "layer").value_or("");
            c.layer.crs = r.str(t, "context", "crs").value_or("");
            c.layer.nameField = r.str(t, "context", "label_field").value_or("");
            if (c.name.empty() || c.layer.path.empty()) r.fail(t, "context", "needs name and path");
            if (!isLayerName(c.name))
                r.fail(r.node(t, "name"), "context.name", "'" + c.name + "' must be lower-case letters, digits and _");
            for (const auto& other : cfg.context)
                if (other.name == c.name) r.fail(r.node(t, "name"), "context.name", "'" + c.name + "' is used twice");
            cfg.context.push_back(c);
        }
    }
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
            const toml::table* a = node.as_table();
            const FilterText ft = readFilterText(r, a, section, true,
                                                 {"title", "kde", "perception", "change", "emerging", "followup", "areas",
                                                  "local_moran", "hotspot_areas"});
            AnalysisConfig ac;
            ac.name = name;
            ac.title = r.str(a, section, "title").value_or(name);
            ac.filter = parseFilter(ft, cfg.periods, "config: " + r.where(&node) + ", " + section);
            ac.categories = ft.categories;
            for (auto [k, flag] : {std::pair{"kde", &ac.kde}, std::pair{"perception", &ac.perception},
                                   std::pair{"change", &ac.change}, std::pair{"emerging", &ac.emerging},
                                   std::pair{"followup", &ac.followup}, std::pair{"areas", &ac.areas},
                                   std::pair{"local_moran", &ac.localMoran}, std::pair{"hotspot_areas", &ac.hotspotAreas}})
                if (auto v = r.boolean(a, section, k)) *flag = *v;
            cfg.analyses.push_back(std::move(ac));
        }
    }
    if (const auto* t = r.table("change")) {
        r.onlyKnown(*t, "change.", {"before", "after"});
        ChangeConfig c;
        for (auto [key, name] : {std::pair{"before", &c.before}, std::pair{"after", &c.after}}) {
            const auto v = r.str(t, "change", key);
            if (!v) r.fail(t, std::string("change.") + key, "missing: name a period from [periods]");
            const auto it = cfg.periods.find(*v);
            if (it == cfg.periods.end())
                r.fail(r.node(t, key), std::string("change.") + key, "no period named '" + *v + "' in [periods]");
            if (!it->second.from || !it->second.to)
                r.fail(r.node(t, key), std::string("change.") + key,
                       "period '" + *v + "' needs both from and to, so that its length is known");
            *name = *v;
        }
        if (c.before == c.after) r.fail(t, "change", "before and after are the same period");
        cfg.change = c;
    }
    if (const auto* t = r.table("followup")) {
        r.onlyKnown(*t, "followup.", {"name", "date", "before_days", "after_days", "measure_area", "buffer_area",
                                      "buffer_m", "control_area"});
        FollowupConfig f;
        f.title = r.str(t, "followup", "name").value_or("measure");
        const auto date = r.str(t, "followup", "date");
        if (!date) r.fail(t, "followup.date", "missing: the day the measure took effect, such as \"2024-03-01\"");
        try {
            f.date = temporal::parseDateBound(*date, false);
        } catch (const InputError& e) {
            r.fail(r.node(t, "date"), "followup.date", e.what());
        }
        f.dateText = *date;
        for (auto [key, days] : {std::pair{"before_days", &f.beforeDays}, std::pair{"after_days", &f.afterDays}}) {
            if (auto v = r.number(t, "followup", key)) {
                if (!(*v >= 1)) r.fail(r.node(t, key), std::string("followup.") + key, "must be at least 1 day");
                *days = *v;
            }
        }
        if (auto v = r.number(t, "followup", "buffer_m")) {
            if (!(*v > 0)) r.fail(r.node(t, "buffer_m"), "followup.buffer_m", "must be > 0 metres");
            f.bufferM = *v;
        }
        auto area = [&](const char* key, bool required) -> std::optional<FollowupArea> {
            const toml::node* n = r.node(t, key);
            if (!n) {
                if (required) r.fail(t, std::string("followup.") + key, "missing: { path = \"...\", layer = \"...\", "
                                                                          "name_field = \"...\", name = \"...\" }");
                return std::nullopt;
            }
            if (!n->is_table()) r.fail(n, std::string("followup.") + key, "must be a table with path, layer, name_field, name");
            const auto* at = n->as_table();
            const std::string section = std::string("followup.") + key;
            r.onlyKnown(*at, section + ".", {"path", "layer", "name_field", "name", "crs"});
            FollowupArea a;
            a.layer.path = resolve(base, r.str(at, section, "path").value_or(""));
            if (a.layer.path.empty()) r.fail(n, section + ".path", "missing: the file holding the area");
            a.layer.layer = r.str(at, section, "layer").value_or("");
            a.layer.nameField = r.str(at, section, "name_field").value_or("");
            a.layer.crs = r.str(at, section, "crs").value_or("");
            a.name = r.str(at, section, "name").value_or("");
            if (!a.name.empty() && a.layer.nameField.empty())
                r.fail(n, section + ".name_field", "missing: the field in which to look for '" + a.name + "'");
            return a;
        };
        f.measure = *area("measure_area", true);
        f.control = *area("control_area", true);
        f.buffer = area("buffer_area", false);
        cfg.followup = f;
    }
    if (const auto* t = r.table("emerging")) {
        r.onlyKnown(*t, "emerging.", {"slice", "time_lag", "alpha", "distance_band_m"});
        EmergingConfig e;
        if (auto v = r.str(t, "emerging", "slice")) {
            if (*v != "auto" && *v != "week" && *v != "month" && *v != "quarter")
                r.fail(r.node(t, "slice"), "emerging.slice", "'" + *v + "' is not \"auto\", \"week\", \"month\" or \"quarter\"");
            e.slice = *v;
        }
        if (auto v = r.number(t, "emerging", "time_lag")) {
            if (*v < 0 || *v != std::floor(*v)) r.fail(r.node(t, "time_lag"), "emerging.time_lag", "must be a whole number >= 0");
            e.timeLag = static_cast<int>(*v);
        }
        if (auto v = r.number(t, "emerging", "alpha")) {
            if (!(*v > 0 && *v < 0.5)) r.fail(r.node(t, "alpha"), "emerging.alpha", "must lie between 0 and 0.5");
            e.alpha = *v;
        }
        if (auto v = r.number(t, "emerging", "distance_band_m", {"default"})) {
            if (!(*v > 0)) r.fail(r.node(t, "distance_band_m"), "emerging.distance_band_m", "must be > 0 metres");
            e.bandM = *v;
        }
        cfg.emerging = e;
    }
    const auto* out = r.table("output");
    if (!out) throw InputError("config: '" + path + "' has no [output] table. Add one with path = \"....gpkg\"");
    r.onlyKnown(*out, "output.", {"path", "overwrite", "report", "qgis_project", "language"});
    if (auto v = r.boolean(out, "output", "report")) cfg.output.report = *v;
    if (auto v = r.boolean(out, "output", "qgis_project")) cfg.output.qgisProject = *v;
    if (auto v = r.str(out, "output", "language")) {
        if (*v != "sv" && *v != "en") r.fail(r.node(out, "language"), "output.language", "'" + *v + "' is not \"sv\" or \"en\"");
        cfg.output.language = *v;
    }
    cfg.output.path = resolve(base, r.str(out, "output", "path").value_or(""));
    if (auto v = r.boolean(out, "output", "overwrite")) cfg.output.overwrite = *v;
    validate(cfg);
    return cfg;
}

void validate(const Config& c) {
    const std::string where = c.sourcePath.empty() ? "options" : "config '" + c.sourcePath + "'";
    if (c.incidents.path.empty()) throw InputError(where + ": no incidents file given");
    if (c.output.path.empty()) throw InputError(where + ": no output file given (a .gpkg path)");
    if (fs::path(c.output.path).extension() != ".gpkg")
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
    if (c.areas) {
        add("areas", c.areas->layer.path);
        if (c.areas->survey) add("survey", c.areas->survey->path);
    }
    add("kde align_to", c.kde.alignTo);
    if (c.kde.population) add("kde population", c.kde.population->path);
    if (c.perception) add("perception", c.perception->reports.path);
    for (const auto& p : c.hotspotAreas.places) add("hotspot_areas places", p.path);
    if (c.hotspotAreas.lights) add("hotspot_areas lights", c.hotspotAreas.lights->path);
    for (const auto& o : c.overlays) add("overlay '" + o.name + "'", o.layer.path);
    for (const auto& x : c.context) add("context '" + x.name + "'", x.layer.path);
    if (c.followup) {
        add("followup measure", c.followup->measure.layer.path);
        add("followup control", c.followup->control.layer.path);
        if (c.followup->buffer) add("followup buffer", c.followup->buffer->layer.path);
    }
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
            if (a.kde) prefixes.push_back(a.name + "_");
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
