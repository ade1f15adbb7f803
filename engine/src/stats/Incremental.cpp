#include "trygg/stats/Incremental.hpp"

#include "trygg/core/Error.hpp"

#include <cmath>
#include <tuple>
#include <utility>

namespace trygg::stats {
namespace {

// Calls fn(j) for every active neighbour j != i of cell i within the band.
template <class Fn>
void forEachNeighbour(const grid::Grid& grid, const std::vector<std::pair<std::int64_t, std::int64_t>> (&offsets)[2],
                      std::size_t i, Fn&& fn) {
    const grid::Lattice& lat = grid.lattice();
    const grid::CellIndex c = grid.cellIndex(i);
    const int parity = lat.shape() == grid::Shape::Hex ? static_cast<int>(c.row & 1) : 0;
    for (const auto& [dc, dr] : offsets[parity]) {
        const std::int64_t col = c.col + dc, row = c.row + dr;
        if (col < 0 || row < 0 || col >= lat.cols() || row >= lat.rows()) continue;
        const std::int32_t j = grid.activeOf(row * lat.cols() + col);
        if (j >= 0) fn(static_cast<std::size_t>(j));
    }
}

} // namespace

IncrementalResult incrementalAutocorrelation(const grid::Grid& grid, std::span<const double> values, double startM,
                                             double stepM, int count, const std::function<void()>& checkCancelled) {
    const std::size_t n = grid.size();
    if (values.size() != n || n < 4) throw Error("stats.incremental: needs at least 4 cells and one value per cell");
    if (!(startM > 0) || !(stepM > 0) || count < 1)
        throw InputError("stats.incremental: the start and step must be positive metres, and the count at least 1");
    double mean = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(n);
    std::vector<double> z(n);
    double m2 = 0, m4 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = values[i] - mean;
        m2 += z[i] * z[i];
        m4 += z[i] * z[i] * z[i] * z[i];
    }
    IncrementalResult result;
    std::vector<double> inverseK(n);
    for (int step = 0; step < count; ++step) {
        if (checkCancelled) checkCancelled();
        const double band = startM + stepM * step;
        std::vector<std::pair<std::int64_t, std::int64_t>> offsets[2];
        for (int p = 0; p < 2; ++p)
            grid.lattice().forEachOffsetWithin(band, false, p, [&](std::int64_t dc, std::int64_t dr) {
                offsets[p].emplace_back(dc, dr);
            });
        // Pass 1: neighbour counts. Row-standardised weights are w_ij = 1 / k_i.
        double links = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t k = 0;
            forEachNeighbour(grid, offsets, i, [&](std::size_t) { ++k; });
            inverseK[i] = k > 0 ? 1.0 / static_cast<double>(k) : 0.0;
            links += static_cast<double>(k);
        }
        // Pass 2: the cross-product and S0, S1, S2 (Cliff & Ord). The band is symmetric, so
        // w_ji = 1 / k_j for every link i-j.
        double cross = 0, s0 = 0, s1 = 0, s2 = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (inverseK[i] == 0) continue;
            double lag = 0, colSum = 0;
            forEachNeighbour(grid, offsets, i, [&](std::size_t j) {
                lag += z[j];
                colSum += inverseK[j];
                const double both = inverseK[i] + inverseK[j];
                s1 += both * both;
            });
            cross += z[i] * lag * inverseK[i];
            s0 += 1.0;
            s2 += (1.0 + colSum) * (1.0 + colSum);
        }
        s1 /= 2;
        IncrementalStep st;
        st.distanceM = band;
        st.meanNeighbours = links / static_cast<double>(n);
        st.moran = s0 > 0 ? moranFromSums(n, s0, s1, s2, cross, m2, m4, n - static_cast<std::size_t>(s0)) : GlobalTest{};
        result.steps.push_back(st);
    }
    std::vector<double> zs;
    for (const auto& st : result.steps) zs.push_back(st.moran.z);
    std::tie(result.firstPeak, result.maxPeak) = findPeaks(zs);
    return result;
}

std::pair<std::optional<std::size_t>, std::optional<std::size_t>> findPeaks(std::span<const double> z) {
    std::optional<std::size_t> first, highest;
    for (std::size_t k = 1; k + 1 < z.size(); ++k) {
        if (!(z[k] > z[k - 1]) || !(z[k] >= z[k + 1])) continue;
        if (!first) first = k;
        if (!highest || z[k] > z[*highest]) highest = k;
    }
    return {first, highest};
}

} // namespace trygg::stats
