#pragma once
// Perceived safety: residents' reports (safety walks, map surveys) summarised per cell, shrunk
// where they are few, and set beside the incidents. Plain C++ on plain arrays.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trygg::perception {

// The survey's scale: scores from `min` to `max`; `highIsUnsafe` says which end means unsafe; a
// score at or beyond `unsafeFrom` (towards that end) counts as an unsafe report.
struct Scale {
    double min = 1, max = 6;
    bool highIsUnsafe = true;
    double unsafeFrom = 4;
    bool isUnsafe(double score) const { return highIsUnsafe ? score >= unsafeFrom : score <= unsafeFrom; }
    bool contains(double score) const { return score >= min && score <= max; }
};

enum class TimeOfDay : std::int8_t { Unknown = -1, Day = 0, Evening = 1, Night = 2 };

// "dag", "kväll", "natt" (and "day", "evening", "night"), or a clock time "HH:MM": 06-18 day,
// 18-22 evening, 22-06 night. Empty text is Unknown; anything else nullopt.
std::optional<TimeOfDay> parseTimeOfDay(std::string_view text);
const char* toString(TimeOfDay t);  // "dag", "kväll", "natt", ""

// The reasons of one report: `text` split at ';' or ',' and trimmed, empty parts dropped.
std::vector<std::string> splitReasons(std::string_view text);

// Perception reports as columns: one entry per accepted report.
struct Reports {
    std::vector<double> score;
    std::vector<TimeOfDay> timeOfDay;
    std::vector<std::vector<std::int32_t>> reasons;  // indices into reasonNames
    std::vector<std::string> reasonNames;            // sorted
};

// Per cell (or area) summary of perception reports.
struct CellSummary {
    std::vector<std::uint32_t> n, unsafe;
    std::vector<double> mean;     // raw mean score, NaN without reports
    std::vector<double> ebMean;   // empirical-Bayes mean, NaN without reports
    std::vector<std::string> leadingReasons;  // "dålig belysning (4); ödsligt (2)"
    double grandMean = 0;         // the study area's mean score
    double withinVariance = 0;    // sigma^2: scores around their cell's mean
    double betweenVariance = 0;   // tau^2: cells' true means around the grand mean
};

// Summarises the reports by cell. `cellOfReport` gives each report's cell (negative: none).
//
// Empirical Bayes (normal-normal, Morris 1983): a cell's mean m_c of n_c scores is shrunk toward
// the study area's mean m by B_c = (s^2 / n_c) / (s^2 / n_c + t^2):
//   eb_c = B_c m + (1 - B_c) m_c
// with s^2 the pooled within-cell variance, sum (x - m_c)^2 / (N - C) over the C cells with
// reports, and t^2 the between-cell variance by the method of moments of DerSimonian & Laird
// (1986): t^2 = max(0, (Q - (C - 1)) / (W1 - W2 / W1)), Q = sum w_c (m_c - m_w)^2, w_c = n_c / s^2,
// W1 = sum w_c, W2 = sum w_c^2, m_w the w-weighted mean. Few reports: close to m; many: close to m_c.
CellSummary summarise(const Reports& reports, std::span<const std::int64_t> cellOfReport, std::size_t cellCount,
                      const Scale& scale, std::size_t leadingReasons = 2);

// Fear versus crime: each cell classed by whether incidents and perception are hot (Gi_Bin at or
// above `hotBin`), or `TooLittleData` when fewer than `minReports` perception reports lie in its
// neighbourhood.
enum class FearCrime : std::int8_t { TooLittleData = 0, Both = 1, PerceivedOnly = 2, IncidentsOnly = 3, Neither = 4 };
FearCrime classify(int incidentBin, int perceptionBin, double reportsInNeighbourhood, double minReports, int hotBin = 2);

// Plain-language labels and meanings for planners.
struct ClassText {
    const char* code;
    const char* labelSv;
    const char* labelEn;
    const char* meaningSv;
    const char* meaningEn;
};
const ClassText& text(FearCrime c);

// How the reasons go with unsafe reports: per reason, how many reports cite it, how many of those
// are unsafe, and the share unsafe against the share overall (the lift).
struct ReasonRow {
    std::string reason;
    std::uint32_t reports = 0, unsafe = 0;
    double shareUnsafe = 0, shareUnsafeOverall = 0, lift = 0;
};
std::vector<ReasonRow> rankReasons(const Reports& reports, const Scale& scale, std::span<const std::uint8_t> include = {});

} // namespace trygg::perception
