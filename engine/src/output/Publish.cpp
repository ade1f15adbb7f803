#include "trygg/output/Publish.hpp"

#include "Disclosure.hpp"
#include "LayerNames.hpp"
#include "Sqlite.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/overlay/HotspotAreas.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <regex>
#include <set>
#include <span>

namespace trygg::output {
namespace {

using sqlite::Db;
using sqlite::quoteId;
using namespace disclosure;

// The publishing view of every declared layer that holds counts (output/Layers.hpp).
const std::vector<Policy>& policies() {
    static const std::vector<Policy> all = [] {
        std::vector<Policy> out;
        for (const LayerSpec& l : declaredLayers()) {
            Policy p{&l};
            bool counts = false;
            for (const FieldSpec& f : l.fields) {
                counts = counts || f.role == Role::Count;
                if ((f.role == Role::Derived || f.role == Role::TextWithCounts) && !f.from.empty() && !f.dropWhenPublishing)
                    p.derived.push_back({f.name, f.from});
                if (f.dropWhenPublishing) p.drop.push_back(f.name);
                if (f.role == Role::TextWithCounts) p.textCounts.push_back(f.name);
            }
            if (counts || !p.drop.empty()) out.push_back(std::move(p));  // counts to hide or statistics to drop
        }
        return out;
    }();
    return all;
}

std::vector<std::string> columnsOf(Db& db, const std::string& table) {
    std::vector<std::string> cols;
    auto q = db.prepare("SELECT name FROM pragma_table_info(?)");
    sqlite3_bind_text(q.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while (db.row(q.get())) cols.push_back(sqlite::text(q.get(), 0));
    return cols;
}

// Publishing knows a table only by its declaration: a table or field that Layers.cpp does not
// declare could hold anything, so it stops the run rather than be published unread.
void requireDeclared(Db& db, const std::string& table) {
    const LayerSpec* spec = layerOf(table);
    if (!spec)
        throw Error("internal error: publishing: the table '" + table + "' is not declared in output/Layers.cpp, so "
                    "what its fields hold is unknown; nothing was published");
    for (const auto& col : columnsOf(db, table))
        if (col != "fid" && col != "geom" && !fieldOf(*spec, col))
            throw Error("internal error: publishing: the field '" + col + "' of '" + table + "' is not declared in "
                        "output/Layers.cpp, so what it holds is unknown; nothing was published");
}

// "stöld (337); klotter (2)" as "stöld; klotter". Every count goes, not only the small ones: a
// hotspot area's "stöld (337)" is the sum of its cells' n_stöld, and its peak hour's "(94)" the
// sum of that hour over its weekdays, so a large count gives back a hidden cell or hour beside it.
// The order, which is what a planner reads, stays.
TableState loadTable(Db& db, const std::string& table, const Policy& policy, int minCount) {
    TableState t;
    t.table = table;
    t.policy = &policy;
    t.cols = columnsOf(db, table);
    // Its counts, in the table's order: the fields declared as counts (n_<category> by pattern).
    for (const auto& col : t.cols)
        if (const FieldSpec* f = fieldOf(*policy.spec, col); f && f->role == Role::Count && !f->dropWhenPublishing) {
            t.counts.push_back(col);
            t.category.push_back(f->name.find('*') != std::string::npos);
        }
    for (std::size_t k = 0; k < t.counts.size(); ++k)
        if (t.counts[k] == policy.spec->rowTotal) t.totalIndex = static_cast<int>(k);
    // Its key: one field, or several joined by a unit separator (measure_id and category).
    std::string key;
    if (t.hasKey())
        for (const auto& f : keyFields(*policy.spec))
            key += (key.empty() ? "" : " || char(31) || ") + ("COALESCE(" + quoteId(f) + ", '')");
    std::string sql = "SELECT rowid, " + (key.empty() ? std::string("''") : key);
    for (const auto& c : t.counts) sql += ", " + quoteId(c);
    // The extra columns after the counts, in this order.
    std::vector<std::vector<std::string>*> extra;
    if (policy.spec->hotTimes) sql += ", COALESCE(area_id, '')", extra.push_back(&t.blockOf);
    if (!policy.spec->groupBy.empty() && t.has(policy.spec->groupBy)) sql += ", " + quoteId(policy.spec->groupBy), extra.push_back(&t.groupOf);
    if (!policy.spec->id.empty() && t.has(policy.spec->id)) sql += ", " + quoteId(policy.spec->id), extra.push_back(&t.ids);
    auto q = db.prepare(sql + " FROM " + quoteId(table));
    const int first = 2;  // the first count's column
    while (db.row(q.get())) {
        t.rowids.push_back(sqlite3_column_int64(q.get(), 0));
        t.keys.push_back(sqlite::text(q.get(), 1));
        std::vector<std::int64_t> v(t.counts.size());
        std::vector<bool> nul(t.counts.size());
        for (std::size_t k = 0; k < t.counts.size(); ++k) {
            nul[k] = sqlite3_column_type(q.get(), first + static_cast<int>(k)) == SQLITE_NULL;
            v[k] = sqlite3_column_int64(q.get(), first + static_cast<int>(k));
        }
        t.values.push_back(std::move(v));
        t.isNull.push_back(std::move(nul));
        for (std::size_t e = 0; e < extra.size(); ++e)
            extra[e]->push_back(sqlite::text(q.get(), first + static_cast<int>(t.counts.size() + e)));
    }
    // The small counts themselves.
    t.hidden.assign(t.rows(), std::vector<bool>(t.counts.size(), false));
    for (std::size_t i = 0; i < t.rows(); ++i)
        for (std::size_t k = 0; k < t.counts.size(); ++k)
            if (!t.isNull[i][k] && isSmall(t.values[i][k], minCount)) t.hidden[i][k] = true, ++t.result.hidden;
    return t;
}

// The WKB of a GeoPackage geometry blob (its header and envelope skipped); empty for an empty
// geometry or a blob that is not one.
std::span<const unsigned char> wkbOf(const void* blob, int bytes) {
    const auto* b = static_cast<const unsigned char*>(blob);
    if (!b || bytes < 8 || b[0] != 'G' || b[1] != 'P' || (b[3] & 0x10)) return {};
    static const int envelope[] = {0, 32, 48, 48, 64, 0, 0, 0};
    const int header = 8 + envelope[(b[3] >> 1) & 7];
    if (bytes <= header) return {};
    return {b + header, static_cast<std::size_t>(bytes - header)};
}

// The hotspot areas made of whole grid cells (their `cells` field set; the density areas are
// pixels), each with the grid rows of its cells: those that overlap it (its polygon is clipped to
// the study area, the cells are whole, so a cell at the edge may hold only part of it), as any
// reader of the file can find them.
std::vector<AreaOfCells> areasOfCells(Db& db, std::vector<TableState>& states) {
    std::vector<AreaOfCells> out;
    const auto geometryColumn = [&](const std::string& table) {
        auto q = db.prepare("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?");
        sqlite3_bind_text(q.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        return db.row(q.get()) ? sqlite::text(q.get(), 0) : std::string();
    };
    geom::GeosContext geos;
    for (TableState& areas : states) {
        if (areas.policy->spec->name != "hotspot_areas" || !areas.has("cells")) continue;
        TableState* grid = nullptr;
        for (TableState& g : states)
            if (g.policy->spec->name == "hotspot_grid" && g.prefix() == areas.prefix()) grid = &g;
        const std::string areaGeom = geometryColumn(areas.table), gridGeom = grid ? geometryColumn(grid->table) : "";
        if (!grid || areaGeom.empty() || gridGeom.empty()) continue;
        std::map<std::int64_t, std::size_t> gridRow, areaRow;
        for (std::size_t i = 0; i < grid->rows(); ++i) gridRow.emplace(grid->rowids[i], i);
        for (std::size_t i = 0; i < areas.rows(); ++i) areaRow.emplace(areas.rowids[i], i);
        std::vector<geom::GeomPtr> cell(grid->rows());
        std::vector<geom::Bounds> cellBounds(grid->rows());
        std::vector<double> cellM2(grid->rows(), 0.0);
        auto q = db.prepare("SELECT rowid, " + quoteId(gridGeom) + " FROM " + quoteId(grid->table));
        while (db.row(q.get())) {
            const auto it = gridRow.find(sqlite3_column_int64(q.get(), 0));
            const auto wkb = wkbOf(sqlite3_column_blob(q.get(), 1), sqlite3_column_bytes(q.get(), 1));
            if (it == gridRow.end() || wkb.empty()) continue;
            cell[it->second] = geom::fromWkb(geos, wkb);
            cellBounds[it->second] = geom::boundsOf(geos, cell[it->second].get());
            cellM2[it->second] = overlay::areaM2(geos, cell[it->second].get());
        }
        auto a = db.prepare("SELECT rowid, " + quoteId(areaGeom) + " FROM " + quoteId(areas.table) + " WHERE cells IS NOT NULL");
        while (db.row(a.get())) {
            const auto it = areaRow.find(sqlite3_column_int64(a.get(), 0));
            const auto wkb = wkbOf(sqlite3_column_blob(a.get(), 1), sqlite3_column_bytes(a.get(), 1));
            if (it == areaRow.end() || wkb.empty()) continue;
            const geom::Area area(geos, {std::vector<unsigned char>(wkb.begin(), wkb.end())}, nullptr);
            const geom::Bounds& b = area.bounds();
            AreaOfCells member{&areas, it->second, grid, {}};
            for (std::size_t c = 0; c < cell.size(); ++c) {
                if (!cell[c]) continue;
                const geom::Bounds& cb = cellBounds[c];
                if (cb.maxX <= b.minX || cb.minX >= b.maxX || cb.maxY <= b.minY || cb.minY >= b.maxY) continue;
                // Part of the area, not a neighbour touching its edge (the area is clipped to the
                // study area, the cells are not).
                if (overlay::areaM2(geos, area.clip(cell[c].get()).get()) > 1e-6 * cellM2[c]) member.cells.push_back(c);
            }
            out.push_back(std::move(member));
        }
    }
    return out;
}

// Writes the hiding: hidden counts and what is computed from them to NULL, the flag, dropped
// statistics, texts.
void writeTable(Db& db, TableState& t, std::vector<std::string>& dropped) {
    const Policy& policy = *t.policy;
    const std::string& table = t.table;
    const std::size_t ncols = t.counts.size();
    // The spatial index's triggers call GDAL's SQL functions (ST_IsEmpty ...), which plain SQLite
    // lacks; no geometry changes here, so they are set aside and put back unchanged.
    std::vector<std::pair<std::string, std::string>> triggers;
    {
        auto q = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql LIKE '%ST\\_%' ESCAPE '\\'");
        sqlite3_bind_text(q.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        while (db.row(q.get())) triggers.emplace_back(sqlite::text(q.get(), 0), sqlite::text(q.get(), 1));
    }
    for (const auto& tr : triggers) db.exec("DROP TRIGGER " + quoteId(tr.first));
    // A table without counts (only statistics to drop: period_change) has nothing to flag.
    if (ncols > 0) db.exec("ALTER TABLE " + quoteId(table) + " ADD COLUMN suppressed TEXT");
    std::vector<std::string> derivedHere;
    std::vector<std::vector<std::size_t>> derivedFrom;
    for (const auto& d : policy.derived) {
        if (!t.has(d.field)) continue;
        std::vector<std::size_t> from;
        for (const auto& f : d.from)
            for (std::size_t k = 0; k < ncols; ++k)
                if (t.counts[k] == f) from.push_back(k);
        derivedHere.push_back(d.field);
        derivedFrom.push_back(from);
    }
    std::set<std::string> groupsHiding;  // groups (groupBy) with a hidden count
    if (t.groupOf.size() == t.rows())
        for (std::size_t i = 0; i < t.rows(); ++i)
            if (std::any_of(t.hidden[i].begin(), t.hidden[i].end(), [](bool h) { return h; })) groupsHiding.insert(t.groupOf[i]);
    for (std::size_t i = 0; i < t.rows(); ++i) {
        std::vector<std::string> nulled, flagged;
        for (std::size_t k = 0; k < ncols; ++k)
            if (t.hidden[i][k]) nulled.push_back(t.counts[k]), flagged.push_back(t.counts[k]);
        if (!groupsHiding.empty() && groupsHiding.count(t.groupOf[i]))
            for (const auto& f : policy.spec->groupDerived)
                if (t.has(f)) nulled.push_back(f), ++t.result.derived;
        for (std::size_t d = 0; d < derivedHere.size(); ++d)
            for (std::size_t k : derivedFrom[d])
                if (t.hidden[i][k]) {
                    nulled.push_back(derivedHere[d]);
                    ++t.result.derived;
                    break;
                }
        if (nulled.empty()) continue;
        std::string sql = "UPDATE " + quoteId(table) + " SET ";
        for (const auto& f : nulled) sql += quoteId(f) + " = NULL, ";
        std::string flag;
        for (const auto& f : flagged) flag += (flag.empty() ? "" : ",") + f;
        sql += "suppressed = ? WHERE rowid = ?";
        auto u = db.prepare(sql);
        sqlite3_bind_text(u.get(), 1, flag.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u.get(), 2, t.rowids[i]);
        db.step(u.get());
    }
    for (const auto& field : policy.textCounts) {
        if (!t.has(field)) continue;
        std::vector<std::pair<std::int64_t, std::string>> changes;
        auto q = db.prepare("SELECT rowid, " + quoteId(field) + " FROM " + quoteId(table) + " WHERE " + quoteId(field) +
                            " IS NOT NULL");
        while (db.row(q.get())) {
            const std::string before = sqlite::text(q.get(), 1), after = dropTextCounts(before);
            if (after != before) changes.emplace_back(sqlite3_column_int64(q.get(), 0), after);
        }
        auto u = db.prepare("UPDATE " + quoteId(table) + " SET " + quoteId(field) + " = ? WHERE rowid = ?");
        for (const auto& [rowid, text] : changes) {
            sqlite3_bind_text(u.get(), 1, text.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(u.get(), 2, rowid);
            db.step(u.get());
        }
    }
    for (const auto& field : policy.drop)
        if (t.has(field)) {
            db.exec("ALTER TABLE " + quoteId(table) + " DROP COLUMN " + quoteId(field));
            dropped.push_back(table + "." + field);
        }
    for (const auto& tr : triggers) db.exec(tr.second);
}

// run_metadata: the counts of report rows, published as the tables are. They come in families
// whose totals are published too, so each family is protected as a group:
//   read = accepted + rejected;  rejected = the sum of the rejected.<reason> counts;
//   the incidents accepted = filter rows used + outside + without time + without clock + other categories.
// Small counts are hidden, then as many more as the family's total needs (the total itself where
// hiding it is enough: rows_read, when rows_rejected is small). Every hidden count reads "hidden",
// whatever it is, so a small one cannot be told from one hidden beside it. The first and last
// report's time keep only their month.
void publishMetadata(Db& db, const std::string& table, int minCount, std::int64_t& hiddenSmall, std::int64_t& complementary) {
    static const std::regex reportCount(
        R"(^(analyses\.[a-z0-9_]+\.)?(input\.[a-z_]+\.(rows_[a-z_]+|rejected\..+)|filter\..+)$)");
    static const std::regex reportTime(R"(^input\.[a-z_]+\.time_(first|last)$)");
    struct Entry {
        std::int64_t rowid;
        std::int64_t value;
    };
    std::map<std::string, Entry> counts;  // key -> its count, for the keys that hold one
    std::vector<std::pair<std::int64_t, std::string>> updates;
    auto q = db.prepare("SELECT rowid, key, value FROM " + quoteId(table));
    while (db.row(q.get())) {
        const std::string key = sqlite::text(q.get(), 1), value = sqlite::text(q.get(), 2);
        if (std::regex_match(key, reportTime) && value.size() > 7) {
            updates.emplace_back(sqlite3_column_int64(q.get(), 0), value.substr(0, 7));
            continue;
        }
        if (!std::regex_match(key, reportCount) || value.empty() || value.size() > 12 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        counts[key] = {sqlite3_column_int64(q.get(), 0), std::stoll(value)};
    }
    std::set<std::string> hidden;
    for (const auto& [key, e] : counts)
        if (isSmall(e.value, minCount)) hidden.insert(key), ++hiddenSmall;
    // A family: the member keys (those present) and its total's key; suppressGroup decides.
    auto protect = [&](const std::vector<std::string>& members, const std::string& total) {
        std::vector<std::string> keys;
        for (const auto& k : members)
            if (counts.count(k)) keys.push_back(k);
        if (keys.empty() || !counts.count(total)) return false;
        std::vector<std::int64_t> values;
        std::vector<bool> flags;
        for (const auto& k : keys) values.push_back(counts[k].value), flags.push_back(hidden.count(k) > 0);
        const bool totalShown = !hidden.count(total);
        const std::size_t added = suppressGroup(values, flags, minCount, totalShown);
        bool changed = false;
        for (std::size_t j = 0; j < keys.size(); ++j)
            if (flags[j] && hidden.insert(keys[j]).second) changed = true;
        complementary += static_cast<std::int64_t>(added);
        if (totalShown && !groupSafe(values, flags, minCount) && hidden.insert(total).second) {
            ++complementary;  // nothing left to hide beside them: the total goes
            changed = true;
        }
        return changed;
    };
    std::set<std::string> prefixes;  // "input.incidents." and "analyses.NAME.input.incidents."
    for (const auto& [key, e] : counts) {
        const auto at = key.find("rows_read");
        if (at != std::string::npos) prefixes.insert(key.substr(0, at));
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& p : prefixes) {
            // read = accepted + rejected. A small rejected count hides the total rather than
            // accepted, which the grid's counts give away anyway.
            if (counts.count(p + "rows_rejected") && hidden.count(p + "rows_rejected") && counts.count(p + "rows_read") &&
                !hidden.count(p + "rows_read")) {
                hidden.insert(p + "rows_read");
                ++complementary;
                changed = true;
            }
            changed |= protect({p + "rows_accepted", p + "rows_rejected"}, p + "rows_read");
            std::vector<std::string> reasons;
            for (const auto& [key, e] : counts)
                if (key.rfind(p + "rejected.", 0) == 0) reasons.push_back(key);
            changed |= protect(reasons, p + "rows_rejected");
        }
        std::set<std::string> filters;  // "filter." and "analyses.NAME.filter."
        for (const auto& [key, e] : counts) {
            const auto at = key.find("filter.rows_used");
            if (at != std::string::npos) filters.insert(key.substr(0, at) + "filter.");
        }
        for (const auto& f : filters) {
            std::vector<std::string> parts;
            for (const char* k : {"rows_used", "rows_outside", "rows_without_time", "rows_without_clock", "rows_other_categories"})
                parts.push_back(f + k);
            changed |= protect(parts, "input.incidents.rows_accepted");
        }
    }
    for (const auto& key : hidden) updates.emplace_back(counts[key].rowid, "hidden");
    auto u = db.prepare("UPDATE " + quoteId(table) + " SET value = ? WHERE rowid = ?");
    for (const auto& [rowid, text] : updates) {
        sqlite3_bind_text(u.get(), 1, text.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u.get(), 2, rowid);
        db.step(u.get());
    }
}

} // namespace

PublishSummary publishGeoPackage(const std::string& gpkgPath, const PublishOptions& options) {
    Db db(gpkgPath, "output.gpkg: publishing", Db::Kind::Scratch);  // the run's temporary file
    PublishSummary summary;
    std::vector<std::string> tables;
    {
        auto q = db.prepare("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')");
        while (db.row(q.get())) tables.push_back(sqlite::text(q.get(), 0));
    }
    db.exec("PRAGMA secure_delete = ON");
    db.exec("BEGIN");
    // Every table's counts first, so that the hiding is worked out within tables and between
    // analyses together, until nothing changes.
    std::vector<TableState> states;
    for (const auto& table : tables) {
        if (table == "layer_styles") continue;  // QGIS's styles: no data
        requireDeclared(db, table);
        if (isLayer(table, "run_metadata")) {
            std::int64_t small = 0, more = 0;
            publishMetadata(db, table, options.minCount, small, more);
            summary.hidden += small;
            summary.complementary += more;
            continue;
        }
        // By its declaration, the longest base that fits: problem_measures is not the "problem"
        // analysis's measures.
        const LayerSpec* spec = layerOf(table);
        for (const auto& p : policies())
            if (p.spec == spec) {
                states.push_back(loadTable(db, table, p, options.minCount));
                break;
            }
    }
    // The whole file's relations (Disclosure.hpp), protected together until nothing changes.
    std::vector<Relation> relations = relationsBetween(states, areasOfCells(db, states));
    const auto append = [&](std::vector<Relation> more) {
        relations.insert(relations.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    };
    append(relationsAcross(states, options.analyses));
    for (auto& t : states) append(relationsWithin(t));
    const auto pairs = pairsAcross(states);
    const auto settle = [&] {
        for (;;) {  // ends: values are only ever hidden, never shown again
            std::size_t added = protectAcross(pairs, options.minCount);
            for (const Relation& r : relations) added += protect(r, options.minCount);
            for (auto& t : states)
                if (t.policy->spec->hotTimes) added += hideZeroSlots(t);
            summary.complementary += static_cast<std::int64_t>(added);
            if (added == 0) return;
        }
    };
    settle();
    // Then the reader's attack, by the publisher, over all of them at once: where it holds a
    // hidden count within fewer than min_count values, more goes, until it finds nothing.
    for (;;) {
        const Findings found = audit(relations, options.minCount);
        ++summary.auditRounds;
        if (found.empty()) break;
        const std::size_t more = remedy(relations, found);
        if (more == 0) {  // everything around them is hidden already: nothing is published
            std::vector<std::string> which;
            for (const Ref& r : found.counts)
                if (which.size() < 4)
                    which.push_back(fmt::format("{}.{} of '{}'", r.table->table, r.table->counts[r.field], r.table->keys[r.row]));
            for (auto& w : which) std::replace(w.begin(), w.end(), '\x1f', ' ');
            throw Error(fmt::format("publishing: {} hidden counts could still be worked out to within {} after {} rounds "
                                    "of hiding more ({}{}); nothing was written. Publish fewer analyses per file, or raise "
                                    "[publish] min_count",
                                    found.size(), options.minCount, summary.auditRounds, fmt::join(which, ", "),
                                    found.size() > which.size() ? " ..." : ""));
        }
        summary.complementary += static_cast<std::int64_t>(more);
        settle();
    }
    // The follow-up's result over all incidents is repeated in run_metadata (followup.wdq, its
    // verdicts): hidden there too where its counts are.
    for (const auto& t : states) {
        if (t.policy->spec->name != "followup") continue;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            if (t.keys[i] != "all" || std::none_of(t.hidden[i].begin(), t.hidden[i].end(), [](bool h) { return h; })) continue;
            const std::string prefix = t.table.size() > 8 ? "analyses." + t.table.substr(0, t.table.size() - 9) + "." : "";
            for (const char* key : {"followup.wdq", "followup.verdict", "followup.verdict_sv"}) {
                auto u = db.prepare("UPDATE run_metadata SET value = 'hidden' WHERE key = ?");
                const std::string k = prefix + key;
                sqlite3_bind_text(u.get(), 1, k.c_str(), -1, SQLITE_TRANSIENT);
                db.step(u.get());
            }
        }
    }
    for (auto& t : states) {
        writeTable(db, t, summary.droppedFields);
        summary.hidden += t.result.hidden;
        summary.complementary += t.result.complementary;
        summary.derived += t.result.derived;
    }
    // The mode and what it did, in run_metadata for whoever receives the file.
    if (std::find(tables.begin(), tables.end(), "run_metadata") != tables.end()) {
        auto ins = db.prepare("INSERT INTO run_metadata(key, value) VALUES (?, ?)");
        const auto add = [&](const std::string& key, const std::string& value) {
            sqlite3_bind_text(ins.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins.get(), 2, value.c_str(), -1, SQLITE_TRANSIENT);
            db.step(ins.get());
        };
        std::string droppedList;
        for (const auto& f : summary.droppedFields) droppedList += (droppedList.empty() ? "" : ", ") + f;
        add("publish.mode", "on: made for publishing; no report points, no rejected rows, no density rasters");
        add("publish.min_count", std::to_string(options.minCount));
        add("publish.rule", fmt::format("counts of 1 to {} are NULL and named in the row's `suppressed` field; more "
                                        "counts are hidden where a total would give them back (every linear relation "
                                        "between the file's counts, protected together); values computed from a "
                                        "hidden count are NULL; counts in texts are dropped",
                                        options.minCount));
        add("publish.hidden_small_counts", std::to_string(summary.hidden));
        add("publish.hidden_complementary", std::to_string(summary.complementary));
        add("publish.hidden_derived_values", std::to_string(summary.derived));
        add("publish.dropped_fields", droppedList.empty() ? "none" : droppedList);
        add("publish.audit", fmt::format("{} rounds of the reader's attack by interval propagation over every "
                                         "relation between the file's counts, hiding more after each that found "
                                         "anything; the last found nothing",
                                         summary.auditRounds));
    }
    db.exec("COMMIT");
    db.exec("VACUUM");
    return summary;
}

} // namespace trygg::output
