#pragma once
// Rates over areas of unequal populations.
#include <span>
#include <vector>

namespace trygg::stats {

// Empirical-Bayes smoothed rates (Marshall 1991, the global method; as spdep::EBest): each area's
// rate r_i = y_i / n_i is shrunk toward the overall rate m = sum y / sum n by
//   C_i = a / (a + m / n_i),   theta_i = m + C_i (r_i - m)
// with a = s^2 - m / nbar, s^2 = sum n_i (r_i - m)^2 / sum n_i, nbar the mean population, and a
// set to 0 when negative. Areas with no population give NaN. Rates are per person: multiply by
// 1,000 for rates per 1,000 residents.
std::vector<double> empiricalBayesRates(std::span<const double> events, std::span<const double> population);

} // namespace trygg::stats
