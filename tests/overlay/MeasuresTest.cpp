#include "../TestSupport.hpp"

#include "trygg/geom/Geos.hpp"
#include "trygg/overlay/Measures.hpp"

#include <catch2/catch.hpp>

#include <geos_c.h>

using namespace trygg;
using test::fromWkt;

TEST_CASE("overlay measures on two cells and on an area, by hand", "[overlay]") {
    geom::GeosContext ctx;
    // Two 100 m cells side by side: [0, 100] and [100, 200] in x, [0, 100] in y.
    const auto g = grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 100, {0, 0, 200, 100}, grid::Alignment::Extent));
    REQUIRE(g.size() == 2);
    overlay::Features parks, paths, lights, stop;
    parks.geoms.push_back(fromWkt(ctx, "POLYGON ((50 0, 150 0, 150 100, 50 100, 50 0))"));  // half of each cell
    parks.classes.push_back("Park");
    paths.geoms.push_back(fromWkt(ctx, "LINESTRING (0 50, 200 50)"));  // 100 m in each cell
    paths.classes.push_back("Cykelväg");
    paths.geoms.push_back(fromWkt(ctx, "LINESTRING (0 10, 100 10)"));  // 100 m in cell 0, another class
    paths.classes.push_back("Gångstig");
    for (const char* p : {"POINT (10 10)", "POINT (20 20)", "POINT (150 50)"}) {
        lights.geoms.push_back(fromWkt(ctx, p));
        lights.classes.push_back("");
    }
    stop.geoms.push_back(fromWkt(ctx, "POINT (300 50)"));
    stop.classes.push_back("");

    using overlay::Measure;
    CHECK(overlay::measureCells(ctx, g, parks, Measure::Share, "") == std::vector<double>{0.5, 0.5});
    CHECK(overlay::measureCells(ctx, g, paths, Measure::Length, "") == std::vector<double>{200, 100});
    CHECK(overlay::measureCells(ctx, g, paths, Measure::Length, "Cykelväg") == std::vector<double>{100, 100});
    CHECK(overlay::measureCells(ctx, g, lights, Measure::Count, "") == std::vector<double>{2, 1});
    // 2 lights in 0.01 km2: 200 per km2.
    CHECK(overlay::measureCells(ctx, g, lights, Measure::Density, "")[0] == Approx(200));
    // From the centres (50, 50) and (150, 50) to (300, 50): 250 m and 150 m.
    CHECK(overlay::measureCells(ctx, g, stop, Measure::Distance, "") == std::vector<double>{250, 150});

    const auto area = fromWkt(ctx, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))");
    CHECK(overlay::measureArea(ctx, area.get(), parks, Measure::Share, "") == Approx(0.5));
    CHECK(overlay::measureArea(ctx, area.get(), paths, Measure::Length, "") == Approx(200));
    CHECK(overlay::measureArea(ctx, area.get(), lights, Measure::Count, "") == 2);
    CHECK(overlay::measureArea(ctx, area.get(), stop, Measure::Distance, "") == Approx(200));
}
