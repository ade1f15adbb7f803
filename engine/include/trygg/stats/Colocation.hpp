#pragma once
// The colocation quotient (Leslie & Kronenfeld 2011), for "are assaults found near bars": how
// often the nearest neighbour of an A is a B, against how often it would be if the labels were
// spread at random over the same points.
//
//   CLQ(A -> B) = (C(A -> B) / N_A) / (N'_B / (N - 1)),   N'_B = N_B - 1 when A is B, else N_B,
//
// C(A -> B) the A points whose nearest neighbour is a B; a point with k neighbours at the same
// nearest distance gives each 1/k (their tie rule). Above 1: A attracts B. Significance by random
// labelling: the labels are permuted over the points (the counts kept), R times, one stream per
// permutation; p_high = (#permutations with CLQ >= observed + 1) / (R + 1), p_low likewise with <=.
// Not yet part of the pipeline (issue 18).
#include <cstdint>
#include <span>
#include <vector>

namespace trygg::stats {

struct ColocationResult {
    double clq = 0;
    double pHigh = 1, pLow = 1;
    std::size_t nA = 0, nB = 0, n = 0;
};

// Each point's nearest neighbours (every one at the smallest distance, ascending), found through
// square buckets ring by ring.
std::vector<std::vector<std::uint32_t>> nearestNeighbours(std::span<const double> x, std::span<const double> y);

// The local colocation quotient of each A point (Cromley, Hanink & Bentley 2014; ArcGIS Pro's
// Colocation Analysis): the Gaussian-weighted share of B among its k nearest neighbours, over the
// share of B among the other points:
//   LCLQ(A_i -> B) = (sum_j w_ij [j is B] / sum_j w_ij) / (N'_B / (N - 1)),
//   w_ij = exp(-0.5 d_ij^2 / h_i^2), h_i the distance to its k-th nearest neighbour.
// NaN for points that are not A; ties at the k-th distance broken by point order. Its neighbours
// are still found by brute force (O(n²)): the buckets of nearestNeighbours are to come.
std::vector<double> localColocation(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> label,
                                    std::int32_t a, std::int32_t b, int k);

// `label` per point; A and B label values (equal for A -> A).
ColocationResult globalColocation(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> label,
                                  std::int32_t a, std::int32_t b, int permutations, std::uint64_t seed);

} // namespace trygg::stats
