#pragma once
// Spatial weights in compressed sparse row form, over the active cells of a grid.
#include "trygg/grid/Grid.hpp"

#include <cstdint>
#include <vector>

namespace trygg::stats {

// Binary neighbour lists: the neighbours of cell i are index[offsets[i] .. offsets[i+1]).
struct Neighbours {
    std::vector<std::int64_t> offsets;  // size n + 1
    std::vector<std::int32_t> index;
    bool includesSelf = false;

    std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
    std::size_t countOf(std::size_t i) const { return static_cast<std::size_t>(offsets[i + 1] - offsets[i]); }
    std::size_t linkCount() const { return index.size(); }
};

// Binary distance-band weights: the active cells whose centres lie within distanceM of each
// active cell's centre (relative tolerance 1e-9, as spdep::dnearneigh is usually called), the
// cell itself included when includeSelf. Cells outside the grid's active set never count.
Neighbours distanceBand(const grid::Grid& grid, double distanceM, bool includeSelf);

// The default band of the foundation analysis: the 3x3 block on a square grid (cell size x
// sqrt(2)), the six touching cells on a hex grid (the cell size, which is the centre spacing).
double defaultBandM(const grid::Lattice& lattice);

} // namespace trygg::stats
