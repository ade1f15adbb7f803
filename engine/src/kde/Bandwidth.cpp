#include "trygg/kde/Bandwidth.hpp"

#include "trygg/core/Error.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trygg::kde {
namespace {

// Quantile of R's default type 7: linear interpolation between order statistics.
double quantile7(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double h = (static_cast<double>(v.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double nrd(std::span<const double> x) {
    const double n = static_cast<double>(x.size());
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / (n - 1));  // R's var divides by n - 1
    std::vector<double> copy(x.begin(), x.end());
    const double iqr = quantile7(copy, 0.75) - quantile7(copy, 0.25);
    return 4 * 1.06 * std::min(sd, iqr / 1.34) * std::pow(n, -0.2);
}

} // namespace

double arcgisBandwidthM(std::span<const double> xs, std::span<const double> ys, std::span<const double> weights) {
    const std::size_t n = xs.size();
    if (n < 2) throw InputError("kde.bandwidth: the automatic bandwidth needs at least 2 points");
    auto w = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };
    double sw = 0, mx = 0, my = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sw += w(i);
        mx += w(i) * xs[i];
        my += w(i) * ys[i];
    }
    if (!(sw > 0)) throw InputError("kde.bandwidth: the weights sum to zero");
    mx /= sw;
    my /= sw;
    // Standard distance: sqrt(sum w ((x - mx)^2 + (y - my)^2) / sum w).
    double ss = 0;
    std::vector<std::pair<double, double>> dist;  // distance to the mean centre, weight
    dist.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double dx = xs[i] - mx, dy = ys[i] - my;
        ss += w(i) * (dx * dx + dy * dy);
        dist.emplace_back(std::sqrt(dx * dx + dy * dy), w(i));
    }
    const double sd = std::sqrt(ss / sw);
    // Weighted median distance: the first distance at which half the weight is reached; where the
    // weight reaches exactly half, the mean of that distance and the next, so that an even count
    // gives the mean of the two middle values as ArcGIS (numpy's median) and R's median() do, and
    // whole-number weights give the median of the points repeated as often as their weight.
    std::sort(dist.begin(), dist.end());
    double acc = 0, dm = dist.back().first;
    const double half = sw / 2, tolerance = 1e-12 * sw;
    for (std::size_t k = 0; k < dist.size(); ++k) {
        acc += dist[k].second;
        if (acc >= half - tolerance) {
            dm = dist[k].first;
            if (std::abs(acc - half) <= tolerance) {
                std::size_t next = k + 1;
                while (next < dist.size() && dist[next].second <= 0) ++next;  // zero weights hold no mass
                if (next < dist.size()) dm = (dm + dist[next].first) / 2;
            }
            break;
        }
    }
    return 0.9 * std::min(sd, std::sqrt(1 / std::log(2.0)) * dm) * std::pow(sw, -0.2);
}

double normalReferenceBandwidthM(std::span<const double> xs, std::span<const double> ys) {
    if (xs.size() < 2) throw InputError("kde.bandwidth: the automatic bandwidth needs at least 2 points");
    return (nrd(xs) + nrd(ys)) / 2;
}

std::vector<double> adaptiveBandwidthsM(std::span<const double> xs, std::span<const double> ys, int k, double floorM) {
    namespace bg = boost::geometry;
    namespace bgi = boost::geometry::index;
    using P = bg::model::point<double, 2, bg::cs::cartesian>;
    using Entry = std::pair<P, std::size_t>;
    const std::size_t n = xs.size();
    if (k < 1 || n <= static_cast<std::size_t>(k))
        throw InputError("kde.bandwidth: adaptive bandwidths need more points than k = " + std::to_string(k));
    std::vector<Entry> entries;
    entries.reserve(n);
    for (std::size_t i = 0; i < n; ++i) entries.emplace_back(P(xs[i], ys[i]), i);
    const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());
    std::vector<double> out(n);
    std::vector<Entry> found;
    for (const auto& [p, i] : entries) {
        found.clear();
        tree.query(bgi::nearest(p, static_cast<unsigned>(k + 1)), std::back_inserter(found));
        double kth = 0;
        std::vector<double> d;
        for (const auto& [q, j] : found)
            if (j != i) d.push_back(bg::distance(p, q));
        std::sort(d.begin(), d.end());
        kth = d.size() >= static_cast<std::size_t>(k) ? d[static_cast<std::size_t>(k) - 1] : (d.empty() ? 0 : d.back());
        out[i] = std::max(kth, floorM);
    }
    return out;
}

} // namespace trygg::kde
