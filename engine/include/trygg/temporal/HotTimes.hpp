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
    std::array<std::int64_t, 7> noClock{};  // per weekday: reports with a date but no clock time
    std::int64_t total = 0;   // reports with a clock time (those in `counts`)
    std::int64_t noTime = 0;  // reports without any time
    std::int64_t dateOnly() const;  // reports with a date alone (the sum of noClock)

    // Reports on that weekday, with or without a clock time.
    std::int64_t weekdayTotal(int weekday) const;
    // Reports with a clock time in that hour.
    std::int64_t hourTotal(int hour) const;
    // The busiest hour and weekday as "19-20 (94)" and "lördag (184)"; "" when no report has a
    // clock time (for the hour) or a date (for the weekday): a date alone never counts as
    // midnight. Ties go to the earlier hour or day.
    std::string peakHour() const;
    std::string peakWeekday() const;
};

// Counts the given reports (indexes into `wallSeconds`; io::kNoTime for no time; `hasClock` 0 for
// a date alone).
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock,
                                  std::span<const std::size_t> reports);
// Counts every report.
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock);

} // namespace trygg::temporal
