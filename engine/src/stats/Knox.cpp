#include "trygg/stats/Knox.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace trygg::stats {
namespace {

void checkBreaks(const std::vector<double>& b, const char* what) {
    if (b.size() < 2) throw InputError(fmt::format("near repeats: the {} breaks need at least two values", what));
    if (!(b.front() >= 0)) throw InputError(fmt::format("near repeats: the {} breaks must start at 0 or above", what));
    for (std::size_t k = 1; k < b.size(); ++k)
        if (!(b[k] > b[k - 1]))
            throw InputError(fmt::format("near repeats: the {} breaks must increase ({:g} after {:g})", what, b[k], b[k - 1]));
    for (std::size_t k = 0; k + 1 < b.size(); ++k)
        if (!std::isfinite(b[k])) throw InputError(fmt::format("near repeats: only the last {} break may be infinite", what));
}

// The band [b_k, b_k+1) holding v, or -1.
int bandOf(const std::vector<double>& b, double v) {
    if (!(v >= b.front()) || !(v < b.back())) return -1;
    return static_cast<int>(std::upper_bound(b.begin(), b.end(), v) - b.begin()) - 1;
}

double distance(const KnoxSpec& s, double dx, double dy) {
    return s.manhattan ? std::abs(dx) + std::abs(dy) : std::hypot(dx, dy);
}

// Pairs (i < j) of sorted whole days less than `limit` apart.
std::int64_t pairsCloserThan(const std::vector<std::int64_t>& sorted, double limit) {
    if (!(limit > 0)) return 0;
    std::int64_t count = 0;
    std::size_t i = 0;
    for (std::size_t j = 0; j < sorted.size(); ++j) {
        while (static_cast<double>(sorted[j] - sorted[i]) >= limit) ++i;
        count += static_cast<std::int64_t>(j - i);
    }
    return count;
}

} // namespace

std::vector<std::uint32_t> knoxPermutation(std::size_t n, std::uint64_t seed, int k) {
    std::vector<std::uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    SplitMix64 rng{streamSeed(seed, static_cast<std::uint64_t>(k))};
    for (std::size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);  // Fisher-Yates
    return perm;
}

std::vector<std::int64_t> knoxCounts(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> day,
                                     const KnoxSpec& spec) {
    checkBreaks(spec.distanceBreaks, "distance");
    checkBreaks(spec.dayBreaks, "time");
    const std::size_t nd = spec.distanceBreaks.size() - 1, nt = spec.dayBreaks.size() - 1;
    std::vector<std::int64_t> out(nd * nt, 0);
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            const int d = bandOf(spec.distanceBreaks, distance(spec, x[i] - x[j], y[i] - y[j]));
            const int t = bandOf(spec.dayBreaks, static_cast<double>(std::abs(day[i] - day[j])));
            if (d >= 0 && t >= 0) ++out[static_cast<std::size_t>(d) * nt + static_cast<std::size_t>(t)];
        }
    return out;
}

KnoxResult knoxTest(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> day,
                    const KnoxSpec& spec, const std::function<void()>& checkCancelled) {
    checkBreaks(spec.distanceBreaks, "distance");
    checkBreaks(spec.dayBreaks, "time");
    if (spec.permutations < 1) throw InputError("near repeats: the number of permutations must be at least 1");
    if (x.size() != y.size() || x.size() != day.size()) throw Error("near repeats: x, y and day differ in length");
    const std::vector<double>& db = spec.distanceBreaks;
    const std::size_t nd = db.size() - 1, nt = spec.dayBreaks.size() - 1, n = x.size();
    KnoxResult r;
    r.distanceBands = nd;
    r.timeBands = nt;
    r.events = n;
    r.observed.assign(nd * nt, 0);
    // The pairs visited per permutation: closer than the last finite break. With an infinite last
    // band, every farther pair is in it, and it is found by difference.
    const bool openEnd = std::isinf(db.back());
    const double reach = openEnd ? db[db.size() - 2] : db.back();
    // The visited pairs (i < j) as rows per i: each i's partners and their distance bands (-1:
    // nearer than the first break), so a permutation reads event i's day once per row.
    std::vector<std::size_t> rowStart(n + 1, 0);
    std::vector<std::uint32_t> partner;
    std::vector<std::int8_t> band;
    if (reach > 0 && n > 1) {
        // Events in square buckets of the reach: a pair closer than it lies in neighbouring buckets.
        const auto key = [&](std::int64_t bx, std::int64_t by) { return (bx << 32) ^ (by & 0xffffffff); };
        std::unordered_map<std::int64_t, std::vector<std::uint32_t>> buckets;
        std::vector<std::int64_t> bx(n), by(n);
        for (std::size_t i = 0; i < n; ++i) {
            bx[i] = static_cast<std::int64_t>(std::floor(x[i] / reach));
            by[i] = static_cast<std::int64_t>(std::floor(y[i] / reach));
            buckets[key(bx[i], by[i])].push_back(static_cast<std::uint32_t>(i));
        }
        const auto visit = [&](const auto& onPair) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::int64_t ox = -1; ox <= 1; ++ox)
                    for (std::int64_t oy = -1; oy <= 1; ++oy) {
                        const auto it = buckets.find(key(bx[i] + ox, by[i] + oy));
                        if (it == buckets.end()) continue;
                        for (std::uint32_t j : it->second) {
                            if (j <= i) continue;
                            const double d = distance(spec, x[i] - x[j], y[i] - y[j]);
                            if (d < reach) onPair(i, j, d);
                        }
                    }
        };
        std::int64_t count = 0;
        visit([&](std::size_t i, std::uint32_t, double) { ++count, ++rowStart[i + 1]; });
        if (spec.maxPairs > 0 && count > spec.maxPairs)
            throw InputError(fmt::format("near repeats: {} pairs of events lie within {:g} m of each other, more than the "
                                         "{} this run takes on; use narrower distance bands or fewer reports",
                                         count, reach, spec.maxPairs));
        for (std::size_t i = 0; i < n; ++i) rowStart[i + 1] += rowStart[i];
        partner.resize(static_cast<std::size_t>(count));
        band.resize(static_cast<std::size_t>(count));
        std::vector<std::size_t> fill(rowStart.begin(), rowStart.end() - 1);
        visit([&](std::size_t i, std::uint32_t j, double d) {
            partner[fill[i]] = j;
            band[fill[i]++] = static_cast<std::int8_t>(bandOf(db, d));
        });
    }
    r.pairsVisited = static_cast<std::int64_t>(partner.size());
    // Each time band's pairs over all distances: the same under every permutation.
    std::vector<std::int64_t> sortedDays(day.begin(), day.end());
    std::sort(sortedDays.begin(), sortedDays.end());
    std::vector<std::int64_t> timeTotal(nt, 0);
    const std::int64_t allPairs = static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - (n > 0)) / 2;
    for (std::size_t t = 0; t < nt; ++t) {
        const double lo = spec.dayBreaks[t], hi = spec.dayBreaks[t + 1];
        timeTotal[t] = (std::isinf(hi) ? allPairs : pairsCloserThan(sortedDays, hi)) - pairsCloserThan(sortedDays, lo);
    }
    // The time band of every whole-day distance that can occur.
    const std::int64_t span = n > 0 ? sortedDays.back() - sortedDays.front() : 0;
    std::vector<std::int8_t> timeBand(static_cast<std::size_t>(span + 1));
    for (std::int64_t dt = 0; dt <= span; ++dt)
        timeBand[static_cast<std::size_t>(dt)] = static_cast<std::int8_t>(bandOf(spec.dayBreaks, static_cast<double>(dt)));

    // One table of the pairs with the given days: the visited pairs, then the open band by difference.
    const auto table = [&](const auto& dayOf, std::vector<std::int64_t>& out, std::vector<std::int64_t>& nearPerTime) {
        std::fill(out.begin(), out.end(), 0);
        std::fill(nearPerTime.begin(), nearPerTime.end(), 0);
        for (std::size_t i = 0; i + 1 < rowStart.size(); ++i) {
            const std::int64_t di = dayOf(static_cast<std::uint32_t>(i));
            for (std::size_t k = rowStart[i]; k < rowStart[i + 1]; ++k) {
                const std::int64_t dt = std::abs(di - dayOf(partner[k]));
                const int t = timeBand[static_cast<std::size_t>(dt)];
                if (t < 0) continue;
                ++nearPerTime[static_cast<std::size_t>(t)];
                if (band[k] >= 0) ++out[static_cast<std::size_t>(band[k]) * nt + static_cast<std::size_t>(t)];
            }
        }
        if (openEnd)
            for (std::size_t t = 0; t < nt; ++t) out[(nd - 1) * nt + t] = timeTotal[t] - nearPerTime[t];
    };
    std::vector<std::int64_t> nearPerTime(nt);
    table([&](std::uint32_t i) { return day[i]; }, r.observed, nearPerTime);

    // The permutations, each on its own stream; per thread sums, added in thread order.
    const unsigned threads = threadCount(spec.threads);
    struct Acc {
        std::vector<std::int64_t> sum, atLeast, counts, near;
        std::vector<std::int64_t> permuted;
    };
    std::vector<Acc> acc(threads);
    for (auto& a : acc) {
        a.sum.assign(nd * nt, 0);
        a.atLeast.assign(nd * nt, 0);
        a.counts.assign(nd * nt, 0);
        a.near.assign(nt, 0);
        a.permuted.resize(n);
    }
    parallelBlocks(static_cast<std::size_t>(spec.permutations), 4, spec.threads, checkCancelled,
                   [&](std::size_t begin, std::size_t end, unsigned thread) {
                       Acc& a = acc[thread];
                       for (std::size_t k = begin; k < end; ++k) {
                           const std::vector<std::uint32_t> perm = knoxPermutation(n, spec.seed, static_cast<int>(k));
                           for (std::size_t i = 0; i < n; ++i) a.permuted[i] = day[perm[i]];
                           table([&](std::uint32_t i) { return a.permuted[i]; }, a.counts, a.near);
                           for (std::size_t c = 0; c < a.counts.size(); ++c) {
                               a.sum[c] += a.counts[c];
                               a.atLeast[c] += a.counts[c] >= r.observed[c];
                           }
                       }
                   });
    r.expected.assign(nd * nt, 0.0);
    r.ratio.assign(nd * nt, 0.0);
    r.p.assign(nd * nt, 0.0);
    const double perms = static_cast<double>(spec.permutations);
    for (std::size_t c = 0; c < nd * nt; ++c) {
        std::int64_t sum = 0, atLeast = 0;
        for (const auto& a : acc) sum += a.sum[c], atLeast += a.atLeast[c];
        r.expected[c] = static_cast<double>(sum) / perms;
        r.ratio[c] = r.expected[c] > 0 ? static_cast<double>(r.observed[c]) / r.expected[c]
                                       : std::numeric_limits<double>::quiet_NaN();
        r.p[c] = static_cast<double>(atLeast + 1) / (perms + 1);
    }
    return r;
}

} // namespace trygg::stats
