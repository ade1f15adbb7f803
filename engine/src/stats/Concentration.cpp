#include "trygg/stats/Concentration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trygg::stats {

Concentration concentration(std::span<const double> counts, std::span<const double> areas,
                            const std::vector<double>& topPercent) {
    Concentration c;
    c.topPercent = topPercent;
    const std::size_t n = counts.size();
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const double totalArea = std::accumulate(areas.begin(), areas.end(), 0.0);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto density = [&](std::size_t i) { return areas[i] > 0 ? counts[i] / areas[i] : 0.0; };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return counts[a] != counts[b] ? counts[a] > counts[b] : density(a) > density(b);
    });
    for (double pct : topPercent) {
        const auto k = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(n)));
        double held = 0;
        for (std::size_t j = 0; j < k && j < n; ++j) held += counts[order[j]];
        c.shareOfIncidents.push_back(total > 0 ? held / total : 0.0);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return density(a) > density(b); });
    double held = 0, area = 0;
    for (std::size_t j = 0; j < n && held < total / 2; ++j) {
        held += counts[order[j]];
        area += areas[order[j]];
    }
    c.areaShareForHalf = totalArea > 0 ? area / totalArea : 0.0;
    return c;
}

} // namespace trygg::stats
