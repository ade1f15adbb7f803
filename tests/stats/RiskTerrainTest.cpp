#include "trygg/stats/RiskTerrain.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg::stats;

namespace {

// A 60 x 60 lattice of cells; each factor is a handful of random feature points, operationalised
// as "a feature within 1, 2, 3 cells" (nested), as the pipeline's proximity candidates.
struct World {
    std::vector<RiskCandidate> candidates;
    std::vector<std::vector<double>> within;  // [factor * 3 + d - 1]
    std::size_t cells = 60 * 60;
};

World makeWorld(std::mt19937_64& rng, std::size_t factors, std::size_t featuresEach) {
    World w;
    std::uniform_real_distribution<double> u(0, 60);
    for (std::size_t f = 0; f < factors; ++f) {
        std::vector<std::pair<double, double>> pts;
        for (std::size_t k = 0; k < featuresEach; ++k) {
            // In this order (y drawn first), as GCC evaluated emplace_back(u(rng), u(rng)) when the
            // test's thresholds were checked; a function's arguments have no order in C++, and
            // clang's left to right made another world.
            const double y = u(rng);
            const double x = u(rng);
            pts.emplace_back(x, y);
        }
        for (int d = 1; d <= 3; ++d) {
            std::vector<double> col(w.cells, 0.0);
            for (std::size_t c = 0; c < w.cells; ++c) {
                const double cx = static_cast<double>(c % 60) + 0.5, cy = static_cast<double>(c / 60) + 0.5;
                for (const auto& [px, py] : pts)
                    if (std::hypot(px - cx, py - cy) <= d) {
                        col[c] = 1;
                        break;
                    }
            }
            w.within.push_back(col);
            w.candidates.push_back({f, "factor " + std::to_string(f) + " within " + std::to_string(d), col});
        }
    }
    return w;
}

std::vector<double> counts(std::mt19937_64& rng, const World& w, const std::vector<std::pair<std::size_t, double>>& effects,
                           double base, double theta) {
    std::vector<double> y;
    for (std::size_t c = 0; c < w.cells; ++c) {
        double mu = base;
        for (const auto& [column, rr] : effects)
            if (w.within[column][c] == 1) mu *= rr;
        if (theta > 0) mu *= std::gamma_distribution<double>(theta, 1 / theta)(rng);
        y.push_back(std::poisson_distribution<int>(mu)(rng));
    }
    return y;
}

} // namespace

TEST_CASE("risk terrain: planted factors found at their distance, with their size, the null factor left out",
          "[stats][risk]") {
    // Factor 0 raises the incidents 2.5 times within 2 cells, factor 1 halves them within 1 cell,
    // factor 2 does nothing; counts overdispersed (theta 3). Expected from the simulation's own
    // parameters: each planted factor chosen at its distance with the true relative risk inside
    // the 95 % interval, the negative binomial chosen by BIC, factor 2 not chosen.
    std::mt19937_64 rng(20240301);
    const World w = makeWorld(rng, 3, 14);
    const std::vector<double> y = counts(rng, w, {{0 * 3 + 1, 2.5}, {1 * 3 + 0, 0.5}}, 1.2, 3.0);
    const RiskModel m = fitRiskModel(w.candidates, {}, y, {});
    REQUIRE(m.fitted);
    CHECK(m.family == CountFamily::NegativeBinomial);
    CHECK(m.negativeBinomialBic < m.poissonBic);
    REQUIRE(m.selected.size() == 2);
    bool found0 = false, found1 = false;
    for (std::size_t k = 0; k < m.selected.size(); ++k) {
        const double rr = std::exp(m.coefficientOf(k)), lo = std::exp(m.coefficientOf(k) - 1.96 * m.seOf(k)),
                     hi = std::exp(m.coefficientOf(k) + 1.96 * m.seOf(k));
        INFO(w.candidates[m.selected[k]].label << ": " << rr << " [" << lo << ", " << hi << "]");
        if (m.selected[k] == 1) {
            found0 = true;
            CHECK(lo < 2.5);
            CHECK(hi > 2.5);
        }
        if (m.selected[k] == 3) {
            found1 = true;
            CHECK(lo < 0.5);
            CHECK(hi > 0.5);
        }
        CHECK(m.pOf(k) < 0.001);
    }
    CHECK(found0);
    CHECK(found1);
    CHECK_FALSE(m.path.empty());
    // The score: the product of the chosen factors' values where present.
    for (std::size_t c = 0; c < w.cells; ++c) {
        double s = 1;
        for (std::size_t k = 0; k < m.selected.size(); ++k)
            if (w.candidates[m.selected[k]].column[c] == 1) s *= std::exp(m.coefficientOf(k));
        REQUIRE(m.score[c] == Approx(s).epsilon(1e-12));
    }
}

TEST_CASE("risk terrain: Poisson counts keep the Poisson, and a control and an offset enter every model",
          "[stats][risk]") {
    std::mt19937_64 rng(7);
    const World w = makeWorld(rng, 2, 12);
    // Exposure: half the cells twice the area. With it as the offset the planted factor's size is
    // unchanged; a control column (noise) stays in the model whether it helps or not.
    std::vector<double> off(w.cells), noise(w.cells);
    std::vector<double> y;
    std::normal_distribution<double> z(0, 1);
    for (std::size_t c = 0; c < w.cells; ++c) {
        off[c] = c % 2 ? std::log(2.0) : 0.0;
        noise[c] = z(rng);
        double mu = 0.8 * std::exp(off[c]) * (w.within[2][c] == 1 ? 3.0 : 1.0);
        y.push_back(std::poisson_distribution<int>(mu)(rng));
    }
    const std::vector<RiskControl> controls{{"noise", noise}};
    const RiskModel m = fitRiskModel(w.candidates, controls, y, off);
    REQUIRE(m.fitted);
    CHECK(m.family == CountFamily::Poisson);
    REQUIRE(m.fit.coef.size() == 2 + m.selected.size());  // intercept, control, chosen
    REQUIRE(m.selected.size() >= 1);
    CHECK(m.selected[0] == 2);
    CHECK(std::exp(m.coefficientOf(0)) == Approx(3.0).epsilon(0.15));
    CHECK(std::exp(m.fit.coef[0]) == Approx(0.8).epsilon(0.1));  // the rate per unit of exposure
}

TEST_CASE("risk terrain: candidates in too few cells, and repeated columns, are not tried", "[stats][risk]") {
    const std::size_t n = 40;
    std::vector<double> rare(n, 0.0), same(n, 0.0), y(n, 1.0);
    rare[3] = rare[7] = 1;
    for (std::size_t i = 0; i < n; i += 3) same[i] = 1;
    for (std::size_t i = 0; i < n; ++i) y[i] = (i % 5) + (same[i] == 1 ? 3 : 0);
    const std::vector<RiskCandidate> c{{0, "rare", rare}, {1, "a", same}, {1, "a wider, reaching no further", same}};
    const RiskModel m = fitRiskModel(c, {}, y, {}, {CountFamily::Poisson, 5, {}});
    REQUIRE(m.tried == std::vector<std::size_t>{1});
    REQUIRE(m.selected == std::vector<std::size_t>{1});
}
