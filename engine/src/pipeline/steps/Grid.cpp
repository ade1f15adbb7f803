#include "Grid.hpp"
#include "../Step.hpp"

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

namespace {

class GridBuild final : public Step {
public:
    GridBuild() : Step("grid.build", StepCost{0.02, 0, 5e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        if (!a.cfg.grid.enabled) return;
        const RunSummary& s = a.summary;
        lines.push_back(fmt::format("Grid: {} cells of {:g} m{}{}", s.cells, s.cellSizeM,
                                    s.cellSizeAutomatic ? " (automatic)" : "",
                                    s.hasStudyArea ? "" : ", over the reports' extent (no study area given)"));
    }
    std::vector<const char*> configTables() const override { return {"grid"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("grid", "must be a table ([grid])");
        if (!t) return;
        t->onlyKnown({"enabled", "shape", "cell_size_m", "align", "max_cells", "force"});
        if (auto v = t->boolean("enabled")) cfg.grid.enabled = *v;
        if (auto v = t->str("shape")) {
            if (*v == "square") cfg.grid.shape = grid::Shape::Square;
            else if (*v == "hex") cfg.grid.shape = grid::Shape::Hex;
            else t->fail("shape", "'" + *v + "' is not \"square\" or \"hex\"");
        }
        cfg.grid.cellSizeM = t->number("cell_size_m", {"auto"});
        if (auto v = t->str("align")) {
            if (*v == "snapped") cfg.grid.alignment = grid::Alignment::Snapped;
            else if (*v == "extent") cfg.grid.alignment = grid::Alignment::Extent;
            else t->fail("align", "'" + *v + "' is not \"snapped\" or \"extent\"");
        }
        if (auto v = t->number("max_cells")) {
            if (!(*v >= 1 && *v <= 1e12)) t->fail("max_cells", "must be from 1 to 10^12");
            cfg.grid.maxCells = static_cast<std::int64_t>(*v);
        }
        if (auto v = t->boolean("force")) cfg.grid.force = *v;
    }
    bool enabled(const Analysis&) const override { return true; }
    void run(Analysis& a, const Progress& progress) const override {
        const GridStep& g = a.results.put(buildGrid(a.cfg, a.reports, a.area(), progress));
        a.summary.cellSizeM = g.cellSizeM;
        a.summary.cellSizeAutomatic = g.automatic;
        a.summary.cells = g.cells.size();
        a.summary.hasGrid = a.cfg.grid.enabled;
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const GridStep& g = a.results.get<GridStep>(name());
        const Config& cfg = a.cfg;
        md.add("grid.shape", shapeName(cfg.grid.shape));
        md.add("grid.cell_size_m", fmt::format("{:g}", g.cellSizeM));
        md.add("grid.cell_size_rule", g.automatic ? "automatic: 1/50 of the shorter side of the reports' extent, "
                                                    "floored to 100 m (sfhotspot's rule)"
                                                  : "given");
        md.add("grid.alignment", cfg.grid.alignment == grid::Alignment::Snapped
                                     ? "snapped: cell edges at whole multiples of the cell size"
                                     : "extent: origin at the lower-left corner of the extent (as sf::st_make_grid)");
        if (a.publishing()) {
            const grid::Extent b = latticeBounds(g.lattice);  // never the extreme reports' coordinates
            md.add("grid.extent", fmt::format("{:.0f},{:.0f},{:.0f},{:.0f} (the grid's cells; publishing mode)", b.minX,
                                              b.minY, b.maxX, b.maxY));
        } else {
            md.add("grid.extent", fmt::format("{:.3f},{:.3f},{:.3f},{:.3f}", g.extent.minX, g.extent.minY,
                                              g.extent.maxX, g.extent.maxY));
        }
        md.add("grid.lattice", fmt::format("{} cols x {} rows", g.lattice.cols(), g.lattice.rows()));
        md.add("grid.cells", std::to_string(g.cells.size()));
        md.add("grid.point_on_edge_rule",
               "half-open cells: a report on a shared edge counts in the cell to its right/above");
    }
};

class GridCount final : public Step {
public:
    GridCount() : Step("grid.count", StepCost{0.01, 4e-8}) {}
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis&) const override { return true; }
    void run(Analysis& a, const Progress&) const override { countCells(a.results.get<GridStep>(name()), a.reports); }
};

} // namespace

const Step& gridBuild() {
    static const GridBuild step;
    return step;
}
const Step& gridCount() {
    static const GridCount step;
    return step;
}

} // namespace trygg::pipeline::steps
