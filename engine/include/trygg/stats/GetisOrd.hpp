#pragma once
// Getis-Ord local statistics on plain arrays.
#include "trygg/stats/Weights.hpp"

#include <span>
#include <vector>

namespace trygg::stats {

// Getis-Ord Gi* as a z-score, the cell itself among its neighbours:
// Ord & Getis (1995) eq. 14; ArcGIS Pro "How Hot Spot Analysis (Getis-Ord Gi*) works"; the same
// as spdep::localG with include.self():
//
//   G*_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1)))
//
// with xbar and S = sqrt(sum_j x_j^2 / n - xbar^2) over all n cells, W_i = sum_j w_ij and
// S1_i = sum_j w_ij^2 (both the neighbour count for binary weights). Any weights serve.
//
// When the neighbour lists exclude the cell itself this is Getis-Ord Gi (Getis & Ord 1992),
// whose mean and variance leave x_i out, as spdep::localG does:
//
//   G_i = (sum_{j!=i} w_ij x_j - xbar_i W_i) / (s_i sqrt(((n-1) S1_i - W_i^2) / (n - 2)))
//   xbar_i = (sum_j x_j - x_i) / (n - 1),  s_i^2 = (sum_j x_j^2 - x_i^2) / (n - 1) - xbar_i^2
//
// A z-score is NaN where it is undefined: no variation (S = 0), or a cell whose neighbourhood is
// the whole grid.
std::vector<double> getisOrdZ(std::span<const double> values, const Weights& neighbours);

// Two-sided p-value of a standard normal z: 2 (1 - Phi(|z|)). NaN stays NaN.
double twoSidedP(double z);

} // namespace trygg::stats
