#include "trygg/grid/Grid.hpp"
#include "trygg/stats/Global.hpp"
#include "trygg/stats/Incremental.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg;

TEST_CASE("incremental autocorrelation equals global Moran on stored weights at every band", "[stats]") {
    // Two code paths: the streamed sums here, and globalMoran on weights built and stored by
    // buildWeights (itself checked against spdep::moran.test in GlobalTest.cpp).
    for (const auto shape : {grid::Shape::Square, grid::Shape::Hex}) {
        const auto g = grid::Grid::allCells(
            grid::Lattice::cover(shape, 100, {0, 0, 3000, 2000}, grid::Alignment::Extent));
        std::mt19937_64 rng(3);
        std::poisson_distribution<int> pois(1.5);
        std::vector<double> v(g.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            const auto c = g.cellIndex(i);
            v[i] = pois(rng) + (c.col > 10 && c.col < 16 && c.row > 6 && c.row < 12 ? 6 : 0);
        }
        const auto inc = stats::incrementalAutocorrelation(g, v, 100, 100, 6);
        REQUIRE(inc.steps.size() == 6);
        for (const auto& st : inc.steps) {
            stats::WeightsSpec spec;
            spec.kind = stats::WeightsKind::DistanceBand;
            spec.distanceM = st.distanceM;
            spec.rowStandardise = true;
            const auto ref = stats::globalMoran(v, stats::buildWeights(g, spec));
            CHECK(st.moran.statistic == Approx(ref.statistic).margin(1e-12));
            CHECK(st.moran.z == Approx(ref.z).margin(1e-9));
        }
    }
}

TEST_CASE("peaks of a z-score series", "[stats]") {
    const std::vector<double> twoPeaks{1, 3, 2, 4, 6, 5, 5};
    auto [first, highest] = stats::findPeaks(twoPeaks);
    CHECK(first == 1u);
    CHECK(highest == 4u);
    const std::vector<double> rising{1, 2, 3, 4};
    std::tie(first, highest) = stats::findPeaks(rising);
    CHECK_FALSE(first);
    CHECK_FALSE(highest);
    const std::vector<double> plateau{1, 2, 2, 1};  // the first of a flat top counts
    std::tie(first, highest) = stats::findPeaks(plateau);
    CHECK(first == 1u);
}
