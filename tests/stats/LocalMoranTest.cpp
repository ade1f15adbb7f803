#include "trygg/grid/Grid.hpp"
#include "trygg/stats/LocalMoran.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg;

namespace {
const std::vector<double> kValues{0, 1, 0, 2, 0, 1, 5, 7, 1, 0, 0, 6, 9, 2, 1, 0, 1, 2, 0, 3};
grid::Grid lattice5x4() {
    return grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 1.0, {0, 0, 5, 4}, grid::Alignment::Extent));
}
} // namespace

TEST_CASE("local Moran's I and z agree with R's spdep::localmoran", "[stats]") {
    // Expected values printed by R 4.2.2 with spdep 1.2-7, queen neighbours, row-standardised:
    //   localmoran(vals, nb2listw(dnearneigh(xy, 0, sqrt(2) * (1 + 1e-9)), style = "W"))
    // on the 5 x 4 lattice of GetisOrdTest.cpp (defaults: mlvar = TRUE, conditional = TRUE).
    const std::vector<double> ii{-0.087376206594, -0.086874764949, -0.354644603234, 0.003384731102,  0.323805942083,
                                 -0.055283941331, 0.421587062806,  0.893569010906,  -0.090823617901, 0.262128619782,
                                 -0.169612636329, 0.638773975179,  0.993230537796,  -0.006205340354, 0.134261000376,
                                 -0.087376206594, -0.213238059421, -0.011658518240, -0.416321925536, -0.150056412185};
    const std::vector<double> z{-0.123920399274, -0.476286123058, -1.015896811712, 0.433849413828,  0.817874635209,
                                -0.283744924375, 1.566698903601,  2.225148521766,  -0.714010906225, 0.933804140058,
                                -0.430986526181, 1.874306967265,  2.290143062072,  -1.124833536954, 0.871502267723,
                                -0.123920399274, -1.246450917791, -1.483159624015, -1.210866906889, -0.696990282963};
    stats::WeightsSpec spec;
    spec.kind = stats::WeightsKind::Queen;
    spec.rowStandardise = true;
    const auto lm = stats::localMoran(kValues, stats::buildWeights(lattice5x4(), spec));
    for (std::size_t i = 0; i < ii.size(); ++i) {
        CHECK(lm.index[i] == Approx(ii[i]).margin(1e-9));
        CHECK(lm.z[i] == Approx(z[i]).margin(1e-9));
    }
    // Quadrants by hand: the 9 at column 2, row 2 is high among high neighbours; the 3 in the
    // top-right corner is high among low ones; the 0 at column 0, row 2 is low among high ones.
    CHECK(lm.quadrant[12] == stats::Quadrant::HighHigh);
    CHECK(lm.quadrant[19] == stats::Quadrant::HighLow);
    CHECK(lm.quadrant[10] == stats::Quadrant::LowHigh);
    CHECK(lm.quadrant[4] == stats::Quadrant::LowLow);
}

TEST_CASE("local Moran refuses weights that include the cell itself", "[stats]") {
    CHECK_THROWS(stats::localMoran(kValues, stats::distanceBand(lattice5x4(), std::sqrt(2.0), true)));
}
