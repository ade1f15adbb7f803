#include "trygg/grid/Grid.hpp"
#include "trygg/stats/Permutation.hpp"
#include "trygg/stats/Weights.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

using namespace trygg;

namespace {

// A 60 x 60 grid of Poisson(2) counts with a planted 4 x 4 cluster of counts around 12.
struct Planted {
    grid::Grid grid =
        grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 100, {0, 0, 6000, 6000}, grid::Alignment::Extent));
    std::vector<double> values;
    std::vector<std::size_t> cluster;
    Planted() {
        std::mt19937_64 rng(11);
        std::poisson_distribution<int> background(2.0), hot(12.0);
        values.resize(grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i) {
            const auto c = grid.cellIndex(i);
            const bool in = c.col >= 28 && c.col < 32 && c.row >= 28 && c.row < 32;
            values[i] = in ? hot(rng) : background(rng);
            if (in) cluster.push_back(i);
        }
    }
};

} // namespace

TEST_CASE("pseudo p-values are identical across runs and thread counts", "[stats]") {
    Planted d;
    const auto w = stats::distanceBand(d.grid, 100 * std::sqrt(2.0), true);
    stats::PermutationSpec spec;
    spec.permutations = 199;
    spec.seed = 42;
    spec.threads = 1;
    const auto one = stats::conditionalPermutationP(d.values, w, spec);
    spec.threads = 2;
    const auto two = stats::conditionalPermutationP(d.values, w, spec);
    spec.threads = 7;
    const auto seven = stats::conditionalPermutationP(d.values, w, spec);
    CHECK(one == two);
    CHECK(one == seven);
    spec.seed = 43;
    CHECK(stats::conditionalPermutationP(d.values, w, spec) != one);

    // A sparse grid, as national ones are: most cells are 0, so the key of an interior 0 holds
    // over 4,096 cells and its permutations and cells are shared among the threads.
    const grid::Grid big =
        grid::Grid::allCells(grid::Lattice::cover(grid::Shape::Square, 100, {0, 0, 10000, 10000}, grid::Alignment::Extent));
    std::vector<double> sparse(big.size());
    std::mt19937_64 rng(3);
    std::poisson_distribution<int> rare(0.05);
    for (double& x : sparse) x = rare(rng);
    const auto wb = stats::distanceBand(big, 100 * std::sqrt(2.0), true);
    spec.seed = 42;
    spec.threads = 1;
    const auto sparseOne = stats::conditionalPermutationP(sparse, wb, spec);
    spec.threads = 3;
    CHECK(stats::conditionalPermutationP(sparse, wb, spec) == sparseOne);
    CHECK(std::count(sparse.begin(), sparse.end(), 0.0) > 8000);
}

TEST_CASE("a planted cluster's cells get pseudo p below 0.01; pseudo p lies on the (M+1)/(R+1) grid", "[stats]") {
    Planted d;
    const auto w = stats::distanceBand(d.grid, 100 * std::sqrt(2.0), true);
    stats::PermutationSpec spec;
    spec.permutations = 999;
    const auto p = stats::conditionalPermutationP(d.values, w, spec);
    // The inner 2 x 2 of the cluster have all 8 neighbours hot: nothing random comes close.
    for (std::size_t i : d.cluster) {
        const auto c = d.grid.cellIndex(i);
        if (c.col >= 29 && c.col <= 30 && c.row >= 29 && c.row <= 30) CHECK(p[i] == Approx(0.001));
    }
    int below = 0;
    for (std::size_t i : d.cluster) below += p[i] < 0.01;
    CHECK(below == static_cast<int>(d.cluster.size()));
    // Under the null most cells are far from significant, and every p is (M + 1) / 1000.
    int small = 0;
    for (double v : p) {
        REQUIRE(v >= 0.001);
        REQUIRE(v <= 1.0);  // the smaller tail; ties count in both tails, so it can pass 0.5 with counts
        CHECK(std::abs(v * 1000 - std::round(v * 1000)) < 1e-9);
        small += v < 0.01;
    }
    CHECK(small < static_cast<int>(d.grid.size() / 20));
}

TEST_CASE("a cell without neighbours has no pseudo p", "[stats]") {
    const grid::Lattice l = grid::Lattice::cover(grid::Shape::Square, 1.0, {0, 0, 5, 1}, grid::Alignment::Extent);
    auto share = [](std::span<const double> xs, std::span<const double>) { return xs[0] == 2.0 ? 0.0 : 1.0; };
    const grid::Grid g = grid::Grid::overlapping(l, share, {}, {}, true);  // cells 0 1 _ 3 4
    const auto w = stats::distanceBand(g, 1.0, true);
    stats::PermutationSpec spec;
    spec.permutations = 9;
    const std::vector<double> v{1, 2, 3, 4};
    const auto p = stats::conditionalPermutationP(v, w, spec);
    CHECK_FALSE(std::isnan(p[0]));
    CHECK(w.islands().empty());
    const auto lonely = stats::distanceBand(g, 0.5, true);  // only itself
    CHECK(lonely.islands().size() == 4);
    CHECK(std::isnan(stats::conditionalPermutationP(v, lonely, spec)[0]));
}

TEST_CASE("Gi* on the 3x3 block and local Moran on row-standardised queen share one permutation test", "[stats]") {
    Planted d;
    const auto block = stats::distanceBand(d.grid, 100 * std::sqrt(2.0), true);
    stats::WeightsSpec queen;
    queen.kind = stats::WeightsKind::Queen;
    queen.rowStandardise = true;
    const auto q = stats::buildWeights(d.grid, queen);
    REQUIRE(stats::samePermutationTest(block, q));
    // The claim the pipeline relies on: run separately, they give the same pseudo p-values.
    stats::PermutationSpec spec;
    spec.permutations = 99;
    CHECK(stats::conditionalPermutationP(d.values, block, spec) == stats::conditionalPermutationP(d.values, q, spec));
    queen.kind = stats::WeightsKind::Rook;
    CHECK_FALSE(stats::samePermutationTest(block, stats::buildWeights(d.grid, queen)));
    stats::WeightsSpec inverse;
    inverse.kind = stats::WeightsKind::InverseDistance;
    inverse.distanceM = 100 * std::sqrt(2.0);
    CHECK_FALSE(stats::samePermutationTest(block, stats::buildWeights(d.grid, inverse)));
}

TEST_CASE("pseudo p-values estimate the exact conditional permutation p, for cells sharing a key and not", "[stats]") {
    // Eight items with hand-picked values and neighbour lists; items 0, 3 and 6 have the same value
    // (1) and two neighbours each, so they share one reference sample; item 5 has value 3 and
    // inverse-distance-like weights (1 and 0.5). The exact p comes from enumerating every ordered
    // choice of distinct others (the whole permutation distribution: 42 or 210 of them); with
    // R = 99,999 draws the pseudo p must lie within 4 standard errors of it.
    const std::vector<double> v{1, 0, 2, 1, 8, 3, 1, 5};
    const std::vector<std::vector<std::int32_t>> lists{{4, 7}, {0}, {1, 3}, {2, 4}, {3, 5, 7}, {4, 6}, {5, 7}, {4, 6}};
    stats::Weights w = stats::fromNeighbourLists(lists, false, false, "test");
    w.weight.assign(w.index.size(), 1.0);
    w.weight[static_cast<std::size_t>(w.offsets[5] + 1)] = 0.5;  // item 5: weights 1 and 0.5
    stats::PermutationSpec spec;
    spec.permutations = 99999;
    spec.seed = 5;
    const auto p = stats::conditionalPermutationP(v, w, spec);
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> wts, others;
        double observed = 0;
        for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
            wts.push_back(w.weightAt(k));
            observed += w.weightAt(k) * v[static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)])];
        }
        for (std::size_t j = 0; j < n; ++j)
            if (j != i) others.push_back(v[j]);
        // Every ordered tuple of distinct others, by recursion over the weights.
        long ge = 0, le = 0, total = 0;
        std::vector<bool> used(others.size());
        auto visit = [&](auto&& self, std::size_t a, double sum) -> void {
            if (a == wts.size()) {
                ++total;
                ge += sum >= observed - 1e-12;
                le += sum <= observed + 1e-12;
                return;
            }
            for (std::size_t j = 0; j < others.size(); ++j)
                if (!used[j]) {
                    used[j] = true;
                    self(self, a + 1, sum + wts[a] * others[j]);
                    used[j] = false;
                }
        };
        visit(visit, 0, 0.0);
        const double exact = static_cast<double>(std::min(ge, le)) / static_cast<double>(total);
        const double se = std::sqrt(exact * (1 - exact) / spec.permutations);
        INFO("item " << i << ": exact " << exact << " of " << total << " tuples, pseudo " << p[i]);
        CHECK(std::abs(p[i] - exact) < 4 * se + 2.0 / spec.permutations);
    }
}
