#include "trygg/kde/Regions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::kde {

double topShareThreshold(std::span<const float> surface, double percent) {
    std::vector<float> v;
    for (float x : surface)
        if (std::isfinite(x)) v.push_back(x);
    if (v.empty()) return std::numeric_limits<double>::infinity();
    const auto k = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(v.size())));
    const std::size_t index = std::min(v.size() - 1, std::max<std::size_t>(k, 1) - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(index), v.end(), std::greater<float>());
    const double t = v[index];
    return t > 0 ? t : std::numeric_limits<double>::infinity();
}

std::vector<std::int32_t> labelRegions(const Raster& raster, std::span<const float> surface, double threshold,
                                       std::int32_t& count) {
    const std::int64_t cols = raster.cols, rows = raster.rows;
    std::vector<std::int32_t> label(surface.size(), 0);
    auto in = [&](std::int64_t k) {
        const float v = surface[static_cast<std::size_t>(k)];
        return std::isfinite(v) && v > 0 && v >= threshold;
    };
    count = 0;
    std::vector<std::int64_t> stack;
    for (std::int64_t k = 0; k < cols * rows; ++k) {
        if (label[static_cast<std::size_t>(k)] != 0 || !in(k)) continue;
        ++count;
        stack.push_back(k);
        label[static_cast<std::size_t>(k)] = count;
        while (!stack.empty()) {
            const std::int64_t p = stack.back();
            stack.pop_back();
            const std::int64_t r = p / cols, c = p % cols;
            const std::int64_t next[4][2] = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
            for (const auto& n : next) {
                if (n[0] < 0 || n[0] >= rows || n[1] < 0 || n[1] >= cols) continue;
                const std::int64_t q = n[0] * cols + n[1];
                if (label[static_cast<std::size_t>(q)] == 0 && in(q)) {
                    label[static_cast<std::size_t>(q)] = count;
                    stack.push_back(q);
                }
            }
        }
    }
    return label;
}

std::int64_t pixelOf(const Raster& raster, double x, double y) {
    const double fc = (x - raster.originX) / raster.pixelM, fr = (raster.originY - y) / raster.pixelM;
    if (!(fc >= 0) || !(fr >= 0)) return -1;
    const auto c = static_cast<std::int64_t>(fc), r = static_cast<std::int64_t>(fr);
    if (c >= raster.cols || r >= raster.rows) return -1;
    return r * raster.cols + c;
}

} // namespace trygg::kde
