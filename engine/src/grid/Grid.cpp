#include "trygg/grid/Grid.hpp"

#include "trygg/core/Error.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

namespace trygg::grid {

Grid Grid::allCells(const Lattice& lattice) {
    Grid g(lattice);
    const auto n = lattice.cellCount();
    if (n > std::numeric_limits<std::int32_t>::max())
        throw InputError("grid: " + std::to_string(n) + " cells are more than one analysis can hold");
    g.m_linear.resize(static_cast<std::size_t>(n));
    g.m_activeOf.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        g.m_linear[static_cast<std::size_t>(i)] = i;
        g.m_activeOf[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i);
    }
    return g;
}

Grid Grid::overlapping(const Lattice& lattice, const ShareFn& shareOf, std::span<const std::int64_t> mustKeep,
                       const std::function<void(double)>& progressEvery, bool recordShare) {
    Grid g(lattice);
    const auto n = lattice.cellCount();
    if (n > std::numeric_limits<std::int32_t>::max())
        throw InputError("grid: " + std::to_string(n) + " cells are more than one analysis can hold");
    std::vector<char> keep(static_cast<std::size_t>(n), 0);
    for (auto k : mustKeep)
        if (k >= 0 && k < n) keep[static_cast<std::size_t>(k)] = 1;
    g.m_activeOf.assign(static_cast<std::size_t>(n), -1);
    std::array<double, 7> xs{}, ys{};
    for (std::int64_t i = 0; i < n; ++i) {
        if (progressEvery && i % 4096 == 0) progressEvery(static_cast<double>(i) / static_cast<double>(n));
        const int np = lattice.ring(lattice.cellAt(i), xs, ys);
        const double share = shareOf(std::span<const double>(xs.data(), np), std::span<const double>(ys.data(), np));
        if (share > 0 || keep[static_cast<std::size_t>(i)]) {
            g.m_activeOf[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(g.m_linear.size());
            g.m_linear.push_back(i);
            if (recordShare) g.m_share.push_back(share);
        }
    }
    return g;
}

Grid Grid::fromShares(const Lattice& lattice, std::span<const std::pair<std::int64_t, double>> shares,
                      std::span<const std::int64_t> mustKeep, bool recordShare) {
    Grid g(lattice);
    const auto n = lattice.cellCount();
    if (n > std::numeric_limits<std::int32_t>::max())
        throw InputError("grid: " + std::to_string(n) + " cells are more than one analysis can hold");
    // Cells holding points on the boundary are kept with their share (0 when the area only
    // touches them), merged in lattice order.
    std::vector<std::int64_t> keep;
    for (auto k : mustKeep)
        if (k >= 0 && k < n) keep.push_back(k);
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    g.m_activeOf.assign(static_cast<std::size_t>(n), -1);
    auto add = [&](std::int64_t linear, double share) {
        g.m_activeOf[static_cast<std::size_t>(linear)] = static_cast<std::int32_t>(g.m_linear.size());
        g.m_linear.push_back(linear);
        if (recordShare) g.m_share.push_back(share);
    };
    std::size_t s = 0, k = 0;
    while (s < shares.size() || k < keep.size()) {
        if (k == keep.size() || (s < shares.size() && shares[s].first <= keep[k])) {
            if (k < keep.size() && keep[k] == shares[s].first) ++k;
            add(shares[s].first, shares[s].second);
            ++s;
        } else {
            add(keep[k++], 0.0);
        }
    }
    return g;
}

std::vector<std::int64_t> cellsOfPoints(const Lattice& lattice, std::span<const double> xs,
                                        std::span<const double> ys) {
    std::vector<std::int64_t> out(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) out[i] = lattice.cellOf(xs[i], ys[i]);
    return out;
}

CellCounts countByItem(std::span<const std::int64_t> itemOfPoint, std::size_t itemCount,
                       std::span<const std::int32_t> categories, std::size_t categoryCount,
                       std::span<const double> weights) {
    CellCounts c;
    c.categoryCount = categoryCount;
    c.n.assign(itemCount, 0);
    if (!categories.empty()) c.byCategory.assign(itemCount * categoryCount, 0);
    if (!weights.empty()) c.weightSum.assign(itemCount, 0.0);
    for (std::size_t i = 0; i < itemOfPoint.size(); ++i) {
        if (itemOfPoint[i] < 0) {
            ++c.unbinned;
            continue;
        }
        const auto item = static_cast<std::size_t>(itemOfPoint[i]);
        ++c.n[item];
        if (!categories.empty() && categories[i] >= 0)
            ++c.byCategory[item * categoryCount + static_cast<std::size_t>(categories[i])];
        if (!weights.empty()) c.weightSum[item] += weights[i];
    }
    return c;
}

CellCounts countByCell(const Grid& grid, std::span<const std::int64_t> pointCells,
                       std::span<const std::int32_t> categories, std::size_t categoryCount,
                       std::span<const double> weights) {
    std::vector<std::int64_t> active(pointCells.size());
    for (std::size_t i = 0; i < pointCells.size(); ++i) active[i] = grid.activeOf(pointCells[i]);
    return countByItem(active, grid.size(), categories, categoryCount, weights);
}

} // namespace trygg::grid
