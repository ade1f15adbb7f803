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

// R's binom.test(k, n, q, alternative = "greater")$p.value: P(X >= k) for X ~ Binomial(n, q). NaN
// for n = 0.
double binomialGreaterP(std::uint64_t k, std::uint64_t n, double q);

// Two Poisson rates compared, as R's poisson.test(c(k1, k2), c(t1, t2)) compares them: the ratio
// (k1 / t1) / (k2 / t2), its exact confidence interval (Clopper-Pearson's for k1 given k1 + k2,
// turned into a ratio of rates) and the conditional binomial tests of ratio = 1, two-sided and
// of ratio > 1 (k1 ~ Binomial(k1 + k2, t1 / (t1 + t2))). Undefined (NaN) without counts.
struct RateRatio {
    double ratio = 0, low = 0, high = 0;
    double pTwoSided = 0, pGreater = 0;
};
RateRatio poissonRateRatio(std::uint64_t k1, double t1, std::uint64_t k2, double t2, double confidence = 0.95);

struct PeriodChange {
    std::vector<double> rateRatio;  // (b / L_after) / (a / L_before); NaN when a = 0
    std::vector<double> p;          // binomialTwoSidedP; NaN when a + b = 0
    std::vector<std::int8_t> bins;  // +-3/2/1 for an increase/decrease at 99/95/90 %, after the correction
};

// Per cell: `before` and `after` counts, with the periods' lengths in any one unit (days).
PeriodChange comparePeriods(std::span<const std::uint32_t> before, std::span<const std::uint32_t> after,
                            double lengthBefore, double lengthAfter, Correction correction);

} // namespace trygg::stats
