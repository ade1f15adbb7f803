#include "Global.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

namespace trygg::pipeline::steps {

GlobalStep computeGlobal(const GridStep& g, const GiStarStep& gi, const LisaStep* lisa,
                         const io::ReportSet& reports, double areaM2, const Progress& progress) {
    GlobalStep s;
    s.areaM2 = areaM2;
    const stats::Weights queen = lisa ? stats::Weights{} : stats::buildWeights(g.cells, LocalMoranConfig{}.weights);
    const stats::Weights& mw = lisa ? lisa->weights : queen;
    // Degenerate data give 0/0 in these formulas: each test says why it was not computed instead.
    const auto [lo, hi] = std::minmax_element(gi.values.begin(), gi.values.end());
    const auto nonZero = std::count_if(gi.values.begin(), gi.values.end(), [](double v) { return v > 0; });
    if (*lo == *hi) s.moran.notComputed = "every cell has the same count, so there is no pattern to measure";
    else s.moran = stats::globalMoran(gi.values, mw);
    s.moranWeights = mw.description;
    if (nonZero < 2) s.generalG.notComputed = "fewer than two cells hold reports (G is 0/0)";
    else s.generalG = stats::generalG(gi.values, gi.weights);
    s.generalGWeights = gi.weights.description + " (self left out)";
    if (reports.acceptedCount() < 2) s.clarkEvans.notComputed = "fewer than two reports";
    else if (!(areaM2 > 0)) s.clarkEvans.notComputed = "the area has no extent (the reports lie on a line or at one point)";
    else s.clarkEvans = stats::clarkEvans(reports.x, reports.y, areaM2, [&] { progress.checkCancelled(); });
    for (stats::GlobalTest* t : {&s.moran, &s.generalG, &s.clarkEvans})
        if (t->computed() && !(std::isfinite(t->statistic) && std::isfinite(t->z) && std::isfinite(t->p)))
            t->notComputed = "not finite on these data (too few or too uniform counts)";
    return s;
}

void globalMetadata(const GlobalStep& step, Metadata& md) {
    auto test = [&](const std::string& key, const stats::GlobalTest& t, const std::string& about) {
        if (!t.computed()) {  // no number rather than a NaN
            md.add(key + ".not_computed", t.notComputed);
            md.add(key + ".about", about);
            return;
        }
        md.add(key, fmt::format("{:.6g}", t.statistic));
        md.add(key + ".expected", fmt::format("{:.6g}", t.expected));
        md.add(key + ".z", fmt::format("{:.4f}", t.z));
        md.add(key + ".p", fmt::format("{:.4g}", t.p));
        md.add(key + ".about", about);
    };
    test("global.moran_i", step.moran,
         "global Moran's I, randomisation (Cliff & Ord 1981), as spdep::moran.test (adjust.n = TRUE: cells "
         "without a neighbour left out of n); weights: " + step.moranWeights);
    test("global.general_g", step.generalG,
         "Getis-Ord General G (1992), as spdep::globalG.test (adjust.n = TRUE, adjust.x = TRUE: cells without a "
         "neighbour left out of n and of the sums of x); weights: " + step.generalGWeights);
    test("global.clark_evans_r", step.clarkEvans,
         fmt::format("Clark-Evans nearest-neighbour index of the accepted reports over {:.3f} km2, no edge "
                     "correction; expected is the mean distance under randomness in m",
                     step.areaM2 / 1e6));
}

namespace {

class Global final : public Step {
public:
    Global() : Step("stats.global", StepCost{0.05, 6e-7, 4e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        if (!s.hasGlobal) return;
        const auto test = [](const stats::GlobalTest& t, const char* format) {
            return t.computed() ? fmt::format(fmt::runtime(format), t.statistic, t.z) : "not computed (" + t.notComputed + ")";
        };
        lines.push_back(fmt::format("Global: Moran's I {}, General G {}, Clark-Evans R {}", test(s.moranI, "{:.4f} (z {:.2f})"),
                                    test(s.generalG, "{:.4g} (z {:.2f})"), test(s.clarkEvans, "{:.3f} (z {:.2f})")));
    }
    // [global] holds the incremental autocorrelation's keys too (stats.incremental).
    std::vector<const char*> configTables() const override { return {"global"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("global", "must be a table ([global])");
        if (!t) return;
        t->onlyKnown({"enabled", "incremental", "incremental_start_m", "incremental_step_m", "incremental_count"});
        if (auto v = t->boolean("enabled")) cfg.globalTests = *v;
        if (auto v = t->boolean("incremental")) cfg.incremental.enabled = *v;
        if (auto v = t->number("incremental_start_m", {"default"})) cfg.incremental.startM = *v;
        if (auto v = t->number("incremental_step_m", {"default"})) cfg.incremental.stepM = *v;
        if (auto v = t->number("incremental_count")) {
            if (*v < 2 || *v > 100 || *v != std::floor(*v)) t->fail("incremental_count", "must be a whole number from 2 to 100");
            cfg.incremental.count = static_cast<int>(*v);
        }
    }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.gistar", "stats.local_moran"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.grid.enabled && a.cfg.globalTests; }
    void run(Analysis& a, const Progress& progress) const override {
        const GridStep& g = a.results.get<GridStep>(name());
        if (g.cells.size() < 4) {
            a.summary.warnings.push_back(fmt::format(
                "stats.global: the global tests need at least 4 cells; the grid has {}, so none was computed",
                g.cells.size()));
            return;
        }
        progress.update(0.0);
        const double areaM2 = a.area() ? a.area()->areaM2() : g.extent.width() * g.extent.height();
        const GlobalStep& global = a.results.put(
            computeGlobal(g, a.results.get<GiStarStep>(name()), a.results.find<LisaStep>(), a.reports, areaM2, progress));
        a.summary.moranI = global.moran;
        a.summary.generalG = global.generalG;
        a.summary.clarkEvans = global.clarkEvans;
        a.summary.hasGlobal = true;
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        if (const auto* global = a.results.find<GlobalStep>()) globalMetadata(*global, md);
    }
};

} // namespace

const Step& global() {
    static const Global step;
    return step;
}

} // namespace trygg::pipeline::steps
