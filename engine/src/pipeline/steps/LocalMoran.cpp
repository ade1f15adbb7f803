#include "LocalMoran.hpp"

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

} // namespace trygg::pipeline::steps
