#include "trygg/stats/Rates.hpp"

#include <catch2/catch.hpp>

#include <cmath>

TEST_CASE("empirical-Bayes rates agree with R's spdep::EBest", "[stats]") {
    // R 4.2.2, spdep 1.2-7: EBest(c(5, 20, 2, 40), c(1000, 2500, 100, 8000))$estmm =
    //   0.00563460324142, 0.00657105067372, 0.00608558842039, 0.00527901166019.
    // By hand for the third: m = 67 / 11600 = 0.0057759, the small area's raw 0.02 is pulled
    // almost all the way back to m, as its 100 residents say little.
    const std::vector<double> y{5, 20, 2, 40}, n{1000, 2500, 100, 8000};
    const auto eb = trygg::stats::empiricalBayesRates(y, n);
    CHECK(eb[0] == Approx(0.00563460324142).epsilon(1e-9));
    CHECK(eb[1] == Approx(0.00657105067372).epsilon(1e-9));
    CHECK(eb[2] == Approx(0.00608558842039).epsilon(1e-9));
    CHECK(eb[3] == Approx(0.00527901166019).epsilon(1e-9));
    const std::vector<double> y2{1, 2}, n2{0, 10};
    CHECK(std::isnan(trygg::stats::empiricalBayesRates(y2, n2)[0]));
}
