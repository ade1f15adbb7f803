#pragma once
// Confidence bins for local statistics, with or without a multiple-testing correction.
#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <vector>

namespace trygg::stats {

enum class Correction { None, FdrBenjaminiHochberg, Bonferroni };

std::optional<Correction> parseCorrection(const std::string& text);  // "none", "fdr", "bonferroni"
std::string toString(Correction c);

// The p-value at or below which a test is significant at level alpha after the correction:
// alpha itself (none), the Benjamini-Hochberg cut-off (fdr), alpha / m (bonferroni), where m
// counts the finite p-values.
double significanceCutoff(std::span<const double> p, double alpha, Correction correction);

// The largest p-value still significant at level alpha under the Benjamini-Hochberg (1995)
// step-up procedure over the finite p-values given: max p_(k) with p_(k) <= k alpha / m, where
// m counts the finite p-values; 0 when none qualifies.
double benjaminiHochbergCutoff(std::span<const double> p, double alpha);

// ArcGIS Pro's Gi_Bin: +-3 for significance at 99 %, +-2 at 95 %, +-1 at 90 %, 0 otherwise, the
// sign from z. With FDR the cut-offs at each level (0.01, 0.05, 0.10) are lowered to the
// Benjamini-Hochberg cut-offs, as ArcGIS applies its FDR correction: z and p stay as computed,
// only the bin changes; Bonferroni divides each level by the number of tests. NaN z or p gives 0.
std::vector<std::int8_t> confidenceBins(std::span<const double> z, std::span<const double> p, Correction correction);

} // namespace trygg::stats
