// The change test between two periods. Expected p-values are R 4.2's binom.test(b, a + b, q)$p.value,
// printed with options(digits = 15) on this machine; the small ones are also worked out by hand.
#include "trygg/stats/Change.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg::stats;
using Catch::Detail::Approx;

TEST_CASE("the conditional binomial test equals R's binom.test", "[stats][change]") {
    // 7 after, 3 before, equal lengths: P(X <= 3) + P(X >= 7) for Binomial(10, 1/2) = 2 x 176/1024.
    CHECK(binomialTwoSidedP(7, 10, 0.5) == Approx(0.34375).epsilon(1e-12));
    CHECK(binomialTwoSidedP(2, 14, 0.5) == Approx(0.012939453125).epsilon(1e-12));
    // None after, five before: 2 x (1/2)^5.
    CHECK(binomialTwoSidedP(0, 5, 0.5) == Approx(0.0625).epsilon(1e-12));
    CHECK(binomialTwoSidedP(30, 90, 0.4) == Approx(0.236419282579669).epsilon(1e-10));
    CHECK(binomialTwoSidedP(5, 10, 0.3) == Approx(0.1785158575).epsilon(1e-10));
    CHECK(binomialTwoSidedP(1, 1, 0.5) == Approx(1.0));
    CHECK(binomialTwoSidedP(10, 35, 1.0 / 3.0) == Approx(0.596414870055979).epsilon(1e-10));
    CHECK(std::isnan(binomialTwoSidedP(0, 0, 0.5)));
}

TEST_CASE("the binomial test's tail found by bisection equals R's outcome-by-outcome count", "[stats][change]") {
    // R's binom.test, written out as R does it (sum(dbinom(y, n, p) <= d * relErr) over the other
    // side of the mean), against the bisection, over small and uneven cases; then one of 2
    // million reports, where the loop takes a second (12 million, a national trend, took seconds).
    auto loop = [](std::uint64_t k, std::uint64_t n, double q) {
        const boost::math::binomial_distribution<double> dist(static_cast<double>(n), q);
        const double d = boost::math::pdf(dist, static_cast<double>(k)), m = static_cast<double>(n) * q;
        if (static_cast<double>(k) == m) return 1.0;
        std::uint64_t y = 0;
        double p;
        if (static_cast<double>(k) < m) {
            for (auto i = static_cast<std::uint64_t>(std::ceil(m)); i <= n; ++i)
                y += boost::math::pdf(dist, static_cast<double>(i)) <= d * (1 + 1e-7);
            p = boost::math::cdf(dist, static_cast<double>(k)) +
                (y > 0 ? boost::math::cdf(boost::math::complement(dist, static_cast<double>(n - y))) : 0.0);
        } else {
            for (std::uint64_t i = 0; i <= static_cast<std::uint64_t>(std::floor(m)); ++i)
                y += boost::math::pdf(dist, static_cast<double>(i)) <= d * (1 + 1e-7);
            p = (y > 0 ? boost::math::cdf(dist, static_cast<double>(y - 1)) : 0.0) +
                (k > 0 ? boost::math::cdf(boost::math::complement(dist, static_cast<double>(k - 1))) : 1.0);
        }
        return std::min(1.0, p);
    };
    int compared = 0;
    for (std::uint64_t n : {1, 2, 3, 7, 10, 31, 100, 377, 1000})
        for (double q : {0.05, 1.0 / 3.0, 0.5, 0.6, 0.93})
            for (std::uint64_t k = 0; k <= n; k += 1 + n / 50) {
                INFO("k " << k << " n " << n << " q " << q);
                CHECK(binomialTwoSidedP(k, n, q) == loop(k, n, q));
                ++compared;
            }
    CHECK(compared > 500);
    CHECK(binomialTwoSidedP(1'000'900, 2'000'003, 0.5) == Approx(loop(1'000'900, 2'000'003, 0.5)).epsilon(1e-12));
}

TEST_CASE("period change per cell: rate ratio, p and direction, with the periods' lengths", "[stats][change]") {
    // Before a year (365 days), after half a year (182.5): q = 1/3.
    // Cell 0: 25 before, 10 after: the rates are equal-ish (10/182.5 vs 25/365: ratio 0.8), p 0.596.
    // Cell 1: 2 before, 40 after: a clear increase.  Cell 2: 60 before, 2 after: a clear decrease.
    // Cell 3: nothing in either. Cell 4: 0 before, 3 after: no ratio; p = 1/27 (below).
    const std::vector<std::uint32_t> before = {25, 2, 60, 0, 0};
    const std::vector<std::uint32_t> after = {10, 40, 2, 0, 3};
    const PeriodChange c = comparePeriods(before, after, 365, 182.5, Correction::None);
    CHECK(c.rateRatio[0] == Approx(0.8));
    CHECK(c.p[0] == Approx(0.596414870055979).epsilon(1e-10));
    CHECK(c.bins[0] == 0);
    CHECK(c.rateRatio[1] == Approx(40.0));
    CHECK(c.bins[1] == 3);
    CHECK(c.bins[2] == -3);
    CHECK(std::isnan(c.p[3]));
    CHECK(c.bins[3] == 0);
    CHECK(std::isnan(c.rateRatio[4]));
    // Binomial(3, 1/3): P(X = 3) = 1/27, and the lower tail's outcomes are all more likely: p = 1/27.
    // R: binom.test(3, 3, 1/3)$p.value = 0.03703704. Significant at 95 %, not at 99 %.
    CHECK(c.p[4] == Approx(1.0 / 27.0));
    CHECK(c.bins[4] == 2);
    // Bonferroni over the four tested cells: 1/27 = 0.037 > 0.10 / 4 = 0.025, so cell 4 is no longer flagged.
    const PeriodChange strict = comparePeriods(before, after, 365, 182.5, Correction::Bonferroni);
    CHECK(strict.bins[4] == 0);
    CHECK(strict.bins[1] == 3);
}

TEST_CASE("two Poisson rates compared as R's poisson.test compares them", "[stats][change]") {
    // R 4.2.2's documented example (eba1977: Fredericia against the other three cities, ages 55-59):
    //   poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))
    //   p-value 0.0796686330333295, 95 % CI 0.858426403391639 4.277265943654071, rate ratio 1.9714880952381
    //   poisson.test(c(11, 21), c(800, 3011), alternative = "greater")$p.value  0.0560086597876997
    const RateRatio r = poissonRateRatio(11, 800, 21, 3011);
    CHECK(r.ratio == Approx(1.9714880952381).epsilon(1e-12));
    CHECK(r.low == Approx(0.858426403391639).epsilon(1e-9));
    CHECK(r.high == Approx(4.277265943654071).epsilon(1e-9));
    CHECK(r.pTwoSided == Approx(0.0796686330333295).epsilon(1e-9));
    CHECK(r.pGreater == Approx(0.0560086597876997).epsilon(1e-9));
    // The edges, as R gives them: poisson.test(c(0, 5), c(2, 3))$conf.int  0 1.63691865777382;
    // poisson.test(c(7, 0), c(2, 3))$conf.int  2.16196277825286 Inf.
    const RateRatio none = poissonRateRatio(0, 2, 5, 3);
    CHECK(none.ratio == 0.0);
    CHECK(none.low == 0.0);
    CHECK(none.high == Approx(1.63691865777382).epsilon(1e-9));
    CHECK(none.pGreater == 1.0);
    const RateRatio all = poissonRateRatio(7, 2, 0, 3);
    CHECK(std::isinf(all.ratio));
    CHECK(all.low == Approx(2.16196277825286).epsilon(1e-9));
    CHECK(std::isinf(all.high));
    // Nothing to compare: undefined, not a ratio of 1.
    CHECK(std::isnan(poissonRateRatio(0, 1, 0, 1).ratio));
    // The greater tail by hand: Binomial(3, 1/2), P(X >= 3) = 1/8.
    CHECK(binomialGreaterP(3, 3, 0.5) == Approx(0.125));
    CHECK(binomialGreaterP(0, 3, 0.5) == 1.0);
}
