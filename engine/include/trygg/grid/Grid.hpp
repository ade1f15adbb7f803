#pragma once
// The cells of a lattice that take part in an analysis, and point binning.
#include "trygg/grid/Lattice.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

namespace trygg::grid {

// The cells of a lattice that overlap the study area ("active" cells), numbered 0..size()-1 in
// lattice order (row by row from the bottom). Cells outside take no part in any statistic.
class Grid {
public:
    // Every cell of the lattice, for an analysis over the points' extent without a study area.
    static Grid allCells(const Lattice& lattice);

    // The cells whose share inside the study area is positive, plus any cell listed in
    // `mustKeep` (linear indices: cells holding accepted points on the area's boundary).
    // `shareOf` returns the share of a cell's ring (closed x/y coordinate lists) inside the area.
    // `progressEvery` is called with the fraction done every few thousand cells. With recordShare
    // false, shareInside() stays empty (the share is only a selection rule).
    using ShareFn = std::function<double(std::span<const double> xs, std::span<const double> ys)>;
    static Grid overlapping(const Lattice& lattice, const ShareFn& shareOf, std::span<const std::int64_t> mustKeep,
                            const std::function<void(double)>& progressEvery, bool recordShare);

    // The same from shares computed for the whole lattice at once: (linear index, share > 0)
    // sorted by linear index, as geom::Area::latticeShares gives them.
    static Grid fromShares(const Lattice& lattice, std::span<const std::pair<std::int64_t, double>> shares,
                           std::span<const std::int64_t> mustKeep, bool recordShare);

    const Lattice& lattice() const { return m_lattice; }
    std::size_t size() const { return m_linear.size(); }
    std::int64_t linearIndex(std::size_t cell) const { return m_linear[cell]; }
    CellIndex cellIndex(std::size_t cell) const { return m_lattice.cellAt(m_linear[cell]); }
    // Active cell number of a lattice cell, or -1 when the cell takes no part.
    std::int32_t activeOf(std::int64_t linearIndex) const {
        return linearIndex < 0 ? -1 : m_activeOf[static_cast<std::size_t>(linearIndex)];
    }
    // Share of the cell's area inside the study area; empty when there is no study area.
    const std::vector<double>& shareInside() const { return m_share; }

private:
    explicit Grid(const Lattice& lattice) : m_lattice(lattice) {}
    Lattice m_lattice;
    std::vector<std::int64_t> m_linear;
    std::vector<std::int32_t> m_activeOf;
    std::vector<double> m_share;
};

// The lattice cell (linear index) of each point, -1 for points outside the lattice.
std::vector<std::int64_t> cellsOfPoints(const Lattice& lattice, std::span<const double> xs,
                                        std::span<const double> ys);

// Counts per active cell.
struct CellCounts {
    std::vector<std::uint32_t> n;            // incidents per cell
    std::vector<std::uint32_t> byCategory;   // [cell * categoryCount + k]
    std::vector<double> weightSum;           // per cell, when weights were given
    std::size_t categoryCount = 0;
    std::size_t unbinned = 0;                // points in no active cell
};

// Counts points into `itemCount` items (cells, areas): `itemOfPoint` gives each point's item, or
// a negative number for none (counted in `unbinned`).
CellCounts countByItem(std::span<const std::int64_t> itemOfPoint, std::size_t itemCount,
                       std::span<const std::int32_t> categories, std::size_t categoryCount,
                       std::span<const double> weights);

// Counts points into the grid's active cells. `categories` (one per point, -1 for none, values
// below categoryCount) and `weights` may be empty.
CellCounts countByCell(const Grid& grid, std::span<const std::int64_t> pointCells,
                       std::span<const std::int32_t> categories, std::size_t categoryCount,
                       std::span<const double> weights);

} // namespace trygg::grid
