#include "trygg/stats/Rates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::stats {

std::vector<double> empiricalBayesRates(std::span<const double> events, std::span<const double> population) {
    const std::size_t k = events.size();
    std::vector<double> out(k, std::numeric_limits<double>::quiet_NaN());
    double sy = 0, sn = 0;
    std::size_t areas = 0;
    for (std::size_t i = 0; i < k; ++i) {
        if (!(population[i] > 0)) continue;
        sy += events[i];
        sn += population[i];
        ++areas;
    }
    if (areas == 0 || !(sn > 0)) return out;
    const double m = sy / sn;
    const double nbar = sn / static_cast<double>(areas);
    double s2 = 0;
    for (std::size_t i = 0; i < k; ++i)
        if (population[i] > 0) {
            const double r = events[i] / population[i];
            s2 += population[i] * (r - m) * (r - m);
        }
    s2 /= sn;
    const double a = std::max(0.0, s2 - m / nbar);
    for (std::size_t i = 0; i < k; ++i) {
        if (!(population[i] > 0)) continue;
        const double r = events[i] / population[i];
        const double c = a + m / population[i] > 0 ? a / (a + m / population[i]) : 0.0;
        out[i] = m + c * (r - m);
    }
    return out;
}

} // namespace trygg::stats
