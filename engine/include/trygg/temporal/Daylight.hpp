#pragma once
// Darkness from the sun, not the clock: at 55.8° N the sun is down about 17 hours a day in
// December and under 7 in June, so "after 18" means daylight in June and full dark in December.
//
// A report's clock time is local wall time (its time zone's, daylight saving time included).
// WallClock turns it into UTC with the system's tz database (Howard Hinnant's date/tz, as C++20's
// <chrono> zones, which GCC 12 lacks). The sun's place is libnova's (VSOP87 for the Earth, Meeus's
// "Astronomical Algorithms" for the rest); SunPath keeps its equatorial coordinates once a day of a
// period and interpolates between them, so a million reports cost a million cheap altitudes, not a
// million VSOP87 series.
//
// The light classes, by the altitude of the sun's centre without refraction:
//   dagsljus (daylight)   above -0.833°, the sunrise and sunset of the almanacs (upper limb on the
//                         horizon, 34' of refraction);
//   skymning (twilight)   civil twilight, -0.833° to -6°;
//   mörker (darkness)     below -6°, where the street lights are what light a place.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace trygg::temporal {

// Sunrise and sunset as almanacs give them, and the end of civil twilight.
inline constexpr double kSunriseAltitudeDeg = -0.8333;
inline constexpr double kCivilTwilightDeg = -6.0;

enum class LightClass { Daylight = 0, Twilight = 1, Darkness = 2 };
LightClass lightClassOf(double sunAltitudeDeg);
const char* toString(LightClass c);    // "dagsljus", "skymning", "morker" (a field's value)
const char* labelSv(LightClass c);     // "Dagsljus", "Skymning", "Mörker"
const char* labelEn(LightClass c);     // "Daylight", "Twilight", "Darkness"

// Local wall time in a time zone to UTC. Wall seconds count from 1970-01-01 00:00 of the wall clock
// (as io::ReportSet's timeWallSeconds), UTC seconds from 1970-01-01 00:00 UTC.
class WallClock {
public:
    // Throws InputError naming the zone when the tz database does not know it.
    explicit WallClock(const std::string& zone);
    ~WallClock();
    WallClock(WallClock&&) noexcept;
    WallClock& operator=(WallClock&&) noexcept;

    // A wall time that occurs twice (the hour the clocks go back) is taken as its first, summer
    // time; one that never occurs (the hour they skip) as the clock read it before the change,
    // standard time. Either way at most an hour off, on one night a year, in the middle of it.
    std::int64_t toUtc(std::int64_t wallSeconds) const;
    // The wall clock's reading at a moment (UTC seconds).
    std::int64_t toWall(std::int64_t utcSeconds) const;
    // The zone's offset from UTC at `utcSeconds`, in seconds, and the UTC second it ends.
    std::int64_t offsetSeconds(std::int64_t utcSeconds, std::int64_t& untilUtc) const;
    const std::string& zone() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The sun's altitude in degrees (its centre, no refraction) at a place and moment: libnova's full
// computation, for checks and for a few values.
double sunAltitudeDeg(std::int64_t utcSeconds, double lonDeg, double latDeg);

// Sunrise and sunset (the almanacs' -0.833°) of the UTC day holding `utcSeconds`, in UTC seconds;
// false when the sun neither rises nor sets that day (midnight sun, polar night).
bool sunriseSunset(std::int64_t utcSeconds, double lonDeg, double latDeg, std::int64_t& rise, std::int64_t& set);

// The sun's equatorial coordinates once a day over [fromUtc, toUtc], a cubic through the four
// days around a moment: its altitude anywhere in the period to a millionth of a degree. Read from many threads.
class SunPath {
public:
    SunPath(std::int64_t fromUtc, std::int64_t toUtc);
    // Outside the period it falls back on sunAltitudeDeg.
    double altitudeDeg(std::int64_t utcSeconds, double lonDeg, double latDeg) const;
    // Whether altitudeDeg interpolates at this moment: arithmetic alone, safe on any thread
    // (libnova's series, behind sunAltitudeDeg, keep caches shared by all threads).
    bool interpolates(std::int64_t utcSeconds) const;
    LightClass lightClass(std::int64_t utcSeconds, double lonDeg, double latDeg) const {
        return lightClassOf(altitudeDeg(utcSeconds, lonDeg, latDeg));
    }

private:
    std::int64_t m_from = 0;
    std::vector<double> m_ra, m_dec;  // degrees, once a day from m_from; ra unwrapped
};

// The hours of each light class at a place over [fromUtc, toUtc), the sun sampled every
// `stepSeconds` (each sample standing for its step): the exposure a rate per dark hour needs.
struct LightHours {
    double daylight = 0, twilight = 0, darkness = 0;
    double total() const { return daylight + twilight + darkness; }
};
LightHours lightHours(const SunPath& sun, std::int64_t fromUtc, std::int64_t toUtc, double lonDeg, double latDeg,
                      std::int64_t stepSeconds = 300);

// The hours of each light class per calendar month of wall time, `months` months from
// (firstYear, firstMonth), at one place: the real hours (stepped in UTC, so the night the clocks
// go back has its 25 hours and the one they go forward its 23), each counted where `keep` accepts
// its wall time (an analysis's filter of dates, hours, weekdays or months; empty: every hour).
struct MonthlyLightHours {
    int firstYear = 0, firstMonth = 0;
    std::vector<LightHours> months;
    LightHours total() const;
};
MonthlyLightHours lightHoursByMonth(const WallClock& clock, int firstYear, int firstMonth, std::size_t months,
                                    double lonDeg, double latDeg, const std::function<bool(std::int64_t wall)>& keep,
                                    std::int64_t stepSeconds = 300);

} // namespace trygg::temporal
