#pragma once
// temporal.trend's result: the months, the periods of [lagesbild] and their comparison. Internal
// to the pipeline.
#include "trygg/temporal/Trend.hpp"

#include <cstdint>
#include <vector>

namespace trygg::pipeline::steps {

// The significance of a rise or fall (period_change.change).
inline constexpr double kTrendAlpha = 0.05;

struct TrendStep {
    temporal::MonthlyCounts months;
    temporal::PeriodKind kind = temporal::PeriodKind::Year;
    std::vector<temporal::DayRange> periods;           // [0] the latest complete period, then back
    std::vector<std::vector<std::int64_t>> perPeriod;  // [period][category], the last column all
    std::vector<temporal::PeriodComparison> change;    // per category, the last all
};

} // namespace trygg::pipeline::steps
