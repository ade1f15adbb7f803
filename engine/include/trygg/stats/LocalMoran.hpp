#pragma once
// Anselin's local Moran's I (LISA), for cluster and outlier analysis.
#include "trygg/stats/Weights.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace trygg::stats {

// Which quadrant of the Moran scatterplot a cell falls in: its own deviation from the mean and
// its neighbours' (the spatial lag of the deviations).
enum class Quadrant : std::int8_t { None = 0, HighHigh = 1, LowLow = 2, HighLow = 3, LowHigh = 4 };

struct LocalMoran {
    std::vector<double> index;  // I_i
    std::vector<double> z;      // (I_i - E[I_i]) / sqrt(Var[I_i])
    std::vector<double> p;      // two-sided, standard normal
    std::vector<Quadrant> quadrant;
};

// Local Moran's I (Anselin 1995) with the moments of conditional randomisation (Sokal, Oden &
// Thomson 1998), exactly as spdep::localmoran with its defaults (mlvar = TRUE, conditional = TRUE):
//
//   z_i = x_i - xbar,  m2 = sum z^2 / n,  I_i = z_i / m2 * sum_j w_ij z_j
//   E[I_i]   = -z_i^2 W_i / ((n - 1) m2)
//   Var[I_i] = (z_i / m2)^2 n / (n - 2) (S1_i - W_i^2 / (n - 1)) (m2 - z_i^2 / (n - 1))
//
// with W_i = sum_j w_ij and S1_i = sum_j w_ij^2. These moments hold x_i fixed, as the permutation
// test does. (PySAL scales m2 by n - 1 instead of n; ArcGIS Pro uses the total-randomisation
// moments of Anselin 1995. The sign and ranking of I_i agree with both.) The weights must not
// include the cell itself. z and p are NaN where Var is 0 (no neighbours, or x_i at the mean).
LocalMoran localMoran(std::span<const double> values, const Weights& weights);

const char* toString(Quadrant q);  // "HH", "LL", "HL", "LH", ""

} // namespace trygg::stats
