#include "trygg/stats/Concentration.hpp"

#include <catch2/catch.hpp>

TEST_CASE("concentration by hand", "[stats]") {
    // 20 equal cells: one holds 50 incidents, one 30, eighteen hold 1 each (98 in all).
    // Top 5 % = 1 cell: 50 / 98. Top 10 % = 2 cells: 80 / 98. Half (49) is reached by the first
    // cell alone: 1 / 20 of the area.
    std::vector<double> counts(20, 1.0), areas(20, 1.0);
    counts[7] = 50;
    counts[3] = 30;
    const auto c = trygg::stats::concentration(counts, areas, {5, 10});
    CHECK(c.shareOfIncidents[0] == Approx(50.0 / 98));
    CHECK(c.shareOfIncidents[1] == Approx(80.0 / 98));
    CHECK(c.areaShareForHalf == Approx(1.0 / 20));
    // A half-size cell with 30 is denser than a full cell with 50: it is taken first.
    areas[3] = 0.5;
    const auto d = trygg::stats::concentration(counts, areas, {5});
    CHECK(d.areaShareForHalf == Approx(1.5 / 19.5));
}
