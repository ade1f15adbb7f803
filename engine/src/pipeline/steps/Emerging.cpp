#include "Emerging.hpp"
#include "../Step.hpp"

#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace trygg::pipeline::steps {

EmergingStep computeEmerging(const Config& cfg, const io::ReportSet& reports, const GridStep& g, const Progress& progress,
                             RunSummary& summary) {
    const EmergingConfig& ec = *cfg.emerging;
    if (reports.timeWallSeconds.empty())
        throw InputError(fmt::format("emerging: '{}' has no time field, so no time slices can be made", cfg.incidents.path));
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    for (auto t : reports.timeWallSeconds)
        if (t != io::kNoTime) first = std::min(first, t), last = std::max(last, t);
    if (first > last) throw InputError("emerging: no accepted report has a time");
    const temporal::CalendarTime c0 = temporal::calendarOf(first), c1 = temporal::calendarOf(last);
    const int monthsSpanned = (c1.year - c0.year) * 12 + (c1.month - c0.month) + 1;
    std::string step = ec.slice;
    if (step == "auto") step = monthsSpanned >= 10 ? "month" : "week";
    const std::int64_t firstMonday = (first / 86400 - c0.weekday) * 86400;  // wall days; weeks start on Monday
    auto stepOf = [&](std::int64_t t) -> std::size_t {
        if (step == "week") return static_cast<std::size_t>((t - firstMonday) / (7 * 86400));
        const temporal::CalendarTime c = temporal::calendarOf(t);
        const int months = (c.year - c0.year) * 12 + (c.month - c0.month);
        if (step == "quarter") return static_cast<std::size_t>((months + (c0.month - 1) % 3) / 3);
        return static_cast<std::size_t>(months);
    };
    const std::size_t steps = stepOf(last) + 1;
    if (steps < 10)
        summary.warnings.push_back(fmt::format("emerging: only {} time slices ({}s); the patterns need at least 10 to "
                                               "mean much (ArcGIS Pro asks for 10). Choose a shorter step",
                                               steps, step));
    // The cube and its Gi*, trend and pattern per bin: about five doubles per bin.
    requireMemory("emerging",
                  fmt::format("a space-time cube of {} cells x {} {}s", g.cells.size(), steps, step),
                  static_cast<double>(g.cells.size()) * static_cast<double>(steps) * 40.0,
                  "Use a longer time slice (slice = \"month\" or \"quarter\"), a larger cell size, or a time filter");
    std::vector<double> counts(g.cells.size() * steps, 0.0);
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
        const std::int64_t t = reports.timeWallSeconds[i];
        if (t == io::kNoTime) continue;
        const std::int32_t cell = g.cells.activeOf(g.pointCells[i]);
        if (cell < 0) continue;
        counts[static_cast<std::size_t>(cell) * steps + stepOf(t)] += 1;
    }
    EmergingStep e;
    e.bandM = ec.bandM > 0 ? ec.bandM : (cfg.gistar.weights.distanceM > 0 ? cfg.gistar.weights.distanceM : stats::defaultBandM(g.lattice));
    const stats::Weights spatial = stats::distanceBand(g.cells, e.bandM, true);
    e.result = stats::emergingHotSpots(counts, steps, spatial, ec.timeLag, ec.alpha, cfg.inference.correction,
                                       [&] { progress.checkCancelled(); });
    const temporal::CalendarTime from = step == "week" ? temporal::calendarOf(firstMonday) : c0;
    e.stepsText = fmt::format("{} {}s from {:04d}-{:02d}-{:02d}", steps, step, from.year,
                              step == "quarter" ? from.month - (from.month - 1) % 3 : from.month, step == "week" ? from.day : 1);
    for (auto p : e.result.pattern) ++summary.emergingByPattern[static_cast<std::size_t>(p + 8)];
    summary.emergingSteps = steps;
    return e;
}

void emergingMetadata(const Config& cfg, const RunSummary& summary, Metadata& md) {
    const std::string& slice = cfg.emerging->slice;
    md.add("emerging.slices", fmt::format("{} time slices ({})", summary.emergingSteps,
                                          slice == "week"      ? "weeks"
                                          : slice == "month"   ? "months"
                                          : slice == "quarter" ? "quarters"
                                                               : "chosen automatically"));
    md.add("emerging.slices_sv", fmt::format("{} tidsskivor ({})", summary.emergingSteps,
                                             slice == "week"      ? "veckor"
                                             : slice == "month"   ? "månader"
                                             : slice == "quarter" ? "kvartal"
                                                                  : "valda automatiskt"));
    md.add("emerging.method",
           fmt::format("Gi* per bin of the space-time cube (binary distance band, the cell itself included, the bin's "
                       "slice and the {} before it; mean and variance of the whole cube), a bin significant at "
                       "p <= {:g} after the {} correction over all bins; Mann-Kendall trend of each cell's z-scores "
                       "(two-sided, p <= {:g}); ArcGIS Pro's categories (codes +-1..+-8)",
                       cfg.emerging->timeLag, cfg.emerging->alpha, stats::toString(cfg.inference.correction),
                       cfg.emerging->alpha));
    for (int k = -8; k <= 8; ++k)
        if (summary.emergingByPattern[static_cast<std::size_t>(k + 8)] > 0)
            md.add(fmt::format("emerging.cells.{}", stats::emergingName(k)),
                   std::to_string(summary.emergingByPattern[static_cast<std::size_t>(k + 8)]));
}

namespace {

class Emerging final : public Step {
public:
    Emerging() : Step("stats.emerging", StepCost{0.1, 0, 5e-6}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        std::string patterns;
        for (int k = 8; k >= -8; --k) {
            const auto n = s.emergingByPattern[static_cast<std::size_t>(k + 8)];
            if (k != 0 && n > 0) patterns += fmt::format("{}{} {}", patterns.empty() ? "" : ", ", n, stats::emergingName(k));
        }
        lines.push_back(fmt::format("Emerging hot spots over {} slices: {}", s.emergingSteps,
                                    patterns.empty() ? "no pattern" : patterns));
    }
    const char* analysisSwitch() const override { return "emerging"; }
    void switchOff(Config& cfg) const override { cfg.emerging.reset(); }
    std::vector<const char*> configTables() const override { return {"emerging"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("emerging", "must be a table ([emerging])");
        if (!t) return;
        t->onlyKnown({"slice", "time_lag", "alpha", "distance_band_m"});
        EmergingConfig e;
        if (auto v = t->str("slice")) {
            if (*v != "auto" && *v != "week" && *v != "month" && *v != "quarter")
                t->fail("slice", "'" + *v + "' is not \"auto\", \"week\", \"month\" or \"quarter\"");
            e.slice = *v;
        }
        if (auto v = t->number("time_lag")) {
            if (*v < 0 || *v != std::floor(*v)) t->fail("time_lag", "must be a whole number >= 0");
            e.timeLag = static_cast<int>(*v);
        }
        if (auto v = t->number("alpha")) {
            if (!(*v > 0 && *v < 0.5)) t->fail("alpha", "must lie between 0 and 0.5");
            e.alpha = *v;
        }
        if (auto v = t->number("distance_band_m", {"default"})) {
            if (!(*v > 0)) t->fail("distance_band_m", "must be > 0 metres");
            e.bandM = *v;
        }
        cfg.emerging = e;
    }
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.emerging.has_value(); }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        a.results.put(computeEmerging(a.cfg, a.reports, a.results.get<GridStep>(name()), progress, a.summary));
    }
    // emerging_hotspots: per cell, its pattern over the slices.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const GridStep& g = a.results.get<GridStep>(name());
        const EmergingStep& emerging = a.results.get<EmergingStep>(name());
        const stats::EmergingResult& r = emerging.result;
        using output::FieldType;
        output::LayerWriter layer =
            writer.layer("emerging_hotspots", output::GeometryType::Polygon, "Emerging hot spots",
                         "Per cell, its pattern over " + emerging.stepsText +
                             " (ArcGIS Pro's categories; Gi* per slice, Mann-Kendall trend)");
        const int cellId = layer.add("cell_id", FieldType::Text), n = layer.add("n", FieldType::Integer),
                  pattern = layer.add("pattern", FieldType::Int16), patternName = layer.add("pattern_name", FieldType::Text),
                  trendZ = layer.add("trend_z", FieldType::Real), trendP = layer.add("trend_p", FieldType::Real),
                  hot = layer.add("hot_slices", FieldType::Integer), cold = layer.add("cold_slices", FieldType::Integer),
                  slices = layer.add("slices", FieldType::Integer), lastZ = layer.add("last_z", FieldType::Real);
        for (std::size_t i = 0; i < g.cells.size(); ++i) {
            layer.setText(cellId, layer.setCell(g.cells, i));
            layer.setInt(n, g.counts.n[i]);
            layer.setInt(pattern, r.pattern[i]);
            layer.setText(patternName, stats::emergingName(r.pattern[i]));
            layer.setReal(trendZ, r.trendZ[i]);
            layer.setReal(trendP, r.trendP[i]);
            layer.setInt(hot, r.hotSteps[i]);
            layer.setInt(cold, r.coldSteps[i]);
            layer.setInt(slices, static_cast<std::int64_t>(r.steps));
            layer.setReal(lastZ, r.z[i * r.steps + r.steps - 1]);
            layer.write("an emerging hot spot cell");
        }
        layer.finish();
        // ArcGIS Pro's palette for the patterns, as fills: reds for hot patterns, blues for cold,
        // the strongest (intensifying, persistent) darkest; no pattern is left transparent.
        static constexpr const char* kHot[8] = {"255,205,170,255", "250,160,110,255", "160,0,0,255",
                                                "215,48,39,255",   "244,109,67,255",  "255,140,0,255",
                                                "200,90,160,255",  "150,110,90,255"};
        static constexpr const char* kCold[8] = {"200,225,245,255", "150,200,235,255", "10,50,130,255",
                                                 "69,117,180,255",  "116,173,209,255", "0,150,200,255",
                                                 "120,110,200,255", "110,130,140,255"};
        std::vector<output::Category> categories;
        for (int k = 1; k <= 8; ++k)
            categories.push_back({std::to_string(k), stats::emergingName(k), kHot[k - 1], "255,255,255,120"});
        for (int k = 1; k <= 8; ++k)
            categories.push_back({std::to_string(-k), stats::emergingName(-k), kCold[k - 1], "255,255,255,120"});
        categories.push_back({"0", stats::emergingName(0), "255,255,255,0", ""});
        writer.style("emerging_hotspots", output::categorizedQml("pattern", categories),
                     "Emerging hot spots, by pattern");
    }
    void metadata(const Analysis& a, Metadata& md) const override { emergingMetadata(a.cfg, a.summary, md); }
};

} // namespace

const Step& emerging() {
    static const Emerging step;
    return step;
}

} // namespace trygg::pipeline::steps
