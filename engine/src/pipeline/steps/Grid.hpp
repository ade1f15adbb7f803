#pragma once
// grid.build and grid.count: the lattice over the study area (or the reports' extent), the cells
// that take part, and the incidents per cell. Internal to the pipeline.
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"
#include "trygg/core/Progress.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/grid/Grid.hpp"
#include "trygg/io/ReportReader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace trygg::pipeline::steps {

struct GridStep {
    double cellSizeM = 0;
    bool automatic = false;
    grid::Extent extent;
    grid::Lattice lattice;
    grid::Grid cells;
    std::vector<std::int64_t> pointCells;  // lattice cell of each accepted report
    grid::CellCounts counts;               // filled by countCells
};

// The bounds of the lattice's cells: whole cells, at multiples of the cell size when snapped.
inline grid::Extent latticeBounds(const grid::Lattice& l) { return l.blockBounds(0, l.cols(), 0, l.rows()); }

inline std::string shapeName(grid::Shape s) { return s == grid::Shape::Square ? "square" : "hex"; }

// grid.build: the lattice over the study area (or the reports' extent) and the cells that take part.
GridStep buildGrid(const Config& cfg, const io::ReportSet& reports, const geom::Area* area, const Progress& progress);

// grid.count: incidents per cell, per category, and weight sums.
void countCells(GridStep& g, const io::ReportSet& reports);

} // namespace trygg::pipeline::steps
