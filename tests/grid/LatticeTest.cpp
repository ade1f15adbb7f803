#include "trygg/core/Error.hpp"
#include "trygg/grid/Lattice.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg::grid;

TEST_CASE("a snapped square lattice starts at whole multiples of the cell size", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Square, 250, {378123.4, 6180010.0, 381000.0, 6182600.0}, Alignment::Snapped);
    const Point c = l.centre({0, 0});
    CHECK(c.x == Approx(378000 + 125));
    CHECK(c.y == Approx(6180000 + 125));
    // 378000 .. 381000 is 12 columns; 381000 itself opens a 13th so that the edge point is binned.
    CHECK(l.cols() == 13);
    CHECK(l.rows() == 11);  // 6180000 .. 6182750
    CHECK(l.globalIndex({0, 0}).col == 378000 / 250);
}

TEST_CASE("two runs over different extents put the same point in the same global cell", "[grid]") {
    const Lattice a = Lattice::cover(Shape::Square, 100, {1000, 2000, 5000, 6000}, Alignment::Snapped);
    const Lattice b = Lattice::cover(Shape::Square, 100, {2950, 2950, 9000, 9000}, Alignment::Snapped);
    const double x = 3456.7, y = 4321.0;
    const auto ga = a.globalIndex(a.cellAt(a.cellOf(x, y)));
    const auto gb = b.globalIndex(b.cellAt(b.cellOf(x, y)));
    CHECK(ga.col == gb.col);
    CHECK(ga.row == gb.row);
}

TEST_CASE("an extent-aligned lattice reproduces sf::st_make_grid's size", "[grid]") {
    // Chicago assaults in EPSG:26916 at 100 m: st_make_grid gives 331 x 420 = 139,020 cells
    // (../shared/peers/README.md, measured with R sf 1.0-9).
    const Lattice l = Lattice::cover(Shape::Square, 100, {423339.5, 4610499.3, 456349.4, 4652494.0}, Alignment::Extent);
    CHECK(l.cols() == 331);
    CHECK(l.rows() == 420);
    CHECK(l.cellCount() == 139020);
}

TEST_CASE("square cells are half-open except on the lattice's outer edges", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Square, 10, {0, 0, 30, 20}, Alignment::Extent);
    REQUIRE(l.cols() == 3);
    REQUIRE(l.rows() == 2);
    CHECK(l.cellOf(10.0, 5.0) == 1);          // on the edge between columns 0 and 1: the right one
    CHECK(l.cellOf(30.0, 20.0) == 5);         // the extent's top-right corner: the last cell
    CHECK(l.cellOf(0.0, 0.0) == 0);
    CHECK(l.cellOf(-0.001, 5.0) == -1);
    CHECK(l.cellOf(30.001, 5.0) == -1);
}

TEST_CASE("a point is binned into the hexagon whose centre is nearest", "[grid]") {
    // Independent check: the hexagon containing a point is the one with the nearest centre
    // (a hexagonal lattice's cells are its Voronoi cells), found here by brute force.
    const Lattice l = Lattice::cover(Shape::Hex, 100, {0, 0, 1000, 1000}, Alignment::Snapped);
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1000.0);
    for (int k = 0; k < 2000; ++k) {
        const double x = u(rng), y = u(rng);
        const auto cell = l.cellOf(x, y);
        REQUIRE(cell >= 0);
        double best = 1e300;
        std::int64_t bestCell = -1;
        for (std::int64_t i = 0; i < l.cellCount(); ++i) {
            const Point c = l.centre(l.cellAt(i));
            const double d = std::hypot(c.x - x, c.y - y);
            if (d < best) {
                best = d;
                bestCell = i;
            }
        }
        CHECK(cell == bestCell);
    }
}

TEST_CASE("hexagons: cell size is the distance between opposite sides and between neighbours", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Hex, 100, {0, 0, 1000, 1000}, Alignment::Snapped);
    CHECK(l.cellAreaM2() == Approx(100.0 * 100.0 * std::sqrt(3.0) / 2.0));
    for (int parity = 0; parity < 2; ++parity) {
        int n = 0;
        l.forEachOffsetWithin(100.0, false, parity, [&](std::int64_t dc, std::int64_t dr) {
            ++n;
            CHECK(l.offsetDistanceM(parity, dc, dr) == Approx(100.0));
        });
        CHECK(n == 6);
    }
    // The ring's vertices lie at the circumradius s / sqrt(3) from the centre.
    std::array<double, 7> xs{}, ys{};
    REQUIRE(l.ring({3, 3}, xs, ys) == 7);
    const Point c = l.centre({3, 3});
    for (int k = 0; k < 6; ++k) CHECK(std::hypot(xs[k] - c.x, ys[k] - c.y) == Approx(100.0 / std::sqrt(3.0)));
}

TEST_CASE("the default square band takes the 3x3 block", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Square, 50, {0, 0, 500, 500}, Alignment::Snapped);
    int n = 0;
    l.forEachOffsetWithin(50 * std::sqrt(2.0), true, 0, [&](std::int64_t dc, std::int64_t dr) {
        ++n;
        CHECK(std::abs(dc) <= 1);
        CHECK(std::abs(dr) <= 1);
    });
    CHECK(n == 9);
}

TEST_CASE("the automatic cell size follows sfhotspot's rule", "[grid]") {
    // Memphis robberies in EPSG:32615: 35,247 x 29,300 m; 29,300 / 50 = 586 -> 500 m, the size
    // sfhotspot and ../shared/peers/gistar_spdep.R choose.
    CHECK(autoCellSizeM({762181.5, 3876685.5, 797428.2, 3905985.3}) == 500.0);
    // Under 5 km the floor to 100 m would be zero: 1/50 of the shorter side is used.
    CHECK(autoCellSizeM({0, 0, 4000, 3000}) == Approx(60.0));
    CHECK(autoCellSizeM({0, 0, 4000, 0}) == 0.0);
}

TEST_CASE("a non-positive cell size is refused", "[grid]") {
    CHECK_THROWS_AS(Lattice::cover(Shape::Square, 0, {0, 0, 1, 1}, Alignment::Snapped), trygg::InputError);
    CHECK_THROWS_AS(Lattice::cover(Shape::Hex, -5, {0, 0, 1, 1}, Alignment::Snapped), trygg::InputError);
}

TEST_CASE("cell rings are closed and counter-clockwise, with the cell's area", "[grid]") {
    for (const Shape shape : {Shape::Square, Shape::Hex}) {
        const Lattice l = Lattice::cover(shape, 100, {0, 0, 1000, 1000}, Alignment::Snapped);
        std::array<double, 7> xs{}, ys{};
        const int n = l.ring({2, 3}, xs, ys);
        CHECK(xs[0] == xs[n - 1]);
        CHECK(ys[0] == ys[n - 1]);
        double twiceArea = 0;  // shoelace: positive when counter-clockwise
        for (int k = 0; k + 1 < n; ++k) twiceArea += xs[k] * ys[k + 1] - xs[k + 1] * ys[k];
        CHECK(twiceArea / 2 == Approx(l.cellAreaM2()));
    }
}

TEST_CASE("a grid too large to count is refused before its size overflows", "[grid]") {
    // 10 km at 1e-6 m is 10^10 x 10^10 cells: the int64 product would wrap (and pass max_cells).
    for (const Shape shape : {Shape::Square, Shape::Hex})
        for (const Alignment a : {Alignment::Snapped, Alignment::Extent}) {
            CHECK_THROWS_WITH(Lattice::cover(shape, 1e-6, {380000, 6170000, 390000, 6180000}, a),
                              Catch::Contains("far more than any machine holds"));
            CHECK_THROWS_AS(Lattice::cover(shape, 1e-300, {380000, 6170000, 390000, 6180000}, a), trygg::InputError);
        }
    // A coordinate of 1e308 cannot be counted in cells of a metre from the origin.
    CHECK_THROWS_AS(Lattice::cover(Shape::Square, 1, {1e308, 0, 1e308, 1}, Alignment::Snapped), trygg::InputError);
    CHECK_THROWS_AS(Lattice::cover(Shape::Square, 1, {NAN, 0, 1, 1}, Alignment::Snapped), trygg::InputError);
    // The largest sizes still countable are kept exact: 10^6 x 10^6 cells.
    const Lattice big = Lattice::cover(Shape::Square, 0.01, {0, 0, 10000 - 0.005, 10000 - 0.005}, Alignment::Snapped);
    CHECK(big.cellCount() == 1'000'000'000'000);
}
