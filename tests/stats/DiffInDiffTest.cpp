// Difference in differences with matched controls and its placebo test (stats/DiffInDiff.hpp).
// The regression's estimate, standard error and interval are R's: lm(y ~ factor(unit) +
// factor(period) + d) with d = treated and after, R 4.2 on Debian 12, printed to 15 digits; the
// estimate is also worked by hand as the difference of the mean changes. The placebo p-value is
// checked by simulation: uniform under no effect, small under a planted fall.
#include "trygg/stats/DiffInDiff.hpp"

#include "../TestSupport.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

using namespace trygg::stats;
using Catch::Detail::Approx;

namespace {

// Rates per period of `units` places, each with its own mean (gamma, so places differ as real ones
// do), Poisson around it; `fall` takes that share off unit 0 after `pre`.
PanelSeries simulate(std::mt19937_64& rng, std::size_t units, std::size_t periods, std::size_t pre, double fall = 0) {
    std::gamma_distribution<double> level(4.0, 1.5);
    PanelSeries p{periods, pre, {}};
    for (std::size_t u = 0; u < units; ++u) {
        const double mu = level(rng);
        for (std::size_t t = 0; t < periods; ++t) {
            const double m = (u == 0 && t >= pre) ? mu * (1 - fall) : mu;
            p.y.push_back(static_cast<double>(std::poisson_distribution<int>(m)(rng)));
        }
    }
    return p;
}

struct Split {
    std::vector<double> treated;
    PanelSeries candidates;
};
Split split(const PanelSeries& p) {
    Split s{{p.y.begin(), p.y.begin() + static_cast<std::ptrdiff_t>(p.periods)},
            {p.periods, p.pre, {p.y.begin() + static_cast<std::ptrdiff_t>(p.periods), p.y.end()}}};
    return s;
}

} // namespace

TEST_CASE("difference in differences: the regression, against R's lm and the hand computation", "[stats][did]") {
    // Treated 5 7 6 | 3 2 4 falls from a mean of 6 to 3 (-3); the controls rise by 1, 1 and 1/3,
    // on average 7/9: delta = -3 - 7/9 = -34/9 = -3.777...
    const PanelSeries p{6, 3, {5, 7, 6, 3, 2, 4, 4, 6, 5, 6, 5, 7, 8, 7, 9, 9, 8, 10, 3, 2, 4, 4, 3, 3}};
    const DidEstimate e = twoWayFixedEffects(p, 0.95);
    REQUIRE(e.defined);
    CHECK(e.effect == Approx(-34.0 / 9).epsilon(1e-12));
    CHECK(meanChangeDifference(p) == Approx(-34.0 / 9).epsilon(1e-12));
    // R: Std. Error 0.732226196487034686, df 14, 95 % CI -5.34824677654785 to -2.2073087790077.
    CHECK(e.se == Approx(0.732226196487034686).epsilon(1e-11));
    CHECK(e.df == 14);
    CHECK(e.low == Approx(-5.34824677654785).epsilon(1e-11));
    CHECK(e.high == Approx(-2.2073087790077).epsilon(1e-11));
    // Without the measure the treated would have had 6 + 7/9 after: the fall is 34/9 of 61/9.
    CHECK(e.counterfactual == Approx(61.0 / 9));
    CHECK(e.changePct == Approx(-100.0 * 34 / 61));
}

TEST_CASE("difference in differences: the regression equals the mean changes on any balanced panel", "[stats][did]") {
    std::mt19937_64 rng(17);
    for (int rep = 0; rep < 20; ++rep) {
        const PanelSeries p = simulate(rng, 2 + static_cast<std::size_t>(rep % 7), 4 + static_cast<std::size_t>(rep % 9),
                                       2 + static_cast<std::size_t>(rep % 2));
        const DidEstimate e = twoWayFixedEffects(p, 0.9);
        REQUIRE(e.defined);
        CHECK(e.effect == Approx(meanChangeDifference(p)).margin(1e-10));
        CHECK(e.low < e.effect);
        CHECK(e.high > e.effect);
    }
}

TEST_CASE("difference in differences: a change every place shares is no effect", "[stats][did]") {
    // Every place doubles after: the measure area's rise is the controls', so delta is 0 and the
    // placebo test finds nothing (the rate ratio against all places would too, but a single control
    // area with its own trend would not).
    std::mt19937_64 rng(5);
    PanelSeries p = simulate(rng, 120, 16, 8);
    for (std::size_t u = 0; u < p.units(); ++u)
        for (std::size_t t = 8; t < 16; ++t) p.y[u * 16 + t] += 5;
    const Split s = split(p);
    const DidResult r = matchedDifferenceInDifferences(s.treated, s.candidates, {10, 99, 0.95});
    REQUIRE(r.defined());
    CHECK(std::abs(r.estimate.effect) < 1.5);
    CHECK(r.placeboP > 0.05);
    CHECK(r.placebos == 99);
    CHECK(r.controls.size() == 10);
}

TEST_CASE("difference in differences: controls are the places most like it before, in level and trend", "[stats][did]") {
    // Candidates: flat places at levels 1..20, and one rising like the treated from 9 to 13.
    PanelSeries c{6, 4, {}};
    for (int level = 1; level <= 20; ++level)
        for (int t = 0; t < 6; ++t) c.y.push_back(level);
    for (double v : {9.0, 10.0, 12.0, 13.0, 14.0, 15.0}) c.y.push_back(v);
    const std::vector<double> treated{9, 10, 12, 13, 7, 7};
    const DidResult r = matchedDifferenceInDifferences(treated, c, {1, 5, 0.95});
    REQUIRE(r.controls.size() == 1);
    CHECK(r.controls[0] == 20);  // the rising one, not the flat one at the same level
    // delta = (7 - 11) - (14.5 - 11) = -7.5
    CHECK(r.estimate.effect == Approx(-7.5));
}

TEST_CASE("difference in differences: the placebo p-value is uniform under no effect", "[stats][did]") {
    // 400 simulated municipalities with no effect anywhere; the p-values' empirical distribution
    // against the uniform: Kolmogorov-Smirnov distance below its 1 % critical value 1.63 / sqrt(400),
    // and the share at or below 0.05 within three binomial standard deviations of 0.05.
    std::mt19937_64 rng(20230601);
    std::vector<double> ps;
    for (int rep = 0; rep < 400; ++rep) {
        const Split s = split(simulate(rng, 301, 24, 12));
        const DidResult r = matchedDifferenceInDifferences(s.treated, s.candidates, {10, 199, 0.95});
        REQUIRE(r.defined());
        ps.push_back(r.placeboP);
    }
    std::sort(ps.begin(), ps.end());
    double ks = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {
        const double n = static_cast<double>(ps.size());
        ks = std::max({ks, std::abs(static_cast<double>(i + 1) / n - ps[i]), std::abs(ps[i] - static_cast<double>(i) / n)});
    }
    CHECK(ks < 1.63 / std::sqrt(400.0));
    const double low = static_cast<double>(std::count_if(ps.begin(), ps.end(), [](double p) { return p <= 0.05; })) / 400;
    const double sd = std::sqrt(0.05 * 0.95 / 400);
    CHECK(low > 0.05 - 3 * sd);
    CHECK(low < 0.05 + 3 * sd);
}

TEST_CASE("difference in differences: a planted fall of half is found", "[stats][did]") {
    // The same places, the measure area's rate halved after: found beyond chance in about three runs
    // of four (72 of 100 with this seed; the places' means are about 6 a period, so the fall is 3),
    // and the estimated change within 30 points of the planted -50 % in nearly all (99).
    std::mt19937_64 rng(1261);
    int found = 0, covered = 0;
    for (int rep = 0; rep < 100; ++rep) {
        const Split s = split(simulate(rng, 301, 24, 12, 0.5));
        const DidResult r = matchedDifferenceInDifferences(s.treated, s.candidates, {10, 199, 0.95});
        REQUIRE(r.defined());
        found += r.placeboP <= 0.05 && r.estimate.effect < 0;
        covered += r.estimate.changePct > -80 && r.estimate.changePct < -20;
    }
    CHECK(found >= 60);  // about three binomial standard deviations below 0.72
    CHECK(covered >= 90);
}

TEST_CASE("difference in differences: undefined without enough periods or candidates", "[stats][did]") {
    const PanelSeries c{4, 1, std::vector<double>(4 * 20, 1.0)};
    CHECK_FALSE(matchedDifferenceInDifferences(std::vector<double>(4, 1.0), c).defined());  // one period before
    const PanelSeries few{4, 2, std::vector<double>(4 * 5, 1.0)};
    CHECK_FALSE(matchedDifferenceInDifferences(std::vector<double>(4, 1.0), few).defined());  // 5 candidates for 10 controls
}

TEST_CASE("difference in differences: random panels against R's lm, live where R is installed", "[stats][did]") {
    // The optional check beside the embedded values above: panels of 3 to 12 units and 6 to 30
    // periods, Poisson counts, each fitted by R as lm(y ~ factor(unit) + factor(period) + d).
    if (!trygg::test::rscriptAvailable()) {
        WARN("skipped: Rscript is not installed (apt-get install r-base-core)");
        return;
    }
    trygg::test::TempDir dir;
    std::mt19937_64 rng(16);
    std::vector<PanelSeries> panels;
    std::string csv = "panel,unit,period,y,d\n";
    for (int k = 0; k < 8; ++k) {
        const std::size_t units = 3 + rng() % 10, periods = 6 + rng() % 25, pre = 2 + rng() % (periods - 3);
        panels.push_back(simulate(rng, units, periods, pre, k % 2 ? 0.4 : 0.0));
        const PanelSeries& p = panels.back();
        for (std::size_t u = 0; u < p.units(); ++u)
            for (std::size_t t = 0; t < periods; ++t)
                csv += fmt::format("{},{},{},{},{}\n", k, u, t, p.y[u * periods + t], u == 0 && t >= pre ? 1 : 0);
    }
    const std::string in = dir.file("panels.csv"), out = dir.file("lm.csv");
    std::ofstream(in) << csv;
    const std::string r = fmt::format(
        "x <- read.csv('{}'); o <- do.call(rbind, lapply(split(x, x$panel), function(p) {{"
        " f <- lm(y ~ factor(unit) + factor(period) + d, data = p); s <- summary(f)$coefficients['d', ];"
        " ci <- confint(f, 'd', level = 0.95); data.frame(panel = p$panel[1], est = s[1], se = s[2],"
        " low = ci[1], high = ci[2], df = f$df.residual) }})); write.csv(o, '{}', row.names = FALSE)",
        in, out);
    std::ofstream(dir.file("lm.R")) << r;
    REQUIRE(std::system(("Rscript " + dir.file("lm.R") + " > /dev/null 2>&1").c_str()) == 0);
    std::size_t compared = 0;
    for (const auto& v : trygg::test::readNumberCsv(out)) {
        REQUIRE(v.size() == 6);
        const DidEstimate e = twoWayFixedEffects(panels.at(static_cast<std::size_t>(v[0])), 0.95);
        REQUIRE(e.defined);
        CHECK(e.effect == Approx(v[1]).margin(1e-9));
        CHECK(e.se == Approx(v[2]).epsilon(1e-9));
        CHECK(e.low == Approx(v[3]).margin(1e-9));
        CHECK(e.high == Approx(v[4]).margin(1e-9));
        CHECK(e.df == v[5]);
        ++compared;
    }
    CHECK(compared == panels.size());
}
