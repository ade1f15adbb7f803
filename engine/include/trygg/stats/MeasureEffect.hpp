#pragma once
// A measure's effect from counts before and after it, in the measure area (A), the buffer around
// it (B) and a control area (C): the relative effect size of Farrington & Welsh (the ratio of
// odds in their meta-analyses of street lighting and CCTV), with its confidence interval, the
// same for the buffer (displacement or diffusion of benefits), and the minimum detectable effect
// that the counts allow. The WDQ of the same counts is in Displacement.hpp.
//
// rate_ratio = (A1/A0) / (C1/C0): after against before in the measure area, relative to the
// control (1/RES in Farrington & Welsh's notation; below 1 means fewer incidents than the control's
// trend predicts). Var(ln rate_ratio) = 1/A0 + 1/A1 + 1/C0 + 1/C1 (counts as Poisson). When a
// count is 0, 0.5 is added to each of the four (Haldane-Anscombe), and the effect says so.
#include "trygg/stats/DiffInDiff.hpp"
#include "trygg/stats/Displacement.hpp"

#include <string>

namespace trygg::stats {

// What the counts say, in increasing order of what can be claimed.
enum class EffectVerdict {
    NotEvaluable,  // no control incidents, or no period after the measure
    TooFew,        // no change beyond chance, and only a large fall could have been seen
    NoEffect,      // no change beyond chance, though a fall of mde_pct would have been seen
    Worse,         // more incidents than the control predicts
    Displaced,     // fewer in the measure area, more in its buffer (both beyond chance)
    Worked,        // fewer in the measure area, beyond chance; the buffer did not rise beyond chance
};

struct EffectOptions {
    double confidence = 0.95;  // of the intervals, and 1 - alpha of the tests (two-sided)
    double power = 0.8;        // of the minimum detectable effect
    double tooFewPct = 50;     // a minimum detectable fall above this many per cent: "too few to tell"
};

struct RatioEstimate {
    double ratio = 0, low = 0, high = 0;  // the rate ratio and its confidence interval
    double p = 1;                         // two-sided, of ln ratio = 0
    bool corrected = false;               // 0.5 added to every count for a zero
    bool defined = false;
};

struct MeasureEffect {
    RatioEstimate measure;  // (A1/A0) / (C1/C0)
    RatioEstimate buffer;   // (B1/B0) / (C1/C0); undefined without a buffer
    double changePct = 0;   // (measure.ratio - 1) * 100
    double mdePct = 0;      // the smallest fall in the measure area the test would find with `power`
    WdqResult wdq;
    EffectVerdict verdict = EffectVerdict::NotEvaluable;
    std::string verdictEn, verdictSv;  // a plain reading with its figures
};

// The rate ratio of after against before for `x0 -> x1`, against the control's `c0 -> c1`.
RatioEstimate rateRatio(double x0, double x1, double c0, double c1, double confidence);

// The smallest fall in per cent in the measure area that a two-sided test at 1 - confidence finds
// with probability `power`, when the measure area had a0 incidents before and the control c0 and
// c1: the expected count after without an effect is a0 c1 / c0, and the standard error of the log
// ratio is taken at that count. 100 when a0 or a control count is 0.
double minimumDetectableFall(double a0, double c0, double c1, double confidence, double power);

MeasureEffect measureEffect(const WdqCounts& c, const EffectOptions& options = {});

// The verdict read together with the difference in differences against the places most like the
// measure area before (DiffInDiff.hpp): worked, displaced or worse stand only when the placebo test
// agrees at the same level and in the same direction; otherwise the verdict becomes no effect (or
// too few, by the minimum detectable fall), with both figures said. A verdict of no effect or too
// few stays, the matched figure added. Without a placebo test (`did` undefined) the verdict stays
// and says that it was not checked against comparable places.
void checkAgainstPlacebo(MeasureEffect& m, const DidResult& did, const EffectOptions& options = {});

const char* toString(EffectVerdict v);  // "worked", "displaced", ...

} // namespace trygg::stats
