#pragma once
// Getis-Ord local statistics on plain arrays.
#include "trygg/stats/Weights.hpp"

#include <span>
#include <vector>

namespace trygg::stats {

// Getis-Ord Gi* (or Gi when the neighbours exclude the cell itself) as a z-score, with binary
// weights. Getis & Ord (1992), Ord & Getis (1995), eq. 14; ArcGIS Pro "How Hot Spot Analysis
// (Getis-Ord Gi*) works"; the same as spdep::localG:
//
//   G*_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1)))
//
// with xbar and S = sqrt(sum_j (x_j - xbar)^2 / n) over all n cells, W_i = sum_j w_ij and
// S1_i = sum_j w_ij^2 (both the neighbour count for binary weights). For Gi (self excluded) the
// mean and deviation are still taken over all n cells, as ArcGIS and spdep's Gi* do; note that
// Getis-Ord's Gi proper excludes x_i from them, which this function does not.
// A z-score is NaN where it is undefined: every value equal (S = 0), or a cell whose
// neighbourhood is the whole grid (n S1_i = W_i^2).
std::vector<double> getisOrdZ(std::span<const double> values, const Neighbours& neighbours);

// Two-sided p-value of a standard normal z: 2 (1 - Phi(|z|)). NaN stays NaN.
double twoSidedP(double z);

} // namespace trygg::stats
