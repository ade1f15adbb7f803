#include "Disclosure.hpp"

#include "trygg/output/Publish.hpp"

#include "trygg/core/Error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

namespace trygg::output {

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
        if (!hidden[j] && disclosure::isSmall(values[j], minCount)) hidden[j] = true, ++added;
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

} // namespace trygg::output

namespace trygg::output::disclosure {

bool TableState::has(const std::string& c) const { return std::find(cols.begin(), cols.end(), c) != cols.end(); }

std::vector<std::string> keyFields(const LayerSpec& spec) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < spec.key.size();) {
        const std::size_t comma = std::min(spec.key.find(',', at), spec.key.size());
        if (comma > at) out.push_back(spec.key.substr(at, comma - at));
        at = comma + 1;
    }
    return out;
}

bool TableState::hasKey() const {
    const auto fields = keyFields(spec());
    return !fields.empty() && std::all_of(fields.begin(), fields.end(), [&](const std::string& f) { return has(f); });
}

std::size_t TableState::countIndex(const std::string& field) const {
    return static_cast<std::size_t>(std::find(counts.begin(), counts.end(), field) - counts.begin());
}

std::string TableState::prefix() const { return table.substr(0, table.size() - policy->spec->name.size()); }

std::size_t protect(const Relation& r, int minCount) {
    if (r.total && r.total->null()) return 0;
    // Most relations are settled after the first pass: say so without allocating. The same test
    // as below (groupSafe over the hidden parts and the rest).
    if (!r.total || !r.total->hidden()) {
        std::int64_t k = 0, hiddenSum = 0, sum = 0;
        bool zeroHidden = false, smallShown = false;
        for (const Ref& p : r.parts) {
            if (p.null()) continue;
            const std::int64_t v = p.value();
            sum += v;
            if (p.hidden()) ++k, hiddenSum += v, zeroHidden = zeroHidden || v == 0;
            else smallShown = smallShown || isSmall(v, minCount);
        }
        if (!smallShown) {
            if (r.rest && r.total) {
                const std::int64_t rest = std::max<std::int64_t>(0, r.total->value() - sum);
                if (k == 0 && !isSmall(rest, minCount)) return 0;
                ++k, hiddenSum += rest, zeroHidden = zeroHidden || rest == 0;
            }
            if (k == 0 || (k >= 2 && hiddenSum > minCount && (hiddenSum > k || zeroHidden))) return 0;
        }
    }
    // A NULL is no count (a slot outside the analysis's filter): known to every reader, so it
    // neither needs cover nor gives any.
    std::vector<Ref> parts;
    for (const Ref& p : r.parts)
        if (!p.null()) parts.push_back(p);
    std::size_t added = 0;
    if (r.total && r.total->hidden()) {
        // With a rest, shown parts only bound the hidden total from below. Without one they add
        // up to it: where all are shown, the smallest non-zero one goes (a zero when all are 0,
        // or the total would read as 0).
        if (r.rest || parts.empty() || std::any_of(parts.begin(), parts.end(), [](const Ref& p) { return p.hidden(); }))
            return 0;
        const Ref* best = nullptr;
        for (const Ref& p : parts)
            if (p.value() > 0 && (!best || p.value() < best->value())) best = &p;
        (best ? *best : parts.front()).hide();
        return 1;
    }
    std::vector<std::int64_t> v;
    std::vector<bool> h;
    std::int64_t sum = 0;
    for (const Ref& p : parts) {
        v.push_back(p.value());
        h.push_back(p.hidden());
        sum += p.value();
    }
    if (r.rest && r.total) {
        // The rest is the total minus the parts: worked out by anyone when every part is shown.
        // That harms nobody unless it is small; otherwise it joins the hidden values.
        const std::int64_t rest = std::max<std::int64_t>(0, r.total->value() - sum);
        const bool anyHidden = std::find(h.begin(), h.end(), true) != h.end();
        if (!anyHidden && !isSmall(rest, minCount)) return 0;
        v.push_back(rest);
        h.push_back(true);
    }
    added += suppressGroup(v, h, minCount, true);
    for (std::size_t j = 0; j < parts.size(); ++j)
        if (h[j]) parts[j].hide();
    // The parts cannot be covered (too few, or their sum small): the total goes.
    if (!groupSafe(v, h, minCount) && r.total) r.total->hide(), ++added;
    return added;
}

std::vector<Relation> relationsWithin(TableState& t) {
    std::vector<Relation> out;
    const std::size_t ncols = t.counts.size();
    // Counts that are parts of another count of the row (dark_n of n), by that count and the
    // partition they belong to ("test_incidents|best": a part apart from the others).
    std::map<std::pair<std::size_t, std::string>, std::vector<std::size_t>> partsOf;
    std::vector<bool> isPart(ncols, false);
    for (std::size_t k = 0; k < ncols; ++k)
        if (const FieldSpec* f = fieldOf(*t.policy->spec, t.counts[k]); f && !f->partOf.empty()) {
            isPart[k] = true;
            const std::string of = f->partOf.substr(0, f->partOf.find('|'));
            if (const std::size_t whole = t.countIndex(of); whole < ncols) partsOf[{whole, f->partOf}].push_back(k);
        }
    const auto rowRelation = [&](std::size_t i, std::size_t tot, const std::vector<std::size_t>& parts) {
        Relation r;
        std::int64_t sum = 0;
        for (std::size_t k : parts) r.parts.push_back({&t, i, k}), sum += t.isNull[i][k] ? 0 : t.values[i][k];
        r.total = Ref{&t, i, tot};
        // Reports without a category count in n and in no n_<category>, those without a clock
        // time in n and in no light class: the row's rest.
        r.rest = sum < t.values[i][tot];
        out.push_back(std::move(r));
    };
    if (t.totalIndex >= 0) {
        const auto tot = static_cast<std::size_t>(t.totalIndex);
        std::vector<std::size_t> parts;
        for (std::size_t k = 0; k < ncols; ++k)
            if (k != tot && !isPart[k]) parts.push_back(k);
        for (std::size_t i = 0; i < t.rows(); ++i) rowRelation(i, tot, parts);
    }
    for (const auto& [whole, parts] : partsOf)
        for (std::size_t i = 0; i < t.rows(); ++i) rowRelation(i, whole.first, parts);
    if (t.policy->spec->columnTotals)
        for (std::size_t k = 0; k < ncols; ++k) {
            Relation r;
            for (std::size_t i = 0; i < t.rows(); ++i) r.parts.push_back({&t, i, k});
            // A grid's n adds up to the reports the analysis used, in run_metadata.
            r.totalInFile = t.policy->spec->name == "hotspot_grid" && static_cast<int>(k) == t.totalIndex;
            out.push_back(std::move(r));
        }
    return out;
}

namespace {

// The table of `layer` in the analysis of `prefix`, or nullptr.
TableState* sibling(std::vector<TableState>& tables, const std::string& prefix, const std::string& layer) {
    for (TableState& t : tables)
        if (t.policy->spec->name == layer && t.prefix() == prefix) return &t;
    return nullptr;
}

std::map<std::string, std::size_t> rowsByKey(const TableState& t) {
    std::map<std::string, std::size_t> rowOf;
    for (std::size_t i = 0; i < t.rows(); ++i) rowOf.emplace(t.keys[i], i);
    return rowOf;
}

// The same count in two tables, matched by key: each is the other's total.
void identities(TableState& a, std::size_t ka, TableState& b, std::size_t kb, std::vector<Relation>& out) {
    const auto rowOf = rowsByKey(a);
    for (std::size_t j = 0; j < b.rows(); ++j)
        if (const auto it = rowOf.find(b.keys[j]); it != rowOf.end())
            out.push_back({{Ref{&b, j, kb}}, Ref{&a, it->second, ka}, false});
}

// The register's measures (pipeline/steps/measures): per measure and count, the rows of its
// categories in measure_effects (with the reports without a category, and the categories it has
// no row for, having none in its area and buffer) make its row "all"; its row in measures is its
// row of measure_effects for the category it is read by. Per row and window, its area, buffer and
// control (the rest of the study area outside every measure's zone) add up to the window's
// reports outside the other measures' zones: taken as known, since the police's monthly
// statistics for the municipality, or a further analysis of the same dates, come close to it.
void measureRelations(std::vector<TableState>& tables, TableState& effects, std::vector<Relation>& out) {
    if (effects.ids.size() != effects.rows()) return;
    std::map<std::string, std::vector<std::size_t>> rowsOf;
    for (std::size_t i = 0; i < effects.rows(); ++i) rowsOf[effects.ids[i]].push_back(i);
    for (const auto& [id, rows] : rowsOf) {
        const std::string allKey = id + '\x1f' + "all";
        const auto all = std::find_if(rows.begin(), rows.end(), [&](std::size_t i) { return effects.keys[i] == allKey; });
        if (all == rows.end() || rows.size() < 2) continue;
        // With a rest whatever its size: a published file has only some categories' rows (the
        // target's), and a reader cannot tell that the others are empty.
        for (std::size_t k = 0; k < effects.counts.size(); ++k) {
            Relation r{{}, Ref{&effects, *all, k}, true};
            for (std::size_t i : rows)
                if (i != *all) r.parts.push_back({&effects, i, k});
            out.push_back(std::move(r));
        }
    }
    if (TableState* measures = sibling(tables, effects.prefix(), "measures")) {
        for (std::size_t k = 0; k < measures->counts.size(); ++k)
            if (const std::size_t ke = effects.countIndex(measures->counts[k]); ke < effects.counts.size())
                identities(effects, ke, *measures, k, out);
        // Residents' reports in and around it: the unsafe ones and the rest make them all.
        for (const char* when : {"before", "after"}) {
            const std::size_t n = measures->countIndex(fmt::format("perceived_{}_n", when)),
                              unsafe = measures->countIndex(fmt::format("perceived_{}_unsafe", when));
            if (n == measures->counts.size() || unsafe == measures->counts.size()) continue;
            for (std::size_t i = 0; i < measures->rows(); ++i)
                out.push_back({{Ref{measures, i, unsafe}}, Ref{measures, i, n}, true});
        }
    }
    for (const char* when : {"_before", "_after"}) {
        std::vector<std::size_t> fields;
        for (const char* role : {"measure", "buffer", "control"})
            fields.push_back(effects.countIndex(std::string(role) + when));
        if (std::any_of(fields.begin(), fields.end(), [&](std::size_t k) { return k == effects.counts.size(); })) continue;
        for (std::size_t i = 0; i < effects.rows(); ++i) {
            Relation r;
            for (std::size_t k : fields) r.parts.push_back({&effects, i, k});
            out.push_back(std::move(r));
        }
    }
}

} // namespace

std::vector<Relation> relationsBetween(std::vector<TableState>& tables, const std::vector<AreaOfCells>& areasOfCells) {
    std::vector<Relation> out;
    for (TableState& grid : tables) {
        if (grid.policy->spec->name != "hotspot_grid" || grid.totalIndex < 0) continue;
        const std::string prefix = grid.prefix();
        const auto nk = static_cast<std::size_t>(grid.totalIndex);
        if (TableState* emerging = sibling(tables, prefix, "emerging_hotspots"); emerging && !emerging->counts.empty())
            identities(grid, nk, *emerging, 0, out);
        if (TableState* change = sibling(tables, prefix, "change_grid"); change && change->counts.size() == 2) {
            const auto rowOf = rowsByKey(grid);
            for (std::size_t j = 0; j < change->rows(); ++j)
                if (const auto it = rowOf.find(change->keys[j]); it != rowOf.end())
                    out.push_back({{Ref{change, j, 0}, Ref{change, j, 1}}, Ref{&grid, it->second, nk}, true});
        }
    }
    for (TableState& stats : tables) {
        if (stats.policy->spec->name != "area_statistics" || stats.totalIndex < 0) continue;
        if (TableState* summary = sibling(tables, stats.prefix(), "area_summary"))
            if (const std::size_t ks = summary->countIndex("incidents"); ks < summary->counts.size())
                identities(*summary, ks, stats, static_cast<std::size_t>(stats.totalIndex), out);
    }
    // An area of cells holds its cells' reports, and the light of each.
    for (const AreaOfCells& a : areasOfCells)
        for (const auto& [cellField, areaField] : {std::pair{"n", "incidents"}, std::pair{"daylight_n", "daylight_incidents"},
                                                    std::pair{"twilight_n", "twilight_incidents"},
                                                    std::pair{"dark_n", "dark_incidents"}}) {
            const std::size_t nk = a.grid->countIndex(cellField), ik = a.areas->countIndex(areaField);
            if (nk == a.grid->counts.size() || ik == a.areas->counts.size()) continue;
            Relation r{{}, Ref{a.areas, a.row, ik}, false};
            for (std::size_t c : a.cells) r.parts.push_back({a.grid, c, nk});
            out.push_back(std::move(r));
        }
    // The light of a month's incidents: its light classes and those without a clock time make
    // its n of monthly_counts; the incidents in darkness in an area's dark spot are some of its own.
    for (TableState& light : tables) {
        if (light.policy->spec->name != "light_by_month") continue;
        TableState* months = sibling(tables, light.prefix(), "monthly_counts");
        if (!months || months->ids.size() != months->rows() || light.ids.size() != light.rows()) continue;
        const std::size_t nk = months->countIndex("n");
        if (nk == months->counts.size()) continue;
        std::map<std::string, std::size_t> rowOf;
        for (std::size_t i = 0; i < months->rows(); ++i) rowOf.emplace(months->ids[i], i);
        for (std::size_t i = 0; i < light.rows(); ++i)
            if (const auto it = rowOf.find(light.ids[i]); it != rowOf.end()) {
                Relation r{{}, Ref{months, it->second, nk}, false};
                for (std::size_t k = 0; k < light.counts.size(); ++k) r.parts.push_back({&light, i, k});
                out.push_back(std::move(r));
            }
    }
    for (TableState& spots : tables) {
        if (spots.policy->spec->name != "dark_spots" || spots.ids.size() != spots.rows()) continue;
        TableState* areas = sibling(tables, spots.prefix(), "hotspot_areas");
        const std::size_t sk = spots.countIndex("dark_incidents");
        if (!areas || areas->ids.size() != areas->rows() || sk == spots.counts.size()) continue;
        const std::size_t ak = areas->countIndex("dark_incidents");
        if (ak == areas->counts.size()) continue;
        std::map<std::string, std::size_t> areaRow;
        for (std::size_t i = 0; i < areas->rows(); ++i) areaRow.emplace(areas->ids[i], i);
        for (std::size_t i = 0; i < spots.rows(); ++i)
            if (const auto it = areaRow.find(spots.ids[i]); it != areaRow.end())
                out.push_back({{Ref{&spots, i, sk}}, Ref{areas, it->second, ak}, true});
    }
    for (TableState& times : tables) {
        if (!times.policy->spec->hotTimes || times.totalIndex < 0) continue;
        TableState* areas = sibling(tables, times.prefix(), "hotspot_areas");
        const std::size_t ik = areas ? areas->countIndex("incidents") : 0;
        std::map<std::string, std::size_t> areaRow;  // area_id -> row
        if (areas && ik < areas->counts.size() && areas->ids.size() == areas->rows())
            for (std::size_t i = 0; i < areas->rows(); ++i) areaRow.emplace(areas->ids[i], i);
        std::map<std::string, Relation> blocks;
        for (std::size_t i = 0; i < times.rows(); ++i) {
            Relation& r = blocks[times.blockOf[i]];
            r.parts.push_back({&times, i, static_cast<std::size_t>(times.totalIndex)});
            if (const auto it = areaRow.find(times.blockOf[i]); it != areaRow.end()) r.total = Ref{areas, it->second, ik};
        }
        for (auto& [name, r] : blocks) {
            // The study area's block adds up to the analysis's reports with a time, which
            // run_metadata gives (the reports used, less those without a time).
            r.totalInFile = !r.total;
            out.push_back(std::move(r));
        }
    }
    // The follow-up: per window and area, its row "all" holds every category's row (and the
    // reports without a category); followup_areas repeats the row "all" per area.
    for (TableState& followup : tables) {
        if (followup.policy->spec->name != "followup") continue;
        const auto all = std::find(followup.keys.begin(), followup.keys.end(), "all");
        if (all == followup.keys.end()) continue;
        const auto a = static_cast<std::size_t>(all - followup.keys.begin());
        for (std::size_t k = 0; k < followup.counts.size(); ++k) {
            Relation r{{}, Ref{&followup, a, k}, false};
            std::int64_t sum = 0;
            for (std::size_t i = 0; i < followup.rows(); ++i)
                if (i != a) r.parts.push_back({&followup, i, k}), sum += followup.values[i][k];
            r.rest = sum < followup.values[a][k];
            out.push_back(std::move(r));
        }
        if (TableState* areas = sibling(tables, followup.prefix(), "followup_areas"))
            for (std::size_t i = 0; i < areas->rows(); ++i)
                for (std::size_t k = 0; k < areas->counts.size(); ++k) {
                    // n_before of the role "measure" is measure_before of the row "all".
                    const std::string& field = areas->counts[k];
                    const std::size_t kf = followup.countIndex(areas->keys[i] + field.substr(1));
                    if (kf < followup.counts.size()) out.push_back({{Ref{areas, i, k}}, Ref{&followup, a, kf}, false});
                }
    }
    for (TableState& effects : tables) {
        if (effects.policy->spec->name == "measure_effects") measureRelations(tables, effects, out);
    }
    for (TableState& parts : tables) {
        if (parts.policy->spec->name != "area_reasons" || parts.groupOf.size() != parts.rows()) continue;
        TableState* whole = sibling(tables, parts.prefix(), "perception_reasons");
        if (!whole) continue;
        std::map<std::string, std::vector<std::size_t>> rowsOf;
        for (std::size_t i = 0; i < parts.rows(); ++i) rowsOf[parts.groupOf[i]].push_back(i);
        for (std::size_t w = 0; w < whole->rows(); ++w) {
            const auto it = rowsOf.find(whole->keys[w]);
            if (it == rowsOf.end()) continue;
            for (std::size_t k = 0; k < parts.counts.size(); ++k) {
                const std::size_t kw = whole->countIndex(parts.counts[k]);
                if (kw == whole->counts.size()) continue;
                Relation r{{}, Ref{whole, w, kw}, true};
                for (std::size_t i : it->second) r.parts.push_back({&parts, i, k});
                out.push_back(std::move(r));
            }
        }
    }
    return out;
}

std::vector<Relation> relationsAcross(std::vector<TableState>& tables, const std::vector<AnalysisScope>& scopes) {
    std::vector<Relation> out;
    for (const AnalysisScope& scope : scopes) {
        if (!scope.subset) continue;
        for (TableState& mine : tables) {
            if (mine.prefix() != scope.prefix || !mine.hasKey()) continue;
            TableState* main = sibling(tables, "", mine.policy->spec->name);
            if (!main) continue;
            const auto rowOf = rowsByKey(*main);
            std::vector<std::size_t> chosen;  // the main table's n_<category> for the analysis's categories
            bool allFound = scope.categories;
            for (std::size_t k = 0; k < mine.counts.size(); ++k)
                if (mine.category[k]) {
                    const std::size_t km = main->countIndex(mine.counts[k]);
                    if (km < main->counts.size()) chosen.push_back(km);
                    else allFound = false;
                }
            for (std::size_t i = 0; i < mine.rows(); ++i) {
                const auto it = rowOf.find(mine.keys[i]);
                if (it == rowOf.end()) continue;
                const std::size_t j = it->second;
                for (std::size_t k = 0; k < mine.counts.size(); ++k) {
                    const std::string& f = mine.counts[k];
                    if (scope.sameTime && f == "n" && allFound && !chosen.empty()) {
                        Relation r{{}, Ref{&mine, i, k}, false};
                        for (std::size_t km : chosen) r.parts.push_back({main, j, km});
                        out.push_back(std::move(r));
                        continue;
                    }
                    const std::size_t km = main->countIndex(f);
                    if (km == main->counts.size()) continue;
                    out.push_back({{Ref{&mine, i, k}}, Ref{main, j, km}, !(scope.sameTime && mine.category[k])});
                }
            }
        }
    }
    return out;
}

namespace {

constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max() / 4;

// A count's identity, for hashing.
struct CellKey {
    const TableState* table;
    std::size_t row, field;
    bool operator==(const CellKey&) const = default;
};
struct CellHash {
    std::size_t operator()(const CellKey& k) const {
        std::size_t h = std::hash<const void*>()(k.table);
        h ^= k.row * 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        return h ^ (k.field * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2));
    }
};
CellKey keyOf(const Ref& r) { return {r.table, r.row, r.field}; }

} // namespace

Findings audit(const std::vector<Relation>& relations, int minCount) {
    // sum(vars) + known == total (a var, or a known number).
    struct Constraint {
        std::vector<int> vars;
        std::int64_t known = 0;
        int totalVar = -1;
        std::int64_t total = 0;
    };
    std::unordered_map<CellKey, int, CellHash> index;
    std::vector<Ref> refs;                // per var; a rest has no Ref (table nullptr)
    std::vector<std::size_t> restOf;      // per var: the relation of a rest
    const auto var = [&](const Ref& r) {
        const auto [it, added] = index.emplace(keyOf(r), static_cast<int>(refs.size()));
        if (added) refs.push_back(r);
        return it->second;
    };
    std::vector<Constraint> constraints;
    for (const Relation& r : relations) {
        if (r.total && r.total->null()) continue;
        if (!r.total && !r.totalInFile && !r.parts.empty() && !r.parts.front().table->prefix().empty()) continue;
        if (r.total) {
            // Every relation holds for the values as written; one that does not is a bug in the
            // model (it would mislead the audit), never something to publish through.
            std::int64_t sum = 0;
            for (const Ref& p : r.parts)
                if (!p.null()) sum += p.value();
            if (r.rest ? sum > r.total->value() : sum != r.total->value())
                throw Error(fmt::format("publishing: internal error: {}.{} of '{}' is not the sum of its parts ({} against {})",
                                        r.total->table->table, r.total->table->counts[r.total->field],
                                        r.total->table->keys[r.total->row], r.total->value(), sum));
        }
        Constraint c;
        std::int64_t sum = 0;
        for (const Ref& p : r.parts) {
            if (p.null()) continue;
            sum += p.value();
            if (p.hidden()) c.vars.push_back(var(p));
            else c.known += p.value();
        }
        if (r.total && r.total->hidden()) c.totalVar = var(*r.total);
        else c.total = r.total ? r.total->value() : sum;
        if (r.rest) {
            c.vars.push_back(static_cast<int>(refs.size()));
            refs.push_back(Ref{});
            restOf.resize(refs.size());
            restOf.back() = static_cast<std::size_t>(&r - relations.data());
        }
        if (!c.vars.empty() || c.totalVar >= 0) constraints.push_back(std::move(c));
    }
    std::vector<std::int64_t> lb(refs.size(), 0), ub(refs.size(), kUnbounded);
    const auto tighten = [&](int v, std::int64_t low, std::int64_t high) {
        const auto i = static_cast<std::size_t>(v);
        bool changed = false;
        if (low > lb[i]) lb[i] = low, changed = true;
        if (high < ub[i]) ub[i] = high, changed = true;
        return changed;
    };
    for (int round = 0; round < 200; ++round) {
        bool changed = false;
        for (const Constraint& c : constraints) {
            std::int64_t sumLb = c.known, sumUb = c.known;
            for (int v : c.vars) {
                sumLb += lb[static_cast<std::size_t>(v)];
                sumUb = std::min(kUnbounded, sumUb + ub[static_cast<std::size_t>(v)]);
            }
            const std::int64_t tLb = c.totalVar >= 0 ? lb[static_cast<std::size_t>(c.totalVar)] : c.total;
            const std::int64_t tUb = c.totalVar >= 0 ? ub[static_cast<std::size_t>(c.totalVar)] : c.total;
            for (int v : c.vars) {
                const auto i = static_cast<std::size_t>(v);
                const std::int64_t high = tUb >= kUnbounded ? kUnbounded : tUb - (sumLb - lb[i]);
                const std::int64_t low = sumUb >= kUnbounded ? 0 : tLb - (sumUb - ub[i]);
                changed |= tighten(v, std::max<std::int64_t>(0, low), high);
            }
            if (c.totalVar >= 0) changed |= tighten(c.totalVar, sumLb, sumUb);
        }
        if (!changed) break;
    }
    Findings found;
    for (std::size_t v = 0; v < refs.size(); ++v) {
        if (ub[v] >= kUnbounded || ub[v] - lb[v] >= minCount) continue;
        if (refs[v].table) found.counts.push_back(refs[v]);
        // A rest known to be 0 harms nobody, nor one known to be above min_count: the other
        // categories of a measure area, 88 of them, are a count that could be published.
        else if (ub[v] >= 1 && lb[v] <= minCount) found.rests.push_back(restOf[v]);
    }
    return found;
}

std::size_t remedy(const std::vector<Relation>& relations, const Findings& findings) {
    const std::vector<Ref>& found = findings.counts;
    std::size_t added = 0;
    // The smallest shown non-zero count among the parts of `rs` (a zero when none is left).
    const auto smallestShown = [&](const std::vector<std::size_t>& rs) {
        const Ref* best = nullptr;
        for (std::size_t r : rs)
            for (const Ref& p : relations[r].parts)
                if (!p.null() && !p.hidden() && (!best || (p.value() > 0 && (best->value() == 0 || p.value() < best->value()))))
                    best = &p;
        return best;
    };
    for (std::size_t r : findings.rests) {
        if (const auto& t = relations[r].total; t && !t->hidden() && !t->null()) t->hide(), ++added;
        else if (const Ref* best = smallestShown({r})) best->hide(), ++added;
    }
    // The relations each found count is a part or the total of, in one pass over them all.
    std::unordered_map<CellKey, std::size_t, CellHash> which;
    for (std::size_t f = 0; f < found.size(); ++f) which.emplace(keyOf(found[f]), f);
    std::vector<std::vector<std::size_t>> asPart(found.size()), asTotal(found.size());
    for (std::size_t r = 0; r < relations.size(); ++r) {
        for (const Ref& p : relations[r].parts)
            if (const auto it = which.find(keyOf(p)); it != which.end()) asPart[it->second].push_back(r);
        if (relations[r].total)
            if (const auto it = which.find(keyOf(*relations[r].total)); it != which.end()) asTotal[it->second].push_back(r);
    }
    for (std::size_t f = 0; f < found.size(); ++f) {
        bool hid = false;
        for (std::size_t r : asPart[f])
            if (const auto& t = relations[r].total; t && !t->hidden() && !t->null()) t->hide(), ++added, hid = true;
        if (hid) continue;
        // No published total over it: the smallest shown count beside it goes.
        std::vector<std::size_t> around = asPart[f];
        around.insert(around.end(), asTotal[f].begin(), asTotal[f].end());
        if (const Ref* best = smallestShown(around)) best->hide(), ++added;
    }
    return added;
}

std::vector<std::pair<Ref, Ref>> pairsAcross(std::vector<TableState>& tables) {
    std::vector<std::pair<Ref, Ref>> out;
    for (std::size_t a = 0; a < tables.size(); ++a)
        for (std::size_t b = a + 1; b < tables.size(); ++b) {
            TableState& ta = tables[a];
            TableState& tb = tables[b];
            if (ta.policy != tb.policy || ta.keys.empty() || ta.keys.front().empty()) continue;
            const auto rowOf = rowsByKey(tb);
            for (std::size_t ka = 0; ka < ta.counts.size(); ++ka) {
                const std::size_t kb = tb.countIndex(ta.counts[ka]);
                if (kb == tb.counts.size()) continue;
                for (std::size_t i = 0; i < ta.rows(); ++i)
                    if (const auto it = rowOf.find(ta.keys[i]); it != rowOf.end()) out.push_back({{&ta, i, ka}, {&tb, it->second, kb}});
            }
        }
    return out;
}

std::size_t protectAcross(const std::vector<std::pair<Ref, Ref>>& pairs, int minCount) {
    std::size_t added = 0;
    for (const auto& [a, b] : pairs) {
        if (a.null() || b.null()) continue;
        // Route 3 of the audit: the same count (n_klotter of the vandalism analysis is the main
        // one's) hidden in one and shown in the other.
        if (a.hidden() != b.hidden() && a.value() == b.value()) {
            a.hide();
            b.hide();
            ++added;
            continue;
        }
        if (a.hidden() || b.hidden()) continue;
        const std::int64_t va = a.value(), vb = b.value();
        if (!isSmall(va > vb ? va - vb : vb - va, minCount)) continue;
        (va < vb ? a : b).hide();
        ++added;
    }
    return added;
}

std::size_t hideZeroSlots(TableState& t) {
    // Route 5 of the audit: in a small area's table, three hidden hours among 165 zeros told the
    // exact hours and weekdays of its incidents, as a hidden count is never 0 otherwise.
    std::size_t added = 0;
    const auto hideZeros = [&](const std::vector<Ref>& slots) {
        if (std::none_of(slots.begin(), slots.end(), [](const Ref& r) { return r.hidden(); })) return;
        for (const Ref& r : slots)
            if (!r.hidden() && !r.null() && r.value() == 0) r.hide(), ++added;
    };
    std::map<std::string, std::vector<Ref>> days;  // per block, its weekday totals
    for (std::size_t i = 0; i < t.rows(); ++i) {
        std::vector<Ref> hours;
        for (std::size_t k = 0; k < t.counts.size(); ++k)
            if (static_cast<int>(k) != t.totalIndex) hours.push_back({&t, i, k});
        hideZeros(hours);
        if (t.totalIndex >= 0 && t.blockOf.size() == t.rows())
            days[t.blockOf[i]].push_back({&t, i, static_cast<std::size_t>(t.totalIndex)});
    }
    for (const auto& [block, totals] : days) hideZeros(totals);
    return added;
}

} // namespace trygg::output::disclosure
