#include "trygg/stats/LocalMoran.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/stats/GetisOrd.hpp"

#include <cmath>
#include <limits>

namespace trygg::stats {

LocalMoran localMoran(std::span<const double> values, const Weights& weights) {
    const std::size_t n = values.size();
    if (weights.size() != n) throw Error("stats.local_moran: weights and values differ in length");
    if (weights.includesSelf) throw Error("stats.local_moran: the weights must not include the cell itself");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    LocalMoran r;
    r.index.assign(n, nan);
    r.z.assign(n, nan);
    r.p.assign(n, nan);
    r.quadrant.assign(n, Quadrant::None);
    if (n < 3) return r;
    const double nn = static_cast<double>(n);
    double mean = 0;
    for (double v : values) mean += v;
    mean /= nn;
    double m2 = 0;
    for (double v : values) m2 += (v - mean) * (v - mean);
    m2 /= nn;
    if (!(m2 > 0)) return r;
    for (std::size_t i = 0; i < n; ++i) {
        double lag = 0, w = 0, s1 = 0;
        for (auto k = weights.offsets[i]; k < weights.offsets[i + 1]; ++k) {
            const double wij = weights.weightAt(k);
            lag += wij * (values[static_cast<std::size_t>(weights.index[static_cast<std::size_t>(k)])] - mean);
            w += wij;
            s1 += wij * wij;
        }
        const double zi = values[i] - mean;
        const double ii = zi / m2 * lag;
        r.index[i] = ii;
        const double expected = -(zi * zi * w) / ((nn - 1) * m2);
        const double var = (zi / m2) * (zi / m2) * (nn / (nn - 2)) * (s1 - w * w / (nn - 1)) * (m2 - zi * zi / (nn - 1));
        if (var > 0) {
            r.z[i] = (ii - expected) / std::sqrt(var);
            r.p[i] = twoSidedP(r.z[i]);
        }
        if (weights.countOf(i) > 0 && zi != 0 && lag != 0)
            r.quadrant[i] = zi > 0 ? (lag > 0 ? Quadrant::HighHigh : Quadrant::HighLow)
                                   : (lag > 0 ? Quadrant::LowHigh : Quadrant::LowLow);
    }
    return r;
}

const char* toString(Quadrant q) {
    switch (q) {
    case Quadrant::HighHigh: return "HH";
    case Quadrant::LowLow: return "LL";
    case Quadrant::HighLow: return "HL";
    case Quadrant::LowHigh: return "LH";
    case Quadrant::None: return "";
    }
    return "";
}

} // namespace trygg::stats
