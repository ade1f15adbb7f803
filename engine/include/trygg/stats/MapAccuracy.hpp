#pragma once
// How well a hotspot map made on one period finds the incidents of the next: the measures of
// predictive accuracy crime analysts use for hotspot maps.
//
//   hit rate  n / N: the share of the test period's incidents inside the map's hot area;
//   PAI       (n / N) / (a / A), the Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008):
//             the hit rate over the share of the study area the hot area takes;
//   PEI       n / n*, the Predictive Efficiency Index (Hunt 2016): PAI over the largest PAI an area
//             of the same size could have had, n* the test incidents in the same number of cells
//             chosen with hindsight (the cells that hold the most);
//   RRI       (n / n1) / (N / N1), the Recapture Rate Index (Levine 2008): the hot area's test
//             incidents over its training incidents, against the same ratio for the whole area
//             (above 1: the hot area held more of the later incidents than its share before).
// a and A are areas within the study area: cells count by their share inside it.
#include <cstdint>
#include <span>

namespace trygg::stats {

struct MapAccuracy {
    std::int64_t cells = 0;                 // the hot area's cells
    double areaShare = 0;                   // a / A
    std::int64_t trainIn = 0, trainAll = 0;  // n1, N1
    std::int64_t testIn = 0, testAll = 0;    // n, N
    std::int64_t bestIn = 0;                // n*
    double hitRate = 0, pai = 0, pei = 0, rri = 0;  // NaN where undefined (no test incidents, no area ...)
};

// Per cell: its area inside the study area, its training and test incidents, and whether it is in
// the map's hot area.
MapAccuracy mapAccuracy(std::span<const double> cellArea, std::span<const std::int64_t> train,
                        std::span<const std::int64_t> test, std::span<const char> hot);

} // namespace trygg::stats
