// The Weighted Displacement Quotient (Bowers & Johnson 2003) on worked examples computed by hand.
#include "trygg/stats/Displacement.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg::stats;
using Catch::Detail::Approx;

TEST_CASE("WDQ: success with a small diffusion of benefits", "[stats][wdq]") {
    // A 100 -> 60, B 80 -> 70, C 200 -> 180.
    // SM = 60/180 - 100/200 = -1/6; BDM = 70/180 - 80/200 = -1/90; WDQ = (1/90) / (1/6) = 1/15.
    // TNE = (100 * 180/200 - 60) + (80 * 180/200 - 70) = 30 + 2 = 32.
    const WdqResult r = weightedDisplacement({100, 60, 80, 70, 200, 180});
    REQUIRE(r.defined);
    CHECK(r.successMeasure == Approx(-1.0 / 6.0));
    CHECK(r.bufferMeasure == Approx(-1.0 / 90.0));
    CHECK(r.wdq == Approx(1.0 / 15.0));
    CHECK(r.totalNetEffect == Approx(32.0));
    CHECK_THAT(r.verdict, Catch::StartsWith("Success, with a diffusion of benefits"));
    CHECK_THAT(r.verdictSv, Catch::StartsWith("Effekt, med spridning av nyttan"));
}

TEST_CASE("WDQ: displacement larger than the direct effect", "[stats][wdq]") {
    // A 50 -> 40, B 40 -> 70, C 100 -> 100: SM = -0.1, BDM = 0.3, WDQ = -3; TNE = 10 - 30 = -20.
    const WdqResult r = weightedDisplacement({50, 40, 40, 70, 100, 100});
    CHECK(r.wdq == Approx(-3.0));
    CHECK(r.totalNetEffect == Approx(-20.0));
    CHECK_THAT(r.verdict, Catch::StartsWith("Displacement to the surroundings larger"));
}

TEST_CASE("WDQ: no success, a control without incidents, and few incidents", "[stats][wdq]") {
    const WdqResult worse = weightedDisplacement({30, 40, 20, 20, 100, 100});
    CHECK(worse.successMeasure == Approx(0.1));
    CHECK_THAT(worse.verdict, Catch::StartsWith("No measurable success"));
    const WdqResult none = weightedDisplacement({30, 20, 20, 20, 0, 10});
    CHECK_FALSE(none.defined);
    CHECK(std::isnan(none.wdq));
    CHECK_THAT(none.verdict, Catch::StartsWith("Cannot be evaluated"));
    // A 10 -> 5, B 10 -> 10, C 100 -> 100: SM = -0.05, BDM = 0, WDQ = 0.
    const WdqResult few = weightedDisplacement({10, 5, 10, 10, 100, 100});
    CHECK(few.wdq == Approx(0.0));
    CHECK_THAT(few.verdict, Catch::Contains("no displacement") && Catch::Contains("read with care"));
}
