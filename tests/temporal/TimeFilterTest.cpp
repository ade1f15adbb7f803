// Time filters and hot times. Expected weekdays come from a printed calendar (2024-03-01 was a
// Friday, 2023-12-31 a Sunday, 1970-01-01 a Thursday); counts are worked out by hand below.
#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/temporal/HotTimes.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <catch2/catch.hpp>

using namespace trygg;
using namespace trygg::temporal;

namespace {

std::int64_t at(const char* text) { return io::parseDateTime(text)->wallSeconds(); }

} // namespace

TEST_CASE("calendar parts of a wall time", "[temporal]") {
    const CalendarTime c = calendarOf(at("2024-03-01 18:45"));
    CHECK(c.year == 2024);
    CHECK(c.month == 3);
    CHECK(c.day == 1);
    CHECK(c.hour == 18);
    CHECK(c.weekday == 4);  // Friday
    CHECK(calendarOf(at("2023-12-31 00:00")).weekday == 6);
    CHECK(calendarOf(0).weekday == 3);
    CHECK(calendarOf(at("2024-02-29 23:59")).day == 29);
    // Before 1970 the day still starts at midnight.
    const CalendarTime old = calendarOf(at("1969-12-31 23:30"));
    CHECK(old.year == 1969);
    CHECK(old.hour == 23);
    CHECK(old.weekday == 2);  // Wednesday
}

TEST_CASE("hour ranges, across midnight too", "[temporal]") {
    const auto night = parseHours("18-06");
    CHECK(night.count() == 12);
    CHECK(night[18]);
    CHECK(night[23]);
    CHECK(night[0]);
    CHECK(night[5]);
    CHECK_FALSE(night[6]);
    CHECK_FALSE(night[17]);
    CHECK(parseHours("0-24").all());
    CHECK(parseHours("22-24").count() == 2);
    const auto two = parseHours("22-02, 10-12");
    CHECK(two.count() == 6);
    CHECK(two[1]);
    CHECK(two[11]);
    CHECK_FALSE(two[12]);
    CHECK(parseHours("7").count() == 1);
    CHECK_THROWS_AS(parseHours("18-18"), InputError);
    CHECK_THROWS_AS(parseHours("25-02"), InputError);
    CHECK_THROWS_AS(parseHours("kväll"), InputError);
}

TEST_CASE("weekdays and months by name, number and group", "[temporal]") {
    CHECK(parseWeekdays({"fre", "Lördag"}) == std::bitset<7>(0b0110000));
    CHECK(parseWeekdays({"friday", "sat"}) == std::bitset<7>(0b0110000));
    CHECK(parseWeekdays({"1", "7"}) == std::bitset<7>(0b1000001));
    CHECK(parseWeekdays({"vardagar"}).count() == 5);
    CHECK(parseWeekdays({"helg"}) == std::bitset<7>(0b1100000));
    CHECK_THROWS_WITH(parseWeekdays({"fredagkväll"}), Catch::Contains("'fredagkväll' is not a weekday"));
    const auto winter = parseMonths({"vinter"});
    CHECK(winter.count() == 3);
    CHECK(winter[11]);
    CHECK(winter[0]);
    CHECK(winter[1]);
    CHECK(parseMonths({"jul", "8", "June"}) == parseMonths({"sommar"}));
    CHECK(parseMonths({"okt"})[9]);
    CHECK_THROWS_AS(parseMonths({"13"}), InputError);
}

TEST_CASE("a date alone as the end bound takes in that whole day", "[temporal]") {
    CHECK(parseDateBound("2024-03-01", false) == at("2024-03-01 00:00"));
    CHECK(parseDateBound("2024-03-01", true) == at("2024-03-02 00:00"));
    CHECK(parseDateBound("2024-03-01 18:00", true) == at("2024-03-01 18:00"));
    CHECK_THROWS_AS(parseDateBound("mars", false), InputError);
}

TEST_CASE("a filter keeps what each of its parts keeps", "[temporal]") {
    TimeFilter f;
    CHECK_FALSE(f.active());
    CHECK(f.keeps(at("2024-03-01 12:00")));
    f.from = parseDateBound("2024-01-01", false);
    f.to = parseDateBound("2024-12-31", true);
    f.hours = parseHours("18-06");
    f.weekdays = parseWeekdays({"fre", "lör"});
    CHECK(f.keeps(at("2024-03-01 18:00")));        // Friday evening
    CHECK(f.keeps(at("2024-03-02 05:59")));        // Saturday before six
    CHECK_FALSE(f.keeps(at("2024-03-03 01:00")));  // Sunday night: the weekday is the calendar's
    CHECK_FALSE(f.keeps(at("2024-03-01 17:59")));
    CHECK_FALSE(f.keeps(at("2023-12-29 20:00")));  // a Friday, but before the range
    CHECK(f.keeps(at("2024-12-27 23:00")));        // the last Friday, inside the range
    CHECK(f.describe() == "2024-01-01 to 2024-12-31 (whole day), hours 18-06, weekdays fre lör");
}

TEST_CASE("applying a filter keeps every column in step and counts what it leaves out", "[temporal]") {
    io::ReportSet r;
    const char* times[] = {"2024-03-01 19:00", "2024-03-04 19:00", "2024-03-02 02:00", "2024-03-01 12:00"};
    for (int i = 0; i < 4; ++i) {
        r.x.push_back(i);
        r.y.push_back(10 * i);
        r.row.push_back(100 + i);
        r.category.push_back(i % 2);
        r.timeWallSeconds.push_back(at(times[i]));
        r.hasClock.push_back(1);
    }
    r.x.push_back(4);
    r.y.push_back(40);
    r.row.push_back(104);
    r.category.push_back(0);
    r.timeWallSeconds.push_back(io::kNoTime);
    r.hasClock.push_back(0);
    // A Saturday without a clock time: its midnight would pass "18-06", but its hour is unknown.
    r.x.push_back(5);
    r.y.push_back(50);
    r.row.push_back(105);
    r.category.push_back(0);
    r.timeWallSeconds.push_back(at("2024-03-02"));
    r.hasClock.push_back(0);
    r.rowsRead = 7;
    r.rejected.resize(1);

    TimeFilter f;
    f.hours = parseHours("18-06");
    f.weekdays = parseWeekdays({"helg", "fre"});
    FilterCounts counts;
    const io::ReportSet kept = applyFilter(r, f, counts);
    // Friday 19:00 and Saturday 02:00 are kept; Monday and Friday noon are outside; one has no time.
    CHECK(counts.kept == 2);
    CHECK(counts.outside == 2);
    CHECK(counts.noTime == 1);
    CHECK(counts.noClock == 1);
    REQUIRE(kept.acceptedCount() == 2);
    CHECK(kept.row == std::vector<std::int64_t>{100, 102});
    CHECK(kept.y == std::vector<double>{0, 20});
    CHECK(kept.category == std::vector<std::int32_t>{0, 0});
    CHECK(kept.rejected.size() == 1);
    CHECK(kept.rowsRead == 7);
}

TEST_CASE("hot times count by weekday and hour and name the peaks", "[temporal]") {
    // Three on Friday 19-20, two on Saturday 19-20, one on Saturday 02-03, one without a time:
    // the peak hour is 19-20 with 5 and the peak weekday Friday with 3 (Saturday has 3 too; the
    // earlier day wins the tie).
    const std::vector<std::int64_t> t = {at("2024-03-01 19:05"), at("2024-03-01 19:30"), at("2024-03-08 19:59"),
                                         at("2024-03-02 19:00"), at("2024-03-09 19:10"), at("2024-03-02 02:15"),
                                         io::kNoTime};
    const std::vector<char> clock(t.size(), 1);
    const HourWeekdayTable all = hourWeekdayTable(t, clock);
    CHECK(all.total == 6);
    CHECK(all.noTime == 1);
    CHECK(all.counts[4][19] == 3);
    CHECK(all.counts[5][19] == 2);
    CHECK(all.counts[5][2] == 1);
    CHECK(all.hourTotal(19) == 5);
    CHECK(all.peakHour() == "19-20 (5)");
    CHECK(all.peakWeekday() == "fredag (3)");
    const std::vector<std::size_t> some = {3, 4, 5};
    const HourWeekdayTable saturday = hourWeekdayTable(t, clock, some);
    CHECK(saturday.total == 3);
    CHECK(saturday.peakWeekday() == "lördag (3)");
    CHECK(hourWeekdayTable(std::vector<std::int64_t>{io::kNoTime}, std::vector<char>{0}).peakHour().empty());
}

TEST_CASE("hot times: a date without a clock time counts for its weekday, never for midnight", "[temporal]") {
    // Four reports dated Sunday 2024-03-03 without a clock time and one on Monday at 08:10: the
    // hour table holds the Monday report alone, the peak hour is 08-09, never 00-01, and Sunday
    // is the peak weekday with its four dates.
    const std::vector<std::int64_t> t = {at("2024-03-03"), at("2024-03-03"), at("2024-03-03"), at("2024-03-03"),
                                         at("2024-03-04 08:10")};
    const std::vector<char> clock = {0, 0, 0, 0, 1};
    const HourWeekdayTable h = hourWeekdayTable(t, clock);
    CHECK(h.total == 1);
    CHECK(h.dateOnly() == 4);
    CHECK(h.noClock[6] == 4);
    CHECK(h.counts[6][0] == 0);
    CHECK(h.hourTotal(0) == 0);
    CHECK(h.peakHour() == "08-09 (1)");
    CHECK(h.peakWeekday() == "söndag (4)");
    // Dates alone: no peak hour at all.
    const std::vector<char> none(t.size(), 0);
    CHECK(hourWeekdayTable(t, none).peakHour().empty());
}
