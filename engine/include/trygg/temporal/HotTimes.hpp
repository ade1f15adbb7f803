#pragma once
// Hot times: incidents by weekday and hour of the day, the table Brå's guidance reads beside a
// hotspot map.
#include <array>
#include <bitset>
#include <cstdint>
#include <span>
#include <string>

namespace trygg::temporal {

struct TimeFilter;

struct HourWeekdayTable {
    std::array<std::array<std::int64_t, 24>, 7> counts{};  // [weekday Monday = 0][hour]
    std::array<std::int64_t, 7> noClock{};  // per weekday: reports with a date but no clock time
    std::int64_t total = 0;   // reports with a clock time (those in `counts`)
    std::int64_t noTime = 0;  // reports without any time
    // The slots the analysis counts at all. Under a filter of hours or weekdays the others are
    // empty by construction, not by observation: written as NULL, never as a 0 a reader could
    // take for a finding (and never as cover for a hidden count when publishing).
    std::bitset<24> hours = std::bitset<24>().set();
    std::bitset<7> weekdays = std::bitset<7>().set();
    bool countsNoClock = true;  // a filter of hours drops reports with a date alone
    std::int64_t dateOnly() const;  // reports with a date alone (the sum of noClock)

    // Reports on that weekday, with or without a clock time.
    std::int64_t weekdayTotal(int weekday) const;
    // Reports with a clock time in that hour.
    std::int64_t hourTotal(int hour) const;
    // The busiest hour and weekday as "19-20 (94)" and "lördag (184)"; "" when no report has a
    // clock time (for the hour) or a date (for the weekday): a date alone never counts as
    // midnight. Ties go to the earlier hour or day.
    std::string peakHour() const;
    std::string peakWeekday(bool english = false) const;

    bool counted(int weekday, int hour) const { return weekdays.test(static_cast<std::size_t>(weekday)) && hours.test(static_cast<std::size_t>(hour)); }
    bool countedNoClock(int weekday) const { return countsNoClock && weekdays.test(static_cast<std::size_t>(weekday)); }
    bool countedWeekday(int weekday) const { return weekdays.test(static_cast<std::size_t>(weekday)); }
    // Marks the slots `filter` keeps (the analysis's reports were filtered by it).
    void scopeTo(const TimeFilter& filter);
};

// Counts the given reports (indexes into `wallSeconds`; io::kNoTime for no time; `hasClock` 0 for
// a date alone).
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock,
                                  std::span<const std::size_t> reports);
// Counts every report.
HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock);

} // namespace trygg::temporal
