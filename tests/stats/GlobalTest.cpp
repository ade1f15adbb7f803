#include "trygg/core/Error.hpp"
#include "trygg/grid/Grid.hpp"
#include "trygg/stats/Global.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg;

namespace {
const std::vector<double> kValues{0, 1, 0, 2, 0, 1, 5, 7, 1, 0, 0, 6, 9, 2, 1, 0, 1, 2, 0, 3};
stats::Weights queen(bool rowStandardise) {
    stats::WeightsSpec spec;
    spec.kind = stats::WeightsKind::Queen;
    spec.rowStandardise = rowStandardise;
    return stats::buildWeights(
        grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 1.0, {0, 0, 5, 4}, grid::Alignment::Extent)),
        spec);
}
// The same 5 x 4 queen lattice with cells 0 and 19 (two corners) cut off: no neighbours, and
// nobody's neighbour.
stats::Weights queenWithTwoIsolated(bool rowStandardise) {
    stats::Weights w;
    w.offsets = {0};
    for (int i = 0; i < 20; ++i) {
        std::vector<std::int32_t> row;
        const int r = i / 5, c = i % 5;
        if (i != 0 && i != 19)
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                    const int rr = r + dr, cc = c + dc, j = rr * 5 + cc;
                    if ((dr || dc) && rr >= 0 && rr < 4 && cc >= 0 && cc < 5 && j != 0 && j != 19) row.push_back(j);
                }
        for (auto j : row) {
            w.index.push_back(j);
            w.weight.push_back(rowStandardise ? 1.0 / static_cast<double>(row.size()) : 1.0);
        }
        w.offsets.push_back(static_cast<std::int64_t>(w.index.size()));
    }
    w.rowStandardised = rowStandardise;
    return w;
}
} // namespace

TEST_CASE("global Moran's I agrees with R's spdep::moran.test", "[stats]") {
    // R 4.2.2, spdep 1.2-7, moran.test(vals, listw, randomisation = TRUE) on the 5 x 4 lattice
    // with queen neighbours: style "W" I = 0.097063432368, E = -1/19, Var = 0.012839388443,
    // z = 1.321098374896; style "B" I = 0.165988580806, Var = 0.011098185667, z = 2.075220334521.
    const auto w = stats::globalMoran(kValues, queen(true));
    CHECK(w.statistic == Approx(0.097063432368).margin(1e-10));
    CHECK(w.expected == Approx(-1.0 / 19.0));
    CHECK(w.variance == Approx(0.012839388443).margin(1e-10));
    CHECK(w.z == Approx(1.321098374896).margin(1e-8));
    const auto b = stats::globalMoran(kValues, queen(false));
    CHECK(b.statistic == Approx(0.165988580806).margin(1e-10));
    CHECK(b.variance == Approx(0.011098185667).margin(1e-10));
    CHECK(b.z == Approx(2.075220334521).margin(1e-8));
}

TEST_CASE("General G agrees with R's spdep::globalG.test", "[stats]") {
    // R 4.2.2, spdep 1.2-7, globalG.test(vals, nb2listw(queen, style = "B")):
    // G = 0.576502732240, E = 0.289473684211, Var = 0.005639243801, z = 3.822217663870.
    const auto g = stats::generalG(kValues, queen(false));
    CHECK(g.statistic == Approx(0.576502732240).margin(1e-10));
    CHECK(g.expected == Approx(0.289473684211).margin(1e-10));
    CHECK(g.variance == Approx(0.005639243801).margin(1e-10));
    CHECK(g.z == Approx(3.822217663870).margin(1e-8));
    CHECK_THROWS_AS(stats::generalG(std::vector<double>(20, -1.0), queen(false)), InputError);
}

TEST_CASE("isolated cells: Moran and General G as spdep's defaults (adjust.n = TRUE)", "[stats]") {
    // R 4.2.2, spdep 1.2-7, the lattice above with cells 1 and 20 (R's numbering) given no
    // neighbours, zero.policy = TRUE and every other argument at its default:
    //   moran.test, style "W": I = 0.110591163882, E = -1/17, Var = 0.013443511547, z = 1.461149694547
    //   moran.test, style "B": I = 0.180765363686, Var = 0.011728283672, z = 2.212327665242
    //   globalG.test, style "B": G = 0.668284789644, E = 0.320261437908, Var = 0.007393926623,
    //   z = 4.047350511801
    // With adjust.n = FALSE spdep gives I = 0.122879070980 (W), the value n / n' = 20 / 18 times
    // larger that Trygg gave before it followed the default.
    const auto w = stats::globalMoran(kValues, queenWithTwoIsolated(true));
    CHECK(w.statistic == Approx(0.110591163882).margin(1e-10));
    CHECK(w.expected == Approx(-1.0 / 17.0));
    CHECK(w.variance == Approx(0.013443511547).margin(1e-10));
    CHECK(w.z == Approx(1.461149694547).margin(1e-8));
    const auto b = stats::globalMoran(kValues, queenWithTwoIsolated(false));
    CHECK(b.statistic == Approx(0.180765363686).margin(1e-10));
    CHECK(b.variance == Approx(0.011728283672).margin(1e-10));
    CHECK(b.z == Approx(2.212327665242).margin(1e-8));
    const auto g = stats::generalG(kValues, queenWithTwoIsolated(false));
    CHECK(g.statistic == Approx(0.668284789644).margin(1e-10));
    CHECK(g.expected == Approx(0.320261437908).margin(1e-10));
    CHECK(g.variance == Approx(0.007393926623).margin(1e-10));
    CHECK(g.z == Approx(4.047350511801).margin(1e-8));
    // Too few linked cells: said, not NaN.
    stats::Weights none;
    none.offsets.assign(21, 0);
    CHECK_FALSE(stats::globalMoran(kValues, none).computed());
    CHECK_FALSE(stats::generalG(kValues, none).computed());
}

TEST_CASE("Clark-Evans: a triangular lattice gives 2.149, random points about 1", "[stats]") {
    // A triangular lattice of spacing a has every nearest neighbour at a and a * a * sqrt(3) / 2 of
    // area per point, so R = a / (0.5 sqrt(sqrt(3) / 2) a) = 2.1491 (Clark & Evans 1954).
    std::vector<double> xs, ys;
    const double a = 10.0;
    const int side = 40;
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) {
            xs.push_back(c * a + (r % 2) * a / 2);
            ys.push_back(r * a * std::sqrt(3.0) / 2);
        }
    const double area = static_cast<double>(xs.size()) * a * a * std::sqrt(3.0) / 2;
    CHECK(stats::clarkEvans(xs, ys, area).statistic == Approx(2.1491).margin(1e-4));

    // Complete spatial randomness: R is 1 up to the edge effect, which for n = 20,000 points in a
    // square is under 2 % (Donnelly 1978: E[r] ~ 0.5 sqrt(A/n) + 0.0514 P / n + 0.041 P / n^1.5).
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1000.0);
    xs.clear();
    ys.clear();
    for (int i = 0; i < 20000; ++i) {
        xs.push_back(u(rng));
        ys.push_back(u(rng));
    }
    const auto csr = stats::clarkEvans(xs, ys, 1e6);
    CHECK(csr.statistic == Approx(1.0).margin(0.03));
    CHECK(csr.statistic > 1.0);  // the edge effect only lengthens nearest-neighbour distances
    // Clustered points (all within 1 % of the area) give R far below 1 and a negative z.
    for (auto& x : xs) x /= 10;
    for (auto& y : ys) y /= 10;
    const auto clustered = stats::clarkEvans(xs, ys, 1e6);
    CHECK(clustered.statistic < 0.2);
    CHECK(clustered.z < -10);
}
