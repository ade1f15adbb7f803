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
#include <cstdint>
#include <span>
#include <vector>

namespace trygg::stats {

struct ColocationResult {
    double clq = 0;
    double pHigh = 1, pLow = 1;
    std::size_t nA = 0, nB = 0, n = 0;
    // The A points with a B among their nearest neighbours: C(A -> B) without ties. The quotient
    // gives C back (C = CLQ x N_A x N'_B / (N - 1)), so a publisher treats this as a count.
    std::size_t nearB = 0;
};

// Each point's nearest neighbours (every one at the smallest distance, ascending), found through
// square buckets ring by ring.
std::vector<std::vector<std::uint32_t>> nearestNeighbours(std::span<const double> x, std::span<const double> y);

// Each of the points `of`'s k nearest other points, nearest first (ties broken by point number,
// as a sort of (distance, point) breaks them), through square buckets ring by ring.
std::vector<std::vector<std::uint32_t>> nearestK(std::span<const double> x, std::span<const double> y, int k,
                                                 std::span<const std::uint32_t> of);

// The local colocation quotient of each A point (Cromley, Hanink & Bentley 2014; ArcGIS Pro's
// Colocation Analysis): the Gaussian-weighted share of B among its k nearest neighbours, over the
// share of B among the other points:
//   LCLQ(A_i -> B) = (sum_j w_ij [j is B] / sum_j w_ij) / (N'_B / (N - 1)),
//   w_ij = exp(-0.5 d_ij^2 / h_i^2), h_i the distance to its k-th nearest neighbour.
// Significance by conditional permutation (as ArcGIS): the other points' labels are permuted with
// the point's own held, R times, one stream per point and permutation; p_high and p_low as the
// global test's. NaN for points that are not A.
struct LocalColocation {
    double lclq, pHigh, pLow;
};
std::vector<LocalColocation> localColocation(std::span<const double> x, std::span<const double> y,
                                             std::span<const std::int32_t> label, std::int32_t a, std::int32_t b, int k,
                                             int permutations = 0, std::uint64_t seed = 0, int threads = 1);

// `label` per point; A and B label values (equal for A -> A).
ColocationResult globalColocation(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> label,
                                  std::int32_t a, std::int32_t b, int permutations, std::uint64_t seed);

} // namespace trygg::stats
