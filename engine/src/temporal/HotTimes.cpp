#include "trygg/temporal/HotTimes.hpp"

#include "trygg/io/ReportReader.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <fmt/format.h>

namespace trygg::temporal {
namespace {

void add(HourWeekdayTable& t, std::int64_t wall, bool hasClock) {
    if (wall == io::kNoTime) {
        ++t.noTime;
        return;
    }
    const CalendarTime c = calendarOf(wall);
    if (!hasClock) {
        ++t.noClock[static_cast<std::size_t>(c.weekday)];
        return;
    }
    ++t.counts[static_cast<std::size_t>(c.weekday)][static_cast<std::size_t>(c.hour)];
    ++t.total;
}

} // namespace

void HourWeekdayTable::scopeTo(const TimeFilter& filter) {
    if (filter.hours.any()) hours = filter.hours, countsNoClock = false;
    if (filter.weekdays.any()) weekdays = filter.weekdays;
}

std::int64_t HourWeekdayTable::dateOnly() const {
    std::int64_t s = 0;
    for (auto v : noClock) s += v;
    return s;
}

std::int64_t HourWeekdayTable::weekdayTotal(int weekday) const {
    std::int64_t s = noClock[static_cast<std::size_t>(weekday)];
    for (auto v : counts[static_cast<std::size_t>(weekday)]) s += v;
    return s;
}

std::int64_t HourWeekdayTable::hourTotal(int hour) const {
    std::int64_t s = 0;
    for (const auto& day : counts) s += day[static_cast<std::size_t>(hour)];
    return s;
}

std::string HourWeekdayTable::peakHour() const {
    int best = 0;
    for (int h = 1; h < 24; ++h)
        if (hourTotal(h) > hourTotal(best)) best = h;
    if (hourTotal(best) == 0) return "";
    return fmt::format("{:02d}-{:02d} ({})", best, (best + 1) % 24, hourTotal(best));
}

std::string HourWeekdayTable::peakWeekday(bool english) const {
    int best = 0;
    for (int d = 1; d < 7; ++d)
        if (weekdayTotal(d) > weekdayTotal(best)) best = d;
    if (weekdayTotal(best) == 0) return "";
    return fmt::format("{} ({})", weekdayName(best, english), weekdayTotal(best));
}

HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock,
                                  std::span<const std::size_t> reports) {
    HourWeekdayTable t;
    for (std::size_t i : reports) add(t, wallSeconds[i], hasClock[i] != 0);
    return t;
}

HourWeekdayTable hourWeekdayTable(std::span<const std::int64_t> wallSeconds, std::span<const char> hasClock) {
    HourWeekdayTable t;
    for (std::size_t i = 0; i < wallSeconds.size(); ++i) add(t, wallSeconds[i], hasClock[i] != 0);
    return t;
}

} // namespace trygg::temporal
