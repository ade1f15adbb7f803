#include "trygg/stats/MultipleTesting.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace trygg::stats;

TEST_CASE("Benjamini-Hochberg on the published example", "[stats]") {
    // Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 the procedure rejects the
    // four smallest (up to p = 0.0095), where Bonferroni would reject three.
    const std::vector<double> p{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
    CHECK(benjaminiHochbergCutoff(p, 0.05) == Approx(0.0095));
    // A NaN (an undefined cell) takes no part: same cut-off with it added.
    std::vector<double> withNan = p;
    withNan.push_back(std::nan(""));
    CHECK(benjaminiHochbergCutoff(withNan, 0.05) == Approx(0.0095));
    CHECK(benjaminiHochbergCutoff(std::vector<double>{0.5, 0.9}, 0.05) == 0.0);
}

TEST_CASE("Benjamini-Hochberg's cut-off equals the procedure over the whole sorted list", "[stats]") {
    // The reference is the procedure as published (Benjamini & Hochberg 1995): every finite
    // p-value sorted, the largest p_(k) <= k q / m. The implementation sorts only those up to q;
    // the two must agree exactly, ties, NaNs and p-values equal to q included.
    std::vector<double> p;
    std::uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    for (int i = 0; i < 200000; ++i) {
        const double u = uniform();
        p.push_back(i % 50 == 0 ? u * 1e-4 : i % 97 == 0 ? std::round(u * 100) / 1000 : u);  // signals, ties on a 0.001 grid
        if (i % 1013 == 0) p.push_back(std::nan(""));
    }
    p.push_back(0.05);
    p.push_back(0.01);
    for (const double q : {0.10, 0.05, 0.01, 0.001}) {
        std::vector<double> sorted;
        for (double v : p)
            if (std::isfinite(v)) sorted.push_back(v);
        std::sort(sorted.begin(), sorted.end());
        double reference = 0;
        for (std::size_t k = 0; k < sorted.size(); ++k)
            if (sorted[k] <= static_cast<double>(k + 1) * q / static_cast<double>(sorted.size())) reference = sorted[k];
        INFO("q = " << q);
        CHECK(reference > 0);
        CHECK(benjaminiHochbergCutoff(p, q) == reference);
    }
}

TEST_CASE("Gi_Bin without correction follows 90/95/99 % and the sign of z", "[stats]") {
    const std::vector<double> z{3.0, 2.2, 1.7, 0.5, -1.7, -2.2, -3.0};
    std::vector<double> p{0.0027, 0.0278, 0.0891, 0.617, 0.0891, 0.0278, 0.0027};
    CHECK(confidenceBins(z, p, Correction::None) == std::vector<std::int8_t>{3, 2, 1, 0, -1, -2, -3});
}

TEST_CASE("Gi_Bin with FDR lowers the cut-offs, leaving z and p alone", "[stats]") {
    // Ten cells, p by hand: the BH cut-off at 0.05 is the largest p_(k) <= k * 0.05 / 10.
    // p_(1) = 0.001 <= 0.005, p_(2) = 0.008 <= 0.010, p_(3) = 0.02 > 0.015, p_(4) = 0.03 > 0.02,
    // so only the first two are significant at 95 %. At 0.10: p_(4) = 0.03 <= 0.04 -> four cells.
    // At 0.01: p_(1) = 0.001 <= 0.001 -> one cell.
    const std::vector<double> p{0.001, 0.008, 0.02, 0.03, 0.2, 0.4, 0.5, 0.6, 0.7, 0.9};
    std::vector<double> z(p.size(), 1.0);
    const auto bins = confidenceBins(z, p, Correction::FdrBenjaminiHochberg);
    CHECK(bins == std::vector<std::int8_t>{3, 2, 1, 1, 0, 0, 0, 0, 0, 0});
    const auto plain = confidenceBins(z, p, Correction::None);
    CHECK(plain == std::vector<std::int8_t>{3, 3, 2, 2, 0, 0, 0, 0, 0, 0});
}
