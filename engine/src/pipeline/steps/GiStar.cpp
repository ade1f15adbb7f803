#include "GiStar.hpp"

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

void warnIfTooFewPermutations(const InferenceConfig& inf, const std::vector<double>& pseudoP, const char* step,
                              RunSummary& summary) {
    if (inf.permutations == 0 || inf.correction == stats::Correction::None) return;
    const double floorP = 1.0 / (inf.permutations + 1.0);
    if (stats::significanceCutoff(pseudoP, 0.10, inf.correction) >= floorP) return;
    const auto atFloor = std::count_if(pseudoP.begin(), pseudoP.end(), [&](double v) { return v <= floorP * (1 + 1e-9); });
    if (atFloor == 0) return;
    summary.warnings.push_back(fmt::format(
        "{}: {} cell(s) reach the smallest pseudo p-value 1/({}+1), but under the {} correction over {} cells even "
        "they are not significant at 90 %. Raise inference.permutations (for example to {}) or use the analytic "
        "p-values (permutations = 0)",
        step, atFloor, inf.permutations, stats::toString(inf.correction), pseudoP.size(),
        // Enough for those cells to pass at 99 %, rounded up to a whole thousand less one.
        static_cast<long>(std::ceil(100.0 * static_cast<double>(pseudoP.size()) / static_cast<double>(atFloor) / 1000.0) *
                              1000 -
                          1)));
}

stats::PermutationSpec permutationSpec(const InferenceConfig& inf) {
    stats::PermutationSpec spec;
    spec.permutations = inf.permutations;
    spec.seed = inf.seed;
    spec.threads = inf.threads;
    return spec;
}

std::vector<double> analysisValues(const GridStep& g) {
    const bool weighted = !g.counts.weightSum.empty();
    std::vector<double> v(g.cells.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = weighted ? g.counts.weightSum[i] : g.counts.n[i];
    return v;
}

IncrementalStep computeIncremental(const Config& cfg, const GridStep& g, const Progress& progress) {
    IncrementalStep s;
    const double spacing = g.lattice.offsetDistanceM(0, 1, 0);
    s.startM = cfg.incremental.startM > 0 ? cfg.incremental.startM : spacing;
    s.stepM = cfg.incremental.stepM > 0 ? cfg.incremental.stepM : spacing;
    s.result = stats::incrementalAutocorrelation(g.cells, analysisValues(g), s.startM, s.stepM, cfg.incremental.count,
                                                 [&] { progress.checkCancelled(); });
    return s;
}

void giStarOnValues(GiStarStep& s, const Config& cfg, const char* step, const Progress& progress, RunSummary& summary) {
    s.z = stats::getisOrdZ(s.values, s.weights);
    s.p.resize(s.z.size());
    std::transform(s.z.begin(), s.z.end(), s.p.begin(), stats::twoSidedP);
    if (cfg.inference.permutations > 0)
        s.pseudoP = stats::conditionalPermutationP(s.values, s.weights, permutationSpec(cfg.inference),
                                                   [&] { progress.checkCancelled(); });
    const bool pseudo = !s.pseudoP.empty() && cfg.inference.classesFrom == ClassesFrom::Pseudo;
    s.bins = stats::confidenceBins(s.z, pseudo ? s.pseudoP : s.p, cfg.inference.correction);
    if (pseudo) warnIfTooFewPermutations(cfg.inference, s.pseudoP, step, summary);
    s.undefined = 0;
    for (double z : s.z) s.undefined += std::isfinite(z) ? 0 : 1;
    if (s.undefined > 0) {
        const bool flat = std::adjacent_find(s.values.begin(), s.values.end(), std::not_equal_to<>()) == s.values.end();
        summary.warnings.push_back(fmt::format(
            "{}: Gi* is undefined on {} of {} cell(s), left empty: {}", step, s.undefined, s.values.size(),
            flat ? "every cell holds the same value"
                 : "their neighbourhood covers the whole grid; use a smaller distance band or cell size"));
    }
}

GiStarStep computeGiStar(const Config& cfg, const GridStep& g, double bandM, const Progress& progress,
                         RunSummary& summary) {
    GiStarStep s;
    stats::WeightsSpec ws = cfg.gistar.weights;
    if (bandM > 0) ws.distanceM = bandM;
    const bool band = ws.kind == stats::WeightsKind::DistanceBand || ws.kind == stats::WeightsKind::InverseDistance;
    if (band) {
        s.bandM = ws.distanceM > 0 ? ws.distanceM : stats::defaultBandM(g.lattice);
        const double nearestM = g.lattice.offsetDistanceM(0, 1, 0);
        if (s.bandM < nearestM * (1 - 1e-9))
            summary.warnings.push_back(fmt::format(
                "stats.gistar: the distance band {:g} m is shorter than the distance between neighbouring cells "
                "({:g} m): each cell is compared with itself only",
                s.bandM, nearestM));
    }
    if (band) {
        // The neighbours the band takes, estimated before a byte is allocated: a band of 10,000 km
        // over a fine grid would ask for more memory than any machine has.
        const double cells = static_cast<double>(g.cells.size());
        const double perCell = std::min(cells, 3.2 * s.bandM * s.bandM / g.lattice.cellAreaM2() + 1);
        const double bytes = cells * perCell * 12.0;  // an index and a weight per neighbour
        requireMemory("stats.gistar",
                      fmt::format("the distance band {:g} m, about {:.3g} neighbours for each of {} cells,", s.bandM,
                                  perCell, g.cells.size()),
                      bytes, "Use a smaller band or a larger cell size");
    }
    s.weights = stats::buildWeights(g.cells, ws);
    s.islands = s.weights.islands().size();
    if (s.islands > 0)
        summary.warnings.push_back(fmt::format("stats.gistar: {} cell(s) have no neighbour within the weights ({})",
                                               s.islands, s.weights.description));
    s.weighted = !g.counts.weightSum.empty();
    s.values = analysisValues(g);
    giStarOnValues(s, cfg, "stats.gistar", progress, summary);
    for (auto b : s.bins) ++summary.cellsByBin[static_cast<std::size_t>(b + 3)];
    return s;
}

void incrementalMetadata(const IncrementalStep& step, Metadata& md) {
    md.add("incremental.about", "global Moran's I with row-standardised binary distance-band weights over a series "
                                "of bands (ArcGIS Pro's Incremental Spatial Autocorrelation); table "
                                "incremental_autocorrelation");
    md.add("incremental.bands", fmt::format("{} from {:g} m by {:g} m", step.result.steps.size(), step.startM, step.stepM));
    md.add("incremental.first_peak_m", step.result.firstPeak
                                           ? fmt::format("{:g}", step.result.steps[*step.result.firstPeak].distanceM)
                                           : "none");
    md.add("incremental.max_peak_m", step.result.maxPeak
                                         ? fmt::format("{:g}", step.result.steps[*step.result.maxPeak].distanceM)
                                         : "none");
}

} // namespace trygg::pipeline::steps
