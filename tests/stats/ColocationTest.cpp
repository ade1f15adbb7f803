// The colocation quotient (stats/Colocation.hpp) on points worked by hand, and its permutation
// p-value under random labelling.
#include "trygg/stats/Colocation.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <limits>
#include <random>
#include <vector>

using namespace trygg::stats;

TEST_CASE("colocation quotient by hand, with the tie rule of Leslie & Kronenfeld", "[stats][colocation]") {
    // On a line: A at 0, B at 1, A at 3, B at 3.9, C at 10. The A's nearest neighbours are both
    // B's: C(A -> B) = 2; N = 5, N_A = 2, N_B = 2: CLQ = (2/2) / (2/4) = 2. No A has an A nearest:
    // CLQ(A -> A) = 0.
    std::vector<double> x = {0, 1, 3, 3.9, 10}, y(5, 0.0);
    std::vector<std::int32_t> label = {0, 1, 0, 1, 2};
    CHECK(globalColocation(x, y, label, 0, 1, 0, 1).clq == Approx(2.0));
    CHECK(globalColocation(x, y, label, 0, 0, 0, 1).clq == Approx(0.0));
    // An A at 2 is 1 from the B at 1 and 1 from the A at 3: half to each. C(A -> B) = 1 + 0.5 + 1,
    // N = 6, N_A = 3: CLQ(A -> B) = (2.5/3) / (2/5) = 2.0833; C(A -> A) = 0.5 over N'_A = 2:
    // (0.5/3) / (2/5) = 0.41667.
    x.push_back(2), y.push_back(0), label.push_back(0);
    CHECK(globalColocation(x, y, label, 0, 1, 0, 1).clq == Approx(2.5 / 3 / 0.4));
    CHECK(globalColocation(x, y, label, 0, 1, 0, 1).nearB == 3);  // the tied A at 2 has a B among its nearest
    CHECK(globalColocation(x, y, label, 0, 0, 0, 1).nearB == 1);
    CHECK(globalColocation(x, y, label, 0, 0, 0, 1).clq == Approx(0.5 / 3 / 0.4));
    // Nothing to be near: undefined.
    CHECK(std::isnan(globalColocation(x, y, label, 0, 5, 0, 1).clq));
}

TEST_CASE("the colocation permutation p is uniform when labels are random, and small when A attracts B", "[stats][colocation]") {
    std::mt19937_64 rng(8);
    std::uniform_real_distribution<double> u(0, 1000);
    // 200 sets of 60 random points with random labels: the share of p_high at or below 0.05 and
    // 0.5 stays near 0.05 and 0.5 (binomial margins of about 3 standard errors).
    int below5 = 0, below50 = 0;
    const int sets = 200;
    for (int s = 0; s < sets; ++s) {
        std::vector<double> x, y;
        std::vector<std::int32_t> label;
        for (int i = 0; i < 60; ++i) x.push_back(u(rng)), y.push_back(u(rng)), label.push_back(static_cast<std::int32_t>(rng() % 2));
        const double p = globalColocation(x, y, label, 0, 1, 99, static_cast<std::uint64_t>(s)).pHigh;
        below5 += p <= 0.05;
        below50 += p <= 0.5;
    }
    CHECK(below5 <= 0.05 * sets + 3 * std::sqrt(sets * 0.05 * 0.95));
    CHECK(std::abs(below50 - 0.5 * sets) <= 3 * std::sqrt(sets * 0.25) + 10);  // discrete p: ties lift it a little
    // Each B placed 1 m from an A: colocation, at the smallest p there is.
    std::vector<double> x, y;
    std::vector<std::int32_t> label;
    for (int i = 0; i < 30; ++i) {
        const double px = u(rng), py = u(rng);
        x.push_back(px), y.push_back(py), label.push_back(0);
        x.push_back(px + 1), y.push_back(py), label.push_back(1);
    }
    const ColocationResult r = globalColocation(x, y, label, 0, 1, 99, 3);
    CHECK(r.clq > 1.5);
    CHECK(r.pHigh == Approx(0.01));
}

TEST_CASE("nearest neighbours through buckets equal brute force, ties included", "[stats][colocation]") {
    std::mt19937_64 rng(21);
    std::uniform_real_distribution<double> u(0, 500);
    for (const bool lattice : {false, true}) {
        INFO((lattice ? "lattice (every point has 2 to 4 nearest at 10 m)" : "random points, some far off"));
        std::vector<double> x, y;
        if (lattice)
            for (int i = 0; i < 15; ++i)
                for (int j = 0; j < 12; ++j) x.push_back(10.0 * i), y.push_back(10.0 * j);
        else {
            for (int i = 0; i < 400; ++i) x.push_back(u(rng)), y.push_back(u(rng) / 4);
            x.push_back(5000), y.push_back(5000);  // one far away: its nearest is many rings out
        }
        const auto nn = nearestNeighbours(x, y);
        REQUIRE(nn.size() == x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            double best = std::numeric_limits<double>::infinity();
            std::vector<std::uint32_t> brute;
            for (std::size_t j = 0; j < x.size(); ++j) {
                if (j == i) continue;
                const double d = (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]);
                if (d < best) best = d, brute.clear();
                if (d == best) brute.push_back(static_cast<std::uint32_t>(j));
            }
            CHECK(nn[i] == brute);
        }
    }
}

TEST_CASE("local colocation quotient by hand: Gaussian weights over the k nearest", "[stats][colocation]") {
    // On a line: A at 0, B at 1, C at 2, B at 10; k = 2. The A's two nearest: B at 1 and C at 2,
    // h = 2: w = exp(-0.5 * 1/4) = 0.8825 and exp(-0.5) = 0.6065. B's weighted share 0.8825 /
    // 1.4890 = 0.5927, over N_B / (N - 1) = 2/3: LCLQ = 0.8890.
    const std::vector<double> x = {0, 1, 2, 10}, y(4, 0.0);
    const std::vector<std::int32_t> label = {0, 1, 2, 1};
    const auto l = localColocation(x, y, label, 0, 1, 2);
    const double w1 = std::exp(-0.125), w2 = std::exp(-0.5);
    CHECK(l[0].lclq == Approx((w1 / (w1 + w2)) / (2.0 / 3.0)));
    CHECK(std::isnan(l[1].lclq));  // not an A
    // k = 1: the nearest alone, a B: 1 / (2/3) = 1.5, as the global quotient of a single A.
    CHECK(localColocation(x, y, label, 0, 1, 1)[0].lclq == Approx(1.5));
    CHECK(globalColocation(x, y, label, 0, 1, 0, 1).clq == Approx(1.5));
}

TEST_CASE("k nearest through buckets equal a brute-force sort, ties broken by point number", "[stats][colocation]") {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0, 800);
    for (const bool lattice : {false, true}) {
        INFO((lattice ? "lattice (many ties at the k-th distance)" : "random points, one far off"));
        std::vector<double> x, y;
        if (lattice)
            for (int i = 0; i < 20; ++i)
                for (int j = 0; j < 9; ++j) x.push_back(10.0 * i), y.push_back(10.0 * j);
        else {
            for (int i = 0; i < 500; ++i) x.push_back(u(rng)), y.push_back(u(rng) / 5);
            x.push_back(9000), y.push_back(-4000);
        }
        std::vector<std::uint32_t> all(x.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint32_t>(i);
        for (const int k : {1, 6, 13}) {
            INFO("k = " << k);
            const auto nn = nearestK(x, y, k, all);
            for (std::size_t i = 0; i < x.size(); ++i) {
                std::vector<std::pair<double, std::uint32_t>> d;
                for (std::size_t j = 0; j < x.size(); ++j)
                    if (j != i) d.push_back({(x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]), static_cast<std::uint32_t>(j)});
                std::sort(d.begin(), d.end());
                std::vector<std::uint32_t> brute;
                for (int m = 0; m < k; ++m) brute.push_back(d[static_cast<std::size_t>(m)].second);
                REQUIRE(nn[i] == brute);
            }
        }
    }
}

TEST_CASE("the local colocation p is uniform under random labels, small where B sits beside each A", "[stats][colocation]") {
    // 40 sets of 150 random points, labels random (a third A, a third B): over the A points the
    // share with p_high at or below 0.05 stays near 0.05, and at or below 0.5 near 0.5 (the p of
    // points of one set are dependent, so the margin is wider than a binomial's).
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> u(0, 1000);
    std::size_t points = 0, below5 = 0, below50 = 0;
    for (int s = 0; s < 40; ++s) {
        std::vector<double> x, y;
        std::vector<std::int32_t> label;
        for (int i = 0; i < 150; ++i) x.push_back(u(rng)), y.push_back(u(rng)), label.push_back(static_cast<std::int32_t>(rng() % 3));
        for (const auto& l : localColocation(x, y, label, 0, 1, 8, 199, static_cast<std::uint64_t>(s), 2)) {
            if (std::isnan(l.lclq)) continue;
            ++points;
            below5 += l.pHigh <= 0.05;
            below50 += l.pHigh <= 0.5;
        }
    }
    REQUIRE(points > 1500);
    const double n = static_cast<double>(points);
    CHECK(static_cast<double>(below5) / n == Approx(0.05).margin(0.02));
    CHECK(static_cast<double>(below50) / n == Approx(0.5).margin(0.06));
    // Three B 1 m around each A, among 400 C: an A's 3 nearest are its B, LCLQ = 1 / (120/559)
    // = 4.66, and all 3 drawn B by chance has p about 0.21^3 = 0.01.
    std::vector<double> x, y;
    std::vector<std::int32_t> label;
    for (int i = 0; i < 40; ++i) {
        const double px = u(rng), py = u(rng);
        x.push_back(px), y.push_back(py), label.push_back(0);
        for (const auto& [dx, dy] : {std::pair{1.0, 0.0}, std::pair{-0.5, 0.8}, std::pair{-0.5, -0.8}})
            x.push_back(px + dx), y.push_back(py + dy), label.push_back(1);
    }
    for (int i = 0; i < 400; ++i) x.push_back(u(rng)), y.push_back(u(rng)), label.push_back(2);
    const auto l = localColocation(x, y, label, 0, 1, 3, 199, 4, 1);
    const auto again = localColocation(x, y, label, 0, 1, 3, 199, 4, 2);  // threads change nothing
    std::size_t significant = 0;
    for (std::size_t i = 0; i < l.size(); ++i) {
        REQUIRE((std::isnan(l[i].lclq) || l[i].pHigh == again[i].pHigh));
        if (label[i] == 0) significant += l[i].lclq == Approx(559.0 / 120).epsilon(1e-9) && l[i].pHigh <= 0.05;
    }
    CHECK(significant >= 36);
}
