#include "LocalMoran.hpp"
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

#include "trygg/stats/MultipleTesting.hpp"

namespace trygg::pipeline::steps {

LisaStep computeLocalMoran(const Config& cfg, const GridStep& g, const GiStarStep& gi, const Progress& progress,
                           RunSummary& summary) {
    LisaStep s;
    s.weights = stats::buildWeights(g.cells, cfg.localMoran.weights);
    if (const auto islands = s.weights.islands().size(); islands > 0)
        summary.warnings.push_back(fmt::format("stats.local_moran: {} cell(s) have no neighbour within the weights ({})",
                                               islands, s.weights.description));
    s.lm = stats::localMoran(gi.values, s.weights);
    if (cfg.inference.permutations > 0) {
        // Local Moran's I rises or falls with the same weighted neighbour sum as Gi*; with the same
        // neighbours (the default 3x3 block and queen) the Gi* run already holds the answer.
        s.pseudoP = stats::samePermutationTest(s.weights, gi.weights)
                        ? gi.pseudoP
                        : stats::conditionalPermutationP(gi.values, s.weights, permutationSpec(cfg.inference),
                                                         [&] { progress.checkCancelled(); });
    }
    const bool pseudo = !s.pseudoP.empty() && cfg.inference.classesFrom != ClassesFrom::Analytic;
    const std::vector<double>& p = pseudo ? s.pseudoP : s.lm.p;
    if (pseudo) warnIfTooFewPermutations(cfg.inference, s.pseudoP, "stats.local_moran", summary);
    s.cutoff = stats::significanceCutoff(p, cfg.inference.alpha, cfg.inference.correction);
    s.coType.assign(p.size(), stats::Quadrant::None);
    for (std::size_t i = 0; i < p.size(); ++i) {
        const bool significant = std::isfinite(p[i]) && (cfg.inference.correction == stats::Correction::None
                                                             ? p[i] < s.cutoff
                                                             : s.cutoff > 0 && p[i] <= s.cutoff);
        if (significant) s.coType[i] = s.lm.quadrant[i];
        ++summary.cellsByCoType[static_cast<std::size_t>(s.coType[i])];
    }
    return s;
}

LocalStatsData localStatsData(const GiStarStep& gi, const LisaStep* lisa) {
    LocalStatsData d;
    d.z = &gi.z;
    d.p = &gi.p;
    d.bin = &gi.bins;
    d.neighbours = &gi.weights;
    if (!gi.pseudoP.empty()) d.pseudoP = &gi.pseudoP;
    if (lisa) {
        d.lisa = &lisa->lm;
        d.coType = &lisa->coType;
        if (!lisa->pseudoP.empty()) d.lisaPseudoP = &lisa->pseudoP;
    }
    return d;
}

namespace {

// Its columns are written with the hotspot grid (stats.gistar).
class LocalMoranStep final : public Step {
public:
    LocalMoranStep() : Step("stats.local_moran", StepCost{0.05, 0, 1e-6, 2e-9}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const auto& c = a.summary.cellsByCoType;
        if (c[1] + c[2] + c[3] + c[4] == 0) return;
        lines.push_back(fmt::format("Local Moran: HH {} / LL {} / HL {} / LH {} cells", c[1], c[2], c[3], c[4]));
    }
    const char* analysisSwitch() const override { return "local_moran"; }
    void switchOff(Config& cfg) const override { cfg.localMoran.enabled = false; }
    std::vector<const char*> configTables() const override { return {"local_moran"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("local_moran", "must be a table ([local_moran])");
        if (!t) return;
        t->onlyKnown({"enabled", "weights", "distance_band_m", "power", "k", "row_standardise"});
        if (auto v = t->boolean("enabled")) cfg.localMoran.enabled = *v;
        readWeights(*t, cfg.localMoran.weights, BandKey::Number);
    }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.gistar"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.grid.enabled && a.cfg.localMoran.enabled; }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        a.results.put(computeLocalMoran(a.cfg, a.results.get<GridStep>(name()), a.results.get<GiStarStep>(name()),
                                        progress, a.summary));
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const LisaStep& lisa = a.results.get<LisaStep>(name());
        md.add("local_moran.statistic", "local Moran's I (Anselin 1995), moments of conditional randomisation (Sokal, "
                                        "Oden & Thomson 1998), as spdep::localmoran");
        md.add("local_moran.weights", lisa.weights.description);
        md.add("local_moran.neighbour_links", std::to_string(lisa.weights.linkCount()));
        md.add("local_moran.alpha", fmt::format("{:g}", a.cfg.inference.alpha));
        md.add("local_moran.cutoff", fmt::format("{:.6g}", lisa.cutoff));
        for (auto q : {stats::Quadrant::HighHigh, stats::Quadrant::LowLow, stats::Quadrant::HighLow, stats::Quadrant::LowHigh})
            md.add(fmt::format("local_moran.cells_{}", stats::toString(q)),
                   std::to_string(a.summary.cellsByCoType[static_cast<std::size_t>(q)]));
    }
};

} // namespace

const Step& localMoran() {
    static const LocalMoranStep step;
    return step;
}

} // namespace trygg::pipeline::steps
