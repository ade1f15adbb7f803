#include "trygg/output/Publish.hpp"

#include "LayerNames.hpp"
#include "Sqlite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <regex>
#include <set>

namespace trygg::output {
namespace {

using sqlite::Db;
using sqlite::quoteId;

// Fields computed from counts: hidden when any of the counts they come from is hidden.
struct Derived {
    std::string field;
    std::vector<std::string> from;
};

// How one of Trygg's tables is published.
struct Policy {
    std::string layer;                   // base name (isLayer)
    std::vector<std::string> counts;     // count fields; "n_*" stands for every n_<category>
    std::string rowTotal;                // a field that is the sum of the other counts in its row
    bool columnTotals = true;            // each count field's sum over the rows is published
    std::vector<Derived> derived;
    std::vector<std::string> drop;       // continuous statistics that could give counts back
    std::vector<std::string> textCounts; // text with "(N)" counts: "stöld (337); klotter (2)"
    bool hotTimes = false;               // weekday rows in blocks per scope and area
    std::string key;                     // the field naming a row the same way in every analysis
    std::string groupBy = {};            // a field grouping rows whose counts add up to another table's row
    // Fields computed from every count of a group of rows (groupBy): NULL in all the group's rows
    // when any of its counts is hidden.
    std::vector<std::string> groupDerived = {};
};

const std::vector<Policy>& policies() {
    static const std::vector<std::string> gridStats = {"GiZScore", "GiPValue", "GiPseudoP", "LMiIndex", "LMiZScore",
                                                       "LMiPValue", "LMiPseudoP", "kde", "kde_risk"};
    static const std::vector<Policy> all = {
        {"hotspot_grid", {"n", "n_*"}, "n", true, {}, gridStats, {}, false, "cell_id"},
        {"area_statistics", {"n", "n_*"}, "n", true, {{"n_per_km2", {"n"}}}, gridStats, {}, false, "area_id"},
        {"change_grid", {"n_before", "n_after"}, "", true, {{"change", {"n_before", "n_after"}},
                                                             {"rate_ratio", {"n_before", "n_after"}},
                                                             {"change_p", {"n_before", "n_after"}}}, {}, {}, false, "cell_id"},
        {"emerging_hotspots", {"n"}, "", true, {}, {"last_z"}, {}, false, "cell_id"},
        {"hotspot_areas", {"incidents"}, "", true, {{"share_of_incidents", {"incidents"}}}, {}, {"leading_categories", "peak_hour", "peak_weekday"}, false},
        // Route 4 of the audit: a class's share of the incidents times the reports used, minus its
        // shown areas, gave a hidden area's count.
        {"density_areas", {"incidents"}, "", true, {{"share_of_incidents", {"incidents"}}}, {}, {}, false, "",
         "top_percent", {"class_share_of_incidents"}},
        {"hot_times", {"h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09", "h10", "h11", "h12", "h13",
                       "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23", "no_clock", "total"},
         "total", false, {}, {}, {}, true},
        {"area_summary", {"incidents", "perc_n", "perc_unsafe"}, "", true,
         {{"incidents_per_1000", {"incidents"}}, {"incidents_per_1000_eb", {"incidents"}},
          {"perc_share_unsafe", {"perc_n", "perc_unsafe"}}, {"perc_mean", {"perc_n"}}, {"perc_mean_eb", {"perc_n"}},
          {"perc_reasons", {"perc_n"}}},
         {}, {"perc_reasons"}, false, "area_id"},
        {"area_reasons", {"reports", "unsafe_reports"}, "", true,
         {{"share_unsafe", {"reports", "unsafe_reports"}}, {"share_unsafe_in_area", {"unsafe_reports"}},
          {"lift", {"reports", "unsafe_reports"}}},
         {}, {}, false, "", "reason"},
        {"perception_reasons", {"reports", "unsafe_reports"}, "", true,
         {{"share_unsafe", {"reports", "unsafe_reports"}}, {"share_unsafe_overall", {"unsafe_reports"}},
          {"lift", {"reports", "unsafe_reports"}}},
         {}, {}, false, "reason"},
        // Route 2 of the audit: perc_around is the 3x3 sum of perc_n, and peeling the windows with
        // one unknown gave back 50 of 191 hidden perc_n. Dropped: the fear-versus-crime class,
        // which it decides, stays.
        {"perception_grid", {"perc_n", "perc_unsafe"}, "", true,
         {{"perc_share_unsafe", {"perc_n", "perc_unsafe"}}, {"perc_mean", {"perc_n"}}, {"perc_mean_eb", {"perc_n"}},
          {"perc_reasons", {"perc_n"}}},
         {"perc_around", "perc_GiZScore", "perc_GiPValue", "perc_GiPseudoP", "perc_score_GiZScore", "perc_score_GiPValue"},
         {"perc_reasons"}, false, "cell_id"},
        {"followup", {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"},
         "", true,
         {{"success_measure", {"measure_before", "measure_after", "control_before", "control_after"}},
          {"buffer_measure", {"buffer_before", "buffer_after", "control_before", "control_after"}},
          {"wdq", {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}},
          {"total_net_effect",
           {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}},
          // Route 9 of the audit: "Success" says A1/C1 < A0/C0, which bounds hidden counts.
          {"verdict", {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}},
          {"verdict_sv",
           {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}}},
         {}, {}, false, "category"},
        {"followup_areas", {"n_before", "n_after"}, "", true, {}, {}, {}, false, "role"},
    };
    return all;
}

std::vector<std::string> columnsOf(Db& db, const std::string& table) {
    std::vector<std::string> cols;
    auto q = db.prepare("SELECT name FROM pragma_table_info(?)");
    sqlite3_bind_text(q.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while (db.row(q.get())) cols.push_back(sqlite::text(q.get(), 0));
    return cols;
}

// A count of reports small enough to point at someone: 1 .. minCount. Zero identifies nobody.
bool isSmall(std::int64_t v, int minCount) { return v >= 1 && v <= minCount; }

// "stöld (337); klotter (2)" with the small counts written "(≤3)".
std::string hideTextCounts(const std::string& text, int minCount) {
    static const std::regex count(R"(\((\d+)\))");
    std::string out;
    auto it = std::sregex_iterator(text.begin(), text.end(), count);
    std::size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
        const long v = std::stol((*it)[1].str());
        out += text.substr(last, static_cast<std::size_t>(it->position()) - last);
        out += isSmall(v, minCount) ? fmt::format("(≤{})", minCount) : it->str();
        last = static_cast<std::size_t>(it->position() + it->length());
    }
    return out + text.substr(last);
}

struct TableResult {
    std::int64_t hidden = 0, complementary = 0, derived = 0;
};

using Cell = std::pair<std::size_t, std::size_t>;  // row, count field

// One table's counts in memory while the hiding is worked out, over every table at once.
struct TableState {
    std::string table;
    const Policy* policy = nullptr;
    std::vector<std::string> cols, counts;
    int totalIndex = -1;
    std::vector<std::int64_t> rowids;
    std::vector<std::string> keys;     // cell_id or area_id per row, for comparing analyses
    std::vector<std::string> blockOf;  // hot_times: the scope and area a weekday row belongs to
    std::vector<std::string> groupOf;  // the policy's groupBy field per row
    std::vector<std::vector<std::int64_t>> values;
    std::vector<std::vector<bool>> isNull, hidden;
    TableResult result;

    bool has(const std::string& c) const { return std::find(cols.begin(), cols.end(), c) != cols.end(); }
    std::size_t rows() const { return rowids.size(); }
};

TableState loadTable(Db& db, const std::string& table, const Policy& policy, int minCount) {
    TableState t;
    t.table = table;
    t.policy = &policy;
    t.cols = columnsOf(db, table);
    for (const auto& c : policy.counts) {
        if (c == "n_*") {
            for (const auto& col : t.cols)
                if (col.rfind("n_", 0) == 0 && col != "n_per_km2") t.counts.push_back(col);
        } else if (t.has(c)) {
            t.counts.push_back(c);
        }
    }
    for (std::size_t k = 0; k < t.counts.size(); ++k)
        if (t.counts[k] == policy.rowTotal) t.totalIndex = static_cast<int>(k);
    const std::string key = t.has(policy.key) ? policy.key : "";
    std::string sql = "SELECT rowid, " + (key.empty() ? std::string("''") : quoteId(key));
    for (const auto& c : t.counts) sql += ", " + quoteId(c);
    if (policy.hotTimes) sql += ", COALESCE(scope, '') || '/' || COALESCE(area_id, '')";
    const bool grouped = !policy.groupBy.empty() && t.has(policy.groupBy);
    if (grouped) sql += ", " + quoteId(policy.groupBy);
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
        if (policy.hotTimes) t.blockOf.push_back(sqlite::text(q.get(), first + static_cast<int>(t.counts.size())));
        if (grouped)
            t.groupOf.push_back(sqlite::text(q.get(), first + static_cast<int>(t.counts.size()) + (policy.hotTimes ? 1 : 0)));
    }
    // The small counts themselves.
    t.hidden.assign(t.rows(), std::vector<bool>(t.counts.size(), false));
    for (std::size_t i = 0; i < t.rows(); ++i)
        for (std::size_t k = 0; k < t.counts.size(); ++k)
            if (!t.isNull[i][k] && isSmall(t.values[i][k], minCount)) t.hidden[i][k] = true, ++t.result.hidden;
    return t;
}

// One pass of complementary suppression within a table: rows against their total, columns
// against theirs, hot-times blocks against the area's incidents. Returns how many it hid.
std::size_t protectWithin(TableState& t, int minCount) {
    const Policy& policy = *t.policy;
    const std::size_t rows = t.rows(), ncols = t.counts.size();
    const auto group = [&](const std::vector<Cell>& cells, bool totalPublished) {
        std::vector<std::int64_t> v;
        std::vector<bool> h;
        for (auto [i, k] : cells) {
            v.push_back(t.isNull[i][k] ? 0 : t.values[i][k]);
            h.push_back(t.hidden[i][k]);
        }
        const std::size_t added = suppressGroup(v, h, minCount, totalPublished);
        for (std::size_t j = 0; j < cells.size(); ++j) t.hidden[cells[j].first][cells[j].second] = h[j];
        return added;
    };
    std::size_t added = 0;
    if (t.totalIndex >= 0) {
        const auto tot = static_cast<std::size_t>(t.totalIndex);
        for (std::size_t i = 0; i < rows; ++i) {
            std::vector<Cell> parts;
            for (std::size_t k = 0; k < ncols; ++k)
                if (k != tot) parts.emplace_back(i, k);
            if (!t.hidden[i][tot]) {
                added += group(parts, true);
                std::vector<std::int64_t> v;
                std::vector<bool> h;
                for (auto [r, k] : parts) v.push_back(t.values[r][k]), h.push_back(t.hidden[r][k]);
                if (!groupSafe(v, h, minCount)) t.hidden[i][tot] = true, ++added;  // the parts cannot be covered
            } else {
                // A hidden total is the sum of its parts when they are all shown: hide the smallest
                // non-zero one.
                bool anyHidden = false;
                std::size_t best = parts.size();
                for (std::size_t j = 0; j < parts.size(); ++j) {
                    const auto [r, k] = parts[j];
                    anyHidden = anyHidden || t.hidden[r][k];
                    if (t.values[r][k] > 0 && (best == parts.size() || t.values[r][k] < t.values[r][parts[best].second]))
                        best = j;
                }
                // All of them zero: a zero goes, or the total would be read as 0.
                if (!anyHidden && best == parts.size() && !parts.empty()) best = 0;
                if (!anyHidden && best < parts.size()) t.hidden[i][parts[best].second] = true, ++added;
            }
        }
    }
    if (policy.columnTotals)
        for (std::size_t k = 0; k < ncols; ++k) {
            std::vector<Cell> cells;
            for (std::size_t i = 0; i < rows; ++i) cells.emplace_back(i, k);
            added += group(cells, true);
        }
    if (policy.hotTimes) {
        // Route 5 of the audit: in a small area's table, three hidden hours among 165 zeros told
        // the exact hours and weekdays of its incidents, as a hidden count is never 0 otherwise.
        // Where a weekday row hides an hour, its zero hours are hidden too: a hidden hour may be
        // empty, and the row no longer says when anything happened.
        for (std::size_t i = 0; i < rows; ++i) {
            bool any = false;
            for (std::size_t k = 0; k < ncols; ++k)
                if (static_cast<int>(k) != t.totalIndex && t.hidden[i][k]) any = true;
            if (!any) continue;
            for (std::size_t k = 0; k < ncols; ++k)
                if (static_cast<int>(k) != t.totalIndex && !t.hidden[i][k] && !t.isNull[i][k] && t.values[i][k] == 0)
                    t.hidden[i][k] = true, ++added;
        }
    }
    if (policy.hotTimes && t.totalIndex >= 0) {
        // The weekday totals of one block add up to the area's published incidents.
        std::map<std::string, std::vector<Cell>> blocks;
        for (std::size_t i = 0; i < rows; ++i) blocks[t.blockOf[i]].emplace_back(i, static_cast<std::size_t>(t.totalIndex));
        for (const auto& [name, cells] : blocks) added += group(cells, true);
    }
    return added;
}

// Between analyses: the same layer of two analyses ("hotspot_grid", "natt_hotspot_grid") counts,
// per cell or area and field, reports of which one set may hold the other (all assaults, and
// those at night). Where both counts are shown and differ by 1 .. minCount, that difference is a
// small count anyone can work out: the smaller count is hidden.
std::size_t protectAcross(std::vector<TableState>& tables, int minCount) {
    std::size_t added = 0;
    for (std::size_t a = 0; a < tables.size(); ++a)
        for (std::size_t b = a + 1; b < tables.size(); ++b) {
            TableState& ta = tables[a];
            TableState& tb = tables[b];
            if (ta.policy != tb.policy || ta.keys.empty() || ta.keys.front().empty()) continue;
            std::map<std::string, std::size_t> rowOf;
            for (std::size_t i = 0; i < tb.rows(); ++i) rowOf.emplace(tb.keys[i], i);
            for (std::size_t ka = 0; ka < ta.counts.size(); ++ka) {
                const auto kb = static_cast<std::size_t>(
                    std::find(tb.counts.begin(), tb.counts.end(), ta.counts[ka]) - tb.counts.begin());
                if (kb == tb.counts.size()) continue;
                for (std::size_t i = 0; i < ta.rows(); ++i) {
                    const auto it = rowOf.find(ta.keys[i]);
                    if (it == rowOf.end()) continue;
                    const std::size_t j = it->second;
                    if (ta.isNull[i][ka] || tb.isNull[j][kb]) continue;
                    const std::int64_t va = ta.values[i][ka], vb = tb.values[j][kb];
                    // Route 3 of the audit: the same count (n_klotter of the vandalism analysis
                    // is the main one's) hidden in one and shown in the other.
                    if (ta.hidden[i][ka] != tb.hidden[j][kb] && va == vb) {
                        ta.hidden[i][ka] = true;
                        tb.hidden[j][kb] = true;
                        ++added;
                        continue;
                    }
                    if (ta.hidden[i][ka] || tb.hidden[j][kb]) continue;
                    if (!isSmall(va > vb ? va - vb : vb - va, minCount)) continue;
                    if (va < vb)
                        ta.hidden[i][ka] = true;
                    else
                        tb.hidden[j][kb] = true;
                    ++added;
                }
            }
        }
    return added;
}

// The analysis prefix of a table ("natt_" of "natt_hotspot_grid"; "" for the main analysis).
std::string prefixOf(const TableState& t) { return t.table.substr(0, t.table.size() - t.policy->layer.size()); }

// The table of `layer` in the same analysis (prefix), or nullptr.
TableState* sibling(std::vector<TableState>& tables, const std::string& prefix, const std::string& layer) {
    for (TableState& t : tables)
        if (t.policy->layer == layer && prefixOf(t) == prefix) return &t;
    return nullptr;
}

std::size_t countIndex(const TableState& t, const std::string& field) {
    return static_cast<std::size_t>(std::find(t.counts.begin(), t.counts.end(), field) - t.counts.begin());
}

// The same count in two tables, matched by key: hidden in both wherever it is hidden in one.
std::size_t hideTogether(TableState& a, std::size_t ka, TableState& b, std::size_t kb) {
    std::map<std::string, std::size_t> rowOf;
    for (std::size_t i = 0; i < a.rows(); ++i) rowOf.emplace(a.keys[i], i);
    std::size_t added = 0;
    for (std::size_t j = 0; j < b.rows(); ++j) {
        const auto it = rowOf.find(b.keys[j]);
        if (it == rowOf.end()) continue;
        auto x = a.hidden[it->second][ka];
        auto y = b.hidden[j][kb];
        if (x != y) {
            x = true;
            y = true;
            ++added;
        }
    }
    return added;
}

// A cell's n_before and n_after (change_grid) against its n (hotspot_grid), the reports outside
// both periods being the rest, never published.
std::size_t protectPeriods(TableState& grid, std::size_t nk, TableState& change, int minCount) {
    std::map<std::string, std::size_t> rowOf;
    for (std::size_t i = 0; i < grid.rows(); ++i) rowOf.emplace(grid.keys[i], i);
    std::size_t added = 0;
    for (std::size_t j = 0; j < change.rows(); ++j) {
        const auto it = rowOf.find(change.keys[j]);
        if (it == rowOf.end()) continue;
        const std::size_t i = it->second;
        if (grid.hidden[i][nk]) continue;  // n itself hidden (and protected against its parts)
        const std::int64_t before = change.values[j][0], after = change.values[j][1];
        const std::int64_t rest = std::max<std::int64_t>(0, grid.values[i][nk] - before - after);
        std::vector<std::int64_t> v{before, after, rest};
        std::vector<bool> h{change.hidden[j][0], change.hidden[j][1], true};  // the rest is never shown
        if (!h[0] && !h[1]) continue;  // both periods shown: the rest harms nobody
        while (!groupSafe(v, h, minCount)) {
            if (!h[0] || !h[1]) {
                const int k = !h[0] && (h[1] || v[0] <= v[1]) ? 0 : 1;
                h[static_cast<std::size_t>(k)] = true;
                change.hidden[j][static_cast<std::size_t>(k)] = true;
            } else {
                grid.hidden[i][nk] = true;  // nothing left beside them: n goes
                ++added;
                break;
            }
            ++added;
        }
    }
    return added;
}

// Within one analysis, layers that count the same reports: a cell's change_grid n_before and
// n_after are part of its hotspot_grid n (the reports outside both periods are the rest, never
// published), so n minus one period bounds the other (n 7 and n_before 6 gave n_after = 1 or 0);
// emerging_hotspots' n is hotspot_grid's n again, and an area's area_statistics n is its
// area_summary incidents, so a count hidden in one is hidden in the other. Returns how many it hid.
std::size_t protectLinked(std::vector<TableState>& tables, int minCount) {
    std::size_t added = 0;
    for (TableState& grid : tables) {
        if (grid.policy->layer != "hotspot_grid" || grid.totalIndex < 0) continue;
        const std::string prefix = prefixOf(grid);
        const auto nk = static_cast<std::size_t>(grid.totalIndex);
        if (TableState* stats = sibling(tables, prefix, "area_statistics"); stats && stats->totalIndex >= 0)
            if (TableState* summary = sibling(tables, prefix, "area_summary")) {
                // An area's n in area_statistics is its incidents in area_summary.
                const std::size_t ks = countIndex(*summary, "incidents");
                if (ks < summary->counts.size())
                    added += hideTogether(*stats, static_cast<std::size_t>(stats->totalIndex), *summary, ks);
            }
        if (TableState* emerging = sibling(tables, prefix, "emerging_hotspots"); emerging && !emerging->counts.empty())
            added += hideTogether(grid, nk, *emerging, 0);
        if (TableState* change = sibling(tables, prefix, "change_grid"); change && change->counts.size() == 2)
            added += protectPeriods(grid, nk, *change, minCount);
    }
    return added;
}

// Route 6 of the audit: per reason, the areas' counts (area_reasons) add up to the study area's
// (perception_reasons), but for the reports in no area, never published. Each reason's areas are
// protected as a group against that total, the unpublished rest counted as hidden: two hidden
// areas summing to 2 were given back. Returns how many it hid.
std::size_t protectSums(std::vector<TableState>& tables, int minCount) {
    std::size_t added = 0;
    for (TableState& parts : tables) {
        if (parts.policy->layer != "area_reasons" || parts.groupOf.size() != parts.rows()) continue;
        for (TableState& whole : tables) {
            if (whole.policy->layer != "perception_reasons" || prefixOf(whole) != prefixOf(parts)) continue;
            std::map<std::string, std::vector<std::size_t>> rowsOf;
            for (std::size_t i = 0; i < parts.rows(); ++i) rowsOf[parts.groupOf[i]].push_back(i);
            for (std::size_t w = 0; w < whole.rows(); ++w) {
                const auto it = rowsOf.find(whole.keys[w]);
                if (it == rowsOf.end()) continue;
                for (std::size_t k = 0; k < parts.counts.size(); ++k) {
                    const std::size_t kw = countIndex(whole, parts.counts[k]);
                    if (kw == whole.counts.size()) continue;
                    std::vector<std::int64_t> v;
                    std::vector<bool> h;
                    std::int64_t sum = 0;
                    for (std::size_t i : it->second) {
                        v.push_back(parts.values[i][k]);
                        h.push_back(parts.hidden[i][k]);
                        sum += parts.values[i][k];
                    }
                    v.push_back(std::max<std::int64_t>(0, whole.values[w][kw] - sum));  // in no area
                    h.push_back(true);
                    if (whole.hidden[w][kw]) continue;  // the total is hidden (and protected in its own table)
                    if (std::none_of(h.begin(), h.end() - 1, [](bool x) { return x; })) continue;
                    const std::size_t n = suppressGroup(v, h, minCount, true);
                    added += n;
                    for (std::size_t j = 0; j < it->second.size(); ++j) parts.hidden[it->second[j]][k] = h[j];
                    if (!groupSafe(v, h, minCount)) whole.hidden[w][kw] = true, ++added;
                }
            }
        }
    }
    return added;
}

// Writes the hiding: hidden counts and what is computed from them to NULL, the flag, dropped
// statistics, texts.
void writeTable(Db& db, TableState& t, int minCount, std::vector<std::string>& dropped) {
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
    db.exec("ALTER TABLE " + quoteId(table) + " ADD COLUMN suppressed TEXT");
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
            for (const auto& f : policy.groupDerived)
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
            const std::string before = sqlite::text(q.get(), 1), after = hideTextCounts(before, minCount);
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

bool groupSafe(const std::vector<std::int64_t>& values, const std::vector<bool>& hidden, int minCount) {
    std::int64_t k = 0, sum = 0;
    bool zeroHidden = false;
    for (std::size_t j = 0; j < values.size(); ++j)
        if (hidden[j]) ++k, sum += values[j], zeroHidden = zeroHidden || values[j] == 0;
    // The published total gives away the hidden values' sum. That harms nobody when nothing is
    // hidden, and pins none of them down when two or more are hidden with a sum above minCount
    // (not a small count itself) and either more than their number (so not all ones) or a zero
    // among them (so a hidden value may be 0). A sum of 0 is not safe: it gives back hidden
    // zeros, each hidden to cover a small count in another group (route 3 of the audit: a
    // further analysis's n of 0 gave back the main grid's hidden n_klotter).
    return k == 0 || (k >= 2 && sum > minCount && (sum > k || zeroHidden));
}

std::size_t suppressGroup(const std::vector<std::int64_t>& values, std::vector<bool>& hidden, int minCount,
                          bool totalPublished) {
    std::size_t added = 0;
    for (std::size_t j = 0; j < values.size(); ++j)
        if (!hidden[j] && isSmall(values[j], minCount)) hidden[j] = true, ++added;
    if (!totalPublished) return added;
    while (!groupSafe(values, hidden, minCount)) {
        // Hide the smallest shown non-zero value; when none is left, a zero.
        std::size_t best = values.size();
        for (std::size_t j = 0; j < values.size(); ++j)
            if (!hidden[j] && values[j] > 0 && (best == values.size() || values[j] < values[best])) best = j;
        if (best == values.size())
            for (std::size_t j = 0; j < values.size() && best == values.size(); ++j)
                if (!hidden[j]) best = j;
        if (best == values.size()) return added;  // everything is hidden: the caller hides the total
        hidden[best] = true;
        ++added;
    }
    return added;
}

PublishSummary publishGeoPackage(const std::string& gpkgPath, const PublishOptions& options) {
    Db db(gpkgPath, "output.gpkg: publishing");
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
        if (isLayer(table, "run_metadata")) {
            std::int64_t small = 0, more = 0;
            publishMetadata(db, table, options.minCount, small, more);
            summary.hidden += small;
            summary.complementary += more;
            continue;
        }
        for (const auto& p : policies())
            if (isLayer(table, p.layer)) {
                states.push_back(loadTable(db, table, p, options.minCount));
                break;
            }
    }
    for (;;) {  // ends: values are only ever hidden, never shown again
        std::size_t added = 0;
        for (auto& t : states) {
            const std::size_t n = protectWithin(t, options.minCount);
            t.result.complementary += static_cast<std::int64_t>(n);
            added += n;
        }
        const std::size_t across = protectAcross(states, options.minCount) + protectLinked(states, options.minCount) +
                                   protectSums(states, options.minCount);
        summary.complementary += static_cast<std::int64_t>(across);
        if (added + across == 0) break;
    }
    // The follow-up's result over all incidents is repeated in run_metadata (followup.wdq, its
    // verdicts): hidden there too where its counts are.
    for (const auto& t : states) {
        if (t.policy->layer != "followup") continue;
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
        writeTable(db, t, options.minCount, summary.droppedFields);
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
                                        "counts are hidden where a total would give them back; values computed "
                                        "from a hidden count are NULL",
                                        options.minCount));
        add("publish.hidden_small_counts", std::to_string(summary.hidden));
        add("publish.hidden_complementary", std::to_string(summary.complementary));
        add("publish.hidden_derived_values", std::to_string(summary.derived));
        add("publish.dropped_fields", droppedList.empty() ? "none" : droppedList);
    }
    db.exec("COMMIT");
    db.exec("VACUUM");
    return summary;
}

} // namespace trygg::output
