// Two hot spot maps compared (stats/HotspotComparison.hpp): the similarity and kappa worked by
// hand (cell by cell the kappa is Cohen's, weighted by the class weights), the spatial fuzziness
// on a line, and the permuted expectation against the exact one.
#include "trygg/stats/HotspotComparison.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using namespace trygg::stats;

TEST_CASE("hotspot comparison cell by cell: Cohen's kappa, plain and weighted, by hand", "[stats][comparison]") {
    // A = (3, 0, 0, -3), B = (3, 1, 0, 3). Exact: cells 1 and 3 differ, similarity 2/4; expected
    // sum_c p_A(c) p_B(c) = (1 x 2 [class 3] + 2 x 1 [class 0]) / 16 = 0.25; kappa (0.5 - 0.25) /
    // 0.75 = 1/3, Cohen's.
    const std::vector<std::int8_t> a = {3, 0, 0, -3}, b = {3, 1, 0, 3};
    HotspotComparisonOptions exact;
    exact.weighting = ClassWeighting::Exact;
    const auto e = compareHotspots(a, b, {}, {}, 100, exact);
    CHECK(e.similarity == Approx(0.5));
    CHECK(e.expected == Approx(0.25));
    CHECK(e.kappa == Approx(1.0 / 3));
    CHECK(e.hotA == 1);
    CHECK(e.hotB == 3);
    CHECK(e.hotBoth == 1);
    CHECK(e.pairs[0][6] == 1);  // cold 99 % against hot 99 %
    // Fuzzy: not significant against 90 % hot matches half: similarity (1 + 0.5 + 1 + 0) / 4 =
    // 0.625. Expected: A's 3 meets B's two 3s (2), A's two 0s meet B's 1 (2 x 0.5) and 0 (2 x 1):
    // 5 / 16 = 0.3125; kappa (0.625 - 0.3125) / 0.6875 = 5/11.
    const auto f = compareHotspots(a, b, {}, {}, 100);
    CHECK(f.similarity == Approx(0.625));
    CHECK(f.expected == Approx(0.3125));
    CHECK(f.kappa == Approx(5.0 / 11));
    CHECK(f.local == std::vector<double>{1, 0.5, 1, 0});
    // The weights: equal 1; a level apart and not opposite 0.5; else 0.
    CHECK(classSimilarity(2, 3, ClassWeighting::Fuzzy) == 0.5);
    CHECK(classSimilarity(-1, 0, ClassWeighting::Fuzzy) == 0.5);
    CHECK(classSimilarity(1, -1, ClassWeighting::Fuzzy) == 0);
    CHECK(classSimilarity(3, 1, ClassWeighting::Fuzzy) == 0);
    CHECK(classSimilarity(2, 3, ClassWeighting::Exact) == 0);
}

TEST_CASE("hotspot comparison: a hot spot one cell over matches half", "[stats][comparison]") {
    // Three cells on a line, 100 m apart: A hot at the first, B hot at the second. Cell 0: A's
    // hot meets B's hot one cell over (0.5); B's 0 meets A's 0 one cell over (0.5): 0.5. Cell 1:
    // A's 0 meets B's 0s one cell over (0.5); B's hot meets A's hot one over (0.5): 0.5. Cell 2:
    // 0 and 0: 1. Similarity 2/3.
    const std::vector<std::int8_t> a = {3, 0, 0}, b = {0, 3, 0};
    const std::vector<std::vector<std::uint32_t>> nbrs = {{1, 2}, {0, 2}, {1, 0}};
    const std::vector<std::vector<double>> dist = {{100, 200}, {100, 100}, {100, 200}};
    HotspotComparisonOptions exact;
    exact.weighting = ClassWeighting::Exact;
    const auto r = compareHotspots(a, b, nbrs, dist, 100, exact);
    CHECK(r.local == std::vector<double>{0.5, 0.5, 1});
    CHECK(r.similarity == Approx(2.0 / 3));
    // Cell by cell they share nothing hot.
    CHECK(compareHotspots(a, b, {}, {}, 100, exact).similarity == Approx(1.0 / 3));
}

TEST_CASE("hotspot comparison: the permuted expectation equals the exact one, identical maps give 1, unrelated near 0",
          "[stats][comparison]") {
    std::mt19937_64 rng(3);
    std::vector<std::int8_t> a(2000), b(2000);
    for (auto& v : a) v = static_cast<std::int8_t>(static_cast<int>(rng() % 7) - 3);
    for (auto& v : b) v = static_cast<std::int8_t>(static_cast<int>(rng() % 7) - 3);
    // Neighbour lists without neighbours: the permutation path, against the exact expectation.
    const std::vector<std::vector<std::uint32_t>> noNbrs(a.size());
    const std::vector<std::vector<double>> noDist(a.size());
    HotspotComparisonOptions o;
    o.permutations = 400;
    o.threads = 2;
    const auto permuted = compareHotspots(a, b, noNbrs, noDist, 100, o);
    const auto exact = compareHotspots(a, b, {}, {}, 100, o);
    CHECK(permuted.similarity == Approx(exact.similarity));
    CHECK(permuted.expected == Approx(exact.expected).margin(0.002));
    CHECK(std::abs(exact.kappa) < 0.05);  // unrelated maps
    o.threads = 1;
    CHECK(compareHotspots(a, b, noNbrs, noDist, 100, o).expected == permuted.expected);  // threads change nothing
    const auto same = compareHotspots(a, a, {}, {}, 100, o);
    CHECK(same.similarity == 1);
    CHECK(same.kappa == Approx(1));
}
