// stats.near_repeat: whether one incident raises the risk nearby for a while, by the Knox test
// (stats/Knox.hpp) over distance bands of the cell size and time bands of 7 days (the Near Repeat
// Calculator's habit), for all incidents and per category (table near_repeat); and the repeat
// locations: the same point (to `same_location_m`) hit again within the window (repeat_locations,
// never published: they are the reports' own places).
#include "Grid.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/stats/Knox.hpp"
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/temporal/Trend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace trygg::pipeline::steps {

struct NearRepeatStep {
    struct Table {
        std::string category;  // "all" or a category's name
        stats::KnoxResult knox;
        // The p at or below which a band pair is a near repeat at 95 %, after [inference]'s
        // correction over the table's closed band pairs (the open "beyond" bands are not tested).
        double cutoff = 0.05;
        bool nearRepeat(std::size_t c) const { return knox.p[c] <= cutoff && knox.ratio[c] > 1; }
    };
    stats::KnoxSpec spec;
    std::vector<Table> tables;
    struct Location {
        double x = 0, y = 0;
        std::int64_t incidents = 0, repeats = 0, firstDay = 0, lastDay = 0;
        std::string categories;
    };
    std::vector<Location> locations;
    double repeatDays = 0;
};

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A point as ISO WKB: a MultiPoint of one, as the layer's geometry is.
std::vector<unsigned char> multiPointWkb(double x, double y) {
    std::vector<unsigned char> wkb;
    const auto put = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        wkb.insert(wkb.end(), b, b + n);
    };
    const unsigned char little = 1;
    const std::uint32_t multi = 4, one = 1, point = 1;
    put(&little, 1), put(&multi, 4), put(&one, 4), put(&little, 1), put(&point, 4), put(&x, 8), put(&y, 8);
    return wkb;
}

std::string metres(double v) { return fmt::format("{:g}", v); }

class NearRepeat final : public Step {
public:
    NearRepeat() : Step("stats.near_repeat", StepCost{1.0, 1e-3}) {}
    std::vector<const char*> configTables() const override { return {"near_repeat"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("near_repeat", "must be a table ([near_repeat])");
        if (!t) return;
        NearRepeatConfig& c = cfg.nearRepeat;
        t->onlyKnown({"enabled", "distance_band_m", "distance_bands", "days", "time_bands", "same_location_m", "distance",
                      "permutations", "min_reports", "repeat_days"});
        if (auto v = t->boolean("enabled")) c.enabled = *v;
        if (auto v = t->number("distance_band_m", {"cell"})) {
            if (!(*v > 0)) t->fail("distance_band_m", "must be a positive number of metres, or \"cell\" (the grid's cell size)");
            c.distanceBandM = *v;
        }
        const auto whole = [&](const char* key, int lo, int hi, int& out) {
            if (auto v = t->number(key)) {
                if (*v < lo || *v > hi || *v != std::floor(*v)) t->fail(key, fmt::format("must be a whole number from {} to {}", lo, hi));
                out = static_cast<int>(*v);
            }
        };
        whole("distance_bands", 1, 20, c.distanceBands);
        whole("time_bands", 1, 20, c.timeBands);
        whole("permutations", 1, 99999, c.permutations);
        whole("min_reports", 2, 1000000, c.minReports);
        if (auto v = t->number("days")) {
            if (!(*v >= 1) || *v != std::floor(*v)) t->fail("days", "must be a whole number of days, 1 or more");
            c.days = *v;
        }
        if (auto v = t->number("same_location_m")) {
            if (!(*v > 0)) t->fail("same_location_m", "must be a positive number of metres");
            c.sameLocationM = *v;
        }
        if (auto v = t->number("repeat_days")) {
            if (!(*v >= 1) || *v != std::floor(*v)) t->fail("repeat_days", "must be a whole number of days, 1 or more");
            c.repeatDays = *v;
        }
        if (auto v = t->str("distance")) {
            if (*v != "manhattan" && *v != "euclidean") t->fail("distance", "'" + *v + "' is not \"manhattan\" or \"euclidean\"");
            c.manhattan = *v == "manhattan";
        }
    }
    const char* analysisSwitch() const override { return "near_repeat"; }
    void switchOff(Config& cfg) const override { cfg.nearRepeat.enabled = false; }
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.nearRepeat.enabled && !a.reports.timeWallSeconds.empty() && a.reports.acceptedCount() >= 2;
    }
    void run(Analysis& a, const Progress& progress) const override {
        const io::ReportSet& r = a.reports;
        const NearRepeatConfig& c = a.cfg.nearRepeat;
        NearRepeatStep s;
        const GridStep* g = a.results.find<GridStep>();
        const double band = c.distanceBandM > 0 ? c.distanceBandM : g ? g->cellSizeM : 100.0;
        if (!(c.sameLocationM < band))
            throw InputError(fmt::format("config: [near_repeat] same_location_m ({:g} m) must be less than the distance band "
                                         "({:g} m)", c.sameLocationM, band));
        s.spec.distanceBreaks = {0, c.sameLocationM};
        for (int k = 1; k <= c.distanceBands; ++k) s.spec.distanceBreaks.push_back(band * k);
        s.spec.distanceBreaks.push_back(kInf);
        for (int k = 0; k <= c.timeBands; ++k) s.spec.dayBreaks.push_back(c.days * k);
        s.spec.dayBreaks.push_back(kInf);
        s.spec.manhattan = c.manhattan;
        s.spec.permutations = c.permutations;
        s.spec.seed = a.cfg.inference.seed;
        s.spec.threads = a.cfg.inference.threads;
        s.spec.maxPairs = 200'000'000;  // 9 bytes each: under 2 GB
        s.repeatDays = c.repeatDays > 0 ? c.repeatDays : c.days * c.timeBands;

        // The dated reports, all and per category.
        std::vector<std::vector<std::size_t>> sets(1 + r.categories.size());
        for (std::size_t i = 0; i < r.acceptedCount(); ++i) {
            if (r.timeWallSeconds[i] == io::kNoTime) continue;
            sets[0].push_back(i);
            if (!r.category.empty() && r.category[i] >= 0) sets[1 + static_cast<std::size_t>(r.category[i])].push_back(i);
        }
        for (std::size_t k = 0; k < sets.size(); ++k) {
            const auto& set = sets[k];
            // One category alone is the whole table again.
            if (set.size() < static_cast<std::size_t>(c.minReports) || (k > 0 && set.size() == sets[0].size())) continue;
            progress.update(static_cast<double>(k) / static_cast<double>(sets.size()));
            std::vector<double> x, y;
            std::vector<std::int64_t> day;
            for (std::size_t i : set) {
                x.push_back(r.x[i]);
                y.push_back(r.y[i]);
                day.push_back(temporal::dayOf(r.timeWallSeconds[i]));
            }
            const std::string name = k == 0 ? "all" : r.categories[k - 1];
            try {
                NearRepeatStep::Table table{name, stats::knoxTest(x, y, day, s.spec, [&] { progress.checkCancelled(); })};
                std::vector<double> tested;
                for (std::size_t d = 0; d + 1 < table.knox.distanceBands; ++d)
                    for (std::size_t ti = 0; ti + 1 < table.knox.timeBands; ++ti) tested.push_back(table.knox.p[table.knox.at(d, ti)]);
                table.cutoff = stats::significanceCutoff(tested, 0.05, a.cfg.inference.correction);
                s.tables.push_back(std::move(table));
            } catch (const InputError& e) {
                a.summary.warnings.push_back(fmt::format("stats.near_repeat: {} left out: {}", name, e.what()));
            }
        }
        // Repeat locations: reports at the same point (within same_location_m, on a lattice of
        // that size), dated, hit again within the window.
        std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> at;
        for (std::size_t i : sets[0])
            at[{std::llround(r.x[i] / c.sameLocationM), std::llround(r.y[i] / c.sameLocationM)}].push_back(i);
        for (auto& [key, list] : at) {
            if (list.size() < 2) continue;
            std::sort(list.begin(), list.end(), [&](std::size_t p, std::size_t q) { return r.timeWallSeconds[p] < r.timeWallSeconds[q]; });
            NearRepeatStep::Location loc;
            loc.x = r.x[list[0]];
            loc.y = r.y[list[0]];
            loc.incidents = static_cast<std::int64_t>(list.size());
            loc.firstDay = temporal::dayOf(r.timeWallSeconds[list.front()]);
            loc.lastDay = temporal::dayOf(r.timeWallSeconds[list.back()]);
            for (std::size_t j = 1; j < list.size(); ++j)
                loc.repeats += temporal::dayOf(r.timeWallSeconds[list[j]]) - temporal::dayOf(r.timeWallSeconds[list[j - 1]]) <=
                               static_cast<std::int64_t>(s.repeatDays);
            if (loc.repeats == 0) continue;
            std::map<std::string, int> byCategory;
            for (std::size_t i : list)
                if (!r.category.empty() && r.category[i] >= 0) ++byCategory[r.categories[static_cast<std::size_t>(r.category[i])]];
            for (const auto& [name, n] : byCategory) loc.categories += fmt::format("{}{} ({})", loc.categories.empty() ? "" : "; ", name, n);
            s.locations.push_back(std::move(loc));
        }
        std::stable_sort(s.locations.begin(), s.locations.end(),
                         [](const auto& p, const auto& q) { return p.repeats > q.repeats; });
        a.results.put(std::move(s));
    }

    // near_repeat, and repeat_locations outside publishing mode.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const NearRepeatStep& s = a.results.get<NearRepeatStep>(name());
        const bool en = a.cfg.output.language == "en";
        using output::FieldType;
        output::LayerWriter t = writer.layer(
            "near_repeat", output::GeometryType::None, "Near repeats (Knox test)",
            "Pairs of incidents by distance and time apart against the same with the times permuted (Knox test, as "
            "NearRepeat and the Near Repeat Calculator)");
        const int category = t.add("category", FieldType::Text), dBand = t.add("distance_band", FieldType::Integer),
                  dLabel = t.add("distance", FieldType::Text), dFrom = t.add("distance_from_m", FieldType::Real),
                  dTo = t.add("distance_to_m", FieldType::Real), tBand = t.add("time_band", FieldType::Integer),
                  tLabel = t.add("time", FieldType::Text), tFrom = t.add("days_from", FieldType::Real),
                  tTo = t.add("days_to", FieldType::Real), observed = t.add("observed_pairs", FieldType::Integer64),
                  expected = t.add("expected_pairs", FieldType::Real), ratio = t.add("knox_ratio", FieldType::Real),
                  p = t.add("p_value", FieldType::Real), near = t.add("near_repeat", FieldType::Int16);
        const auto& db = s.spec.distanceBreaks;
        const auto& tb = s.spec.dayBreaks;
        for (const auto& table : s.tables) {
            const stats::KnoxResult& k = table.knox;
            for (std::size_t d = 0; d < k.distanceBands; ++d)
                for (std::size_t ti = 0; ti < k.timeBands; ++ti) {
                    const std::size_t c = k.at(d, ti);
                    t.setText(category, table.category);
                    t.setInt(dBand, static_cast<std::int64_t>(d));
                    t.setText(dLabel, d == 0                   ? std::string(en ? "same location" : "samma plats")
                                      : std::isinf(db[d + 1]) ? fmt::format("{} {} m", en ? "over" : "över", metres(db[d]))
                                                              : fmt::format("{}–{} m", metres(db[d]), metres(db[d + 1])));
                    t.setReal(dFrom, db[d]);
                    t.setReal(dTo, db[d + 1]);
                    t.setInt(tBand, static_cast<std::int64_t>(ti));
                    t.setText(tLabel, std::isinf(tb[ti + 1])
                                          ? fmt::format("{} {}", metres(tb[ti]), en ? "days or more" : "dagar eller mer")
                                          : fmt::format("{}–{} {}", metres(tb[ti]), metres(tb[ti + 1] - 1), en ? "days" : "dagar"));
                    t.setReal(tFrom, tb[ti]);
                    t.setReal(tTo, tb[ti + 1]);
                    t.setInt(observed, k.observed[c]);
                    t.setReal(expected, k.expected[c]);
                    t.setReal(ratio, k.ratio[c]);
                    t.setReal(p, k.p[c]);
                    // More pairs than chance gives, at 95 % after the correction: a near repeat.
                    // The open bands (beyond the last distance or time) are no such question.
                    const bool open = d + 1 == k.distanceBands || ti + 1 == k.timeBands;
                    if (open) t.setNull(near);
                    else t.setInt(near, table.nearRepeat(c) ? 1 : 0);
                    t.write("a near-repeat band");
                }
        }
        t.finish();
        writer.style("near_repeat", output::tableQml(), "Near repeats (Knox test)");
        if (a.publishing()) return;  // the reports' own places
        output::LayerWriter l = writer.layer(
            "repeat_locations", output::GeometryType::MultiPoint, "Repeat locations",
            fmt::format("Points hit again within {:g} days (the same point to {:g} m): the reports' own places, never published",
                        s.repeatDays, a.cfg.nearRepeat.sameLocationM));
        const int id = l.add("location_id", FieldType::Integer), incidents = l.add("incidents", FieldType::Integer), repeats = l.add("repeats", FieldType::Integer),
                  first = l.add("first_day", FieldType::Text), last = l.add("last_day", FieldType::Text),
                  cats = l.add("categories", FieldType::Text);
        int n = 0;
        for (const auto& loc : s.locations) {
            l.setGeometry(multiPointWkb(loc.x, loc.y), "a repeat location");
            l.setInt(id, ++n);
            l.setInt(incidents, loc.incidents);
            l.setInt(repeats, loc.repeats);
            l.setText(first, temporal::isoDay(loc.firstDay));
            l.setText(last, temporal::isoDay(loc.lastDay));
            l.setText(cats, loc.categories);
            l.write("a repeat location");
        }
        l.finish();
        writer.style("repeat_locations", output::pointQml("150,0,90,255", 2.4), "Repeat locations");
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const NearRepeatStep& s = a.results.get<NearRepeatStep>(name());
        md.add("near_repeat.method",
               fmt::format("Knox test as the R package NearRepeat computes it: every pair of dated incidents by {} distance "
                           "and whole days apart, in bands [from, to); expected_pairs the mean over {} permutations of the "
                           "times among the incidents (seed {}, one stream per permutation), knox_ratio observed / expected, "
                           "p_value (permutations with at least the observed pairs + 1) / (permutations + 1); near_repeat 1 "
                           "where the ratio is above 1 and p is significant at 95 % after the {} correction over the "
                           "table's closed band pairs (NULL in the open bands beyond the last distance or time)",
                           s.spec.manhattan ? "Manhattan" : "Euclidean", s.spec.permutations, s.spec.seed,
                           stats::toString(a.cfg.inference.correction)));
        std::string breaks;
        for (double b : s.spec.distanceBreaks) breaks += (breaks.empty() ? "" : ", ") + (std::isinf(b) ? std::string("inf") : metres(b));
        md.add("near_repeat.distance_breaks_m", breaks);
        breaks.clear();
        for (double b : s.spec.dayBreaks) breaks += (breaks.empty() ? "" : ", ") + (std::isinf(b) ? std::string("inf") : metres(b));
        md.add("near_repeat.day_breaks", breaks);
        std::string sets;
        for (const auto& t : s.tables) sets += (sets.empty() ? "" : ", ") + t.category;
        md.add("near_repeat.tables", sets.empty() ? "none" : sets);
        md.add("near_repeat.repeat_days", fmt::format("{:g}", s.repeatDays));
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const NearRepeatStep& s = a.results.get<NearRepeatStep>(name());
        if (s.tables.empty() || s.tables.front().category != "all") return;
        const stats::KnoxResult& k = s.tables.front().knox;
        const std::size_t c = k.at(1, 0);
        std::vector<std::string> flagged;
        for (const auto& t : s.tables)
            if (t.category != "all" && t.nearRepeat(t.knox.at(1, 0))) flagged.push_back(t.category);
        lines.push_back(fmt::format(
            "Near repeats: within {:g}-{:g} m and {:g}-{:g} days of another incident, {} pairs against {:.1f} by chance "
            "(Knox ratio {:.2f}, p = {:.3g}){}; {} repeat location(s)",
            s.spec.distanceBreaks[1], s.spec.distanceBreaks[2], s.spec.dayBreaks[0], s.spec.dayBreaks[1] - 1, k.observed[c],
            k.expected[c], k.ratio[c], k.p[c],
            flagged.empty() ? std::string() : fmt::format("; near repeats beyond chance in {}", fmt::join(flagged, ", ")),
            s.locations.size()));
    }
};

} // namespace

const Step& nearRepeat() {
    static const NearRepeat step;
    return step;
}

} // namespace trygg::pipeline::steps
