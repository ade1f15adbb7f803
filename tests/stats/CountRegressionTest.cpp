#include "trygg/stats/CountRegression.hpp"

#include "../TestSupport.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>

using namespace trygg::stats;

namespace {

Design withIntercept(std::size_t n, std::vector<std::vector<double>> cols) {
    Design d;
    d.rows = n;
    d.columns.push_back(std::vector<double>(n, 1.0));
    for (auto& c : cols) d.columns.push_back(std::move(c));
    return d;
}

// Counts with log E[y] = off + b0 + b1 x1 + b2 x2 + b3 x3, Poisson or negative binomial (gamma
// mixed, shape theta).
struct Sample {
    std::vector<double> x1, x2, x3, off, y;
};
Sample simulate(std::mt19937_64& rng, std::size_t n, double theta) {
    Sample s;
    std::uniform_real_distribution<double> u(0, 1);
    for (std::size_t i = 0; i < n; ++i) {
        s.x1.push_back(u(rng) < 0.3 ? 1 : 0);
        s.x2.push_back(u(rng) < 0.15 ? 1 : 0);
        s.x3.push_back(std::log1p(std::floor(u(rng) * 500)));
        s.off.push_back(std::log(0.4 + 0.6 * u(rng)));
        double mu = std::exp(s.off.back() - 1.0 + 0.8 * s.x1.back() - 0.6 * s.x2.back() + 0.25 * s.x3.back());
        if (theta > 0) mu *= std::gamma_distribution<double>(theta, 1 / theta)(rng);
        s.y.push_back(static_cast<double>(std::poisson_distribution<int>(mu)(rng)));
    }
    return s;
}

} // namespace

TEST_CASE("Poisson regression: one binary factor, by hand", "[stats][glm]") {
    // With an intercept and one 0/1 column the Poisson MLE is the group means: exp(b0) the mean of
    // the x = 0 rows, exp(b0 + b1) that of the x = 1 rows; var(b1) = 1/sum(y | x=0) + 1/sum(y | x=1)
    // (the inverse of X'WX at the means), and the deviance is 2 sum y log(y / group mean).
    const std::vector<double> x{0, 0, 0, 0, 1, 1, 1};
    const std::vector<double> y{1, 0, 2, 1, 3, 5, 4};
    const GlmFit f = fitPoisson(withIntercept(7, {x}), y, {});
    REQUIRE(f.usable());
    CHECK(f.coef[0] == Approx(std::log(1.0)).margin(1e-12));  // 4 / 4
    CHECK(f.coef[1] == Approx(std::log(4.0)).epsilon(1e-12)); // 12 / 3 over 1
    CHECK(f.se[1] == Approx(std::sqrt(1.0 / 4 + 1.0 / 12)).epsilon(1e-10));
    CHECK(f.se[0] == Approx(std::sqrt(1.0 / 4)).epsilon(1e-10));
    // (the terms y - mu add up to 0 within each group, the y = 0 row's among them)
    const double dev = 2 * (2 * std::log(2.0) + 3 * std::log(3.0 / 4) + 5 * std::log(5.0 / 4));
    CHECK(f.deviance == Approx(dev).epsilon(1e-10));
    CHECK(f.parameters == 2);
    // The null model: one mean for all, 16 / 7.
    double nullDev = 0;
    for (double v : y) nullDev += 2 * ((v > 0 ? v * std::log(v / (16.0 / 7)) : 0) - (v - 16.0 / 7));
    CHECK(f.nullDeviance == Approx(nullDev).epsilon(1e-10));
    // The offset: doubling the exposure of the x = 1 rows halves their rate.
    const std::vector<double> off{0, 0, 0, 0, std::log(2.0), std::log(2.0), std::log(2.0)};
    const GlmFit g = fitPoisson(withIntercept(7, {x}), y, off);
    CHECK(g.coef[1] == Approx(std::log(2.0)).epsilon(1e-12));
}

TEST_CASE("count regression: a column of the others' sum, and a factor without incidents, are refused",
          "[stats][glm]") {
    const std::vector<double> a{1, 0, 1, 0, 1, 0}, b{0, 1, 0, 1, 0, 1}, y{1, 2, 0, 3, 2, 1};
    CHECK_FALSE(fitPoisson(withIntercept(6, {a, b}), y, {}).fullRank);  // a + b = intercept
    const std::vector<double> none{1, 0, 1, 0, 0, 0}, y0{0, 2, 0, 3, 2, 1};
    const GlmFit f = fitPoisson(withIntercept(6, {none}), y0, {});
    CHECK_FALSE(f.usable());  // its estimate runs off to minus infinity
}

TEST_CASE("count regression: the negative binomial's theta grows without bound on Poisson data", "[stats][glm]") {
    // Equidispersed counts (every y the same) have no overdispersion to estimate: no fit.
    const std::vector<double> y(50, 3.0), x(50, 0.0);
    std::vector<double> x1 = x;
    for (std::size_t i = 0; i < 50; i += 2) x1[i] = 1;
    CHECK_FALSE(fitNegativeBinomial(withIntercept(50, {x1}), y, {}).usable());
}

TEST_CASE("count regression: equals R's glm and MASS::glm.nb, live where R is installed", "[stats][glm]") {
    // Random designs (two 0/1 factors, a log count, an offset), Poisson and overdispersed counts,
    // each fitted by R with the same tight tolerance: coefficients, standard errors, deviance, null
    // deviance, AIC, theta and its standard error.
    if (!trygg::test::rscriptAvailable()) {
        WARN("skipped: Rscript is not installed (apt-get install r-base-core)");
        return;
    }
    trygg::test::TempDir dir;
    std::mt19937_64 rng(1261);
    std::vector<Sample> samples;
    std::string csv = "set,x1,x2,x3,off,y\n";
    for (int k = 0; k < 6; ++k) {
        samples.push_back(simulate(rng, 150 + 150 * static_cast<std::size_t>(k), k < 2 ? 0.0 : 0.6 + k * 0.4));
        const Sample& s = samples.back();
        for (std::size_t i = 0; i < s.y.size(); ++i)
            csv += fmt::format("{},{},{},{:.17g},{:.17g},{}\n", k, s.x1[i], s.x2[i], s.x3[i], s.off[i], s.y[i]);
    }
    const std::string in = dir.file("counts.csv"), out = dir.file("glm.csv");
    std::ofstream(in) << csv;
    // One row per set and family (0 Poisson, 1 negative binomial): 4 coefficients, 4 standard
    // errors, deviance, null deviance, AIC, theta, its standard error.
    const std::string r = fmt::format(
        "suppressMessages(library(MASS)); x <- read.csv('{}'); ctl <- glm.control(epsilon = 1e-14, maxit = 200);"
        " o <- do.call(rbind, lapply(split(x, x$set), function(d) {{"
        "  p <- glm(y ~ x1 + x2 + x3 + offset(off), family = poisson, data = d, control = ctl);"
        "  b <- glm.nb(y ~ x1 + x2 + x3 + offset(off), data = d, control = ctl);"
        "  row <- function(f, fam, th, se) c(d$set[1], fam, coef(f), sqrt(diag(vcov(f))), deviance(f),"
        "    f$null.deviance, AIC(f), th, se);"
        "  rbind(row(p, 0, 0, 0), row(b, 1, b$theta, b$SE.theta)) }}));"
        " write.csv(o, '{}', row.names = FALSE)",
        in, out);
    std::ofstream(dir.file("glm.R")) << r;
    REQUIRE(std::system(("Rscript " + dir.file("glm.R") + " > /dev/null 2>&1").c_str()) == 0);
    std::size_t compared = 0;
    for (const auto& v : trygg::test::readNumberCsv(out)) {
        REQUIRE(v.size() == 15);
        const Sample& s = samples.at(static_cast<std::size_t>(v[0]));
        const bool nb = v[1] == 1;
        INFO("set " << v[0] << (nb ? " negative binomial" : " Poisson") << ", R theta " << v[13]);
        const GlmFit f = fitCount(nb ? CountFamily::NegativeBinomial : CountFamily::Poisson,
                                  withIntercept(s.y.size(), {s.x1, s.x2, s.x3}), s.y, s.off);
        if (nb && v[13] > 1e6) {
            // Poisson counts: R's theta runs off (1e17, its SE NaN); here the fit says so.
            CHECK_FALSE(f.usable());
            ++compared;
            continue;
        }
        REQUIRE(f.usable());
        for (std::size_t j = 0; j < 4; ++j) {
            CHECK(f.coef[j] == Approx(v[2 + j]).margin(1e-7));
            CHECK(f.se[j] == Approx(v[6 + j]).epsilon(1e-6));
        }
        CHECK(f.deviance == Approx(v[10]).epsilon(1e-7));
        CHECK(f.nullDeviance == Approx(v[11]).epsilon(1e-7));
        CHECK(f.aic == Approx(v[12]).epsilon(1e-9));
        if (nb) {
            CHECK(f.theta == Approx(v[13]).epsilon(1e-6));
            // theta.ml's SE is the information at the theta before its last Newton step (it stops
            // when a step is below 1.2e-4), ours at the estimate: they agree to about 1e-4.
            CHECK(f.thetaSe == Approx(v[14]).epsilon(1e-3));
        }
        ++compared;
    }
    CHECK(compared == 2 * samples.size());
}
