#pragma once
// Change between two periods, cell by cell: is the after count larger or smaller than the before
// count would lead us to expect, given the periods' lengths?
//
// The test is the conditional binomial test for two Poisson counts (Przyborowski & Wilenski 1940):
// under an unchanged rate, the after count b given the total n = a + b is Binomial(n, q) with
// q = L_after / (L_before + L_after). The p-value is two-sided and exact, as R's binom.test
// computes it (the outcomes no more likely than the one observed, with a relative tolerance of
// 1e-7).
#include "trygg/stats/MultipleTesting.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace trygg::stats {

// R's binom.test(k, n, q)$p.value. n = 0 gives NaN (nothing to test).
double binomialTwoSidedP(std::uint64_t k, std::uint64_t n, double q);

struct PeriodChange {
    std::vector<double> rateRatio;  // (b / L_after) / (a / L_before); NaN when a = 0
    std::vector<double> p;          // binomialTwoSidedP; NaN when a + b = 0
    std::vector<std::int8_t> bins;  // +-3/2/1 for an increase/decrease at 99/95/90 %, after the correction
};

// Per cell: `before` and `after` counts, with the periods' lengths in any one unit (days).
PeriodChange comparePeriods(std::span<const std::uint32_t> before, std::span<const std::uint32_t> after,
                            double lengthBefore, double lengthAfter, Correction correction);

} // namespace trygg::stats
