#pragma once
// Permutation inference by conditional randomisation (Anselin 1995): the value at the cell is held
// fixed and its neighbours' values are drawn at random, without replacement, from the other n - 1
// cells.
//
// The reference distribution of a cell depends on nothing but its own value (which leaves the
// pool) and the multiset of its weights up to a positive factor: the n - 1 other values are the
// same multiset for every cell of that value. So the cells sharing both (on a grid of counts, all
// the interior cells of each count) share one reference sample of R draws, and each cell's p is
// its observed sum's place in it. Every cell's p is still a conditional permutation p with R
// draws; the Monte Carlo error of cells of one key is shared, as with PySAL's reuse of one draw
// across all cells (esda, crand). Each key and permutation draws from its own stream, derived from
// the seed and the key, so results are identical whatever the number of threads. Cost: R times k
// draws per distinct key instead of per cell, which makes national grids of millions of cells
// feasible (a 7.2-million-cell grid of Sweden: 819 s before, see scripts/bench-national).
#include "trygg/stats/Weights.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace trygg::stats {

struct PermutationSpec {
    int permutations = 999;
    std::uint64_t seed = 20230601;
    int threads = 0;  // 0: as many as the machine has
};

// The folded pseudo p-value of every cell for any statistic that rises with the weighted sum of
// the neighbours' values, sum_{j != i} w_ij x_j, at fixed x_i: Gi* and Gi, and local Moran's I
// (which rises or falls with it, by the sign of x_i - xbar; folding makes the direction moot).
//
//   p = (min(M_ge, M_le) + 1) / (R + 1)
//
// with R permutations and M_ge (M_le) those whose sum is at least (at most) the observed one: the
// smaller tail, as GeoDa, PySAL (p_sim) and ArcGIS Pro report it. NaN for cells with no neighbour
// other than themselves. Ties count in both tails, so with whole counts p can exceed 0.5.
// `checkCancelled` is called between blocks of cells.
// True when two weights give every cell the same pseudo p-values under the same seed: the same
// neighbours other than the cell itself, in the same order, with weights proportional row by row
// (a row-standardised queen and the binary 3x3 block, say). Then one permutation run serves both.
bool samePermutationTest(const Weights& a, const Weights& b);

std::vector<double> conditionalPermutationP(std::span<const double> values, const Weights& weights,
                                            const PermutationSpec& spec, const std::function<void()>& checkCancelled = {});

} // namespace trygg::stats
