#include "Grid.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace trygg::pipeline::steps {
namespace {

// What one grid cell costs across the run's results (its index, share, counts, Gi*, local Moran,
// areas and output buffers), an upper estimate for the memory check before the grid is built.
constexpr double kBytesPerCell = 256.0;

} // namespace

GridStep buildGrid(const Config& cfg, const io::ReportSet& reports, const geom::Area* area, const Progress& progress) {
    const grid::Extent pointsExtent{*std::min_element(reports.x.begin(), reports.x.end()),
                                    *std::min_element(reports.y.begin(), reports.y.end()),
                                    *std::max_element(reports.x.begin(), reports.x.end()),
                                    *std::max_element(reports.y.begin(), reports.y.end())};
    double cellSizeM = cfg.grid.cellSizeM.value_or(0.0);
    if (!cfg.grid.cellSizeM) {
        cellSizeM = grid::autoCellSizeM(pointsExtent);
        if (!(cellSizeM > 0))
            throw InputError("grid.build: cannot choose a cell size automatically: the accepted reports lie on a "
                             "line or a single point. Give cell_size_m (--cell-size)");
    }
    const grid::Extent extent =
        area ? grid::Extent{area->bounds().minX, area->bounds().minY, area->bounds().maxX, area->bounds().maxY}
             : pointsExtent;
    const grid::Lattice lattice = grid::Lattice::cover(cfg.grid.shape, cellSizeM, extent, cfg.grid.alignment);
    if (lattice.cellCount() > cfg.grid.maxCells && !cfg.grid.force) {
        throw InputError(fmt::format(
            "grid.build: a {:g} m {} grid over {:.1f} x {:.1f} km needs {} cells, over the limit of {}. Use a larger "
            "cell size, or raise grid.max_cells (or pass --force) if the machine has the memory",
            cellSizeM, shapeName(cfg.grid.shape), extent.width() / 1000, extent.height() / 1000, lattice.cellCount(),
            cfg.grid.maxCells));
    }
    // Cells are indexed with 32 bits, and every cell costs memory in each result: refused even with
    // --force when the machine cannot hold them.
    if (lattice.cellCount() > std::numeric_limits<std::int32_t>::max())
        throw InputError(fmt::format("grid.build: a {:g} m grid over {:.1f} x {:.1f} km needs {} cells; Trygg counts "
                                     "at most {} cells in a grid. Use a larger cell size",
                                     cellSizeM, extent.width() / 1000, extent.height() / 1000, lattice.cellCount(),
                                     std::numeric_limits<std::int32_t>::max()));
    {
        const double latticeCells = static_cast<double>(lattice.cellCount());
        const double activeCells = area ? std::min(latticeCells, area->areaM2() / lattice.cellAreaM2() + 2.0 *
                                                   (lattice.cols() + lattice.rows())) : latticeCells;
        requireMemory("grid.build", fmt::format("a {:g} m grid of {} cells", cellSizeM, lattice.cellCount()),
                      latticeCells * 4.0 + activeCells * kBytesPerCell, "Use a larger cell size");
    }
    const std::vector<std::int64_t> pointCells = grid::cellsOfPoints(lattice, reports.x, reports.y);
    auto tick = [&](double f) { progress.update(f); };
    grid::Grid cells = [&] {
        if (area) return grid::Grid::fromShares(lattice, area->latticeShares(lattice, tick), pointCells, true);
        if (cfg.grid.shape == grid::Shape::Square) return grid::Grid::allCells(lattice);
        // Hexagons over the reports' extent: the cells whose bounding box overlaps it.
        return grid::Grid::overlapping(
            lattice,
            [&](std::span<const double> xs, std::span<const double> ys) {
                const auto [x0, x1] = std::minmax_element(xs.begin(), xs.end());
                const auto [y0, y1] = std::minmax_element(ys.begin(), ys.end());
                const bool overlaps = *x1 >= extent.minX && *x0 <= extent.maxX && *y1 >= extent.minY && *y0 <= extent.maxY;
                return overlaps ? 1.0 : 0.0;
            },
            pointCells, tick, false);
    }();
    return GridStep{cellSizeM, !cfg.grid.cellSizeM, extent, lattice, std::move(cells), pointCells, {}};
}

void countCells(GridStep& g, const io::ReportSet& reports) {
    g.counts = grid::countByCell(g.cells, g.pointCells, reports.category, reports.categories.size(), reports.weight);
    if (g.counts.unbinned > 0)
        throw Error(fmt::format("grid.count: {} accepted reports fell in no grid cell; this is a bug, please report it",
                                g.counts.unbinned));
}

} // namespace trygg::pipeline::steps
