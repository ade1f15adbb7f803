// Predictive accuracy of a hotspot map (stats/MapAccuracy.hpp) on a grid worked by hand.
#include "trygg/stats/MapAccuracy.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace trygg::stats;

TEST_CASE("hit rate, PAI, PEI and RRI on a hand-worked grid", "[stats][accuracy]") {
    // Five cells of 1 km² (the last half inside the study area), A = 4.5. The map: cells 0 and 4,
    // a = 1.5, a/A = 1/3. Training 20 incidents, 15 of them in the map (n1); test 20, 9 in it (n).
    //   hit rate 9/20 = 0.45; PAI 0.45 / (1/3) = 1.35 (Chainey et al. 2008);
    //   PEI: the two cells with the most test incidents hold 8 + 6 = 14 (n*): 9/14 (Hunt 2016);
    //   RRI (9/15) / (20/20) = 0.6 (Levine 2008): the map held less of the later incidents.
    const std::vector<double> area = {1, 1, 1, 1, 0.5};
    const std::vector<std::int64_t> train = {10, 4, 1, 0, 5}, test = {6, 8, 2, 1, 3};
    const std::vector<char> hot = {1, 0, 0, 0, 1};
    const MapAccuracy m = mapAccuracy(area, train, test, hot);
    CHECK(m.cells == 2);
    CHECK(m.areaShare == Approx(1.0 / 3));
    CHECK(m.trainIn == 15);
    CHECK(m.trainAll == 20);
    CHECK(m.testIn == 9);
    CHECK(m.testAll == 20);
    CHECK(m.bestIn == 14);
    CHECK(m.hitRate == Approx(0.45));
    CHECK(m.pai == Approx(1.35));
    CHECK(m.pei == Approx(9.0 / 14));
    CHECK(m.rri == Approx(0.6));
    // The map of hindsight is perfectly efficient.
    const MapAccuracy best = mapAccuracy(area, train, test, std::vector<char>{1, 1, 0, 0, 0});
    CHECK(best.pei == Approx(1.0));
    CHECK(best.pai == Approx((14.0 / 20) / (2.0 / 4.5)));
    // No hot area: nothing found and nothing to divide by.
    const MapAccuracy none = mapAccuracy(area, train, test, std::vector<char>(5, 0));
    CHECK(none.hitRate == 0.0);
    CHECK(std::isnan(none.pai));
    CHECK(std::isnan(none.pei));
    CHECK(std::isnan(none.rri));
}
