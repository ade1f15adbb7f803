#pragma once
// Perceived safety before and after a measure: residents' scores in and around its area, before
// against after, and that change against the change in the rest of the study area.
//
// In the area: the difference of the mean scores, after minus before, with Welch's t test
// (unequal variances, Welch-Satterthwaite degrees of freedom), as R's t.test(after, before).
// Against the rest: (A1 - A0) - (R1 - R0) of the means, its standard error the root of the four
// variances of the means, a normal interval (the rest's reports are many; the area's few are the
// spread that matters, and Welch's t above is the test for them). Shares unsafe alongside.
#include <span>

namespace trygg::stats {

struct MeanSample {
    double n = 0, mean = 0, variance = 0;  // variance with n - 1
    double unsafeShare = 0;
};
// `unsafe(score)` says whether a score counts as unsafe.
template <typename Unsafe>
MeanSample meanSample(std::span<const double> scores, Unsafe unsafe);

struct PerceivedChange {
    bool defined = false;  // both sides of the area with at least `minReports`
    MeanSample before, after, restBefore, restAfter;
    double change = 0, t = 0, df = 0, p = 1, low = 0, high = 0;  // after minus before in the area (Welch)
    bool againstRest = false;  // both sides of the rest with at least minReports
    double relative = 0, relativeLow = 0, relativeHigh = 0, relativeP = 1;  // (A1 - A0) - (R1 - R0)
};

PerceivedChange perceivedChange(const MeanSample& before, const MeanSample& after, const MeanSample& restBefore,
                                const MeanSample& restAfter, double minReports, double confidence = 0.95);

template <typename Unsafe>
MeanSample meanSample(std::span<const double> scores, Unsafe unsafe) {
    MeanSample s;
    s.n = static_cast<double>(scores.size());
    if (scores.empty()) return s;
    double sum = 0, unsafeN = 0;
    for (const double v : scores) sum += v, unsafeN += unsafe(v) ? 1 : 0;
    s.mean = sum / s.n;
    double ss = 0;
    for (const double v : scores) ss += (v - s.mean) * (v - s.mean);
    s.variance = s.n > 1 ? ss / (s.n - 1) : 0;
    s.unsafeShare = unsafeN / s.n;
    return s;
}

} // namespace trygg::stats
