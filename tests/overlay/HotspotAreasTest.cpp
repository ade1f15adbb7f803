#include "../TestSupport.hpp"

#include "trygg/geom/Geos.hpp"
#include "trygg/overlay/HotspotAreas.hpp"

#include <catch2/catch.hpp>

#include <geos_c.h>

#include <cmath>

using namespace trygg;
using test::fromWkt;

namespace {
grid::Grid grid3x3() {
    return grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 100, {0, 0, 300, 300}, grid::Alignment::Extent));
}
} // namespace

TEST_CASE("cells sharing an edge dissolve into one area, corners do not join", "[overlay]") {
    geom::GeosContext ctx;
    const auto g = grid3x3();
    // Cells 0 (col 0, row 0), 1 (col 1, row 0) and 4 (col 1, row 1): an L of three cells.
    const std::vector<std::size_t> ell{0, 1, 4};
    const auto one = overlay::dissolveCells(ctx, g, ell, nullptr);
    REQUIRE(one.size() == 1);
    CHECK(overlay::areaM2(ctx, one[0].geom.get()) == Approx(30000));
    CHECK(one[0].cells == ell);
    // Cells 0 and 4 touch at one corner: two areas.
    const std::vector<std::size_t> diagonal{0, 4};
    CHECK(overlay::dissolveCells(ctx, g, diagonal, nullptr).size() == 2);
}

TEST_CASE("the place an area lies in or is nearest to, by hand", "[overlay]") {
    geom::GeosContext ctx;
    std::vector<overlay::Place> places;
    places.push_back({"Stationen", "station", fromWkt(ctx, "POINT (500 50)")});
    places.push_back({"Parken", "park", fromWkt(ctx, "POLYGON ((150 150, 400 150, 400 400, 150 400, 150 150))")});
    const auto area = fromWkt(ctx, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))");
    const auto near = overlay::nearestPlace(ctx, area.get(), places);
    CHECK(near.name == "Parken");  // sqrt(50^2 + 50^2) = 70.7 m against 400 m to the station
    CHECK(near.distanceM == Approx(std::sqrt(5000.0)));
    const auto inside = fromWkt(ctx, "POLYGON ((200 200, 300 200, 300 300, 200 300, 200 200))");
    CHECK(overlay::nearestPlace(ctx, inside.get(), places).distanceM == 0.0);
}

TEST_CASE("dark spots: the parts far from every light, by hand", "[overlay]") {
    geom::GeosContext ctx;
    const auto area = fromWkt(ctx, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))");
    const std::vector<double> xs{50, 500}, ys{50, 500};  // one light in the middle, one far away
    CHECK(overlay::countPointsIn(ctx, area.get(), xs, ys) == 1);
    const auto dark = overlay::farFromPoints(ctx, area.get(), xs, ys, 30);
    // 10,000 m2 less a circle of 30 m (a 64-sided polygon: 64/2 sin(2 pi/64) 30^2 = 2,823.8 m2).
    CHECK(overlay::areaM2(ctx, dark.get()) == Approx(10000 - 32 * std::sin(2 * M_PI / 64) * 900).epsilon(1e-9));
    const std::vector<double> none;
    CHECK(overlay::areaM2(ctx, overlay::farFromPoints(ctx, area.get(), none, none, 30).get()) == Approx(10000));
}

TEST_CASE("a self-intersecting park polygon is repaired, keeping both lobes", "[overlay]") {
    geom::GeosContext ctx;
    // A bow tie: two triangles of 50 x 100 / 2 = 2,500 m2 each, crossing at (50, 50).
    const auto bowtie = fromWkt(ctx, "POLYGON ((0 0, 100 100, 100 0, 0 100, 0 0))");
    const auto wkb = geom::toWkb(ctx, bowtie.get());
    bool repaired = false;
    const auto fixed = geom::polygonInAnalysisCrs(ctx, wkb, nullptr, repaired);
    CHECK(repaired);
    CHECK(GEOSisValid_r(ctx.handle(), fixed.get()) == 1);
    CHECK(overlay::areaM2(ctx, fixed.get()) == Approx(5000));
}
