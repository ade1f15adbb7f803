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
    // Only the cells with incidents can hold any: they alone are ordered (a national grid's few
    // hundred thousand busy cells, not its 7 million), the empty ones come after them in either
    // order. Ties go by cell, so the order is one whatever the input's.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n; ++i)
        if (counts[i] > 0) order.push_back(i);
    auto density = [&](std::size_t i) { return areas[i] > 0 ? counts[i] / areas[i] : 0.0; };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (counts[a] != counts[b]) return counts[a] > counts[b];
        if (density(a) != density(b)) return density(a) > density(b);
        return a < b;
    });
    for (double pct : topPercent) {
        const auto k = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(n)));
        double held = 0;
        for (std::size_t j = 0; j < k && j < order.size(); ++j) held += counts[order[j]];
        c.shareOfIncidents.push_back(total > 0 ? held / total : 0.0);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return density(a) != density(b) ? density(a) > density(b) : a < b;
    });
    double held = 0, area = 0;
    for (std::size_t j = 0; j < order.size() && held < total / 2; ++j) {
        held += counts[order[j]];
        area += areas[order[j]];
    }
    c.areaShareForHalf = totalArea > 0 ? area / totalArea : 0.0;
    return c;
}

} // namespace trygg::stats
