// The sun and the clock (temporal/Daylight.hpp). Sunrise and sunset against Paul Schlyter's
// published tables (stjarnhimlen.se, "Upp/nedgångar", Swedish standard time, upper limb on the
// horizon): Östersund 2021 (14.635 E, 63.178 N) and Sundsvall 2001 (17.290 E, 62.392 N), the
// winter north, where the sun rises slowest and a minute is the hardest to hold. Their "Gry" is the
// sun's centre 15° below the horizon, a check on the interpolated altitude. The time zone's rules
// are the tz database's (Europe/Stockholm: CET, CEST from the last Sunday of March 02:00 to the
// last Sunday of October 03:00).
#include "trygg/temporal/Daylight.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <random>

using namespace trygg;
using namespace trygg::temporal;

namespace {

// Seconds since 1970 of a civil date and time (as UTC, or as a wall clock).
std::int64_t at(int y, int m, int d, int hh, int mm, int ss = 0) {
    return io::daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

struct Published {
    int year, month, day;
    int riseH, riseM, setH, setM, dawnH, dawnM;  // Swedish standard time (UTC+1)
};

constexpr double kOstersund[2] = {14.635, 63.178}, kSundsvall[2] = {17.290, 62.392};
constexpr double kKavlinge[2] = {13.11, 55.79};

} // namespace

TEST_CASE("sunrise and sunset against Schlyter's published tables, to the minute", "[temporal]") {
    struct Place {
        const double* lonLat;
        std::vector<Published> days;
    };
    const std::vector<Place> places = {
        {kOstersund, {{2021, 1, 1, 9, 39, 14, 32, 6, 55}, {2021, 1, 5, 9, 34, 14, 40, 6, 53}, {2021, 1, 10, 9, 27, 14, 52, 6, 50},
                      {2021, 1, 15, 9, 17, 15, 5, 6, 45}, {2021, 1, 18, 9, 11, 15, 14, 6, 41}}},
        {kSundsvall, {{2001, 1, 1, 9, 18, 14, 31, 6, 42}, {2001, 1, 8, 9, 11, 14, 45, 6, 39}, {2001, 1, 14, 9, 1, 15, 0, 6, 33},
                      {2001, 1, 19, 8, 51, 15, 13, 6, 27}}},
    };
    for (const auto& place : places) {
        // Both to the minute. (Before the sun was precessed to the date, libnova's J2000
        // coordinates put Östersund's 2021 sunrises and sunsets about a minute early; Sundsvall's
        // of 2001, one year after J2000, passed all the same.)
        const std::int64_t slack = 60;
        const std::int64_t window = slack + 30;
        const SunPath sun(at(2000, 12, 1, 0, 0), at(2021, 2, 1, 0, 0));
        for (const auto& p : place.days) {
            INFO(p.year << "-" << p.month << "-" << p.day << " at " << place.lonLat[0] << " E");
            std::int64_t rise = 0, set = 0;
            REQUIRE(sunriseSunset(at(p.year, p.month, p.day, 12, 0) - 3600, place.lonLat[0], place.lonLat[1], rise, set));
            // The table's minute, in UTC: the computed time rounds to it (within a minute either way).
            const std::int64_t pubRise = at(p.year, p.month, p.day, p.riseH, p.riseM) - 3600;
            const std::int64_t pubSet = at(p.year, p.month, p.day, p.setH, p.setM) - 3600;
            CHECK(std::abs(rise - pubRise) <= slack);
            CHECK(std::abs(set - pubSet) <= slack);
            // The interpolated path crosses the almanacs' altitude within that too ...
            CHECK(sun.altitudeDeg(pubRise - window, place.lonLat[0], place.lonLat[1]) < kSunriseAltitudeDeg);
            CHECK(sun.altitudeDeg(pubRise + window, place.lonLat[0], place.lonLat[1]) > kSunriseAltitudeDeg);
            CHECK(sun.altitudeDeg(pubSet - window, place.lonLat[0], place.lonLat[1]) > kSunriseAltitudeDeg);
            CHECK(sun.altitudeDeg(pubSet + window, place.lonLat[0], place.lonLat[1]) < kSunriseAltitudeDeg);
            // ... and -15° at the table's dawn.
            const std::int64_t dawn = at(p.year, p.month, p.day, p.dawnH, p.dawnM) - 3600;
            CHECK(sun.altitudeDeg(dawn - 90, place.lonLat[0], place.lonLat[1]) < -15.0);
            CHECK(sun.altitudeDeg(dawn + 90, place.lonLat[0], place.lonLat[1]) > -15.0);
        }
    }
}

TEST_CASE("the interpolated sun equals libnova's full computation to a millionth of a degree", "[temporal]") {
    const std::int64_t from = at(2022, 1, 1, 0, 0), to = at(2025, 1, 1, 0, 0);
    const SunPath sun(from, to);
    std::mt19937_64 rng(17);
    double worst = 0;
    for (int k = 0; k < 2000; ++k) {
        const auto t = from + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(to - from));
        const double lon = 11 + (rng() % 1200) / 100.0, lat = 55 + (rng() % 1400) / 100.0;  // Sweden
        worst = std::max(worst, std::abs(sun.altitudeDeg(t, lon, lat) - sunAltitudeDeg(t, lon, lat)));
    }
    INFO("worst " << worst);
    CHECK(worst < 1e-6);
    // Outside its period it is the full computation.
    CHECK(sun.altitudeDeg(at(2030, 6, 1, 12, 0), 13, 56) == sunAltitudeDeg(at(2030, 6, 1, 12, 0), 13, 56));
}

TEST_CASE("wall clock to UTC in Europe/Stockholm, daylight saving time and its two nights", "[temporal]") {
    const WallClock clock("Europe/Stockholm");
    CHECK(clock.toUtc(at(2024, 1, 15, 12, 0)) == at(2024, 1, 15, 11, 0));  // CET
    CHECK(clock.toUtc(at(2024, 7, 1, 12, 0)) == at(2024, 7, 1, 10, 0));    // CEST
    // 31 March 2024: 02:00 CET became 03:00 CEST.
    CHECK(clock.toUtc(at(2024, 3, 31, 1, 59, 59)) == at(2024, 3, 31, 0, 59, 59));
    CHECK(clock.toUtc(at(2024, 3, 31, 3, 0)) == at(2024, 3, 31, 1, 0));
    CHECK(clock.toUtc(at(2024, 3, 31, 2, 30)) == at(2024, 3, 31, 1, 30));  // never on the wall: read as CET
    // 27 October 2024: 03:00 CEST became 02:00 CET; 02:30 came twice, the first is taken.
    CHECK(clock.toUtc(at(2024, 10, 27, 2, 30)) == at(2024, 10, 27, 0, 30));
    CHECK(clock.toUtc(at(2024, 10, 27, 3, 0)) == at(2024, 10, 27, 2, 0));
    CHECK(clock.zone() == "Europe/Stockholm");
    CHECK_THROWS_AS(WallClock("Europe/Kävlinge"), InputError);
    CHECK_THROWS_WITH(WallClock("Europe/Kävlinge"), Catch::Contains("Europe/Kävlinge") && Catch::Contains("tz database"));
}

TEST_CASE("light classes at Kävlinge: the clock misleads, the sun does not", "[temporal]") {
    const WallClock clock("Europe/Stockholm");
    const SunPath sun(at(2024, 1, 1, 0, 0), at(2025, 1, 1, 0, 0));
    const auto classAt = [&](int y, int m, int d, int hh, int mm) {
        return sun.lightClass(clock.toUtc(at(y, m, d, hh, mm)), kKavlinge[0], kKavlinge[1]);
    };
    // 18:30: broad daylight at midsummer, deep dark at midwinter.
    CHECK(classAt(2024, 6, 21, 18, 30) == LightClass::Daylight);
    CHECK(classAt(2024, 12, 21, 18, 30) == LightClass::Darkness);
    // Midsummer at 22:30 CEST: the sun set at about 22:00, civil twilight runs to about 23:00.
    CHECK(classAt(2024, 6, 21, 22, 30) == LightClass::Twilight);
    // The night the clocks went forward, at the hour that never was: dark either way.
    CHECK(classAt(2024, 3, 31, 2, 30) == LightClass::Darkness);
    // Noon in December, the sun 11° up.
    CHECK(classAt(2024, 12, 21, 12, 0) == LightClass::Daylight);
    CHECK(std::string(toString(LightClass::Darkness)) == "morker");
    CHECK(std::string(labelSv(LightClass::Darkness)) == "Mörker");
}

TEST_CASE("the hours of daylight, twilight and darkness at Kävlinge, from the sun", "[temporal]") {
    const SunPath sun(at(2024, 1, 1, 0, 0), at(2025, 1, 1, 0, 0));
    for (const auto& [m, d] : {std::pair{12, 21}, {6, 21}, {3, 20}}) {
        INFO("2024-" << m << "-" << d);
        // The UTC day: daylight is its sunset less its sunrise (the same libnova, two paths).
        const std::int64_t day = at(2024, m, d, 0, 0);
        const LightHours h = lightHours(sun, day, day + 86400, kKavlinge[0], kKavlinge[1], 60);
        CHECK(h.total() == Approx(24.0));
        std::int64_t rise = 0, set = 0;
        REQUIRE(sunriseSunset(day + 43200, kKavlinge[0], kKavlinge[1], rise, set));
        CHECK(h.daylight == Approx(static_cast<double>(set - rise) / 3600).margin(2.0 / 60));
    }
    // The figures: about 7 hours of day in December, over 17 in June; at midsummer the sun
    // is at most about 10.8° down, so darkness lasts about four hours and twilight long.
    const auto dec = lightHours(sun, at(2024, 12, 21, 0, 0), at(2024, 12, 22, 0, 0), kKavlinge[0], kKavlinge[1]);
    const auto jun = lightHours(sun, at(2024, 6, 21, 0, 0), at(2024, 6, 22, 0, 0), kKavlinge[0], kKavlinge[1]);
    CHECK(dec.daylight > 6.8);
    CHECK(dec.daylight < 7.3);
    CHECK(dec.darkness > 15.0);
    CHECK(jun.daylight > 17.2);
    CHECK(jun.daylight < 17.8);
    CHECK(jun.darkness > 3.5);
    CHECK(jun.darkness < 5.0);
    CHECK(jun.twilight > dec.twilight);
}

TEST_CASE("a month's hours of light are its real hours, daylight saving time included, in the hours kept", "[temporal]") {
    const WallClock clock("Europe/Stockholm");
    // The wall clock at a moment, and back: the night the clocks go back reads 02:30 twice.
    CHECK(clock.toWall(at(2024, 10, 27, 0, 30)) == at(2024, 10, 27, 2, 30));  // CEST, UTC+2
    CHECK(clock.toWall(at(2024, 10, 27, 1, 30)) == at(2024, 10, 27, 2, 30));  // CET, UTC+1
    CHECK(clock.toWall(at(2024, 7, 1, 10, 0)) == at(2024, 7, 1, 12, 0));
    CHECK(clock.toUtc(clock.toWall(at(2024, 1, 15, 8, 0))) == at(2024, 1, 15, 8, 0));
    // January to December 2024: March has an hour less (clocks forward on the 31st), October an
    // hour more; every month's classes add up to its real hours.
    const MonthlyLightHours all = lightHoursByMonth(clock, 2024, 1, 12, kKavlinge[0], kKavlinge[1], {});
    REQUIRE(all.months.size() == 12);
    const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 0; m < 12; ++m) {
        INFO("month " << m + 1);
        const double expected = days[m] * 24.0 + (m == 2 ? -1.0 : m == 9 ? 1.0 : 0.0);
        CHECK(all.months[static_cast<std::size_t>(m)].total() == Approx(expected).margin(1e-9));
    }
    CHECK(all.total().total() == Approx(366 * 24.0));
    // December's daylight is December's days of lightHours (the same sun, stepped another way).
    const SunPath sun(at(2024, 11, 30, 0, 0), at(2025, 1, 2, 0, 0));
    const LightHours dec = lightHours(sun, clock.toUtc(at(2024, 12, 1, 0, 0)), clock.toUtc(at(2025, 1, 1, 0, 0)),
                                      kKavlinge[0], kKavlinge[1]);
    CHECK(all.months[11].daylight == Approx(dec.daylight).margin(0.2));
    CHECK(all.months[11].darkness > 2 * all.months[11].daylight);
    CHECK(all.months[5].daylight > 3 * all.months[5].darkness);
    // Kept hours only: 22:00-05:00 on the wall clock is 7 hours a night, 217 in January; in the
    // month the clocks go back, the repeated hour 02-03 is kept twice (31 x 7 + 1).
    const auto night = [](std::int64_t wall) {
        const std::int64_t h = ((wall % 86400) + 86400) % 86400 / 3600;
        return h >= 22 || h < 5;
    };
    const MonthlyLightHours nights = lightHoursByMonth(clock, 2024, 1, 12, kKavlinge[0], kKavlinge[1], night);
    CHECK(nights.months[0].total() == Approx(217.0).margin(1e-9));
    CHECK(nights.months[9].total() == Approx(218.0).margin(1e-9));
    CHECK(nights.months[2].total() == Approx(216.0).margin(1e-9));
    // January's nights are dark throughout; June's (22-05) hold under five hours of darkness and
    // over an hour and a half of twilight a night (civil dusk about 22:50 CEST, dawn about 03:30).
    CHECK(nights.months[0].darkness == Approx(217.0).margin(1e-9));
    CHECK(nights.months[5].darkness < 30 * 5.0);
    CHECK(nights.months[5].twilight > 30 * 1.5);
}

TEST_CASE("sunrise and sunset at Malmö, 20 km from Kävlinge, as astroinfo.se published them for December 2023", "[temporal]") {
    // astroinfo.se, "14/12-23: Nu börjar det vända – på kvällen" (Swedish standard time): in Malmö
    // the sun sets at 15:35 on 14 December and 15:37 on 22 December, and rises at 08:29 and 08:35.
    // Malmö's centre: 13.00 E, 55.605 N. Published to the minute: held to a minute either way.
    struct Day {
        int day, riseH, riseM, setH, setM;
    };
    for (const Day& p : {Day{14, 8, 29, 15, 35}, Day{22, 8, 35, 15, 37}}) {
        INFO("2023-12-" << p.day);
        std::int64_t rise = 0, set = 0;
        REQUIRE(sunriseSunset(at(2023, 12, p.day, 11, 0), 13.00, 55.605, rise, set));
        CHECK(std::abs(rise - (at(2023, 12, p.day, p.riseH, p.riseM) - 3600)) <= 60);
        CHECK(std::abs(set - (at(2023, 12, p.day, p.setH, p.setM) - 3600)) <= 60);
    }
}
