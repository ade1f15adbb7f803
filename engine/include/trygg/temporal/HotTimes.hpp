#pragma once
// Hot times: incidents by weekday and hour of the day, the table Brå's guidance reads beside a
// hotspot map.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace trygg::temporal {

struct HourWeekdayTable {
    std::array<std::array<std::int64_t, 24>, 7> counts{};  // [weekday Monday = 0][hour]
    std::int64_t total = 0;   // reports with a time
    std::int64_t noTime = 0;  // reports without one

    std::int64_t weekdayTotal(int weekday) const;
    std::int64_t hourTotal(int hour) const;
    // The busiest hour and weekday as "19-20 (94)" and "lördag (184)"; "" when no report has a
    // time. Ties go to the earlier hour or day.
    std::string peakHour() const;
    std::string peakWeekday() const;
};

// Counts the given reports (indexes into `wallSeconds`; io::kNoTime for no time).
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const std::size_t> reports);
// Counts every report.
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds);

} // namespace trygg::temporal
