#include "trygg/stats/MultipleTesting.hpp"

#include <algorithm>
#include <cmath>

namespace trygg::stats {

double benjaminiHochbergCutoff(std::span<const double> p, double alpha) {
    // Only p-values up to alpha can pass (k alpha / m <= alpha), and they hold the first ranks of
    // the sorted list: those alone are sorted (a tenth of a national grid under the null, not all
    // 7 million), m counts them all.
    std::vector<double> sorted;
    std::size_t finite = 0;
    for (double v : p) {
        if (!std::isfinite(v)) continue;
        ++finite;
        if (v <= alpha) sorted.push_back(v);
    }
    std::sort(sorted.begin(), sorted.end());
    const double m = static_cast<double>(finite);
    double cutoff = 0.0;
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        if (sorted[k] <= static_cast<double>(k + 1) * alpha / m) cutoff = sorted[k];
    }
    return cutoff;
}

std::optional<Correction> parseCorrection(const std::string& text) {
    if (text == "none") return Correction::None;
    if (text == "fdr") return Correction::FdrBenjaminiHochberg;
    if (text == "bonferroni") return Correction::Bonferroni;
    return std::nullopt;
}

std::string toString(Correction c) {
    switch (c) {
    case Correction::None: return "none";
    case Correction::FdrBenjaminiHochberg: return "fdr";
    case Correction::Bonferroni: return "bonferroni";
    }
    return "none";
}

double significanceCutoff(std::span<const double> p, double alpha, Correction correction) {
    switch (correction) {
    case Correction::None: return alpha;
    case Correction::FdrBenjaminiHochberg: return benjaminiHochbergCutoff(p, alpha);
    case Correction::Bonferroni: {
        const auto m = std::count_if(p.begin(), p.end(), [](double v) { return std::isfinite(v); });
        return m > 0 ? alpha / static_cast<double>(m) : alpha;
    }
    }
    return alpha;
}

std::vector<std::int8_t> confidenceBins(std::span<const double> z, std::span<const double> p, Correction correction) {
    constexpr double kAlpha[3] = {0.10, 0.05, 0.01};
    double cut[3];
    for (int k = 0; k < 3; ++k) cut[k] = significanceCutoff(p, kAlpha[k], correction);
    std::vector<std::int8_t> bins(z.size(), 0);
    for (std::size_t i = 0; i < z.size(); ++i) {
        if (!std::isfinite(z[i]) || !std::isfinite(p[i])) continue;
        int level = 0;
        for (int k = 0; k < 3; ++k) {
            // Uncorrected: p < alpha, as ArcGIS's critical z values give; corrected: p at or
            // below the cut-off (a BH cut-off is itself an observed p-value).
            const bool significant = correction == Correction::None ? p[i] < cut[k] : (cut[k] > 0 && p[i] <= cut[k]);
            if (significant) level = k + 1;
        }
        bins[i] = static_cast<std::int8_t>(z[i] > 0 ? level : -level);
    }
    return bins;
}

} // namespace trygg::stats
