#pragma once
// The report's charts, drawn by Trygg as SVG: a line over months, paired bars per category, and
// the heat map of weekday by hour. Values given as NaN (hidden when publishing) are left out and
// said so. Internal to the report.
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace trygg::report {

struct Series {
    std::string name, colour;
    std::vector<double> values;  // NaN: not shown
};

// Months on the x axis ("2023-01" ...), labelled with the month's short name in the language.
std::string monthChart(const std::vector<std::string>& months, const std::vector<Series>& series, bool english);

// Per category two bars, the period before and the latest, with the counts written beside them.
struct BarRow {
    std::string label;
    double before = 0, latest = 0;  // NaN: hidden
    std::string note;               // "+28 %*" beside the bars
};
std::string pairedBars(const std::vector<BarRow>& rows, const std::string& beforeName, const std::string& latestName,
                       const std::string& hiddenText);

// Relative risk values with their intervals on a log scale, one row per factor (ranked by the
// caller), a line at 1 (no effect): above 1 red, below 1 blue.
struct RiskRow {
    std::string label;
    double rrv = 1, low = 1, high = 1;
};
std::string riskBars(const std::vector<RiskRow>& rows, bool english);

// Weekday rows (Monday first) by hour columns; nullopt cells are not counted (a filter) or hidden.
std::string weekHourHeatmap(const std::array<std::array<std::optional<double>, 24>, 7>& counts,
                            const std::array<std::string, 7>& weekdays, bool english);

} // namespace trygg::report
