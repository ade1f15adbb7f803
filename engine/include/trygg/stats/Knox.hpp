#pragma once
// The Knox test for space-time clustering (Knox 1964), as criminology's near-repeat analysis uses
// it: Ratcliffe's Near Repeat Calculator and Steenbeek's R package NearRepeat. Every pair of events
// is put in a distance band and a time band; the count of pairs in each band pair is compared with
// its distribution when the events' times are permuted among them (Monte Carlo), which keeps
// where events happen and when, and breaks only the link between the two.
//
// As NearRepeat computes it (its defaults, `right = FALSE`): bands are intervals [b_k, b_k+1) of
// the breaks given, a pair outside every band is not counted; the spatial distance is Manhattan
// (|dx| + |dy|, "a fair approximation of the distance travelled by a road network") or Euclidean;
// the time distance is whole days between the events' dates. Per band pair:
//   observed   the pairs;
//   expected   their mean over the permutations;
//   knox_ratio observed / expected;
//   p          (permutations with at least the observed count + 1) / (permutations + 1).
// A first distance band [0, 0.001) holds the same-location repeats apart (NearRepeat's example).
//
// Each permutation draws from its own random stream (the seed and its number), so the result is
// the same whatever the number of threads. Only pairs closer than the last finite distance break
// are visited per permutation: the time distances of all pairs together do not change when the
// times are permuted, so a last band up to infinity is each time band's total less the nearer ones.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace trygg::stats {

struct KnoxSpec {
    // Distance breaks in metres (the last may be infinity) and time breaks in days, increasing.
    std::vector<double> distanceBreaks;
    std::vector<double> dayBreaks;
    bool manhattan = true;  // else Euclidean
    int permutations = 999;
    std::uint64_t seed = 20230601;
    int threads = 0;
    // The most pairs closer than the last finite distance break it takes on (0: no limit); above
    // it, knoxTest throws InputError before allocating them.
    std::int64_t maxPairs = 0;
};

struct KnoxResult {
    std::size_t distanceBands = 0, timeBands = 0;
    // Per band pair, distance band major: [d * timeBands + t].
    std::vector<std::int64_t> observed;
    std::vector<double> expected, ratio, p;
    std::size_t events = 0;
    std::int64_t pairsVisited = 0;  // the pairs closer than the last finite distance break

    std::size_t at(std::size_t d, std::size_t t) const { return d * timeBands + t; }
};

// `x`, `y` in metres, `day` the events' calendar days. Throws InputError on breaks that are not
// increasing or fewer than two, or fewer than 1 permutation. `checkCancelled` is called between
// blocks of permutations.
KnoxResult knoxTest(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> day,
                    const KnoxSpec& spec, const std::function<void()>& checkCancelled = {});

// Permutation k of n events as knoxTest draws it: event i takes the time of event perm[i]. For
// checks against another implementation given the same permutations.
std::vector<std::uint32_t> knoxPermutation(std::size_t n, std::uint64_t seed, int k);

// The pair counts per band pair of events at (x, y) on days `day` (no permutation): the observed
// table alone, by brute force over every pair. For tests and small sets.
std::vector<std::int64_t> knoxCounts(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> day,
                                     const KnoxSpec& spec);

} // namespace trygg::stats
