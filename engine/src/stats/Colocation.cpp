#include "trygg/stats/Colocation.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace trygg::stats {

std::vector<std::vector<std::uint32_t>> nearestNeighbours(std::span<const double> x, std::span<const double> y) {
    const std::size_t n = x.size();
    std::vector<std::vector<std::uint32_t>> out(n);
    if (n < 2) return out;
    // Square buckets of about two points each; each point looks ring by ring outwards until no
    // unseen point can be nearer than (or as near as) the best found: a point in ring r lies at
    // least r - 1 buckets away.
    double minX = x[0], maxX = x[0], minY = y[0], maxY = y[0];
    for (std::size_t i = 1; i < n; ++i)
        minX = std::min(minX, x[i]), maxX = std::max(maxX, x[i]), minY = std::min(minY, y[i]), maxY = std::max(maxY, y[i]);
    const double span = std::max(maxX - minX, maxY - minY);
    const double size = span > 0 ? std::max(span / std::sqrt(static_cast<double>(n) / 2.0), span * 1e-9) : 1.0;
    const auto cols = static_cast<std::int64_t>((maxX - minX) / size) + 1, rows = static_cast<std::int64_t>((maxY - minY) / size) + 1;
    std::vector<std::vector<std::uint32_t>> bucket(static_cast<std::size_t>(cols * rows));
    const auto cx = [&](double v) { return std::min(cols - 1, static_cast<std::int64_t>((v - minX) / size)); };
    const auto cy = [&](double v) { return std::min(rows - 1, static_cast<std::int64_t>((v - minY) / size)); };
    for (std::size_t i = 0; i < n; ++i) bucket[static_cast<std::size_t>(cy(y[i]) * cols + cx(x[i]))].push_back(static_cast<std::uint32_t>(i));
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t bx = cx(x[i]), by = cy(y[i]);
        double best = std::numeric_limits<double>::infinity();  // squared
        for (std::int64_t r = 0; r <= std::max(cols, rows); ++r) {
            const double reach = static_cast<double>(r - 1) * size;
            if (r > 1 && best < reach * reach) break;
            for (std::int64_t gy = by - r; gy <= by + r; ++gy)
                for (std::int64_t gx = bx - r; gx <= bx + r; ++gx) {
                    if (std::max(std::abs(gx - bx), std::abs(gy - by)) != r) continue;  // the ring only
                    if (gx < 0 || gy < 0 || gx >= cols || gy >= rows) continue;
                    for (std::uint32_t j : bucket[static_cast<std::size_t>(gy * cols + gx)]) {
                        if (j == i) continue;
                        const double d = (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]);
                        if (d < best) best = d, out[i].clear();
                        if (d == best) out[i].push_back(j);
                    }
                }
        }
        std::sort(out[i].begin(), out[i].end());
    }
    return out;
}

namespace {

double quotient(const std::vector<std::vector<std::uint32_t>>& nn, std::span<const std::int32_t> label, std::int32_t a,
                std::int32_t b, std::size_t nA, std::size_t nB) {
    double c = 0;
    for (std::size_t i = 0; i < nn.size(); ++i) {
        if (label[i] != a || nn[i].empty()) continue;
        std::size_t hits = 0;
        for (std::uint32_t j : nn[i]) hits += label[j] == b;
        c += static_cast<double>(hits) / static_cast<double>(nn[i].size());
    }
    const double n = static_cast<double>(nn.size());
    const double nb = static_cast<double>(a == b ? nB - 1 : nB);
    return (c / static_cast<double>(nA)) / (nb / (n - 1));
}

} // namespace

std::vector<std::vector<std::uint32_t>> nearestK(std::span<const double> x, std::span<const double> y, int k,
                                                 std::span<const std::uint32_t> of) {
    const std::size_t n = x.size();
    if (y.size() != n) throw Error("colocation: x and y differ in length");
    if (k < 1) throw InputError("colocation: the number of neighbours must be at least 1");
    std::vector<std::vector<std::uint32_t>> out(of.size());
    if (n < 2) return out;
    const std::size_t kk = std::min<std::size_t>(static_cast<std::size_t>(k), n - 1);
    // The buckets of nearestNeighbours, about k + 1 points each; a point in ring r lies at least
    // r - 1 buckets away, so the search stops once the k-th best is nearer than that.
    double minX = x[0], maxX = x[0], minY = y[0], maxY = y[0];
    for (std::size_t i = 1; i < n; ++i)
        minX = std::min(minX, x[i]), maxX = std::max(maxX, x[i]), minY = std::min(minY, y[i]), maxY = std::max(maxY, y[i]);
    const double span = std::max(maxX - minX, maxY - minY);
    const double perBucket = static_cast<double>(kk) + 1;
    const double size = span > 0 ? std::max(span / std::sqrt(static_cast<double>(n) / perBucket), span * 1e-9) : 1.0;
    const auto cols = static_cast<std::int64_t>((maxX - minX) / size) + 1, rows = static_cast<std::int64_t>((maxY - minY) / size) + 1;
    std::vector<std::vector<std::uint32_t>> bucket(static_cast<std::size_t>(cols * rows));
    const auto cx = [&](double v) { return std::min(cols - 1, static_cast<std::int64_t>((v - minX) / size)); };
    const auto cy = [&](double v) { return std::min(rows - 1, static_cast<std::int64_t>((v - minY) / size)); };
    for (std::size_t i = 0; i < n; ++i) bucket[static_cast<std::size_t>(cy(y[i]) * cols + cx(x[i]))].push_back(static_cast<std::uint32_t>(i));
    // (squared distance, point): the heap's top is the worst kept, ties broken by the point's number
    std::vector<std::pair<double, std::uint32_t>> heap;
    for (std::size_t q = 0; q < of.size(); ++q) {
        const std::uint32_t i = of[q];
        const std::int64_t bx = cx(x[i]), by = cy(y[i]);
        heap.clear();
        for (std::int64_t r = 0; r <= std::max(cols, rows); ++r) {
            const double reach = static_cast<double>(r - 1) * size;
            if (r > 1 && heap.size() == kk && heap.front().first < reach * reach) break;
            for (std::int64_t gy = by - r; gy <= by + r; ++gy)
                for (std::int64_t gx = bx - r; gx <= bx + r; ++gx) {
                    if (std::max(std::abs(gx - bx), std::abs(gy - by)) != r) continue;
                    if (gx < 0 || gy < 0 || gx >= cols || gy >= rows) continue;
                    for (std::uint32_t j : bucket[static_cast<std::size_t>(gy * cols + gx)]) {
                        if (j == i) continue;
                        const std::pair<double, std::uint32_t> e{(x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]), j};
                        if (heap.size() < kk) {
                            heap.push_back(e);
                            std::push_heap(heap.begin(), heap.end());
                        } else if (e < heap.front()) {
                            std::pop_heap(heap.begin(), heap.end());
                            heap.back() = e;
                            std::push_heap(heap.begin(), heap.end());
                        }
                    }
                }
        }
        std::sort_heap(heap.begin(), heap.end());
        for (const auto& e : heap) out[q].push_back(e.second);
    }
    return out;
}

std::vector<LocalColocation> localColocation(std::span<const double> x, std::span<const double> y,
                                             std::span<const std::int32_t> label, std::int32_t a, std::int32_t b, int k,
                                             int permutations, std::uint64_t seed, int threads) {
    const std::size_t n = x.size();
    if (y.size() != n || label.size() != n) throw Error("colocation: x, y and labels differ in length");
    if (k < 1) throw InputError("colocation: the number of neighbours must be at least 1");
    if (permutations < 0) throw InputError("colocation: the number of permutations must be 0 or more");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<LocalColocation> out(n, LocalColocation{nan, nan, nan});
    const auto nB = static_cast<std::size_t>(std::count(label.begin(), label.end(), b));
    const std::size_t others = a == b ? nB - (nB > 0) : nB;
    if (n < 2 || others == 0) return out;
    const double expected = static_cast<double>(others) / static_cast<double>(n - 1);
    std::vector<std::uint32_t> points;
    for (std::size_t i = 0; i < n; ++i)
        if (label[i] == a) points.push_back(static_cast<std::uint32_t>(i));
    const auto nn = nearestK(x, y, k, points);
    parallelBlocks(points.size(), 256, threads, [] {}, [&](std::size_t begin, std::size_t end, unsigned) {
        std::vector<double> w;
        std::vector<std::uint32_t> drawn;
        for (std::size_t q = begin; q < end; ++q) {
            const std::uint32_t i = points[q];
            const auto& nbrs = nn[q];
            const std::size_t kk = nbrs.size();
            const double h2 = (x[i] - x[nbrs.back()]) * (x[i] - x[nbrs.back()]) + (y[i] - y[nbrs.back()]) * (y[i] - y[nbrs.back()]);
            w.assign(kk, 1.0);
            double wsum = 0, wb = 0;
            for (std::size_t m = 0; m < kk; ++m) {
                const std::uint32_t j = nbrs[m];
                const double d2 = (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]);
                if (h2 > 0) w[m] = std::exp(-0.5 * d2 / h2);
                wsum += w[m];
                if (label[j] == b) wb += w[m];
            }
            LocalColocation& r = out[i];
            r.lclq = (wb / wsum) / expected;
            if (permutations == 0) continue;
            // The other points' labels permuted, this one's held: its k neighbours' labels are k
            // drawn without replacement from the n - 1 others, of which `others` are B.
            std::int64_t high = 0, low = 0;
            const double observed = wb;
            for (int p = 0; p < permutations; ++p) {
                SplitMix64 rng{streamSeed(seed, static_cast<std::uint64_t>(i) * 1000003ULL + static_cast<std::uint64_t>(p))};
                std::size_t bLeft = others, left = n - 1;
                double sim = 0;
                for (std::size_t m = 0; m < kk; ++m) {
                    if (rng.below(left) < bLeft) sim += w[m], --bLeft;
                    --left;
                }
                high += sim >= observed - 1e-12;
                low += sim <= observed + 1e-12;
            }
            r.pHigh = static_cast<double>(high + 1) / (permutations + 1.0);
            r.pLow = static_cast<double>(low + 1) / (permutations + 1.0);
        }
    });
    return out;
}

ColocationResult globalColocation(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> label,
                                  std::int32_t a, std::int32_t b, int permutations, std::uint64_t seed) {
    if (x.size() != y.size() || x.size() != label.size()) throw Error("colocation: x, y and labels differ in length");
    if (permutations < 0) throw InputError("colocation: the number of permutations must be 0 or more");
    ColocationResult r;
    r.n = x.size();
    r.nA = static_cast<std::size_t>(std::count(label.begin(), label.end(), a));
    r.nB = static_cast<std::size_t>(std::count(label.begin(), label.end(), b));
    const std::size_t others = a == b ? r.nB - (r.nB > 0) : r.nB;
    if (r.n < 2 || r.nA == 0 || others == 0) {
        r.clq = std::numeric_limits<double>::quiet_NaN();
        r.pHigh = r.pLow = std::numeric_limits<double>::quiet_NaN();
        return r;
    }
    const auto nn = nearestNeighbours(x, y);
    r.clq = quotient(nn, label, a, b, r.nA, r.nB);
    for (std::size_t i = 0; i < nn.size(); ++i)
        if (label[i] == a && std::any_of(nn[i].begin(), nn[i].end(), [&](std::uint32_t j) { return label[j] == b; })) ++r.nearB;
    if (permutations == 0) return r;
    std::int64_t high = 0, low = 0;
    std::vector<std::int32_t> shuffled(label.begin(), label.end());
    constexpr double tol = 1e-12;
    for (int k = 0; k < permutations; ++k) {
        std::copy(label.begin(), label.end(), shuffled.begin());
        SplitMix64 rng{streamSeed(seed, static_cast<std::uint64_t>(k))};
        for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
        const double q = quotient(nn, shuffled, a, b, r.nA, r.nB);
        high += q >= r.clq - tol;
        low += q <= r.clq + tol;
    }
    r.pHigh = static_cast<double>(high + 1) / (permutations + 1.0);
    r.pLow = static_cast<double>(low + 1) / (permutations + 1.0);
    return r;
}

} // namespace trygg::stats
