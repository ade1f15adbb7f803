#pragma once
// A measure's effect as a difference in differences against matched controls, with a placebo test.
//
// The measure area and every candidate control place (the measure's own shape moved elsewhere,
// pipeline/steps/measures/FollowUp.cpp) each have a series of incident rates per period: `pre`
// periods before the measure starts, then the periods after. The controls are the k candidates
// most like the measure area before it started, by level (mean rate) and trend (least-squares
// slope), each standardised by its spread over the candidates. The estimate is the coefficient of
// treated-and-after in the two-way fixed-effects regression
//
//   y_ut = alpha_u + lambda_t + delta * [u is the measure area and t is after] + e_ut
//
// over the measure area and its k controls, fitted by least squares (Eigen's column-pivoting QR);
// with one treated unit in a balanced panel delta equals the difference of the mean changes,
// (T_after - T_before) - (C_after - C_before), which the tests check against it. Its interval is
// the regression's (homoscedastic, t with the residual degrees of freedom): with one treated area
// it rests on the controls' spread, so the placebo test is the one to read.
//
// The placebo test (Abadie, Diamond & Hainmueller 2010, "in space"): the same estimate for each of
// the `placebos` candidates most like the measure area, each against its own k matched controls
// from the other candidates, as if the measure had been there. Places differ in how much their
// rates wander (a town centre against a field), so each estimate is compared over its own noise,
// as Abadie et al. compare post- over pre-period prediction errors: t = delta / (s sqrt(1/pre +
// 1/post)), s the standard deviation before of the place's gap to its controls' mean. A place
// whose gap never varied before (no incidents there or in its controls) has no t and is passed
// over. The p-value is the share of the placebos and the measure area whose |t| is at least the
// measure area's:
//   p = (1 + #{j : |t_j| >= |t|}) / (1 + placebos),
// uniform under no effect when the places are exchangeable (a simulation test checks it).
#include <cstddef>
#include <span>
#include <vector>

namespace trygg::stats {

// Rates per period of several places: y[u * periods + t].
struct PanelSeries {
    std::size_t periods = 0, pre = 0;  // [0, pre) before, [pre, periods) after
    std::vector<double> y;
    std::size_t units() const { return periods ? y.size() / periods : 0; }
    std::span<const double> unit(std::size_t u) const { return {y.data() + u * periods, periods}; }
};

struct PreSummary {
    double level = 0, trend = 0;  // mean rate before, and its least-squares slope per period
};
PreSummary preSummary(std::span<const double> series, std::size_t pre);

struct DidOptions {
    std::size_t controls = 10;   // k matched controls
    std::size_t placebos = 199;  // the comparable places of the placebo test
    double confidence = 0.95;
};

struct DidEstimate {
    bool defined = false;
    double effect = 0;          // delta, in the rate's unit per period
    double se = 0, low = 0, high = 0, df = 0;
    double counterfactual = 0;  // the measure area's mean after without the measure: T_before + (C_after - C_before)
    double changePct = 0;       // 100 effect / counterfactual; NaN when the counterfactual is not above 0
};

// delta by the two-way fixed-effects regression, the treated unit first: series[0] is treated,
// series[1..] its controls, all of `periods` length with `pre` before.
DidEstimate twoWayFixedEffects(const PanelSeries& units, double confidence);

// delta as the difference of the mean changes (no regression), the same panel.
double meanChangeDifference(const PanelSeries& units);

struct DidResult {
    DidEstimate estimate;
    std::vector<std::size_t> controls;  // indices into the candidates
    double statistic = 0;      // t of the measure area; NaN when its gap never varied before
    double placeboP = 1;
    std::size_t placebos = 0;  // how many placebo places the p-value rests on
    std::size_t asLarge = 0;   // of those, how many with |t_j| >= |t|
    std::size_t skipped = 0;   // comparable places passed over for having no t
    bool defined() const { return estimate.defined && placebos > 0; }
};

// The estimate for `treated` against its matched controls from `candidates`, and the placebo
// test. Undefined with fewer than 2 periods before, none after, or fewer than k + 1 candidates;
// its placebo test undefined (placebos = 0) when the measure area or every candidate has no t.
DidResult matchedDifferenceInDifferences(std::span<const double> treated, const PanelSeries& candidates,
                                         const DidOptions& options = {});

} // namespace trygg::stats
