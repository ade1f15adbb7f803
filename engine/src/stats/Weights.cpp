#include "trygg/stats/Weights.hpp"

#include <cmath>
#include <utility>

namespace trygg::stats {

Neighbours distanceBand(const grid::Grid& grid, double distanceM, bool includeSelf) {
    const grid::Lattice& lat = grid.lattice();
    // Offsets depend only on the row's parity (hex) or not at all (square).
    std::vector<std::pair<std::int64_t, std::int64_t>> offsets[2];
    for (int parity = 0; parity < 2; ++parity)
        lat.forEachOffsetWithin(distanceM, includeSelf, parity,
                                [&](std::int64_t dc, std::int64_t dr) { offsets[parity].emplace_back(dc, dr); });

    Neighbours nb;
    nb.includesSelf = includeSelf;
    const std::size_t n = grid.size();
    nb.offsets.resize(n + 1);
    nb.index.reserve(n * offsets[0].size());
    const std::int64_t cols = lat.cols(), rows = lat.rows();
    for (std::size_t i = 0; i < n; ++i) {
        nb.offsets[i] = static_cast<std::int64_t>(nb.index.size());
        const grid::CellIndex c = grid.cellIndex(i);
        const int parity = lat.shape() == grid::Shape::Hex ? static_cast<int>(c.row & 1) : 0;
        for (const auto& [dc, dr] : offsets[parity]) {
            const std::int64_t col = c.col + dc, row = c.row + dr;
            if (col < 0 || row < 0 || col >= cols || row >= rows) continue;
            const std::int32_t j = grid.activeOf(row * cols + col);
            if (j >= 0) nb.index.push_back(j);
        }
    }
    nb.offsets[n] = static_cast<std::int64_t>(nb.index.size());
    return nb;
}

double defaultBandM(const grid::Lattice& lattice) {
    return lattice.shape() == grid::Shape::Square ? lattice.cellSizeM() * std::sqrt(2.0) : lattice.cellSizeM();
}

} // namespace trygg::stats
