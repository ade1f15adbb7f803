#include "trygg/stats/MapAccuracy.hpp"

#include "trygg/core/Error.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

namespace trygg::stats {

MapAccuracy mapAccuracy(std::span<const double> cellArea, std::span<const std::int64_t> train,
                        std::span<const std::int64_t> test, std::span<const char> hot) {
    const std::size_t n = cellArea.size();
    if (train.size() != n || test.size() != n || hot.size() != n) throw Error("map accuracy: the cell vectors differ in length");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    MapAccuracy m;
    double area = 0, hotArea = 0;
    for (std::size_t i = 0; i < n; ++i) {
        area += cellArea[i];
        m.trainAll += train[i];
        m.testAll += test[i];
        if (!hot[i]) continue;
        ++m.cells;
        hotArea += cellArea[i];
        m.trainIn += train[i];
        m.testIn += test[i];
    }
    // n*: the same number of cells, those with the most test incidents.
    std::vector<std::int64_t> sorted(test.begin(), test.end());
    const auto k = static_cast<std::ptrdiff_t>(m.cells);
    std::partial_sort(sorted.begin(), sorted.begin() + k, sorted.end(), std::greater<>());
    m.bestIn = std::accumulate(sorted.begin(), sorted.begin() + k, std::int64_t{0});
    m.areaShare = area > 0 ? hotArea / area : nan;
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : nan; };
    m.hitRate = ratio(static_cast<double>(m.testIn), static_cast<double>(m.testAll));
    m.pai = m.areaShare > 0 ? ratio(m.hitRate, m.areaShare) : nan;
    m.pei = ratio(static_cast<double>(m.testIn), static_cast<double>(m.bestIn));
    m.rri = m.trainIn > 0 && m.trainAll > 0 && m.testAll > 0
                ? (static_cast<double>(m.testIn) / static_cast<double>(m.trainIn)) /
                      (static_cast<double>(m.testAll) / static_cast<double>(m.trainAll))
                : nan;
    return m;
}

} // namespace trygg::stats
