#pragma once
// stats.gistar and stats.incremental: Getis-Ord Gi* per cell with its weights, inference and
// permutations, and the distance band's incremental autocorrelation. Internal to the pipeline.
#include "Metadata.hpp"
#include "../ConfigTable.hpp"
#include "Grid.hpp"
#include "../Inputs.hpp"
#include "trygg/stats/GetisOrd.hpp"
#include "trygg/stats/Incremental.hpp"
#include "trygg/stats/Permutation.hpp"
#include "trygg/stats/Weights.hpp"

#include <string>
#include <vector>

namespace trygg::pipeline::steps {

struct GiStarStep {
    double bandM = 0;  // distance band weights only
    bool weighted = false;
    stats::Weights weights;
    std::vector<double> values;  // n, or weight_sum
    std::vector<double> z, p, pseudoP;
    std::vector<std::int8_t> bins;
    std::size_t undefined = 0;
    std::size_t islands = 0;
};

// Pseudo p-values cannot fall below 1 / (R + 1). Under a correction over many cells that floor
// can keep every cell from significance, which a user must be told rather than shown a blank map.
void warnIfTooFewPermutations(const InferenceConfig& inf, const std::vector<double>& pseudoP, const char* step,
                              RunSummary& summary);

stats::PermutationSpec permutationSpec(const InferenceConfig& inf);

// What the local statistics analyse: the counts, or the weight sums when there are weights.
std::vector<double> analysisValues(const GridStep& g);

struct IncrementalStep {
    stats::IncrementalResult result;
    double startM = 0, stepM = 0;
};

// stats.incremental: global Moran's I over a series of bands; its first peak is the Gi* band when
// distance_band_m = "auto" (as ArcGIS Pro's Optimized Hot Spot Analysis chooses its scale).
IncrementalStep computeIncremental(const Config& cfg, const GridStep& g, const Progress& progress);

// Gi* on s.values over s.weights: z, analytic and pseudo p, the classes, and warnings for
// undefined cells. Shared by the incidents and the perception reports.
// `what` names the features in warnings ("cell(s)", "area(s)").
void giStarOnValues(GiStarStep& s, const Config& cfg, const char* step, const Progress& progress, RunSummary& summary,
                    const char* what = "cell(s)");

// stats.gistar: Gi* (or Gi) on the counts, or on the weight sums when there are weights.
// `bandM` > 0 overrides the configured band (the automatic choice).
GiStarStep computeGiStar(const Config& cfg, const GridStep& g, double bandM, const Progress& progress,
                         RunSummary& summary);

// run_metadata: the bands of the incremental autocorrelation and its peaks.
void incrementalMetadata(const IncrementalStep& step, Metadata& md);

// The weights keys of [gistar] and [local_moran]: weights, distance_band_m, power, k,
// row_standardise. `band`: how distance_band_m is read (a number; a number or "auto"; skipped,
// when it is "auto").
enum class BandKey { Number, AutoAllowed, Skip };
void readWeights(const ConfigTable& t, stats::WeightsSpec& w, BandKey band);

} // namespace trygg::pipeline::steps
