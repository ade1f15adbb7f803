#pragma once
// Global tests of spatial pattern, for the run summary and run_metadata.
#include "trygg/stats/Weights.hpp"

#include <functional>
#include <span>
#include <string>

namespace trygg::stats {

struct GlobalTest {
    double statistic = 0;
    double expected = 0;
    double variance = 0;
    double z = 0;
    double p = 0;  // two-sided, standard normal
    // Why the test could not be computed on these data ("fewer than two cells hold reports"); ""
    // when it was. The numbers are then meaningless and never written.
    std::string notComputed;
    bool computed() const { return notComputed.empty(); }
};

// Global Moran's I under the randomisation assumption (Cliff & Ord 1981), as
// spdep::moran.test(randomisation = TRUE) with its default adjust.n = TRUE:
//   I = n' / S0 * sum_ij w_ij z_i z_j / sum_i z_i^2,  E[I] = -1 / (n' - 1)
//   Var[I] = (n' ((n'^2 - 3n' + 3) S1 - n' S2 + 3 S0^2) - b2 ((n'^2 - n') S1 - 2n' S2 + 6 S0^2))
//            / ((n' - 1)(n' - 2)(n' - 3) S0^2) - E[I]^2,   b2 = n sum z^4 / (sum z^2)^2
// where n' counts the cells with at least one neighbour, and n, the mean and z are over every
// cell. Without isolated cells n' = n. Not computed when n' < 4.
GlobalTest globalMoran(std::span<const double> values, const Weights& weights);

// The same from its sums: S0, S1, S2 of the weights, cross = sum_ij w_ij z_i z_j, m2 = sum z^2,
// m4 = sum z^4 (z the deviations from the mean over all n cells), and the number of cells
// without a neighbour, for callers that stream the weights.
GlobalTest moranFromSums(std::size_t n, double s0, double s1, double s2, double cross, double m2, double m4,
                         std::size_t isolated);

// Getis-Ord General G (Getis & Ord 1992) under randomisation, as spdep::globalG.test with its
// defaults adjust.n = TRUE and adjust.x = TRUE:
//   G = sum_{i != j} w_ij x_i x_j / sum_{i != j} x_i x_j,  E[G] = S0 / (n (n - 1))
// and the variance of Getis & Ord's eq. 13 (the B0..B4 terms), where n and the sums of x are
// over the cells with a neighbour other than themselves. Values must be non-negative; self
// weights are ignored. Not computed when fewer than 4 cells have a neighbour.
GlobalTest generalG(std::span<const double> values, const Weights& weights);

// Clark & Evans (1954) nearest-neighbour index of points in a study area of `areaM2`:
//   R = mean NN distance / (0.5 sqrt(A / n)),  SE = 0.26136 sqrt(A) / n,  z = (r_obs - r_exp) / SE
// R near 1 for complete spatial randomness, below 1 when clustered, 2.149 for a triangular
// lattice. No edge correction. statistic holds R; expected holds r_exp in metres.
// `checkCancelled` is called between blocks of 65,536 points.
GlobalTest clarkEvans(std::span<const double> xs, std::span<const double> ys, double areaM2,
                      const std::function<void()>& checkCancelled = {});

} // namespace trygg::stats
