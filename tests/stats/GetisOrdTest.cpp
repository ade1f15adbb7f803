#include "trygg/grid/Grid.hpp"
#include "trygg/stats/GetisOrd.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg;

namespace {

// A 5 x 4 lattice of unit cells; values row by row from the bottom.
const std::vector<double> kValues{0, 1, 0, 2, 0,  //
                                  1, 5, 7, 1, 0,  //
                                  0, 6, 9, 2, 1,  //
                                  0, 1, 2, 0, 3};

grid::Grid lattice5x4() {
    return grid::Grid::allCells(
        grid::Lattice::cover(grid::Shape::Square, 1.0, {0, 0, 5, 4}, grid::Alignment::Extent));
}

} // namespace

TEST_CASE("Gi* on a small lattice, by hand", "[stats]") {
    // Hand computation for the cell at column 2, row 2 (value 9): n = 20, sum = 41, xbar = 2.05,
    // sum of squares 217, S^2 = 217/20 - 2.05^2 = 6.6475. Its 3x3 block holds 5+7+1+6+9+2+1+2+0
    // = 33 over W = 9 cells:
    //   z = (33 - 2.05 * 9) / (sqrt(6.6475) * sqrt((20 * 9 - 81) / 19)) = 14.55 / 5.885322 = 2.472254
    const grid::Grid g = lattice5x4();
    const stats::Weights nb = stats::distanceBand(g, std::sqrt(2.0), true);
    CHECK(nb.countOf(12) == 9);
    CHECK(nb.countOf(0) == 4);  // a corner: itself and three
    const auto z = stats::getisOrdZ(kValues, nb);
    CHECK(z[12] == Approx(2.472254).epsilon(1e-6));
}

TEST_CASE("Gi* and Gi agree with R's spdep::localG", "[stats]") {
    // Expected values printed by R 4.2.2 with spdep 1.2-7 on the same lattice:
    //   xy <- cbind(rep(0:4, 4) + 0.5, rep(0:3, each = 5) + 0.5)
    //   nb <- dnearneigh(xy, 0, sqrt(2) * (1 + 1e-9))
    //   localG(vals, nb2listw(include.self(nb), style = "B"))   # Gi*
    //   localG(vals, nb2listw(nb, style = "B"))                 # Gi
    const std::vector<double> giStar{
        -0.253593948935, 0.313586173575, 0.682511083663, -0.424263646601, -1.098907112052,
        0.129123718531,  1.792596275751, 2.472253631486, 0.603195903215,  -1.162113466777,
        0.129123718531,  2.132424953618, 2.472253631486, 1.112938920016,  -0.977651011733,
        -0.253593948935, 1.051435993751, 1.420360903839, 0.866973538707,  -0.464922239714};
    const std::vector<double> gi{
        0.123920399274, 0.476286123058, 1.015896811712, -0.433849413828, -0.817874635209,
        0.283744924375, 1.566698903601, 2.225148521766, 0.714010906225,  -0.933804140058,
        0.430986526181, 1.874306967265, 2.290143062072, 1.124833536954,  -0.871502267723,
        0.123920399274, 1.246450917791, 1.483159624015, 1.210866906889,  -0.696990282963};
    const grid::Grid g = lattice5x4();
    const auto zStar = stats::getisOrdZ(kValues, stats::distanceBand(g, std::sqrt(2.0), true));
    const auto z = stats::getisOrdZ(kValues, stats::distanceBand(g, std::sqrt(2.0), false));
    for (std::size_t i = 0; i < gi.size(); ++i) {
        CHECK(zStar[i] == Approx(giStar[i]).margin(1e-9));
        CHECK(z[i] == Approx(gi[i]).margin(1e-9));
    }
}

TEST_CASE("Gi* is undefined without variation, not zero", "[stats]") {
    const grid::Grid g = lattice5x4();
    const std::vector<double> flat(20, 3.0);
    const auto z = stats::getisOrdZ(flat, stats::distanceBand(g, std::sqrt(2.0), true));
    for (double v : z) CHECK(std::isnan(v));
}

TEST_CASE("cells outside the grid's active set are never neighbours", "[stats]") {
    const grid::Lattice l = grid::Lattice::cover(grid::Shape::Square, 1.0, {0, 0, 3, 1}, grid::Alignment::Extent);
    // Keep cells 0 and 2 only: they are 2 apart, outside a sqrt(2) band.
    auto share = [](std::span<const double> xs, std::span<const double>) { return xs[0] == 1.0 ? 0.0 : 1.0; };
    const grid::Grid g = grid::Grid::overlapping(l, share, {}, {}, true);
    REQUIRE(g.size() == 2);
    const auto nb = stats::distanceBand(g, std::sqrt(2.0), true);
    CHECK(nb.countOf(0) == 1);
    CHECK(nb.countOf(1) == 1);
}

TEST_CASE("two-sided p-values of the standard normal", "[stats]") {
    // Standard normal table: P(|Z| > 1.959964) = 0.05, P(|Z| > 2.575829) = 0.01, P(|Z| > 0) = 1.
    CHECK(stats::twoSidedP(1.959963985) == Approx(0.05).epsilon(1e-8));
    CHECK(stats::twoSidedP(-2.575829304) == Approx(0.01).epsilon(1e-8));
    CHECK(stats::twoSidedP(0.0) == Approx(1.0));
    CHECK(stats::twoSidedP(10.0) > 0.0);  // no underflow to zero for strong hot spots
    CHECK(std::isnan(stats::twoSidedP(std::nan(""))));
}
