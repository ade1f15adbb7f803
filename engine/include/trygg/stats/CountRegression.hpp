#pragma once
// Count regression of incidents per cell: Poisson and negative binomial generalised linear models
// with a log link and an offset, fitted by iteratively reweighted least squares on Eigen's
// column-pivoting QR, as R's glm() and MASS::glm.nb() fit them:
//
//   log E[y_i] = offset_i + x_i' beta
//   Poisson:           Var y_i = mu_i
//   negative binomial: Var y_i = mu_i + mu_i^2 / theta, theta by maximum likelihood (MASS's
//                      theta.ml: Newton's method on the score), alternating with the IRLS fit of
//                      beta for the current theta until both settle (glm.nb's loop).
//
// Standard errors come from (X'WX)^-1 at the fit, z = beta / se, two-sided normal p-values (as
// summary.glm for these families, whose dispersion is 1; for the negative binomial theta is held
// at its estimate, as summary.negbin does). Deviance, log-likelihood, AIC and BIC as R gives
// them (glm.nb counts theta as a parameter: AIC = -2 logLik + 2 (p + 1)). Pearson's dispersion
// sum((y - mu)^2 / Var) / (n - p) says whether the Poisson's variance holds (about 1).
//
// The fit is tighter than R's default (relative change of the deviance below 1e-12, against R's
// 1e-8), so a comparison with R sets glm.control(epsilon = 1e-12) and equals to 1e-6 or better
// (tests/stats/CountRegressionTest.cpp runs it where R is installed).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace trygg::stats {

enum class CountFamily { Poisson, NegativeBinomial };
const char* toString(CountFamily f);  // "poisson", "negative_binomial"

// A design matrix: n rows, p columns, column-major (column j is values[j * n .. (j + 1) * n)).
// The caller puts the intercept's column of ones in where it wants one.
struct Design {
    std::size_t rows = 0;
    std::vector<std::vector<double>> columns;
    std::size_t cols() const { return columns.size(); }
};

struct GlmFit {
    bool converged = false;
    bool fullRank = true;     // false: a column is a combination of the others; nothing else is set
    bool finite = true;       // false: an estimate ran off (|beta| > 30: a factor whose cells
                              // all hold 0, or a separation); nothing else is to be read
    int iterations = 0;
    CountFamily family = CountFamily::Poisson;
    std::vector<double> coef, se, z, p;  // per column
    double deviance = 0, nullDeviance = 0;  // the null model: the intercept (if any) and the offset
    double logLik = 0, aic = 0, bic = 0;
    double theta = 0, thetaSe = 0;          // negative binomial only
    double pearsonChi2 = 0, dispersion = 0; // dispersion = pearsonChi2 / (n - p)
    std::size_t n = 0, parameters = 0;      // parameters counts theta for the negative binomial
    std::vector<double> fitted;             // mu per row
    bool usable() const { return converged && fullRank && finite; }
};

struct GlmOptions {
    double epsilon = 1e-12;   // relative change of the deviance at which IRLS stops
    int maxIterations = 100;  // IRLS's, and glm.nb's outer loop's
    bool interceptInNull = true;  // the null deviance's model: an intercept (true) or only the offset
};

// `offset` may be empty (all 0). y are counts (0, 1, 2, ...), as doubles.
GlmFit fitPoisson(const Design& x, std::span<const double> y, std::span<const double> offset,
                  const GlmOptions& options = {});
GlmFit fitNegativeBinomial(const Design& x, std::span<const double> y, std::span<const double> offset,
                           const GlmOptions& options = {});
GlmFit fitCount(CountFamily family, const Design& x, std::span<const double> y, std::span<const double> offset,
                const GlmOptions& options = {});

} // namespace trygg::stats
