#pragma once
// The trend of a lägesbild: incidents month by month, and the latest period (a week, month,
// quarter or year) against the period before it and against the mean of the periods before
// that (the baseline), each with an exact test of whether the change is beyond chance.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace trygg::temporal {

// The day (since 1970-01-01) of a wall-clock time in seconds, rounding down before 1970 too.
inline std::int64_t dayOf(std::int64_t wallSeconds) {
    return wallSeconds >= 0 ? wallSeconds / 86400 : -((-wallSeconds + 86399) / 86400);
}

// A day (since 1970-01-01) as ISO 8601: "2024-03-01".
std::string isoDay(std::int64_t day);

// Counts per calendar month from the first report's month to the last one's, zeros included.
struct MonthlyCounts {
    int firstYear = 0, firstMonth = 0;              // of row 0
    std::vector<std::vector<std::int64_t>> counts;  // [month][category], the last column all categories
    std::size_t months() const { return counts.size(); }
    std::string label(std::size_t month) const;     // "2023-01"
};

// `wallSeconds` per report (io::kNoTime for none, skipped), `category` per report (an index below
// `categoryCount`, or -1: counted in the total alone; may be empty).
MonthlyCounts monthlyCounts(std::span<const std::int64_t> wallSeconds, std::span<const std::int32_t> category,
                            std::size_t categoryCount);

enum class PeriodKind { Week, Month, Quarter, Year };
std::optional<PeriodKind> periodKind(const std::string& name);  // "week", "month", "quarter", "year"
const char* toString(PeriodKind kind);

// A calendar period, as days since 1970-01-01, both ends included.
struct DayRange {
    std::int64_t first = 0, last = 0;
    std::string label() const;  // ISO 8601: "2024-01-01/2024-12-31"
};

// The calendar period of `kind` holding `day` (ISO weeks, Monday first) and the ones before it:
// [0] is that period, [k] the k-th before.
std::vector<DayRange> periodsEndingAt(PeriodKind kind, std::int64_t day, std::size_t count);

// The latest period a run should describe when the data ends on `lastDay`: the period holding it
// when it is that period's last day (complete), else the one before it (an export on 14 March does
// not make a March to compare with whole months).
DayRange latestCompletePeriod(PeriodKind kind, std::int64_t lastDay);

// The latest period against the one before and the baseline, for one series of counts.
struct PeriodComparison {
    std::int64_t now = 0, before = 0;
    std::int64_t baselineTotal = 0;  // over the `baselinePeriods` periods before the latest (`before` among them)
    std::size_t baselinePeriods = 0;
    double ratioBefore = 0;   // now / before; NaN when before = 0
    double pBefore = 0;       // exact conditional binomial test, now given now + before, q = 1/2 (R's binom.test)
    double ratioBaseline = 0; // now / (baselineTotal / baselinePeriods); NaN without a baseline
    double pBaseline = 0;     // now given now + baselineTotal, q = 1 / (1 + baselinePeriods); NaN without one
    // +1 rose, -1 fell, 0 no change beyond chance: against the period before at `alpha`.
    int direction(double alpha) const;
};
// `perPeriod[0]` the latest period's count, [k] the k-th before; baseline = periods 1 .. end (all
// periods before the latest that the data covers in full).
PeriodComparison comparePeriods(std::span<const std::int64_t> perPeriod);

} // namespace trygg::temporal
