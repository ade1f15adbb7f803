#pragma once
// Two hot spot maps of the same cells compared, as ArcGIS Pro's Hot Spot Analysis Comparison does:
// how alike they are (similarity) and how much more alike than chance (a fuzzy kappa), with the
// hot cells they share.
//
// The classes are Gi_Bin's seven (-3 cold at 99 % .. 3 hot at 99 %). Two classes match by a
// weight S(a, b) in [0, 1]: "exact" matches equal classes only; "fuzzy" (the default) also gives
// half to classes one level apart that are not of opposite sign (95 and 99 % hot; 90 % hot and not
// significant), 0 further apart or opposite. (ArcGIS's default weights are not published as
// numbers; this rule is Trygg's, and recorded in run_metadata.)
//
// Spatial fuzziness (Hagen-Zanker 2009, whose fuzzy kappa ArcGIS's builds on): a cell of map A
// also matches the classes of B's k nearest cells, discounted by 2^(-d / cell size) (half at a
// neighbour's distance):
//   mu_AB(i) = max(S(a_i, b_i), max_j 2^(-d_ij / c) S(a_i, b_j)),
// and the cell's similarity is the lower of the two directions, s_i = min(mu_AB(i), mu_BA(i)).
// The similarity is the mean of s_i over the cells. Its expectation, had the maps nothing to do
// with each other, is the mean similarity with B's classes shuffled over the cells (R
// permutations, one stream each); with k = 0 it is known exactly, sum_ab p_A(a) p_B(b) S(a, b),
// and the kappa is Cohen's (weighted, with these weights):
//   kappa = (similarity - expected) / (1 - expected).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace trygg::stats {

enum class ClassWeighting { Exact, Fuzzy };

// S(a, b) for classes -3 .. 3.
double classSimilarity(int a, int b, ClassWeighting weighting);

struct HotspotComparisonOptions {
    ClassWeighting weighting = ClassWeighting::Fuzzy;
    int permutations = 199;  // for the expected similarity when neighbours > 0
    std::uint64_t seed = 0;
    int threads = 1;
};

struct HotspotComparison {
    std::size_t cells = 0;
    double similarity = 0, expected = 0, kappa = 0;
    std::vector<double> local;                       // s_i per cell
    std::array<std::array<std::size_t, 7>, 7> pairs{};  // [a + 3][b + 3]: cells of each pair of classes
    std::size_t hotA = 0, hotB = 0, hotBoth = 0;        // cells hot (class > 0) in A, in B, in both
};

// `a`, `b`: classes per cell (-3 .. 3); `neighbours`: per cell its nearest cells (nearest first)
// with their distances in `distance`, empty for a cell-by-cell comparison; `cellSize` the
// distance at which a neighbour's match counts half.
HotspotComparison compareHotspots(std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                                  const std::vector<std::vector<std::uint32_t>>& neighbours,
                                  const std::vector<std::vector<double>>& distance, double cellSize,
                                  const HotspotComparisonOptions& options = {});

} // namespace trygg::stats
