// A measure's effect (stats/MeasureEffect.hpp). The expected rate ratios, intervals and p-values
// are R's: glm(n ~ g * t, family = poisson) on the 2 x 2 table of counts, whose interaction is the
// log rate ratio with exactly the Wald standard error sqrt(1/A0 + 1/A1 + 1/C0 + 1/C1); the minimum
// detectable falls are the formula computed in R (qnorm). R 4.2, Debian 12.
#include "trygg/stats/MeasureEffect.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg::stats;
using Catch::Detail::Approx;

TEST_CASE("measure effect: a fall beyond chance, the buffer unchanged", "[stats][measure_effect]") {
    // A 100 -> 50, B 80 -> 80, C 400 -> 400. R (glm.control(epsilon = 1e-15)): estimate -0.693147180559947, se 0.187082869338697,
    // p 0.000211367777718, 95 % CI 0.346517184665 to 0.721464940451.
    const MeasureEffect m = measureEffect({100, 50, 80, 80, 400, 400});
    REQUIRE(m.measure.defined);
    CHECK(m.measure.ratio == Approx(0.5).epsilon(1e-12));
    CHECK(m.measure.low == Approx(0.346517184665).epsilon(1e-10));
    CHECK(m.measure.high == Approx(0.721464940451).epsilon(1e-10));
    CHECK(m.measure.p == Approx(0.000211367777718).epsilon(1e-9));
    CHECK_FALSE(m.measure.corrected);
    CHECK(m.changePct == Approx(-50));
    CHECK(m.buffer.ratio == Approx(1));
    CHECK(m.verdict == EffectVerdict::Worked);
    CHECK_THAT(m.verdictEn, Catch::StartsWith("Worked: \u221250 % against the control's trend (95 % CI \u221265 to \u221228 %)"));
    CHECK_THAT(m.verdictSv, Catch::StartsWith("Effekt: \u221250 %"));
    // The WDQ of the same counts: SM = 50/400 - 100/400 = -0.125, BM = 0, WDQ = 0.
    CHECK(m.wdq.successMeasure == Approx(-0.125));
    CHECK(m.wdq.wdq == Approx(0));
}

TEST_CASE("measure effect: displacement when the buffer rises beyond chance", "[stats][measure_effect]") {
    // B 100 -> 160 against C 400 -> 400: ratio 1.6, se sqrt(1/100 + 1/160 + 2/400) = 0.145774,
    // z = ln 1.6 / se = 3.224: beyond chance at 95 %.
    const MeasureEffect m = measureEffect({100, 50, 100, 160, 400, 400});
    CHECK(m.buffer.ratio == Approx(1.6));
    CHECK(m.buffer.low > 1);
    CHECK(m.verdict == EffectVerdict::Displaced);
    CHECK_THAT(m.verdictEn, Catch::Contains("+60 % in the buffer"));
    // WDQ = (160/400 - 100/400) / (-0.125) = -1.2: displacement larger than the gain, by Bowers & Johnson.
    CHECK(m.wdq.wdq == Approx(-1.2));
}

TEST_CASE("measure effect: too few to tell, no effect, worse", "[stats][measure_effect]") {
    // A 12 -> 6, C 300 -> 280. R: 1 - exp(-(qnorm(0.975) + qnorm(0.8)) * sqrt(1/12 + 1/(12*280/300)
    // + 1/300 + 1/280)) = 0.694876499372.
    const MeasureEffect few = measureEffect({12, 6, 0, 0, 300, 280});
    CHECK(few.mdePct == Approx(69.4876499372).epsilon(1e-10));
    CHECK(few.measure.high > 1);
    CHECK(few.verdict == EffectVerdict::TooFew);
    CHECK_THAT(few.verdictEn, Catch::StartsWith("Too few incidents to tell: with 12 before, only a fall of 69 %"));
    CHECK_FALSE(few.buffer.defined);  // no buffer incidents at all

    // A 100 -> 95, C 400 -> 400: MDE from R, 0.357873219526; not beyond chance.
    const MeasureEffect none = measureEffect({100, 95, 50, 50, 400, 400});
    CHECK(none.mdePct == Approx(35.7873219526).epsilon(1e-10));
    CHECK(none.verdict == EffectVerdict::NoEffect);
    CHECK_THAT(none.verdictEn, Catch::Contains("a fall of 36 % would have been seen"));

    const MeasureEffect worse = measureEffect({50, 100, 50, 50, 400, 400});
    CHECK(worse.measure.ratio == Approx(2));
    CHECK(worse.verdict == EffectVerdict::Worse);

    // Where only a fall of 30 % or more counts as told from chance, 35.8 % is too few to tell.
    EffectOptions strict;
    strict.tooFewPct = 30;
    CHECK(measureEffect({100, 95, 50, 50, 400, 400}, strict).verdict == EffectVerdict::TooFew);
}

TEST_CASE("measure effect: a zero count and an empty control", "[stats][measure_effect]") {
    // A 12 -> 0: 0.5 added to each count. R on the corrected table: -3.15000179586.
    const MeasureEffect zero = measureEffect({12, 0, 0, 0, 300, 280});
    CHECK(zero.measure.corrected);
    CHECK(std::log(zero.measure.ratio) == Approx(-3.15000179586).epsilon(1e-10));
    CHECK(zero.verdict == EffectVerdict::Worked);

    const MeasureEffect empty = measureEffect({12, 6, 0, 0, 0, 10});
    CHECK(empty.verdict == EffectVerdict::NotEvaluable);
    CHECK_THAT(empty.verdictEn, Catch::StartsWith("Cannot be evaluated: the control area"));
    CHECK(measureEffect({0, 0, 3, 4, 100, 100}).verdict == EffectVerdict::NotEvaluable);
}

TEST_CASE("measure effect: under no effect the interval holds 1 about 95 % of the time", "[stats][measure_effect]") {
    // Poisson counts with the same means before and after (100 in the measure area, 400 in the
    // control), 4000 draws with a fixed seed: the 95 % interval's coverage is within 1.5 points
    // (the binomial standard error of 4000 draws is 0.34 points), and a true fall of the minimum
    // detectable size is found about 80 % of the time (the MDE takes the standard error at the
    // count without an effect, so somewhat less: between 70 % and 85 %).
    std::mt19937_64 rng(20231);
    const double mde = minimumDetectableFall(100, 400, 400, 0.95, 0.8) / 100;
    std::poisson_distribution<std::int64_t> a(100), c(400), fallen(100 * (1 - mde));
    int covered = 0, found = 0;
    const int draws = 4000;
    for (int k = 0; k < draws; ++k) {
        const std::int64_t a0 = a(rng), c0 = c(rng), c1 = c(rng);
        const RatioEstimate none = rateRatio(static_cast<double>(a0), static_cast<double>(a(rng)), static_cast<double>(c0),
                                             static_cast<double>(c1), 0.95);
        covered += none.low <= 1 && 1 <= none.high;
        const RatioEstimate fell = rateRatio(static_cast<double>(a0), static_cast<double>(fallen(rng)),
                                             static_cast<double>(c0), static_cast<double>(c1), 0.95);
        found += fell.high < 1;
    }
    CHECK(std::fabs(covered / double(draws) - 0.95) < 0.015);
    CHECK(found / double(draws) > 0.70);
    CHECK(found / double(draws) < 0.85);
}

TEST_CASE("measure effect: a verdict stands only when the places most like it agree", "[stats][measure_effect]") {
    // The fall of the first case (A 100 -> 50 against C 400 -> 400: worked), read with a placebo
    // test made up for the check: confirmed at p = 0.01, undone at p = 0.31, and a rise of the
    // matched comparison does not confirm a fall.
    DidResult did;
    did.estimate.defined = true;
    did.estimate.effect = -2.1;
    did.estimate.changePct = -48;
    did.controls.assign(10, 0);
    did.placebos = 199;
    did.placeboP = 0.01;
    MeasureEffect m = measureEffect({100, 50, 80, 80, 400, 400});
    checkAgainstPlacebo(m, did);
    CHECK(m.verdict == EffectVerdict::Worked);
    CHECK_THAT(m.verdictEn, Catch::Contains("Confirmed against the 10 places most like it before: \u221248 % (placebo p = 0.01, 199 places)"));
    CHECK_THAT(m.verdictSv, Catch::Contains("Bekräftat mot de 10 platser"));

    did.placeboP = 0.31;
    m = measureEffect({100, 50, 80, 80, 400, 400});
    checkAgainstPlacebo(m, did);
    CHECK(m.verdict == EffectVerdict::NoEffect);  // the MDE of 100 before is below 50 %
    CHECK_THAT(m.verdictEn, Catch::StartsWith("No change beyond chance: \u221250 % against the rest of the study area, but "
                                              "places most like it before fell as much"));

    did.placeboP = 0.01;
    did.estimate.effect = 1.0;
    m = measureEffect({100, 50, 80, 80, 400, 400});
    checkAgainstPlacebo(m, did);
    CHECK(m.verdict == EffectVerdict::NoEffect);

    // Too few stays too few; no placebo test says so.
    m = measureEffect({6, 3, 0, 0, 400, 400});
    const EffectVerdict before = m.verdict;
    checkAgainstPlacebo(m, DidResult{});
    CHECK(m.verdict == before);
    CHECK_THAT(m.verdictEn, Catch::EndsWith("Not checked against comparable places (too few of them, or too short a period before)."));
}
