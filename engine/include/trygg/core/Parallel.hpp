#pragma once
// Work split over threads so that the result never depends on how many there are, and random
// streams that go with it: each unit of work (a cell, a permutation) draws from its own stream,
// derived from the run's seed and the unit's number.
#include <cstddef>
#include <cstdint>
#include <functional>

namespace trygg {

// Runs body(begin, end, thread) over [0, n) in blocks of `block`, handed out in turn to `threads`
// threads (0: as many as the machine has; thread 0 is the caller's). The caller's thread calls
// `checkCancelled` between its blocks; the first exception anywhere stops the others and is
// rethrown once every thread is joined. Which thread takes a block changes no result as long as
// each block writes only its own outputs (or thread-local ones, combined in a fixed order).
void parallelBlocks(std::size_t n, std::size_t block, int threads, const std::function<void()>& checkCancelled,
                    const std::function<void(std::size_t begin, std::size_t end, unsigned thread)>& body);

// The threads parallelBlocks runs for `threads` (0: the machine's).
unsigned threadCount(int threads);

// SplitMix64 (Steele, Lea & Flood 2014): a small, fast generator with good statistical quality.
struct SplitMix64 {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound) by Lemire's multiply-shift; the bias is below bound / 2^64.
    std::uint64_t below(std::uint64_t bound) {
        __extension__ typedef unsigned __int128 Uint128;
        return static_cast<std::uint64_t>((static_cast<Uint128>(next()) * bound) >> 64);
    }
};

// The seed of unit `unit`'s own stream under the run's `seed`.
inline std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t unit) {
    SplitMix64 g{seed ^ (0xD1B54A32D192ED03ULL * (unit + 1))};
    return g.next();
}

} // namespace trygg
