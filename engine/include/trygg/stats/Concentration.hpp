#pragma once
// How concentrated incidents are: the share held by the busiest cells, and the least area that
// holds half of them.
#include <span>
#include <vector>

namespace trygg::stats {

struct Concentration {
    std::vector<double> topPercent;       // e.g. 1, 5, 10
    std::vector<double> shareOfIncidents; // held by the top `topPercent` % of cells (by count)
    double areaShareForHalf = 0;          // the least share of the area holding half the incidents
};

// `counts` per cell and `areas` per cell (any unit; the area inside the study area). The top cells
// are the most-counted, ties broken by the denser; the least area for half ranks cells by density
// (count / area) and takes whole cells until half the incidents are reached.
Concentration concentration(std::span<const double> counts, std::span<const double> areas,
                            const std::vector<double>& topPercent = {1, 5, 10});

} // namespace trygg::stats
