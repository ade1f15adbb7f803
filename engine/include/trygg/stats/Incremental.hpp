#pragma once
// Incremental spatial autocorrelation: global Moran's I over a series of distance bands, to choose
// the scale of a hot spot analysis from the data (ArcGIS Pro's Incremental Spatial
// Autocorrelation, which its Optimized Hot Spot Analysis uses).
#include "trygg/grid/Grid.hpp"
#include "trygg/stats/Global.hpp"

#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace trygg::stats {

struct IncrementalStep {
    double distanceM = 0;
    GlobalTest moran;
    double meanNeighbours = 0;
};

struct IncrementalResult {
    std::vector<IncrementalStep> steps;
    std::optional<std::size_t> firstPeak;  // index into steps
    std::optional<std::size_t> maxPeak;
};

// Global Moran's I with row-standardised binary distance-band weights (ArcGIS's default for this
// tool) at startM, startM + stepM, ... (`count` bands), over the grid's active cells. The weights
// are streamed from the lattice, never stored, so wide bands on large grids stay cheap in memory.
// A peak is a band whose z-score is above the one before and not below the one after; the first
// and the highest peaks are reported, none when z only rises or only falls.
// The first and the highest peak of a series of z-scores: a point above the one before and not
// below the one after (the ends never count).
std::pair<std::optional<std::size_t>, std::optional<std::size_t>> findPeaks(std::span<const double> z);

IncrementalResult incrementalAutocorrelation(const grid::Grid& grid, std::span<const double> values, double startM,
                                             double stepM, int count, const std::function<void()>& checkCancelled = {});

} // namespace trygg::stats
