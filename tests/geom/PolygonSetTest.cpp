#include "trygg/geom/Geos.hpp"
#include "trygg/geom/PolygonSet.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <geos_c.h>

using namespace trygg;

namespace {

// A 3 x 3 block of 100 m squares, numbered row by row from the bottom left.
std::vector<geom::GeomPtr> squares(const geom::GeosContext& ctx) {
    std::vector<geom::GeomPtr> out;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            out.push_back(geom::fromWkb(ctx, geom::rectangleWkb(ctx, c * 100.0, r * 100.0, c * 100.0 + 100, r * 100.0 + 100)));
    return out;
}

} // namespace

TEST_CASE("queen and rook contiguity of polygons, by hand", "[geom]") {
    geom::GeosContext ctx;
    const geom::PolygonSet set(ctx, squares(ctx));
    const auto queen = set.contiguity(true);
    const auto rook = set.contiguity(false);
    CHECK(queen[4] == std::vector<std::int32_t>{0, 1, 2, 3, 5, 6, 7, 8});
    CHECK(rook[4] == std::vector<std::int32_t>{1, 3, 5, 7});
    CHECK(queen[0] == std::vector<std::int32_t>{1, 3, 4});
    CHECK(rook[0] == std::vector<std::int32_t>{1, 3});
    const auto w = stats::fromNeighbourLists(queen, true, false, "queen");
    CHECK(w.countOf(4) == 9);
    CHECK(w.index[static_cast<std::size_t>(w.offsets[4])] == 4);  // the area itself first
    const auto rs = stats::fromNeighbourLists(rook, false, true, "rook");
    CHECK(rs.weightAt(rs.offsets[4]) == Approx(0.25));
}

TEST_CASE("a point belongs to the first polygon that covers it", "[geom]") {
    geom::GeosContext ctx;
    const geom::PolygonSet set(ctx, squares(ctx));
    const std::vector<double> xs{50, 150, 100, 300, 400};
    const std::vector<double> ys{50, 250, 100, 300, 50};
    // (100, 100) is a corner of squares 0, 1, 3 and 4: the first in layer order, 0, takes it;
    // (300, 300) is the outer corner of square 8; (400, 50) lies outside every square.
    CHECK(set.locate(xs, ys) == std::vector<std::int32_t>{0, 7, 0, 8, -1});
    for (double a : set.areasM2()) CHECK(a == Approx(10000));
}
