#include "trygg/stats/CountRegression.hpp"

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace trygg::stats {

const char* toString(CountFamily f) { return f == CountFamily::Poisson ? "poisson" : "negative_binomial"; }

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// theta = +infinity is the Poisson.
double variance(double mu, double theta) { return std::isinf(theta) ? mu : mu + mu * mu / theta; }

double deviance(std::span<const double> y, const VectorXd& mu, double theta) {
    double d = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double m = mu[static_cast<Index>(i)], v = y[i];
        const double ylog = v > 0 ? v * std::log(v / m) : 0.0;
        d += std::isinf(theta) ? ylog - (v - m) : ylog - (v + theta) * std::log((v + theta) / (m + theta));
    }
    return 2 * d;
}

double logLikelihood(std::span<const double> y, const VectorXd& mu, double theta) {
    double l = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double m = mu[static_cast<Index>(i)], v = y[i];
        if (std::isinf(theta))
            l += (v > 0 ? v * std::log(m) : 0.0) - m - std::lgamma(v + 1);
        else
            l += std::lgamma(theta + v) - std::lgamma(theta) - std::lgamma(v + 1) + theta * std::log(theta) +
                 (v > 0 ? v * std::log(m) : 0.0) - (theta + v) * std::log(theta + m);
    }
    return l;
}

struct Irls {
    bool converged = false, fullRank = true, finite = true;
    int iterations = 0;
    VectorXd beta, eta, mu;
    double deviance = 0;
};

// The n x p arrays of an IRLS step, kept from one call to the next of the same fit: the negative
// binomial's fit calls it dozens of times, and n x p arrays are fresh pages each time otherwise.
struct IrlsWork {
    MatrixXd weightedX;
    Eigen::ColPivHouseholderQR<MatrixXd> qr;
};

// IRLS for the log link at a fixed theta (infinity: Poisson), from `etaStart` or, without one,
// from mu = y + 0.1 as R's poisson()$initialize.
Irls irls(const MatrixXd& X, std::span<const double> y, const VectorXd& off, double theta,
          const std::optional<VectorXd>& etaStart, const GlmOptions& o, IrlsWork& work) {
    const Index n = X.rows(), p = X.cols();
    Irls r;
    if (etaStart) {
        r.eta = *etaStart;
    } else {
        r.eta.resize(n);
        for (Index i = 0; i < n; ++i) r.eta[i] = std::log(y[static_cast<std::size_t>(i)] + 0.1);
    }
    r.mu = r.eta.array().exp();
    double devOld = deviance(y, r.mu, theta);
    for (r.iterations = 1; r.iterations <= o.maxIterations; ++r.iterations) {
        VectorXd sw(n), z(n);
        for (Index i = 0; i < n; ++i) {
            const double m = r.mu[i];
            z[i] = r.eta[i] - off[i] + (y[static_cast<std::size_t>(i)] - m) / m;
            sw[i] = std::sqrt(m * m / variance(m, theta));
        }
        work.weightedX.noalias() = sw.asDiagonal() * X;
        Eigen::ColPivHouseholderQR<MatrixXd>& qr = work.qr;
        qr.compute(work.weightedX);
        qr.setThreshold(1e-10);
        if (qr.rank() < p) {
            r.fullRank = false;
            return r;
        }
        r.beta = qr.solve(sw.cwiseProduct(z));
        if (!r.beta.allFinite() || r.beta.cwiseAbs().maxCoeff() > 30) {
            r.finite = false;
            return r;
        }
        r.eta = X * r.beta + off;
        r.mu = r.eta.array().exp();
        r.deviance = deviance(y, r.mu, theta);
        if (!std::isfinite(r.deviance)) {
            r.finite = false;
            return r;
        }
        if (std::abs(r.deviance - devOld) / (std::abs(r.deviance) + 0.1) < o.epsilon) {
            r.converged = true;
            break;
        }
        devOld = r.deviance;
    }
    if (r.iterations > o.maxIterations) r.iterations = o.maxIterations;
    return r;
}

// MASS's theta.ml: Newton's method on the score of the negative binomial's theta at fixed mu,
// started from n / sum((y / mu - 1)^2). Returns the estimate and its information, or nothing when
// theta runs off to infinity (no overdispersion: the Poisson holds).
struct ThetaMl {
    double theta = 0, information = 0;
};
std::optional<ThetaMl> thetaMl(std::span<const double> y, const VectorXd& mu, int maxIterations, double start = 0) {
    using boost::math::digamma;
    using boost::math::trigamma;
    const std::size_t n = y.size();
    // The terms in y alone, digamma(theta + y) and trigamma(theta + y), once per distinct count
    // (a few dozen against thousands of cells).
    std::map<double, double> counts;
    for (double v : y) counts[v] += 1;
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = y[i] / mu[static_cast<Index>(i)] - 1;
        s += d * d;
    }
    double t = start > 0 ? start : static_cast<double>(n) / s;
    const auto info = [&](double th) {
        double v = 0;
        for (const auto& [yi, k] : counts) v += k * (-trigamma(th + yi) + trigamma(th));
        for (std::size_t i = 0; i < n; ++i) {
            const double m = mu[static_cast<Index>(i)], yi = y[i];
            v += -1 / th + 2 / (m + th) - (yi + th) / ((m + th) * (m + th));
        }
        return v;
    };
    for (int it = 0; it < 4 * maxIterations; ++it) {
        t = std::abs(t);  // as theta.ml: a step past 0 is taken back to the positive side
        if (!(t > 0) || !std::isfinite(t) || t > 1e8) return std::nullopt;
        double score = 0;
        for (const auto& [yi, k] : counts) score += k * (digamma(t + yi) - digamma(t));
        for (std::size_t i = 0; i < n; ++i) {
            const double m = mu[static_cast<Index>(i)], yi = y[i];
            score += std::log(t) + 1 - std::log(t + m) - (yi + t) / (m + t);
        }
        const double del = score / info(t);
        t += del;
        // The score is a difference of terms of the size of n log(theta): below 1e-9 relative the
        // steps are its rounding.
        if (std::abs(del) <= 1e-9 * std::max(1.0, t)) {
            if (!(t > 0) || t > 1e8) return std::nullopt;
            return ThetaMl{t, info(t)};
        }
    }
    return std::nullopt;
}

GlmFit finish(const MatrixXd& X, std::span<const double> y, const VectorXd& off, double theta, const Irls& r,
              const GlmOptions& o, IrlsWork& work) {
    GlmFit f;
    f.family = std::isinf(theta) ? CountFamily::Poisson : CountFamily::NegativeBinomial;
    f.converged = r.converged;
    f.fullRank = r.fullRank;
    f.finite = r.finite;
    f.iterations = r.iterations;
    if (!r.fullRank || !r.finite) return f;
    const Index n = X.rows(), p = X.cols();
    VectorXd w(n);
    for (Index i = 0; i < n; ++i) w[i] = r.mu[i] * r.mu[i] / variance(r.mu[i], theta);
    const MatrixXd xtwx = X.transpose() * w.asDiagonal() * X;
    const MatrixXd cov = xtwx.ldlt().solve(MatrixXd::Identity(p, p));
    const boost::math::normal normal;
    for (Index j = 0; j < p; ++j) {
        f.coef.push_back(r.beta[j]);
        f.se.push_back(std::sqrt(cov(j, j)));
        f.z.push_back(f.coef.back() / f.se.back());
        f.p.push_back(2 * boost::math::cdf(boost::math::complement(normal, std::abs(f.z.back()))));
    }
    f.deviance = r.deviance;
    f.n = static_cast<std::size_t>(n);
    f.parameters = static_cast<std::size_t>(p) + (std::isinf(theta) ? 0 : 1);
    f.theta = std::isinf(theta) ? 0 : theta;
    f.logLik = logLikelihood(y, r.mu, theta);
    f.aic = -2 * f.logLik + 2 * static_cast<double>(f.parameters);
    f.bic = -2 * f.logLik + std::log(static_cast<double>(n)) * static_cast<double>(f.parameters);
    for (Index i = 0; i < n; ++i) {
        const double d = y[static_cast<std::size_t>(i)] - r.mu[i];
        f.pearsonChi2 += d * d / variance(r.mu[i], theta);
    }
    f.dispersion = n > p ? f.pearsonChi2 / static_cast<double>(n - p) : std::numeric_limits<double>::quiet_NaN();
    f.fitted.assign(r.mu.data(), r.mu.data() + n);
    // The null model at the same theta: an intercept and the offset (or the offset alone).
    if (o.interceptInNull) {
        const Irls null0 = irls(MatrixXd::Ones(n, 1), y, off, theta, std::nullopt, o, work);
        f.nullDeviance = null0.deviance;
    } else {
        f.nullDeviance = deviance(y, off.array().exp(), theta);
    }
    return f;
}

struct Prepared {
    MatrixXd X;
    VectorXd off;
};
Prepared prepare(const Design& x, std::span<const double> offset) {
    Prepared p;
    const Index n = static_cast<Index>(x.rows), k = static_cast<Index>(x.cols());
    p.X.resize(n, k);
    for (Index j = 0; j < k; ++j)
        for (Index i = 0; i < n; ++i) p.X(i, j) = x.columns[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
    p.off = offset.empty() ? VectorXd::Zero(n) : VectorXd(Eigen::Map<const VectorXd>(offset.data(), n));
    return p;
}

} // namespace

GlmFit fitPoisson(const Design& x, std::span<const double> y, std::span<const double> offset, const GlmOptions& o) {
    const Prepared p = prepare(x, offset);
    const double inf = std::numeric_limits<double>::infinity();
    IrlsWork work;
    const Irls r = irls(p.X, y, p.off, inf, std::nullopt, o, work);
    return finish(p.X, y, p.off, inf, r, o, work);
}

// The maximum likelihood of (beta, theta), as glm.nb finds it: from the Poisson fit, theta for its
// mu, then in turn one IRLS step at the current theta and theta again (Newton's method from the
// last theta), until the deviance and theta both stop moving; a last IRLS at the settled theta.
// glm.nb runs IRLS to convergence at each theta instead; both reach the same joint maximum, this
// one in far fewer solves.
GlmFit fitNegativeBinomial(const Design& x, std::span<const double> y, std::span<const double> offset,
                           const GlmOptions& o) {
    const Prepared p = prepare(x, offset);
    const double inf = std::numeric_limits<double>::infinity();
    IrlsWork work;
    Irls r = irls(p.X, y, p.off, inf, std::nullopt, o, work);
    GlmFit failed;
    failed.family = CountFamily::NegativeBinomial;
    failed.fullRank = r.fullRank;
    failed.finite = r.finite;
    if (!r.fullRank || !r.finite) return failed;
    auto th = thetaMl(y, r.mu, o.maxIterations);
    if (!th) return failed;  // no overdispersion to estimate: the Poisson holds
    GlmOptions one = o;
    one.maxIterations = 1;
    double theta = th->theta, dev = deviance(y, r.mu, theta);
    for (int outer = 1; outer <= 20 * o.maxIterations; ++outer) {
        r = irls(p.X, y, p.off, theta, r.eta, one, work);
        if (!r.fullRank || !r.finite) return finish(p.X, y, p.off, theta, r, o, work);
        const auto next = thetaMl(y, r.mu, o.maxIterations, theta);
        if (!next) return failed;
        const double devNext = deviance(y, r.mu, next->theta);
        const bool settled = std::abs(devNext - dev) / (std::abs(devNext) + 0.1) < o.epsilon &&
                             std::abs(theta - next->theta) / next->theta < std::sqrt(o.epsilon);
        theta = next->theta;
        th = next;
        dev = devNext;
        if (settled) {
            r = irls(p.X, y, p.off, theta, r.eta, o, work);
            GlmFit f = finish(p.X, y, p.off, theta, r, o, work);
            f.thetaSe = std::sqrt(1 / thetaMl(y, r.mu, o.maxIterations, theta).value_or(*th).information);
            f.iterations = outer;
            return f;
        }
    }
    GlmFit f = finish(p.X, y, p.off, theta, r, o, work);
    f.converged = false;
    return f;
}

GlmFit fitCount(CountFamily family, const Design& x, std::span<const double> y, std::span<const double> offset,
                const GlmOptions& o) {
    return family == CountFamily::Poisson ? fitPoisson(x, y, offset, o) : fitNegativeBinomial(x, y, offset, o);
}

} // namespace trygg::stats
