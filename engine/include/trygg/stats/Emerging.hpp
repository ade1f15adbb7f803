#pragma once
// Emerging hot spots: Gi* in a space-time cube, the Mann-Kendall trend of each location's z-scores,
// and ArcGIS Pro's pattern categories (How Emerging Hot Spot Analysis works, ArcGIS Pro 3 docs).
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/stats/Weights.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace trygg::stats {

// Mann-Kendall trend test: S = sum over i < j of sign(x_j - x_i); Var(S) with the tie correction
// (Kendall 1975); Z with the continuity correction; p two-sided from the normal. NaNs are skipped.
struct MannKendall {
    double s = 0, varS = 0, z = 0, p = 1;
};
MannKendall mannKendall(std::span<const double> series);

// The categories, with ArcGIS Pro's codes: 1..8 for hot patterns, -1..-8 for cold, 0 none.
enum class EmergingPattern : std::int8_t {
    None = 0, New = 1, Consecutive = 2, Intensifying = 3, Persistent = 4, Diminishing = 5, Sporadic = 6,
    Oscillating = 7, Historical = 8,
};
// "New Hot Spot", "Oscillating Coldspot" ... as ArcGIS Pro names them; code in -8..8.
std::string emergingName(int code);

// One location's pattern from its per-step significance (+1 hot, -1 cold, 0 neither, oldest
// first) and its trend (the Mann-Kendall z and whether it is significant). The definitions and
// their order are in the .cpp; the result is a code in -8..8.
int classifyEmerging(std::span<const std::int8_t> significance, double trendZ, bool trendSignificant);

struct EmergingResult {
    std::size_t steps = 0;
    std::vector<double> z, p;            // per bin [cell * steps + t], Gi* in the cube
    std::vector<std::int8_t> significant;  // per bin: +1 hot, -1 cold, 0, after the correction
    std::vector<double> trendZ, trendP;  // per cell: Mann-Kendall on the cell's z-scores
    std::vector<std::int8_t> pattern;    // per cell: -8..8
    std::vector<std::int32_t> hotSteps, coldSteps;  // per cell
};

// counts: [cell * steps + t]. Each bin's neighbourhood is the spatial neighbours of its cell (with
// the cell itself; binary) in its own step and the `timeLag` steps before it. Gi* uses the mean and
// variance of the whole cube. A bin is significant at `alpha` after `correction` over all bins.
// `checkCancelled` is called every few hundred cells.
EmergingResult emergingHotSpots(std::span<const double> counts, std::size_t steps, const Weights& spatial,
                                int timeLag, double alpha, Correction correction,
                                const std::function<void()>& checkCancelled = {});

} // namespace trygg::stats
