#pragma once
// Time filters: which reports an analysis runs on, by date range, hour of the day, weekday and
// month. Times are the reports' wall-clock times (io::DateTime::wallSeconds): seconds since
// 1970-01-01 00:00 as read, with no time zone applied, so "18-06" means 18:00 to 06:00 on the
// clock the police wrote down.
#include "trygg/io/ReportReader.hpp"

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trygg::temporal {

// Calendar parts of a wall time. Weekdays run Monday = 0 to Sunday = 6 (ISO 8601); months 1..12.
struct CalendarTime {
    int year = 1970, month = 1, day = 1, hour = 0, weekday = 3;
};
CalendarTime calendarOf(std::int64_t wallSeconds);

// The Swedish weekday name for 0..6 ("måndag" ...).
// The weekday's name (0 = Monday): "måndag", or "Monday" in English.
const char* weekdayName(int weekday, bool english = false);

struct TimeFilter {
    std::string period;                  // the named period it came from, "" for none
    std::optional<std::int64_t> from;    // inclusive, wall seconds
    std::optional<std::int64_t> to;      // exclusive, wall seconds
    std::bitset<24> hours;               // none set = any hour
    std::bitset<7> weekdays;             // none set = any weekday
    std::bitset<12> months;              // none set = any month

    bool active() const { return from || to || hours.any() || weekdays.any() || months.any(); }
    bool keeps(std::int64_t wallSeconds) const;
    // For run_metadata and the summary: "2024-01-01 to 2024-12-31, hours 18-06, weekdays fre lör".
    // "period 2024, 2024-01-01 to 2024-12-31 (whole day), hours 22-05"; in Swedish with `swedish`.
    std::string describe(bool swedish = false) const;
};

// "18-06" (across midnight: 18:00 to 06:00), "22-02,10-12", "7" (07:00 to 08:00). End hours are
// exclusive; "0-24" is the whole day. Throws InputError on anything else.
std::bitset<24> parseHours(std::string_view text);
// Swedish or English names, full or three letters ("fre", "friday"), 1..7 (Monday = 1), and the
// groups "vardagar"/"weekdays" and "helg"/"weekend". Throws InputError.
std::bitset<7> parseWeekdays(const std::vector<std::string>& items);
// 1..12, Swedish or English month names, full or three letters, and the seasons
// vinter/winter (Dec-Feb), vår/spring (Mar-May), sommar/summer (Jun-Aug), höst/autumn (Sep-Nov).
std::bitset<12> parseMonths(const std::vector<std::string>& items);
// "2024-03-01" or "2024-03-01 18:00". As an end bound, a date alone means through that day.
std::int64_t parseDateBound(std::string_view text, bool isEnd);

struct FilterCounts {
    std::size_t kept = 0;
    std::size_t outside = 0;  // a time outside the filter
    std::size_t noTime = 0;   // no time, so the filter cannot keep it
    std::size_t noClock = 0;  // a date without a clock time, under a filter of hours
};

// The accepted reports the filter keeps, in their order, compacted in place. Rejected rows and the
// reading facts are carried over unchanged. With an inactive filter, `reports` as given.
io::ReportSet applyFilter(io::ReportSet reports, const TimeFilter& filter, FilterCounts& counts);

} // namespace trygg::temporal
