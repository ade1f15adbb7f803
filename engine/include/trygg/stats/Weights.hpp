#pragma once
// Spatial weights in compressed sparse row form over the active cells of a grid: one module used
// by every statistic. Plain C++ on plain arrays.
#include "trygg/grid/Grid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trygg::stats {

// Row i's neighbours are index[offsets[i] .. offsets[i+1]) with weights weight[...]; an empty
// `weight` means every weight is 1 (binary weights).
struct Weights {
    std::vector<std::int64_t> offsets;  // size n + 1
    std::vector<std::int32_t> index;
    std::vector<double> weight;
    bool includesSelf = false;
    bool rowStandardised = false;
    std::string description;  // how they were made, for run_metadata

    std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
    std::size_t countOf(std::size_t i) const { return static_cast<std::size_t>(offsets[i + 1] - offsets[i]); }
    std::size_t linkCount() const { return index.size(); }
    bool binary() const { return weight.empty(); }
    double weightAt(std::int64_t k) const { return weight.empty() ? 1.0 : weight[static_cast<std::size_t>(k)]; }

    // Cells with no neighbour other than themselves.
    std::vector<std::int32_t> islands() const;
};

enum class WeightsKind { DistanceBand, InverseDistance, KNearest, Queen, Rook };

struct WeightsSpec {
    WeightsKind kind = WeightsKind::DistanceBand;
    double distanceM = 0;   // DistanceBand, InverseDistance: the band; 0 = the default band
    double power = 1.0;     // InverseDistance: w = 1 / d^power
    int k = 8;              // KNearest
    bool includeSelf = false;
    bool rowStandardise = false;
};

// Builds the weights `spec` describes over the grid's active cells. Cells outside the active set
// never count. The cell itself, when included, has weight 1 (before row standardisation).
// Throws InputError for impossible specs (k < 1, a band or power that is not positive).
Weights buildWeights(const grid::Grid& grid, const WeightsSpec& spec);

// Binary distance-band weights: the active cells whose centres lie within distanceM of each
// active cell's centre (relative tolerance 1e-9, as spdep::dnearneigh is usually called).
Weights distanceBand(const grid::Grid& grid, double distanceM, bool includeSelf);

// The default band of a lattice: the 3x3 block on a square grid (cell size x sqrt(2)), the six
// touching cells on a hex grid (the cell size, which is the centre spacing).
double defaultBandM(const grid::Lattice& lattice);

// Binary weights from neighbour lists (as polygon contiguity gives them), the item itself added
// first when includeSelf, row-standardised when asked.
Weights fromNeighbourLists(const std::vector<std::vector<std::int32_t>>& lists, bool includeSelf, bool rowStandardise,
                           std::string description);

// Divides each row by its sum, so that every row with neighbours sums to 1.
void rowStandardise(Weights& w);

std::string toString(WeightsKind kind);
std::optional<WeightsKind> parseWeightsKind(const std::string& text);

} // namespace trygg::stats
