#include "trygg/grid/Grid.hpp"

#include <catch2/catch.hpp>

using namespace trygg::grid;

TEST_CASE("counts per cell, per category and weighted", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Square, 10, {0, 0, 30, 10}, Alignment::Extent);
    const Grid g = Grid::allCells(l);
    REQUIRE(g.size() == 3);
    const std::vector<double> xs{1, 2, 15, 29, 29.5};
    const std::vector<double> ys{1, 9, 5, 5, 9};
    const std::vector<std::int32_t> cats{0, 1, 1, -1, 0};
    const std::vector<double> w{1.0, 2.0, 0.5, 1.0, 3.0};
    const auto cells = cellsOfPoints(l, xs, ys);
    const CellCounts c = countByCell(g, cells, cats, 2, w);
    CHECK(c.n == std::vector<std::uint32_t>{2, 1, 2});
    CHECK(c.byCategory == std::vector<std::uint32_t>{1, 1, 0, 1, 1, 0});
    CHECK(c.weightSum[0] == Approx(3.0));
    CHECK(c.weightSum[2] == Approx(4.0));
    CHECK(c.unbinned == 0);
}

TEST_CASE("only cells overlapping the area take part, plus cells that hold a report", "[grid]") {
    const Lattice l = Lattice::cover(Shape::Square, 10, {0, 0, 40, 10}, Alignment::Extent);
    // An "area" covering x < 15: cell 0 fully, cell 1 half, cells 2 and 3 not at all.
    auto share = [](std::span<const double> xs, std::span<const double>) {
        const double x0 = xs[0], x1 = xs[1];
        return std::clamp((15.0 - x0) / (x1 - x0), 0.0, 1.0);
    };
    const std::vector<std::int64_t> keep{3};  // a report on the area's boundary in cell 3
    const Grid g = Grid::overlapping(l, share, keep, {}, true);
    REQUIRE(g.size() == 3);
    CHECK(g.shareInside() == std::vector<double>{1.0, 0.5, 0.0});
    CHECK(g.activeOf(2) == -1);
    CHECK(g.activeOf(3) == 2);
}
