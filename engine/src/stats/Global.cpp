#include "trygg/stats/Global.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"
#include "trygg/stats/GetisOrd.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace trygg::stats {
namespace {

// S0, S1, S2 of a weights matrix (Cliff & Ord), skipping self weights when asked.
struct WeightSums {
    double s0 = 0, s1 = 0, s2 = 0;
};

WeightSums weightSums(const Weights& w, bool skipSelf) {
    const std::size_t n = w.size();
    // w_ij + w_ji needs the transpose; collect column sums and a lookup of (j, i) pairs.
    std::vector<double> rowSum(n, 0.0), colSum(n, 0.0);
    WeightSums s;
    // Symmetric part: for S1 = 1/2 sum_ij (w_ij + w_ji)^2 = sum_ij w_ij^2 + sum_ij w_ij w_ji.
    double sumSq = 0, sumCross = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]);
            if (skipSelf && j == i) continue;
            const double wij = w.weightAt(k);
            s.s0 += wij;
            sumSq += wij * wij;
            rowSum[i] += wij;
            colSum[j] += wij;
            // w_ji: search row j (rows are short).
            for (auto m = w.offsets[j]; m < w.offsets[j + 1]; ++m)
                if (static_cast<std::size_t>(w.index[static_cast<std::size_t>(m)]) == i) {
                    sumCross += wij * w.weightAt(m);
                    break;
                }
        }
    }
    s.s1 = sumSq + sumCross;
    for (std::size_t i = 0; i < n; ++i) s.s2 += (rowSum[i] + colSum[i]) * (rowSum[i] + colSum[i]);
    return s;
}

GlobalTest finish(double statistic, double expected, double variance) {
    GlobalTest t;
    t.statistic = statistic;
    t.expected = expected;
    t.variance = variance;
    t.z = variance > 0 ? (statistic - expected) / std::sqrt(variance) : std::numeric_limits<double>::quiet_NaN();
    t.p = twoSidedP(t.z);
    return t;
}

} // namespace

GlobalTest globalMoran(std::span<const double> values, const Weights& w) {
    const std::size_t n = values.size();
    if (w.size() != n || n < 4) throw Error("stats.global_moran: needs at least 4 cells and matching weights");
    const double nn = static_cast<double>(n);
    double mean = 0;
    for (double v : values) mean += v;
    mean /= nn;
    double m2 = 0, m4 = 0;
    for (double v : values) {
        const double z = v - mean;
        m2 += z * z;
        m4 += z * z * z * z;
    }
    double cross = 0;
    std::size_t isolated = 0;
    for (std::size_t i = 0; i < n; ++i) {
        isolated += w.offsets[i] == w.offsets[i + 1];
        for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]);
            cross += w.weightAt(k) * (values[i] - mean) * (values[j] - mean);
        }
    }
    const WeightSums s = weightSums(w, false);
    return moranFromSums(n, s.s0, s.s1, s.s2, cross, m2, m4, isolated);
}

GlobalTest moranFromSums(std::size_t n, double s0, double s1, double s2, double cross, double m2, double m4,
                         std::size_t isolated) {
    // spdep's adjust.n = TRUE: the cells with neighbours count in I, E[I] and Var[I]; the
    // kurtosis b2 and the deviations are over every cell (spdep::moran's K uses length(x)).
    const double na = static_cast<double>(n - std::min(n, isolated));
    if (na < 4) {
        GlobalTest t;
        t.notComputed = "fewer than 4 cells have a neighbour";
        return t;
    }
    const double b2 = static_cast<double>(n) * m4 / (m2 * m2);
    const double i = na / s0 * cross / m2;
    const double e = -1.0 / (na - 1.0);
    const double s02 = s0 * s0;
    const double var = (na * ((na * na - 3 * na + 3) * s1 - na * s2 + 3 * s02) -
                        b2 * ((na * na - na) * s1 - 2 * na * s2 + 6 * s02)) /
                           ((na - 1) * (na - 2) * (na - 3) * s02) -
                       e * e;
    return finish(i, e, var);
}

GlobalTest generalG(std::span<const double> values, const Weights& w) {
    const std::size_t n = values.size();
    if (w.size() != n || n < 4) throw Error("stats.general_g: needs at least 4 cells and matching weights");
    // spdep::globalG.test's defaults, adjust.n = TRUE and adjust.x = TRUE: n and the sums of x
    // are over the cells with a neighbour other than themselves.
    double num = 0, xs = 0, xs2 = 0, xs3 = 0, xs4 = 0;
    std::size_t linked = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = values[i];
        if (v < 0) throw InputError("stats.general_g: General G needs non-negative values");
        bool hasNeighbour = false;
        for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]);
            if (j == i) continue;
            hasNeighbour = true;
            num += w.weightAt(k) * v * values[j];
        }
        if (!hasNeighbour) continue;
        ++linked;
        xs += v;
        xs2 += v * v;
        xs3 += v * v * v;
        xs4 += v * v * v * v;
    }
    if (linked < 4) {
        GlobalTest t;
        t.notComputed = "fewer than 4 cells have a neighbour";
        return t;
    }
    const double nn = static_cast<double>(linked);
    const double den = xs * xs - xs2;  // sum_{i != j} x_i x_j over the linked cells
    const WeightSums s = weightSums(w, true);
    const double g = num / den;
    const double e = s.s0 / (nn * (nn - 1));
    const double s02 = s.s0 * s.s0, n2 = nn * nn;
    const double b0 = (n2 - 3 * nn + 3) * s.s1 - nn * s.s2 + 3 * s02;
    const double b1 = -((n2 - nn) * s.s1 - 2 * nn * s.s2 + 6 * s02);
    const double b2 = -(2 * nn * s.s1 - (nn + 3) * s.s2 + 6 * s02);
    const double b3 = 4 * (nn - 1) * s.s1 - 2 * (nn + 1) * s.s2 + 8 * s02;
    const double b4 = s.s1 - s.s2 + s02;
    const double eg2 = (b0 * xs2 * xs2 + b1 * xs4 + b2 * xs * xs * xs2 + b3 * xs * xs3 + b4 * xs * xs * xs * xs) /
                       (den * den * nn * (nn - 1) * (nn - 2) * (nn - 3));
    return finish(g, e, eg2 - e * e);
}

namespace {
// Points as nanoflann's k-d tree reads them.
struct PointCloud {
    std::vector<double> x, y;
    std::size_t kdtree_get_point_count() const { return x.size(); }
    double kdtree_get_pt(std::size_t i, std::size_t dim) const { return dim == 0 ? x[i] : y[i]; }
    template <class Box>
    bool kdtree_get_bbox(Box&) const {
        return false;  // the tree computes it
    }
};
} // namespace

GlobalTest clarkEvans(std::span<const double> xs, std::span<const double> ys, double areaM2,
                      const std::function<void()>& checkCancelled) {
    const std::size_t n = xs.size();
    if (n < 2 || !(areaM2 > 0)) throw InputError("stats.clark_evans: needs at least 2 points and a positive area");
    // The points in Morton (Z) order of their place: one after another in the list are close on the
    // map, so each query finds the tree nodes it needs already in cache (12 million reports in
    // input order spent most of their time waiting for memory).
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (std::size_t i = 0; i < n; ++i) {
        x0 = std::min(x0, xs[i]), x1 = std::max(x1, xs[i]);
        y0 = std::min(y0, ys[i]), y1 = std::max(y1, ys[i]);
    }
    const double span = std::max({x1 - x0, y1 - y0, 1e-9});
    auto spread = [](std::uint64_t v) {  // the 21 low bits to every other bit
        v &= 0x1FFFFF;
        v = (v | v << 32) & 0x1F00000000FFFFULL;
        v = (v | v << 16) & 0x1F0000FF0000FFULL;
        v = (v | v << 8) & 0x100F00F00F00F00FULL;
        v = (v | v << 4) & 0x10C30C30C30C30C3ULL;
        v = (v | v << 2) & 0x1249249249249249ULL;
        return v;
    };
    std::vector<std::pair<std::uint64_t, std::size_t>> order(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto qx = static_cast<std::uint64_t>((xs[i] - x0) / span * 2097151.0);
        const auto qy = static_cast<std::uint64_t>((ys[i] - y0) / span * 2097151.0);
        order[i] = {spread(qx) | spread(qy) << 1, i};
    }
    std::sort(order.begin(), order.end());
    // A k-d tree (nanoflann) over the points in that order; each query asks for two neighbours,
    // the point itself (or a twin at distance 0) and its nearest other.
    PointCloud cloud;
    cloud.x.reserve(n);
    cloud.y.reserve(n);
    for (const auto& [key, i] : order) cloud.x.push_back(xs[i]), cloud.y.push_back(ys[i]);
    order = {};
    using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, PointCloud>, PointCloud, 2, std::size_t>;
    const Tree tree(2, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(16));
    // Blocks of the ordered list over the threads; their sums are added in block order, so the
    // result does not depend on the number of threads.
    constexpr std::size_t kBlock = 65536;
    std::vector<double> partial((n + kBlock - 1) / kBlock, 0.0);
    parallelBlocks(n, kBlock, 0, checkCancelled, [&](std::size_t begin, std::size_t end, unsigned) {
        double s = 0;
        for (std::size_t k = begin; k < end; ++k) {
            const double q[2] = {cloud.x[k], cloud.y[k]};
            std::size_t found[2];
            double d2[2];
            const std::size_t m = tree.knnSearch(q, 2, found, d2);
            // The nearest other point: the second found, or the first when that is not k itself
            // (a twin of k at distance 0 may come first).
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < m; ++j)
                if (found[j] != k) best = std::min(best, std::sqrt(d2[j]));
            s += best;
        }
        partial[begin / kBlock] = s;
    });
    double sum = 0;
    for (double s : partial) sum += s;
    const double nn = static_cast<double>(n);
    const double observed = sum / nn;
    const double expected = 0.5 * std::sqrt(areaM2 / nn);
    const double se = 0.26136 * std::sqrt(areaM2) / nn;
    GlobalTest t;
    t.statistic = observed / expected;
    t.expected = expected;
    t.variance = se * se;
    t.z = (observed - expected) / se;
    t.p = twoSidedP(t.z);
    return t;
}

} // namespace trygg::stats
