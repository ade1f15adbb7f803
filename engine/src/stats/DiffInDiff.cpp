#include "trygg/stats/DiffInDiff.hpp"

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace trygg::stats {
namespace {

double mean(std::span<const double> v, std::size_t from, std::size_t to) {
    double s = 0;
    for (std::size_t t = from; t < to; ++t) s += v[t];
    return s / static_cast<double>(to - from);
}

struct Matcher {
    std::vector<PreSummary> pre;
    double levelScale = 1, trendScale = 1;

    explicit Matcher(const PanelSeries& candidates) {
        const std::size_t n = candidates.units();
        pre.reserve(n);
        for (std::size_t u = 0; u < n; ++u) pre.push_back(preSummary(candidates.unit(u), candidates.pre));
        const auto spread = [&](auto get) {
            double m = 0, s = 0;
            for (const auto& p : pre) m += get(p);
            m /= static_cast<double>(n);
            for (const auto& p : pre) s += (get(p) - m) * (get(p) - m);
            s = n > 1 ? std::sqrt(s / static_cast<double>(n - 1)) : 0;
            return s > 0 ? s : 1.0;
        };
        levelScale = spread([](const PreSummary& p) { return p.level; });
        trendScale = spread([](const PreSummary& p) { return p.trend; });
    }
    double distance(const PreSummary& a, const PreSummary& b) const {
        const double dl = (a.level - b.level) / levelScale, dt = (a.trend - b.trend) / trendScale;
        return dl * dl + dt * dt;
    }
    // The k candidates nearest to `target`, nearest first, leaving out `skip`; ties by index.
    std::vector<std::size_t> nearest(const PreSummary& target, std::size_t k, std::size_t skip) const {
        std::vector<std::size_t> idx;
        idx.reserve(pre.size());
        for (std::size_t u = 0; u < pre.size(); ++u)
            if (u != skip) idx.push_back(u);
        k = std::min(k, idx.size());
        std::vector<double> d(pre.size());
        for (const auto u : idx) d[u] = distance(target, pre[u]);
        const auto closer = [&](std::size_t a, std::size_t b) { return d[a] < d[b] || (d[a] == d[b] && a < b); };
        std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), closer);
        idx.resize(k);
        return idx;
    }
};

// (T_after - T_before) - (mean over controls of C_after - C_before), and that difference over
// the spread of the place's own differences from its controls before: delta / (s sqrt(1/pre +
// 1/post)), s the standard deviation of y_t - mean_c(y_ct) over the periods before. NaN when s is 0.
struct Delta {
    double delta = 0, standardised = 0;
};
Delta delta(std::span<const double> treated, const PanelSeries& c, const std::vector<std::size_t>& controls) {
    const std::size_t T = c.periods, pre = c.pre;
    std::vector<double> gap(T);
    for (std::size_t t = 0; t < T; ++t) {
        double m = 0;
        for (const auto u : controls) m += c.y[u * T + t];
        gap[t] = treated[t] - m / static_cast<double>(controls.size());
    }
    Delta d;
    d.delta = mean(gap, pre, T) - mean(gap, 0, pre);
    const double g = mean(gap, 0, pre);
    double ss = 0;
    for (std::size_t t = 0; t < pre; ++t) ss += (gap[t] - g) * (gap[t] - g);
    const double sd = std::sqrt(ss / static_cast<double>(pre - 1));
    const double scale = sd * std::sqrt(1.0 / static_cast<double>(pre) + 1.0 / static_cast<double>(T - pre));
    d.standardised = scale > 1e-12 * std::max(1.0, std::abs(g)) ? d.delta / scale : std::numeric_limits<double>::quiet_NaN();
    return d;
}

} // namespace

PreSummary preSummary(std::span<const double> s, std::size_t pre) {
    PreSummary p;
    if (pre == 0) return p;
    p.level = mean(s, 0, pre);
    const double tm = (static_cast<double>(pre) - 1) / 2;
    double sxy = 0, sxx = 0;
    for (std::size_t t = 0; t < pre; ++t) {
        const double dt = static_cast<double>(t) - tm;
        sxy += dt * (s[t] - p.level);
        sxx += dt * dt;
    }
    p.trend = sxx > 0 ? sxy / sxx : 0;
    return p;
}

double meanChangeDifference(const PanelSeries& units) {
    PanelSeries controls{units.periods, units.pre,
                         std::vector<double>(units.y.begin() + static_cast<std::ptrdiff_t>(units.periods), units.y.end())};
    std::vector<std::size_t> all(controls.units());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return delta(units.unit(0), controls, all).delta;
}

DidEstimate twoWayFixedEffects(const PanelSeries& units, double confidence) {
    DidEstimate e;
    const std::size_t U = units.units(), T = units.periods, pre = units.pre;
    if (U < 2 || pre < 1 || pre >= T) return e;
    // Columns: a dummy per unit, a dummy per period but the first, treated-and-after.
    const Eigen::Index n = static_cast<Eigen::Index>(U * T), p = static_cast<Eigen::Index>(U + T);
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(n, p);
    Eigen::VectorXd y(n);
    for (std::size_t u = 0; u < U; ++u)
        for (std::size_t t = 0; t < T; ++t) {
            const auto r = static_cast<Eigen::Index>(u * T + t);
            y(r) = units.y[u * T + t];
            X(r, static_cast<Eigen::Index>(u)) = 1;
            if (t > 0) X(r, static_cast<Eigen::Index>(U + t - 1)) = 1;
            if (u == 0 && t >= pre) X(r, p - 1) = 1;
        }
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
    if (qr.rank() < p) return e;
    const Eigen::VectorXd beta = qr.solve(y);
    const double df = static_cast<double>(n - p);
    e.effect = beta(p - 1);
    e.df = df;
    if (df > 0) {
        const double rss = (y - X * beta).squaredNorm();
        const Eigen::MatrixXd xtx = X.transpose() * X;
        const double v = xtx.ldlt().solve(Eigen::VectorXd::Unit(p, p - 1))(p - 1);
        e.se = std::sqrt(rss / df * v);
        const double t = boost::math::quantile(boost::math::students_t_distribution<double>(df), 0.5 + confidence / 2);
        e.low = e.effect - t * e.se;
        e.high = e.effect + t * e.se;
    } else {
        e.se = e.low = e.high = std::numeric_limits<double>::quiet_NaN();
    }
    double controlChange = 0;
    for (std::size_t u = 1; u < U; ++u) controlChange += mean(units.unit(u), pre, T) - mean(units.unit(u), 0, pre);
    controlChange /= static_cast<double>(U - 1);
    e.counterfactual = mean(units.unit(0), 0, pre) + controlChange;
    e.changePct = e.counterfactual > 0 ? 100 * e.effect / e.counterfactual : std::numeric_limits<double>::quiet_NaN();
    e.defined = true;
    return e;
}

DidResult matchedDifferenceInDifferences(std::span<const double> treated, const PanelSeries& candidates,
                                         const DidOptions& o) {
    DidResult r;
    const std::size_t C = candidates.units(), T = candidates.periods, pre = candidates.pre;
    if (pre < 2 || pre >= T || treated.size() != T || o.controls == 0 || C < o.controls + 1) return r;
    const Matcher m(candidates);
    const PreSummary target = preSummary(treated, pre);
    r.controls = m.nearest(target, o.controls, C);
    PanelSeries panel{T, pre, {}};
    panel.y.assign(treated.begin(), treated.end());
    for (const auto u : r.controls) panel.y.insert(panel.y.end(), candidates.unit(u).begin(), candidates.unit(u).end());
    r.estimate = twoWayFixedEffects(panel, o.confidence);
    if (!r.estimate.defined) return r;
    r.statistic = delta(treated, candidates, r.controls).standardised;
    if (!std::isfinite(r.statistic)) return r;
    const double observed = std::abs(r.statistic);
    const double tolerance = 1e-9 * std::max(1.0, observed);  // ties in exact arithmetic count as as large
    for (const auto j : m.nearest(target, C, C)) {
        if (r.placebos == o.placebos) break;
        const Delta d = delta(candidates.unit(j), candidates, m.nearest(m.pre[j], o.controls, j));
        if (!std::isfinite(d.standardised)) {
            ++r.skipped;
            continue;
        }
        ++r.placebos;
        if (std::abs(d.standardised) >= observed - tolerance) ++r.asLarge;
    }
    if (r.placebos == 0) return r;
    r.placeboP = static_cast<double>(1 + r.asLarge) / static_cast<double>(1 + r.placebos);
    return r;
}

} // namespace trygg::stats
