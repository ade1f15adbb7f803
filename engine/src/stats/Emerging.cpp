#include "trygg/stats/Emerging.hpp"

#include "trygg/stats/GetisOrd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace trygg::stats {

MannKendall mannKendall(std::span<const double> series) {
    std::vector<double> x;
    for (double v : series)
        if (std::isfinite(v)) x.push_back(v);
    MannKendall r;
    const std::size_t n = x.size();
    if (n < 3) return r;
    for (std::size_t i = 0; i + 1 < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) r.s += (x[j] > x[i]) - (x[j] < x[i]);
    // Ties: groups of equal values, t(t-1)(2t+5) each.
    std::map<double, std::size_t> groups;
    for (double v : x) ++groups[v];
    const double nd = static_cast<double>(n);
    double ties = 0;
    for (const auto& [v, t] : groups) {
        const double td = static_cast<double>(t);
        ties += td * (td - 1) * (2 * td + 5);
    }
    r.varS = (nd * (nd - 1) * (2 * nd + 5) - ties) / 18.0;
    if (r.varS <= 0) return r;
    r.z = r.s > 0 ? (r.s - 1) / std::sqrt(r.varS) : r.s < 0 ? (r.s + 1) / std::sqrt(r.varS) : 0.0;
    r.p = twoSidedP(r.z);
    return r;
}

std::string emergingName(int code) {
    static const char* kNames[9] = {"No Pattern Detected", "New", "Consecutive", "Intensifying", "Persistent",
                                    "Diminishing", "Sporadic", "Oscillating", "Historical"};
    if (code == 0) return kNames[0];
    const int k = std::abs(code);
    if (k > 8) throw std::invalid_argument("emergingName: code outside -8..8");
    return std::string(kNames[k]) + (code > 0 ? " Hot Spot" : " Cold Spot");
}

// The definitions of ArcGIS Pro's "How Emerging Hot Spot Analysis works", for hot spots (cold
// spots mirror them). n steps, h of them hot; "90 %" means h >= 0.9 n.
//   The final step is hot:
//     h >= 90 %: Intensifying with a significant rising trend, Diminishing with a significant
//                falling trend, else Persistent.
//     h < 90 %:  Oscillating when any earlier step was a cold spot; else New when the final step
//                is the only hot one, Consecutive when the hot steps are one unbroken run of two or
//                more ending at the final step, else Sporadic (on again, off again).
//   The final step is not hot, but h >= 90 %: Historical.
// Persistent is read, as ArcGIS lists the categories, as "90 % with the final step hot and no
// trend"; with the final step not hot the same location is Historical.
int classifyEmerging(std::span<const std::int8_t> sig, double trendZ, bool trendSignificant) {
    const std::size_t n = sig.size();
    if (n == 0) return 0;
    for (const int side : {1, -1}) {
        const auto is = [&](std::size_t t) { return sig[t] * side > 0; };
        const auto opposite = [&](std::size_t t) { return sig[t] * side < 0; };
        std::size_t h = 0;
        for (std::size_t t = 0; t < n; ++t) h += is(t);
        const bool ninety = static_cast<double>(h) >= 0.9 * static_cast<double>(n);
        if (is(n - 1)) {
            if (ninety) {
                // "Intensifying": the clustering of high values grows (hot) or of low values (cold):
                // z rising for hot spots, z falling (more negative) for cold spots.
                if (trendSignificant && trendZ * side > 0) return 3 * side;
                if (trendSignificant && trendZ * side < 0) return 5 * side;
                return 4 * side;
            }
            for (std::size_t t = 0; t + 1 < n; ++t)
                if (opposite(t)) return 7 * side;
            std::size_t run = 0;
            while (run < n && is(n - 1 - run)) ++run;
            if (run == h) return (run == 1 ? 1 : 2) * side;
            return 6 * side;
        }
        if (ninety) return 8 * side;
    }
    return 0;
}

EmergingResult emergingHotSpots(std::span<const double> counts, std::size_t steps, const Weights& spatial,
                                int timeLag, double alpha, Correction correction,
                                const std::function<void()>& checkCancelled) {
    const std::size_t cells = spatial.size();
    if (steps == 0 || counts.size() != cells * steps)
        throw std::invalid_argument("emergingHotSpots: counts must hold cells x steps values");
    if (timeLag < 0) throw std::invalid_argument("emergingHotSpots: the time lag must be >= 0");
    EmergingResult r;
    r.steps = steps;
    const double n = static_cast<double>(counts.size());
    double sum = 0, sum2 = 0;
    for (double v : counts) {
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.z.assign(counts.size(), nan);
    r.p.assign(counts.size(), nan);
    for (std::size_t i = 0; i < cells; ++i) {
        if (checkCancelled && i % 256 == 0) checkCancelled();
        bool selfListed = false;
        for (auto k = spatial.offsets[i]; k < spatial.offsets[i + 1]; ++k)
            selfListed = selfListed || spatial.index[static_cast<std::size_t>(k)] == static_cast<std::int32_t>(i);
        for (std::size_t t = 0; t < steps; ++t) {
            const std::size_t first = t >= static_cast<std::size_t>(timeLag) ? t - static_cast<std::size_t>(timeLag) : 0;
            double local = 0, w = 0;
            for (std::size_t s = first; s <= t; ++s) {
                if (!selfListed) {
                    local += counts[i * steps + s];
                    w += 1;
                }
                for (auto k = spatial.offsets[i]; k < spatial.offsets[i + 1]; ++k) {
                    local += counts[static_cast<std::size_t>(spatial.index[static_cast<std::size_t>(k)]) * steps + s];
                    w += 1;
                }
            }
            if (sd <= 0 || w >= n) continue;
            const double z = (local - mean * w) / (sd * std::sqrt((n * w - w * w) / (n - 1)));
            r.z[i * steps + t] = z;
            r.p[i * steps + t] = twoSidedP(z);
        }
    }
    const double cutoff = significanceCutoff(r.p, alpha, correction);
    r.significant.assign(counts.size(), 0);
    for (std::size_t b = 0; b < counts.size(); ++b)
        if (std::isfinite(r.p[b]) && r.p[b] <= cutoff) r.significant[b] = r.z[b] > 0 ? 1 : -1;
    r.trendZ.assign(cells, nan);
    r.trendP.assign(cells, nan);
    r.pattern.assign(cells, 0);
    r.hotSteps.assign(cells, 0);
    r.coldSteps.assign(cells, 0);
    for (std::size_t i = 0; i < cells; ++i) {
        if (checkCancelled && i % 16 == 0) checkCancelled();  // Mann-Kendall is quadratic in the steps
        const std::span<const double> series(r.z.data() + i * steps, steps);
        const MannKendall mk = mannKendall(series);
        r.trendZ[i] = mk.z;
        r.trendP[i] = mk.p;
        const std::span<const std::int8_t> sig(r.significant.data() + i * steps, steps);
        for (auto v : sig) {
            r.hotSteps[i] += v > 0;
            r.coldSteps[i] += v < 0;
        }
        r.pattern[i] = static_cast<std::int8_t>(classifyEmerging(sig, mk.z, mk.p <= alpha));
    }
    return r;
}

} // namespace trygg::stats
