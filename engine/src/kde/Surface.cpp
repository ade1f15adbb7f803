#include "trygg/kde/Surface.hpp"

#include "trygg/core/Error.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>
#include <unordered_map>

namespace trygg::kde {
namespace {

// Runs part(t, stop) for t in [0, threads): t = 0 on the caller's thread, the others on new ones.
// The caller's part polls `cancelled` through poll(); when it throws, the other parts see `stop`,
// every thread is joined, and the exception goes on to the caller.
class Parts {
public:
    explicit Parts(const std::function<void()>& cancelled) : m_cancelled(cancelled) {}

    // True when the work should stop; on the caller's thread, checks for a cancel (which throws).
    bool poll(unsigned part) {
        if (part == 0 && m_cancelled) {
            try {
                m_cancelled();
            } catch (...) {
                m_stop = true;
                throw;
            }
        }
        return m_stop.load(std::memory_order_relaxed);
    }

    template <class Fn>
    void run(unsigned threads, Fn&& part) {
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(part, t);
        std::exception_ptr failure;
        try {
            part(0u);
        } catch (...) {
            m_stop = true;
            failure = std::current_exception();
        }
        for (auto& t : pool) t.join();
        if (failure) std::rethrow_exception(failure);
    }

private:
    const std::function<void()>& m_cancelled;
    std::atomic<bool> m_stop{false};
};

// The factor turning a sum of kernel values K(u) into the requested unit, for bandwidth h.
double scale(const SurfaceSpec& spec, double h) {
    switch (spec.normalisation) {
    case Normalisation::DensityKm2: return 1e6 / (h * h);
    case Normalisation::PerArea: return spec.areaM2 / (h * h);
    case Normalisation::Raw: return 1.0;
    }
    return 1.0;
}

double value(const SurfaceSpec& spec, double u) {
    return spec.normalisation == Normalisation::Raw ? kernelShape(spec.kernel, u) : kernelValue(spec.kernel, u);
}

// Adds one point's kernel to the columns c0..c1 of a row. Kernels that depend on u^2 alone skip the
// square root; the kernel is chosen once per row, not per pixel.
void splatRow(const SurfaceSpec& spec, double* row, const Raster& raster, std::int64_t c0, std::int64_t c1, double x,
              double dy2, double invH2, double reach2, double w) {
    const bool raw = spec.normalisation == Normalisation::Raw;
    constexpr double kPi = 3.14159265358979323846;
    const double x0 = raster.centreX(c0) - x, px = raster.pixelM;
    switch (spec.kernel) {
    case Kernel::Quartic:
    case Kernel::Epanechnikov: {
        // Branch-free over the chord (the chord already keeps u^2 below 1 but for rounding at its
        // ends, which max() clamps), so the compiler can vectorise it.
        const double k = w * (raw ? 1.0 : (spec.kernel == Kernel::Quartic ? 3 : 2) / kPi);
        const bool quartic = spec.kernel == Kernel::Quartic;
        // An int index: SSE2 converts packed 32-bit integers to doubles, not 64-bit ones.
        const int n = static_cast<int>(c1 - c0 + 1);
        double* out = row + c0;
        if (quartic) {
            for (int j = 0; j < n; ++j) {
                const double dx = x0 + static_cast<double>(j) * px;
                const double q = std::max(0.0, 1.0 - (dx * dx + dy2) * invH2);
                out[j] += k * q * q;
            }
        } else {
            for (int j = 0; j < n; ++j) {
                const double dx = x0 + static_cast<double>(j) * px;
                out[j] += k * std::max(0.0, 1.0 - (dx * dx + dy2) * invH2);
            }
        }
        break;
    }
    default:
        for (std::int64_t c = c0; c <= c1; ++c) {
            const double dx = raster.centreX(c) - x;
            const double u2 = (dx * dx + dy2) * invH2;
            if (u2 < reach2) row[c] += w * value(spec, std::sqrt(u2));
        }
    }
}

void validate(const SurfaceSpec& spec, std::size_t points) {
    if (spec.bandwidthsM.empty() && !(spec.bandwidthM > 0))
        throw InputError("kde: the bandwidth must be a positive number of metres");
    if (!spec.bandwidthsM.empty() && spec.bandwidthsM.size() != points)
        throw Error("kde: adaptive bandwidths and points differ in number");
    if (spec.normalisation == Normalisation::PerArea && !(spec.areaM2 > 0))
        throw Error("kde: expected reports per area need the area");
}

} // namespace

Raster rasterCovering(double minX, double minY, double maxX, double maxY, double pixelM) {
    if (!(pixelM > 0)) throw InputError("kde: the pixel size must be a positive number of metres");
    Raster r;
    r.pixelM = pixelM;
    const double x0 = std::floor(minX / pixelM) * pixelM, y0 = std::floor(minY / pixelM) * pixelM;
    const double x1 = std::ceil(maxX / pixelM) * pixelM, y1 = std::ceil(maxY / pixelM) * pixelM;
    r.originX = x0;
    r.originY = y1;
    r.cols = std::max<std::int64_t>(1, std::llround((x1 - x0) / pixelM));
    r.rows = std::max<std::int64_t>(1, std::llround((y1 - y0) / pixelM));
    return r;
}

std::vector<float> densitySurface(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                  std::span<const double> weights, const SurfaceSpec& spec, const RowSpans& inside) {
    const std::vector<double> acc = densitySurfaceDouble(raster, xs, ys, weights, spec, inside);
    std::vector<float> out(acc.size());
    for (std::size_t k = 0; k < acc.size(); ++k) out[k] = static_cast<float>(acc[k]);
    return out;
}

std::vector<double> densitySurfaceDouble(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                         std::span<const double> weights, const SurfaceSpec& spec,
                                         const RowSpans& inside) {
    validate(spec, xs.size());
    const std::int64_t cols = raster.cols, rows = raster.rows;
    const double px = raster.pixelM;
    const double reach = supportRadius(spec.kernel);
    // Points sorted by y (top first), so that each band of rows finds its points by binary search.
    std::vector<std::size_t> order(xs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ys[a] > ys[b]; });
    double maxH = spec.bandwidthM;
    for (double h : spec.bandwidthsM) maxH = std::max(maxH, h);
    const double maxReach = reach * maxH;

    std::vector<double> acc(static_cast<std::size_t>(cols * rows), 0.0);
    std::vector<char> computed(static_cast<std::size_t>(cols * rows), inside ? 0 : 1);
    Parts parts(spec.checkCancelled);
    auto band = [&](unsigned part, std::int64_t r0, std::int64_t r1) {
        if (inside)
            for (std::int64_t r = r0; r < r1; ++r)
                for (const auto& [c0, c1] : inside(r))
                    std::fill(computed.begin() + r * cols + std::max<std::int64_t>(0, c0),
                              computed.begin() + r * cols + std::min(cols, c1), 1);
        const double yTop = raster.centreY(r0) + maxReach, yBottom = raster.centreY(r1 - 1) - maxReach;
        const auto first = std::lower_bound(order.begin(), order.end(), yTop,
                                            [&](std::size_t i, double y) { return ys[i] > y; });
        std::size_t done = 0;
        for (auto it = first; it != order.end() && ys[*it] >= yBottom; ++it) {
            if (++done % 4096 == 0 && parts.poll(part)) return;
            const std::size_t i = *it;
            const double h = spec.bandwidthsM.empty() ? spec.bandwidthM : spec.bandwidthsM[i];
            const double rM = reach * h, inv = 1.0 / h;
            const double w = (weights.empty() ? 1.0 : weights[i]) * scale(spec, h);
            const std::int64_t rowLo = std::max(r0, static_cast<std::int64_t>(std::floor((raster.originY - ys[i] - rM) / px)));
            const std::int64_t rowHi = std::min(r1 - 1, static_cast<std::int64_t>(std::floor((raster.originY - ys[i] + rM) / px)));
            const std::int64_t colLo = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor((xs[i] - rM - raster.originX) / px)));
            const std::int64_t colHi = std::min(cols - 1, static_cast<std::int64_t>(std::floor((xs[i] + rM - raster.originX) / px)));
            const double r2 = rM * rM;
            for (std::int64_t r = rowLo; r <= rowHi; ++r) {
                const double dy = raster.centreY(r) - ys[i];
                if (dy * dy >= r2) continue;
                // Only the columns inside the circle on this row.
                const double half = std::sqrt(r2 - dy * dy);
                const std::int64_t c0 = std::max(colLo, static_cast<std::int64_t>(std::floor((xs[i] - half - raster.originX) / px - 0.5)));
                const std::int64_t c1 = std::min(colHi, static_cast<std::int64_t>(std::ceil((xs[i] + half - raster.originX) / px - 0.5)));
                splatRow(spec, acc.data() + r * cols, raster, c0, c1, xs[i], dy * dy, inv * inv, reach * reach, w);
            }
        }
    };
    unsigned threads = spec.threads > 0 ? static_cast<unsigned>(spec.threads) : std::thread::hardware_concurrency();
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::int64_t>(1, rows / 16))));
    // Each thread owns a band of rows and sums every point into it in the same (y-sorted) order,
    // so the surface is identical whatever the number of threads.
    const std::int64_t per = (rows + threads - 1) / threads;
    parts.run(threads, [&](unsigned t) {
        const std::int64_t r0 = t * per, r1 = std::min(rows, r0 + per);
        if (r0 < r1) band(t, r0, r1);
    });

    for (std::size_t k = 0; k < acc.size(); ++k)
        if (!computed[k]) acc[k] = std::numeric_limits<double>::quiet_NaN();
    return acc;
}

std::vector<double> insideShares(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                 const SurfaceSpec& spec, const RowSpans& inside) {
    validate(spec, xs.size());
    std::vector<double> shares(xs.size(), 1.0);
    if (!inside) return shares;
    const std::int64_t cols = raster.cols, rows = raster.rows;
    std::vector<char> mask(static_cast<std::size_t>(cols * rows), 0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (const auto& [c0, c1] : inside(r))
            std::fill(mask.begin() + r * cols + std::max<std::int64_t>(0, c0), mask.begin() + r * cols + std::min(cols, c1), 1);
    const double reach = supportRadius(spec.kernel), px = raster.pixelM;
    Parts parts(spec.checkCancelled);
    auto range = [&](unsigned part, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            if ((i - begin) % 256 == 255 && parts.poll(part)) return;
            const double h = spec.bandwidthsM.empty() ? spec.bandwidthM : spec.bandwidthsM[i];
            const double rM = reach * h;
            const std::int64_t r0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor((raster.originY - ys[i] - rM) / px)));
            const std::int64_t r1 = std::min(rows - 1, static_cast<std::int64_t>(std::floor((raster.originY - ys[i] + rM) / px)));
            const std::int64_t c0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor((xs[i] - rM - raster.originX) / px)));
            const std::int64_t c1 = std::min(cols - 1, static_cast<std::int64_t>(std::floor((xs[i] + rM - raster.originX) / px)));
            double inMass = 0;
            for (std::int64_t r = r0; r <= r1; ++r)
                for (std::int64_t c = c0; c <= c1; ++c) {
                    if (!mask[static_cast<std::size_t>(r * cols + c)]) continue;
                    const double u = std::hypot(raster.centreX(c) - xs[i], raster.centreY(r) - ys[i]) / h;
                    if (u < reach) inMass += kernelValue(spec.kernel, u);
                }
            shares[i] = inMass * px * px / (h * h);
        }
    };
    unsigned threads = spec.threads > 0 ? static_cast<unsigned>(spec.threads) : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    const std::size_t per = (xs.size() + threads - 1) / threads;
    parts.run(threads, [&](unsigned t) {
        if (t * per < xs.size()) range(t, t * per, std::min(xs.size(), (t + 1) * per));
    });
    return shares;
}

std::vector<double> densityAt(std::span<const double> tx, std::span<const double> ty, std::span<const double> xs,
                              std::span<const double> ys, std::span<const double> weights, const SurfaceSpec& spec) {
    validate(spec, xs.size());
    const double reach = supportRadius(spec.kernel);
    double maxH = spec.bandwidthM;
    for (double h : spec.bandwidthsM) maxH = std::max(maxH, h);
    const double bucket = reach * maxH;
    // Points in square buckets of the largest reach: each target looks at its 3 x 3 buckets.
    auto key = [&](double x, double y) {
        return (static_cast<std::int64_t>(std::floor(x / bucket)) << 32) ^
               (static_cast<std::int64_t>(std::floor(y / bucket)) & 0xffffffff);
    };
    std::unordered_map<std::int64_t, std::vector<std::size_t>> buckets;
    for (std::size_t i = 0; i < xs.size(); ++i) buckets[key(xs[i], ys[i])].push_back(i);
    std::vector<double> out(tx.size(), 0.0);
    for (std::size_t t = 0; t < tx.size(); ++t) {
        double sum = 0;
        for (int dx = -1; dx <= 1; ++dx)
            for (int dy = -1; dy <= 1; ++dy) {
                const auto it = buckets.find(key(tx[t] + dx * bucket, ty[t] + dy * bucket));
                if (it == buckets.end()) continue;
                for (std::size_t i : it->second) {
                    const double h = spec.bandwidthsM.empty() ? spec.bandwidthM : spec.bandwidthsM[i];
                    const double u = std::hypot(tx[t] - xs[i], ty[t] - ys[i]) / h;
                    if (u < reach) sum += (weights.empty() ? 1.0 : weights[i]) * scale(spec, h) * value(spec, u);
                }
            }
        out[t] = sum;
    }
    return out;
}

} // namespace trygg::kde
