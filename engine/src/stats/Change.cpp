#include "trygg/stats/Change.hpp"

#include <boost/math/distributions/binomial.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace trygg::stats {

double binomialTwoSidedP(std::uint64_t k, std::uint64_t n, double q) {
    if (n == 0) return std::numeric_limits<double>::quiet_NaN();
    if (!(q > 0 && q < 1) || k > n) throw std::invalid_argument("binomialTwoSidedP: q must lie in (0, 1) and k <= n");
    const boost::math::binomial_distribution<double> dist(static_cast<double>(n), q);
    const double kd = static_cast<double>(k), nd = static_cast<double>(n);
    const double d = boost::math::pdf(dist, kd);
    const double m = nd * q;
    constexpr double relErr = 1 + 1e-7;
    if (kd == m) return 1.0;
    // R's binom.test counts the outcomes on the other side of the mean that are no more likely
    // than k, one by one. The pmf falls from ceil(m) up and rises up to floor(m) (the mode lies
    // between them), so those outcomes are a tail, found here by bisection: the same count in
    // log(n) steps, where 12 million reports took seconds.
    auto atMost = [&](std::uint64_t i) { return boost::math::pdf(dist, static_cast<double>(i)) <= d * relErr; };
    double p = 0;
    if (kd < m) {
        // The upper tail: outcomes from ceil(m) up that are no more likely than k.
        std::uint64_t lo = static_cast<std::uint64_t>(std::ceil(m)), hi = n + 1;  // the first such outcome in [lo, hi]
        while (lo < hi) {
            const std::uint64_t mid = lo + (hi - lo) / 2;
            if (atMost(mid)) hi = mid;
            else lo = mid + 1;
        }
        const std::uint64_t y = n + 1 - lo;
        p = boost::math::cdf(dist, kd) + (y > 0 ? boost::math::cdf(boost::math::complement(dist, nd - static_cast<double>(y))) : 0.0);
    } else {
        // The lower tail: outcomes from 0 to floor(m) no more likely than k.
        std::uint64_t lo = 0, hi = static_cast<std::uint64_t>(std::floor(m)) + 1;  // the first outcome more likely than k
        while (lo < hi) {
            const std::uint64_t mid = lo + (hi - lo) / 2;
            if (atMost(mid)) lo = mid + 1;
            else hi = mid;
        }
        const std::uint64_t y = lo;
        p = (y > 0 ? boost::math::cdf(dist, static_cast<double>(y - 1)) : 0.0) +
            (k > 0 ? boost::math::cdf(boost::math::complement(dist, kd - 1)) : 1.0);
    }
    return std::min(1.0, p);
}

double binomialGreaterP(std::uint64_t k, std::uint64_t n, double q) {
    if (n == 0) return std::numeric_limits<double>::quiet_NaN();
    if (!(q > 0 && q < 1) || k > n) throw std::invalid_argument("binomialGreaterP: q must lie in (0, 1) and k <= n");
    if (k == 0) return 1.0;
    const boost::math::binomial_distribution<double> dist(static_cast<double>(n), q);
    return boost::math::cdf(boost::math::complement(dist, static_cast<double>(k - 1)));
}

RateRatio poissonRateRatio(std::uint64_t k1, double t1, std::uint64_t k2, double t2, double confidence) {
    if (!(t1 > 0 && t2 > 0)) throw std::invalid_argument("poissonRateRatio: the exposures must be positive");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const std::uint64_t n = k1 + k2;
    if (n == 0) return {nan, nan, nan, nan, nan};
    using boost::math::binomial_distribution;
    const double alpha = (1 - confidence) / 2, nd = static_cast<double>(n), kd = static_cast<double>(k1);
    // Clopper-Pearson's interval for the share of k1 in n, as binom.test gives it.
    const double pLow = k1 == 0 ? 0.0
                                : binomial_distribution<double>::find_lower_bound_on_p(
                                      nd, kd, alpha, binomial_distribution<double>::clopper_pearson_exact_interval);
    const double pHigh = k1 == n ? 1.0
                                 : binomial_distribution<double>::find_upper_bound_on_p(
                                       nd, kd, alpha, binomial_distribution<double>::clopper_pearson_exact_interval);
    const auto toRatio = [&](double p) { return p >= 1 ? std::numeric_limits<double>::infinity() : p / (1 - p) * t2 / t1; };
    const double q = t1 / (t1 + t2);
    RateRatio r;
    r.ratio = k2 == 0 ? std::numeric_limits<double>::infinity() : (kd / t1) / (static_cast<double>(k2) / t2);
    r.low = toRatio(pLow);
    r.high = toRatio(pHigh);
    r.pTwoSided = binomialTwoSidedP(k1, n, q);
    r.pGreater = binomialGreaterP(k1, n, q);
    return r;
}

PeriodChange comparePeriods(std::span<const std::uint32_t> before, std::span<const std::uint32_t> after,
                            double lengthBefore, double lengthAfter, Correction correction) {
    if (before.size() != after.size()) throw std::invalid_argument("comparePeriods: before and after differ in size");
    if (!(lengthBefore > 0 && lengthAfter > 0)) throw std::invalid_argument("comparePeriods: lengths must be positive");
    const double q = lengthAfter / (lengthBefore + lengthAfter);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    PeriodChange out;
    out.rateRatio.resize(before.size(), nan);
    out.p.resize(before.size(), nan);
    std::vector<double> direction(before.size(), nan);
    for (std::size_t i = 0; i < before.size(); ++i) {
        const std::uint64_t a = before[i], b = after[i];
        if (a > 0) out.rateRatio[i] = (static_cast<double>(b) / lengthAfter) / (static_cast<double>(a) / lengthBefore);
        if (a + b == 0) continue;
        out.p[i] = binomialTwoSidedP(b, a + b, q);
        const double expected = static_cast<double>(a + b) * q;
        direction[i] = static_cast<double>(b) > expected ? 1.0 : (static_cast<double>(b) < expected ? -1.0 : 0.0);
    }
    out.bins = confidenceBins(direction, out.p, correction);
    return out;
}

} // namespace trygg::stats
