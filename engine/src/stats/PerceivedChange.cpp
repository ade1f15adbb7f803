#include "trygg/stats/PerceivedChange.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>

namespace trygg::stats {

PerceivedChange perceivedChange(const MeanSample& a0, const MeanSample& a1, const MeanSample& r0, const MeanSample& r1,
                                double minReports, double confidence) {
    PerceivedChange c;
    c.before = a0, c.after = a1, c.restBefore = r0, c.restAfter = r1;
    minReports = std::max(minReports, 2.0);
    if (a0.n < minReports || a1.n < minReports) return c;
    const double v0 = a0.variance / a0.n, v1 = a1.variance / a1.n;
    c.change = a1.mean - a0.mean;
    const double se = std::sqrt(v0 + v1);
    if (!(se > 0)) return c;  // every score the same on both sides: nothing to test
    c.t = c.change / se;
    c.df = (v0 + v1) * (v0 + v1) / (v0 * v0 / (a0.n - 1) + v1 * v1 / (a1.n - 1));
    const boost::math::students_t_distribution<double> t(c.df);
    c.p = 2 * boost::math::cdf(boost::math::complement(t, std::fabs(c.t)));
    const double q = boost::math::quantile(t, 0.5 + confidence / 2);
    c.low = c.change - q * se;
    c.high = c.change + q * se;
    c.defined = true;
    if (r0.n >= minReports && r1.n >= minReports) {
        const boost::math::normal_distribution<double> z;
        const double seRel = std::sqrt(v0 + v1 + r0.variance / r0.n + r1.variance / r1.n);
        c.relative = c.change - (r1.mean - r0.mean);
        const double zq = boost::math::quantile(z, 0.5 + confidence / 2);
        c.relativeLow = c.relative - zq * seRel;
        c.relativeHigh = c.relative + zq * seRel;
        c.relativeP = 2 * boost::math::cdf(boost::math::complement(z, std::fabs(c.relative / seRel)));
        c.againstRest = true;
    }
    return c;
}

} // namespace trygg::stats
