#include "trygg/grid/Grid.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg;

namespace {
grid::Grid squares(int cols, int rows) {
    return grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 10.0, {0, 0, 10.0 * cols, 10.0 * rows},
                                                     grid::Alignment::Extent));
}
std::size_t middle(int cols, int rows) { return static_cast<std::size_t>((rows / 2) * cols + cols / 2); }
} // namespace

TEST_CASE("rook, queen and k-nearest neighbour counts on a square grid", "[stats]") {
    const auto g = squares(7, 7);
    const std::size_t m = middle(7, 7);
    stats::WeightsSpec spec;
    spec.kind = stats::WeightsKind::Rook;
    CHECK(stats::buildWeights(g, spec).countOf(m) == 4);
    CHECK(stats::buildWeights(g, spec).countOf(0) == 2);  // a corner
    spec.kind = stats::WeightsKind::Queen;
    CHECK(stats::buildWeights(g, spec).countOf(m) == 8);
    spec.includeSelf = true;
    CHECK(stats::buildWeights(g, spec).countOf(m) == 9);
    spec.includeSelf = false;
    spec.kind = stats::WeightsKind::KNearest;
    spec.k = 12;  // 4 at 10 m, 4 at 14.1 m, 4 at 20 m: exactly three rings
    const auto knn = stats::buildWeights(g, spec);
    CHECK(knn.countOf(m) == 12);
    CHECK(knn.countOf(0) == 12);  // a corner reaches further for its twelve
    spec.k = 5;  // a tie at 14.1 m, broken by row then column: the same cells every run
    const auto five = stats::buildWeights(g, spec);
    REQUIRE(five.countOf(m) == 5);
    CHECK(five.index[static_cast<std::size_t>(five.offsets[m]) + 4] == static_cast<std::int32_t>(m - 7 - 1));
}

TEST_CASE("inverse-distance weights by hand, and row standardisation", "[stats]") {
    const auto g = squares(5, 5);
    const std::size_t m = middle(5, 5);
    stats::WeightsSpec spec;
    spec.kind = stats::WeightsKind::InverseDistance;
    spec.distanceM = 10 * std::sqrt(2.0);
    spec.power = 2;
    const auto w = stats::buildWeights(g, spec);
    double sum = 0;
    for (auto k = w.offsets[m]; k < w.offsets[m + 1]; ++k) sum += w.weightAt(k);
    // Four neighbours at 10 m (1/100 each) and four at sqrt(200) m (1/200 each): 0.06.
    CHECK(sum == Approx(0.06));
    spec.rowStandardise = true;
    const auto rs = stats::buildWeights(g, spec);
    for (std::size_t i = 0; i < rs.size(); ++i) {
        double row = 0;
        for (auto k = rs.offsets[i]; k < rs.offsets[i + 1]; ++k) row += rs.weightAt(k);
        CHECK(row == Approx(1.0));
    }
    CHECK_THAT(rs.description, Catch::Contains("row-standardised"));
}

TEST_CASE("on a hex grid rook and queen are the six touching cells", "[stats]") {
    const auto g = grid::Grid::allCells(
        grid::Lattice::cover(grid::Shape::Hex, 10.0, {0, 0, 100, 100}, grid::Alignment::Snapped));
    stats::WeightsSpec spec;
    spec.kind = stats::WeightsKind::Rook;
    const auto rook = stats::buildWeights(g, spec);
    spec.kind = stats::WeightsKind::Queen;
    const auto queen = stats::buildWeights(g, spec);
    std::size_t six = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        CHECK(rook.countOf(i) == queen.countOf(i));
        six += rook.countOf(i) == 6;
    }
    CHECK(six > 0);
}
