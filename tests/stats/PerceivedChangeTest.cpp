// Perceived safety before and after a measure (stats/PerceivedChange.hpp). Welch's test against
// R 4.2's t.test(after, before) on the same scores; the change against the rest by hand.
#include "trygg/stats/PerceivedChange.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace trygg::stats;
using Catch::Detail::Approx;

namespace {
MeanSample sample(const std::vector<double>& v) {
    return meanSample(std::span<const double>(v), [](double s) { return s >= 4; });
}
} // namespace

TEST_CASE("perceived change: Welch's test in the area, as R's t.test", "[stats][perceived]") {
    // R: t.test(c(3,2,4,3,2,3), c(5,4,6,5,3,5,4)): difference -1.73809523809523769, t -3.62025509125054956,
    // df 10.91164529705806174, p 0.00407637454994197, 95 % CI -2.79583963211377062 to -0.68035084407670454.
    const MeanSample a0 = sample({5, 4, 6, 5, 3, 5, 4}), a1 = sample({3, 2, 4, 3, 2, 3});
    CHECK(a0.unsafeShare == Approx(6.0 / 7));  // 6 of 7 at 4 or above
    CHECK(a1.unsafeShare == Approx(1.0 / 6));
    const PerceivedChange c = perceivedChange(a0, a1, {}, {}, 5);
    REQUIRE(c.defined);
    CHECK(c.change == Approx(-1.73809523809523769).epsilon(1e-13));
    CHECK(c.t == Approx(-3.62025509125054956).epsilon(1e-12));
    CHECK(c.df == Approx(10.91164529705806174).epsilon(1e-12));
    CHECK(c.p == Approx(0.00407637454994197).epsilon(1e-9));
    CHECK(c.low == Approx(-2.79583963211377062).epsilon(1e-11));
    CHECK(c.high == Approx(-0.68035084407670454).epsilon(1e-11));
    CHECK_FALSE(c.againstRest);  // no reports elsewhere
}

TEST_CASE("perceived change: against the rest of the study area", "[stats][perceived]") {
    // Rest 4.0 -> 3.5 (variances 1 and 1, 100 each): the area's -1.738 is -1.238 beyond the rest's
    // -0.5. SE = sqrt(var(a0)/7 + var(a1)/6 + 1/100 + 1/100); var(a0) = 20/21 (mean 32/7, sum of
    // squares 40/7, over 6), var(a1) = 17/30 (mean 17/6, sum of squares 17/6, over 5).
    const MeanSample a0 = sample({5, 4, 6, 5, 3, 5, 4}), a1 = sample({3, 2, 4, 3, 2, 3});
    const MeanSample r0{100, 4.0, 1.0, 0.5}, r1{100, 3.5, 1.0, 0.4};
    const PerceivedChange c = perceivedChange(a0, a1, r0, r1, 5);
    REQUIRE(c.againstRest);
    CHECK(a0.variance == Approx(20.0 / 21));
    CHECK(a1.variance == Approx(17.0 / 30));
    const double se = std::sqrt(20.0 / 21 / 7 + 17.0 / 30 / 6 + 0.02);
    CHECK(c.relative == Approx(-1.73809523809523769 + 0.5));
    CHECK(c.relativeHigh - c.relative == Approx(1.959963984540054 * se));
    CHECK(c.relativeP == Approx(std::erfc(std::fabs(c.relative / se) / std::sqrt(2.0))));
}

TEST_CASE("perceived change: too few reports, or nothing that varies", "[stats][perceived]") {
    CHECK_FALSE(perceivedChange(sample({5, 4, 6}), sample({3, 2, 4, 3, 2}), {}, {}, 5).defined);
    CHECK_FALSE(perceivedChange(sample({4, 4, 4, 4, 4}), sample({4, 4, 4, 4, 4}), {}, {}, 5).defined);
}
