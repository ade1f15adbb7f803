#include "trygg/stats/HotspotComparison.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <cmath>

namespace trygg::stats {

double classSimilarity(int a, int b, ClassWeighting weighting) {
    if (a == b) return 1;
    if (weighting == ClassWeighting::Exact) return 0;
    if (a * b < 0) return 0;  // hot against cold
    return std::abs(a - b) == 1 ? 0.5 : 0;
}

namespace {

struct Fuzzy {
    std::span<const std::int8_t> a;
    const std::vector<std::vector<std::uint32_t>>& nbrs;
    std::vector<std::vector<double>> decay;  // 2^(-d / c) per neighbour
    std::array<std::array<double, 7>, 7> s{};

    double weight(int x, int y) const { return s[static_cast<std::size_t>(x + 3)][static_cast<std::size_t>(y + 3)]; }
    // s_i with B's classes `b`.
    double cell(std::size_t i, std::span<const std::int8_t> b) const {
        double ab = weight(a[i], b[i]), ba = ab;
        for (std::size_t m = 0; m < nbrs[i].size(); ++m) {
            const std::uint32_t j = nbrs[i][m];
            ab = std::max(ab, decay[i][m] * weight(a[i], b[j]));
            ba = std::max(ba, decay[i][m] * weight(a[j], b[i]));
        }
        return std::min(ab, ba);
    }
    double mean(std::span<const std::int8_t> b) const {
        double sum = 0;
        for (std::size_t i = 0; i < a.size(); ++i) sum += cell(i, b);
        return sum / static_cast<double>(a.size());
    }
};

} // namespace

HotspotComparison compareHotspots(std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                                  const std::vector<std::vector<std::uint32_t>>& neighbours,
                                  const std::vector<std::vector<double>>& distance, double cellSize,
                                  const HotspotComparisonOptions& options) {
    const std::size_t n = a.size();
    if (b.size() != n) throw Error("hotspot comparison: the two maps differ in cells");
    const bool spatial = !neighbours.empty();
    if (spatial && (neighbours.size() != n || distance.size() != n)) throw Error("hotspot comparison: neighbours per cell expected");
    for (std::size_t i = 0; i < n; ++i)
        if (std::abs(a[i]) > 3 || std::abs(b[i]) > 3) throw Error("hotspot comparison: a class outside -3 .. 3");
    HotspotComparison r;
    r.cells = n;
    if (n == 0) return r;
    // Cell by cell: no neighbours.
    const std::vector<std::vector<std::uint32_t>> alone = spatial ? std::vector<std::vector<std::uint32_t>>{}
                                                                  : std::vector<std::vector<std::uint32_t>>(n);
    Fuzzy fz{a, spatial ? neighbours : alone, std::vector<std::vector<double>>(n), {}};
    for (std::size_t i = 0; spatial && i < n; ++i) {
        if (neighbours[i].size() != distance[i].size()) throw Error("hotspot comparison: a distance per neighbour expected");
        for (double d : distance[i]) fz.decay[i].push_back(std::exp2(-d / cellSize));
    }
    for (int x = -3; x <= 3; ++x)
        for (int y = -3; y <= 3; ++y)
            fz.s[static_cast<std::size_t>(x + 3)][static_cast<std::size_t>(y + 3)] = classSimilarity(x, y, options.weighting);
    r.local.resize(n);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        r.local[i] = fz.cell(i, b);
        sum += r.local[i];
        ++r.pairs[static_cast<std::size_t>(a[i] + 3)][static_cast<std::size_t>(b[i] + 3)];
        r.hotA += a[i] > 0, r.hotB += b[i] > 0, r.hotBoth += a[i] > 0 && b[i] > 0;
    }
    r.similarity = sum / static_cast<double>(n);
    if (!spatial) {
        // Exact: every cell of A meets each class of B with B's share of it.
        std::array<double, 7> pa{}, pb{};
        for (std::size_t i = 0; i < n; ++i) pa[static_cast<std::size_t>(a[i] + 3)] += 1, pb[static_cast<std::size_t>(b[i] + 3)] += 1;
        double e = 0;
        for (std::size_t x = 0; x < 7; ++x)
            for (std::size_t y = 0; y < 7; ++y) e += pa[x] * pb[y] * fz.s[x][y];
        r.expected = e / (static_cast<double>(n) * static_cast<double>(n));
    } else {
        const int R = std::max(1, options.permutations);
        std::vector<double> means(static_cast<std::size_t>(R));
        parallelBlocks(static_cast<std::size_t>(R), 4, options.threads, [] {}, [&](std::size_t begin, std::size_t end, unsigned) {
            std::vector<std::int8_t> shuffled(b.begin(), b.end());
            for (std::size_t k = begin; k < end; ++k) {
                std::copy(b.begin(), b.end(), shuffled.begin());
                SplitMix64 rng{streamSeed(options.seed, k)};
                for (std::size_t i = n; i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
                means[k] = fz.mean(shuffled);
            }
        });
        double e = 0;
        for (double m : means) e += m;  // in order: the same whatever the threads
        r.expected = e / static_cast<double>(R);
    }
    r.kappa = r.expected < 1 ? (r.similarity - r.expected) / (1 - r.expected) : 0;
    return r;
}

} // namespace trygg::stats
