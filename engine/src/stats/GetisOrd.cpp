#include "trygg/stats/GetisOrd.hpp"

#include "trygg/core/Error.hpp"

#include <boost/math/special_functions/erf.hpp>

#include <cmath>
#include <limits>

namespace trygg::stats {

std::vector<double> getisOrdZ(std::span<const double> values, const Weights& neighbours) {
    const std::size_t n = values.size();
    if (neighbours.size() != n) throw Error("stats.gistar: neighbour lists and values differ in length");
    std::vector<double> z(n, std::numeric_limits<double>::quiet_NaN());
    if (n < 3) return z;
    // Centred sums keep the variance accurate when counts are large and alike.
    double sum = 0;
    for (double v : values) sum += v;
    const double mean = sum / static_cast<double>(n);
    double ss = 0;  // sum of (x - mean)^2
    for (double v : values) ss += (v - mean) * (v - mean);
    const double nn = static_cast<double>(n);
    const bool star = neighbours.includesSelf;
    for (std::size_t i = 0; i < n; ++i) {
        double lag = 0, w = 0, s1 = 0;  // sum w_ij x_j, W_i, S1_i
        for (auto k = neighbours.offsets[i]; k < neighbours.offsets[i + 1]; ++k) {
            const double wij = neighbours.weightAt(k);
            lag += wij * values[static_cast<std::size_t>(neighbours.index[static_cast<std::size_t>(k)])];
            w += wij;
            s1 += wij * wij;
        }
        double num = 0, var = 0;
        if (star) {
            const double s2 = ss / nn;
            num = lag - mean * w;
            var = s2 * (nn * s1 - w * w) / (nn - 1.0);
        } else {
            // Leave x_i out: mean and sum of squares over the other n - 1 cells.
            const double d = values[i] - mean;
            const double meanI = mean - d / (nn - 1.0);
            const double ssI = ss - d * d * nn / (nn - 1.0);
            const double s2I = ssI / (nn - 1.0);
            num = lag - meanI * w;
            var = s2I * ((nn - 1.0) * s1 - w * w) / (nn - 2.0);
        }
        if (!(var > 1e-300)) continue;
        z[i] = num / std::sqrt(var);
    }
    return z;
}

double twoSidedP(double z) {
    if (std::isnan(z)) return z;
    // 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2), computed without cancellation for large |z|.
    return boost::math::erfc(std::abs(z) / std::sqrt(2.0));
}

} // namespace trygg::stats
