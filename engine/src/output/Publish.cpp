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
};

const std::vector<Policy>& policies() {
    static const std::vector<std::string> gridStats = {"GiZScore", "GiPValue", "GiPseudoP", "LMiIndex", "LMiZScore",
                                                       "LMiPValue", "LMiPseudoP", "kde", "kde_risk"};
    static const std::vector<Policy> all = {
        {"hotspot_grid", {"n", "n_*"}, "n", true, {}, gridStats, {}, false},
        {"area_statistics", {"n", "n_*"}, "n", true, {{"n_per_km2", {"n"}}}, gridStats, {}, false},
        {"change_grid", {"n_before", "n_after"}, "", true, {{"change", {"n_before", "n_after"}},
                                                             {"rate_ratio", {"n_before", "n_after"}},
                                                             {"change_p", {"n_before", "n_after"}}}, {}, {}, false},
        {"emerging_hotspots", {"n"}, "", true, {}, {"last_z"}, {}, false},
        {"hotspot_areas", {"incidents"}, "", true, {{"share_of_incidents", {"incidents"}}}, {}, {"leading_categories", "peak_hour", "peak_weekday"}, false},
        {"density_areas", {"incidents"}, "", true, {{"share_of_incidents", {"incidents"}}}, {}, {}, false},
        {"hot_times", {"h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09", "h10", "h11", "h12", "h13",
                       "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23", "total"},
         "total", false, {}, {}, {}, true},
        {"area_summary", {"incidents", "perc_n", "perc_unsafe"}, "", true,
         {{"incidents_per_1000", {"incidents"}}, {"incidents_per_1000_eb", {"incidents"}},
          {"perc_share_unsafe", {"perc_n", "perc_unsafe"}}, {"perc_mean", {"perc_n"}}, {"perc_mean_eb", {"perc_n"}},
          {"perc_reasons", {"perc_n"}}},
         {}, {"perc_reasons"}, false},
        {"area_reasons", {"reports", "unsafe_reports"}, "", true,
         {{"share_unsafe", {"reports", "unsafe_reports"}}, {"share_unsafe_in_area", {"unsafe_reports"}},
          {"lift", {"reports", "unsafe_reports"}}},
         {}, {}, false},
        {"perception_reasons", {"reports", "unsafe_reports"}, "", true,
         {{"share_unsafe", {"reports", "unsafe_reports"}}, {"share_unsafe_overall", {"unsafe_reports"}},
          {"lift", {"reports", "unsafe_reports"}}},
         {}, {}, false},
        {"perception_grid", {"perc_n", "perc_unsafe", "perc_around"}, "", true,
         {{"perc_share_unsafe", {"perc_n", "perc_unsafe"}}, {"perc_mean", {"perc_n"}}, {"perc_mean_eb", {"perc_n"}},
          {"perc_reasons", {"perc_n"}}},
         {"perc_GiZScore", "perc_GiPValue", "perc_GiPseudoP", "perc_score_GiZScore", "perc_score_GiPValue"},
         {"perc_reasons"}, false},
        {"followup", {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"},
         "", true,
         {{"success_measure", {"measure_before", "measure_after", "control_before", "control_after"}},
          {"buffer_measure", {"buffer_before", "buffer_after", "control_before", "control_after"}},
          {"wdq", {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}},
          {"total_net_effect",
           {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}}},
         {}, {}, false},
        {"followup_areas", {"n_before", "n_after"}, "", true, {}, {}, {}, false},
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

TableResult publishTable(Db& db, const std::string& table, const Policy& policy, int minCount,
                         std::vector<std::string>& dropped) {
    TableResult result;
    const std::vector<std::string> cols = columnsOf(db, table);
    const auto has = [&](const std::string& c) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
    std::vector<std::string> counts;
    for (const auto& c : policy.counts) {
        if (c == "n_*") {
            for (const auto& col : cols)
                if (col.rfind("n_", 0) == 0 && col != "n_per_km2") counts.push_back(col);
        } else if (has(c)) {
            counts.push_back(c);
        }
    }
    const int totalIndex = [&] {
        for (std::size_t k = 0; k < counts.size(); ++k)
            if (counts[k] == policy.rowTotal) return static_cast<int>(k);
        return -1;
    }();

    // The counts, row by row (NULL: not published, kept as it is).
    std::vector<std::int64_t> rowids;
    std::vector<std::vector<std::int64_t>> values;
    std::vector<std::vector<bool>> isNull;
    std::vector<std::string> blockOf;  // hot_times: the scope and area a weekday row belongs to
    {
        std::string sql = "SELECT rowid";
        for (const auto& c : counts) sql += ", " + quoteId(c);
        if (policy.hotTimes) sql += ", COALESCE(scope, '') || '/' || COALESCE(area_id, '')";
        auto q = db.prepare(sql + " FROM " + quoteId(table));
        while (db.row(q.get())) {
            rowids.push_back(sqlite3_column_int64(q.get(), 0));
            std::vector<std::int64_t> v(counts.size());
            std::vector<bool> nul(counts.size());
            for (std::size_t k = 0; k < counts.size(); ++k) {
                nul[k] = sqlite3_column_type(q.get(), static_cast<int>(k) + 1) == SQLITE_NULL;
                v[k] = sqlite3_column_int64(q.get(), static_cast<int>(k) + 1);
            }
            values.push_back(std::move(v));
            isNull.push_back(std::move(nul));
            if (policy.hotTimes) blockOf.push_back(sqlite::text(q.get(), static_cast<int>(counts.size()) + 1));
        }
    }
    const std::size_t rows = rowids.size(), ncols = counts.size();
    std::vector<std::vector<bool>> hidden(rows, std::vector<bool>(ncols, false));
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t k = 0; k < ncols; ++k)
            if (!isNull[i][k] && isSmall(values[i][k], minCount)) hidden[i][k] = true, ++result.hidden;

    // Complementary suppression, over rows and columns in turn until nothing changes.
    const auto group = [&](const std::vector<std::pair<std::size_t, std::size_t>>& cells, bool totalPublished) {
        std::vector<std::int64_t> v;
        std::vector<bool> h;
        for (auto [i, k] : cells) {
            v.push_back(isNull[i][k] ? 0 : values[i][k]);
            h.push_back(hidden[i][k]);
        }
        const std::size_t added = suppressGroup(v, h, minCount, totalPublished);
        for (std::size_t j = 0; j < cells.size(); ++j) hidden[cells[j].first][cells[j].second] = h[j];
        return added;
    };
    for (int pass = 0; pass < 20; ++pass) {
        std::size_t added = 0;
        if (totalIndex >= 0) {
            const auto t = static_cast<std::size_t>(totalIndex);
            for (std::size_t i = 0; i < rows; ++i) {
                std::vector<std::pair<std::size_t, std::size_t>> parts;
                for (std::size_t k = 0; k < ncols; ++k)
                    if (k != t) parts.emplace_back(i, k);
                if (!hidden[i][t]) {
                    added += group(parts, true);
                    std::vector<std::int64_t> v;
                    std::vector<bool> h;
                    for (auto [r, k] : parts) v.push_back(values[r][k]), h.push_back(hidden[r][k]);
                    if (!groupSafe(v, h, minCount)) hidden[i][t] = true, ++added;  // the parts cannot be covered
                } else {
                    // A hidden total is the sum of its parts when they are all shown: hide one.
                    bool anyHidden = false;
                    for (auto [r, k] : parts) anyHidden = anyHidden || hidden[r][k];
                    if (!anyHidden) {
                        std::vector<bool> none(parts.size(), false);
                        std::vector<std::int64_t> v;
                        for (auto [r, k] : parts) v.push_back(values[r][k]);
                        // The smallest non-zero part.
                        std::size_t best = parts.size();
                        for (std::size_t j = 0; j < parts.size(); ++j)
                            if (v[j] > 0 && (best == parts.size() || v[j] < v[best])) best = j;
                        if (best < parts.size()) hidden[i][parts[best].second] = true, ++added;
                    }
                }
            }
        }
        if (policy.columnTotals) {
            for (std::size_t k = 0; k < ncols; ++k) {
                std::vector<std::pair<std::size_t, std::size_t>> cells;
                for (std::size_t i = 0; i < rows; ++i) cells.emplace_back(i, k);
                added += group(cells, true);
            }
        }
        if (policy.hotTimes && totalIndex >= 0) {
            // The weekday totals of one block add up to the area's published incidents.
            std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> blocks;
            for (std::size_t i = 0; i < rows; ++i) blocks[blockOf[i]].emplace_back(i, static_cast<std::size_t>(totalIndex));
            for (const auto& [name, cells] : blocks) added += group(cells, true);
        }
        result.complementary += static_cast<std::int64_t>(added);
        if (added == 0) break;
    }

    // Write: hidden counts and what is computed from them to NULL, the flag, dropped statistics.
    // The spatial index's triggers call GDAL's SQL functions (ST_IsEmpty ...), which plain SQLite
    // lacks; no geometry changes here, so they are set aside and put back unchanged.
    std::vector<std::pair<std::string, std::string>> triggers;
    {
        auto q = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql LIKE '%ST\\_%' ESCAPE '\\'");
        sqlite3_bind_text(q.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        while (db.row(q.get())) triggers.emplace_back(sqlite::text(q.get(), 0), sqlite::text(q.get(), 1));
    }
    for (const auto& t : triggers) db.exec("DROP TRIGGER " + quoteId(t.first));
    db.exec("ALTER TABLE " + quoteId(table) + " ADD COLUMN suppressed TEXT");
    std::vector<std::string> derivedHere;
    std::vector<std::vector<std::size_t>> derivedFrom;
    for (const auto& d : policy.derived) {
        if (!has(d.field)) continue;
        std::vector<std::size_t> from;
        for (const auto& f : d.from)
            for (std::size_t k = 0; k < ncols; ++k)
                if (counts[k] == f) from.push_back(k);
        derivedHere.push_back(d.field);
        derivedFrom.push_back(from);
    }
    for (std::size_t i = 0; i < rows; ++i) {
        std::vector<std::string> nulled, flagged;
        for (std::size_t k = 0; k < ncols; ++k)
            if (hidden[i][k]) nulled.push_back(counts[k]), flagged.push_back(counts[k]);
        for (std::size_t d = 0; d < derivedHere.size(); ++d)
            for (std::size_t k : derivedFrom[d])
                if (hidden[i][k]) {
                    nulled.push_back(derivedHere[d]);
                    ++result.derived;
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
        sqlite3_bind_int64(u.get(), 2, rowids[i]);
        db.step(u.get());
    }
    for (const auto& field : policy.textCounts) {
        if (!has(field)) continue;
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
        if (has(field)) {
            db.exec("ALTER TABLE " + quoteId(table) + " DROP COLUMN " + quoteId(field));
            dropped.push_back(table + "." + field);
        }
    for (const auto& t : triggers) db.exec(t.second);
    return result;
}

// run_metadata: counts of report rows (read, accepted, rejected by reason, filtered) below
// minCount read "≤minCount"; the first and last report's time keep only their month.
void publishMetadata(Db& db, const std::string& table, int minCount) {
    static const std::regex reportCount(
        R"(^(analyses\.[a-z0-9_]+\.)?(input\.[a-z_]+\.(rows_[a-z_]+|rejected\..+)|filter\..+)$)");
    static const std::regex reportTime(R"(^input\.[a-z_]+\.time_(first|last)$)");
    std::vector<std::int64_t> rowids;
    std::vector<std::pair<std::int64_t, std::string>> months;
    auto q = db.prepare("SELECT rowid, key, value FROM " + quoteId(table));
    while (db.row(q.get())) {
        const std::string key = sqlite::text(q.get(), 1), value = sqlite::text(q.get(), 2);
        if (std::regex_match(key, reportTime) && value.size() > 7) {
            months.emplace_back(sqlite3_column_int64(q.get(), 0), value.substr(0, 7));
            continue;
        }
        if (!std::regex_match(key, reportCount) || value.empty() ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) || value.size() > 9)
            continue;
        const long v = std::stol(value);
        if (isSmall(v, minCount)) rowids.push_back(sqlite3_column_int64(q.get(), 0));
    }
    const std::string hiddenText = fmt::format("≤{}", minCount);
    for (auto rowid : rowids) months.emplace_back(rowid, hiddenText);
    auto u = db.prepare("UPDATE " + quoteId(table) + " SET value = ? WHERE rowid = ?");
    for (const auto& [rowid, text] : months) {
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
    // The published total gives away the hidden values' sum. That pins none of them down when
    // nothing is hidden, or two or more are hidden with a sum above minCount (not a small count
    // itself) and either more than their number (so not all ones) or a zero among them (so a
    // hidden value may be 0).
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
    for (const auto& table : tables) {
        if (isLayer(table, "run_metadata")) {
            publishMetadata(db, table, options.minCount);
            continue;
        }
        for (const auto& p : policies())
            if (isLayer(table, p.layer)) {
                const TableResult r = publishTable(db, table, p, options.minCount, summary.droppedFields);
                summary.hidden += r.hidden;
                summary.complementary += r.complementary;
                summary.derived += r.derived;
                break;
            }
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
