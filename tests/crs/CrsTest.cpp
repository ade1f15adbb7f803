#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using trygg::crs::Crs;
using trygg::crs::Transformer;

TEST_CASE("a geographic CRS is refused for analysis, with the CRS to use named", "[crs]") {
    const Crs wgs84 = Crs::fromUserInput("EPSG:4326");
    CHECK(wgs84.isGeographic());
    try {
        wgs84.requireMetricProjected("the analysis CRS");
        FAIL("no error");
    } catch (const trygg::CrsError& e) {
        CHECK_THAT(e.what(), Catch::Contains("EPSG:3006"));
        CHECK_THAT(e.what(), Catch::Contains("not a projected CRS"));
    }
}

TEST_CASE("SWEREF 99 TM and SWEREF 99 13 30 are accepted; a bare code means EPSG", "[crs]") {
    CHECK_NOTHROW(Crs::fromUserInput("EPSG:3006").requireMetricProjected("x"));
    CHECK_NOTHROW(Crs::fromUserInput("3008").requireMetricProjected("x"));
    CHECK(Crs::fromUserInput("3008").authorityCode() == "EPSG:3008");
    // US survey feet are refused: distances are in metres.
    CHECK_THROWS_AS(Crs::fromUserInput("EPSG:2227").requireMetricProjected("x"), trygg::CrsError);
}

TEST_CASE("an unknown CRS names the text given", "[crs]") {
    CHECK_THROWS_WITH(Crs::fromUserInput("EPSG:999999"), Catch::Contains("EPSG:999999"));
}

TEST_CASE("lon/lat go in as x/y whatever the authority's axis order", "[crs]") {
    // Kävlinge station, 55.7942 N 13.1114 E. Expected SWEREF 99 TM coordinates from PROJ's
    // cs2cs 9.1 (EPSG:4326 -> EPSG:3006, lat/lon in, northing/easting out): N 6184789, E 381595.
    const Transformer t(Crs::fromUserInput("EPSG:4326"), Crs::fromUserInput("EPSG:3006"));
    double x = 13.1114, y = 55.7942;
    REQUIRE(t.transform(x, y));
    CHECK(x == Approx(381595).margin(1.0));
    CHECK(y == Approx(6184789).margin(1.0));
}

TEST_CASE("a point outside the projection's domain does not transform", "[crs]") {
    const Transformer t(Crs::fromUserInput("EPSG:4326"), Crs::fromUserInput("EPSG:3006"));
    double x = 13.0, y = 95.0;  // latitude beyond the pole
    CHECK_FALSE(t.transform(x, y));
}

TEST_CASE("Transformers on handed-on PROJ contexts transform as the first ones did, one after another and at once",
          "[crs]") {
    // Transformers take their PROJ context from a pool of idle ones. Kävlinge station (as above)
    // in SWEREF 99 TM, SWEREF 99 13 30 and UTM 33N: each pair's first result is the reference for
    // every later Transformer of that pair, after failed points and in four threads at once.
    const Crs lonLat = Crs::fromUserInput("EPSG:4326");
    const std::vector<Crs> targets{Crs::fromUserInput("EPSG:3006"), Crs::fromUserInput("EPSG:3008"),
                                   Crs::fromUserInput("EPSG:32633")};
    const auto place = [&](const Crs& target) {
        const Transformer t(lonLat, target);
        double bad_x = 13.0, bad_y = 95.0;
        CHECK_FALSE(t.transform(bad_x, bad_y));  // leaves an error behind on its context
        double x = 13.1114, y = 55.7942;
        REQUIRE(t.transform(x, y));
        return std::pair{x, y};
    };
    std::vector<std::pair<double, double>> first;
    for (const Crs& target : targets) first.push_back(place(target));
    CHECK(first[0].first == Approx(381595).margin(1.0));
    CHECK(first[0].first != Approx(first[1].first).margin(1000.0));  // the zones differ
    for (int round = 0; round < 3; ++round)
        for (std::size_t k = 0; k < targets.size(); ++k) CHECK(place(targets[k]) == first[k]);
    std::vector<std::vector<std::pair<double, double>>> got(4);
    std::vector<std::vector<Crs>> crsOf(got.size(), targets);  // a Crs is one thread's; copied here
    std::vector<Crs> from(got.size(), lonLat);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (const Crs& target : crsOf[t]) {
                    const Transformer tr(from[t], target);
                    double x = 13.1114, y = 55.7942;
                    if (tr.transform(x, y)) got[t].emplace_back(x, y);
                }
        });
    for (auto& th : threads) th.join();
    for (const auto& g : got) {
        REQUIRE(g.size() == 5 * targets.size());
        for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == first[i % targets.size()]);
    }
}

TEST_CASE("without an analysis CRS: SWEREF 99 TM in Sweden, the UTM zone elsewhere", "[crs]") {
    using trygg::crs::chooseAnalysisCrs;
    CHECK(chooseAnalysisCrs(13.11, 55.79).code == "EPSG:3006");   // Kävlinge
    CHECK(chooseAnalysisCrs(-73.95, 40.70).code == "EPSG:32618");  // New York: zone 18 N
    CHECK(chooseAnalysisCrs(-123.12, 49.25).code == "EPSG:32610");  // Vancouver: zone 10 N
    CHECK(chooseAnalysisCrs(-87.68, 41.84).code == "EPSG:32616");  // Chicago: zone 16 N
    CHECK(chooseAnalysisCrs(151.21, -33.87).code == "EPSG:32756");  // Sydney: zone 56 S
    CHECK(chooseAnalysisCrs(180.0, 10.0).code == "EPSG:32660");    // the antimeridian stays in zone 60
    CHECK_THAT(chooseAnalysisCrs(-73.95, 40.70).rule, Catch::Contains("UTM zone 18N"));
    CHECK_THROWS_AS(chooseAnalysisCrs(0, 87), trygg::CrsError);
}
