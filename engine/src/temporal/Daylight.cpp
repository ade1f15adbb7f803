#include "trygg/temporal/Daylight.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"

#include <date/tz.h>
#include <libnova/julian_day.h>
#include <libnova/precession.h>
#include <libnova/sidereal_time.h>
#include <libnova/solar.h>
#include <libnova/transform.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace trygg::temporal {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr std::int64_t kHour = 3600;
// SunPath's knots: the sun's RA and Dec once a day, a cubic through the four knots around a moment
// (within a millionth of a degree of the full computation, as the tests check): ten years of reports cost 3,700
// VSOP87 evaluations, each some 20 µs.
constexpr std::int64_t kKnot = 24 * kHour;

double julianDay(std::int64_t utcSeconds) { return 2440587.5 + static_cast<double>(utcSeconds) / 86400.0; }


// The altitude of a body at (ra, dec) from a place at a moment, by the hour angle against the
// mean sidereal time (the apparent one differs by under a second of time).
double altitude(double jd, double raDeg, double decDeg, double lonDeg, double latDeg) {
    const double lst = ln_get_mean_sidereal_time(jd) * 15.0 + lonDeg;  // degrees
    const double h = (lst - raDeg) * kDeg, phi = latDeg * kDeg, delta = decDeg * kDeg;
    const double s = std::sin(phi) * std::sin(delta) + std::cos(phi) * std::cos(delta) * std::cos(h);
    return std::asin(std::clamp(s, -1.0, 1.0)) / kDeg;
}

// The sun's equatorial coordinates of date. libnova's ln_get_solar_equ_coords gives them for the
// mean equinox of J2000 (whatever its comment says): by 2023 precession has moved the equinox
// 0.33° along the ecliptic, a minute and a half of the sun's hour angle, which put every sunrise
// and sunset about a minute early. Precessed to the date they agree with the Astronomical
// Almanac's formulas to 0.003°.
ln_equ_posn solarOfDate(double jd) {
    ln_equ_posn j2000{}, ofDate{};
    ln_get_solar_equ_coords(jd, &j2000);
    ln_get_equ_prec(&j2000, jd, &ofDate);
    return ofDate;
}

} // namespace

LightClass lightClassOf(double a) {
    if (a > kSunriseAltitudeDeg) return LightClass::Daylight;
    if (a > kCivilTwilightDeg) return LightClass::Twilight;
    return LightClass::Darkness;
}

namespace {
struct LightNames {
    const char *code, *sv, *en;
};
constexpr LightNames kNames[3] = {{"dagsljus", "Dagsljus", "Daylight"}, {"skymning", "Skymning", "Twilight"},
                                  {"morker", "Mörker", "Darkness"}};
} // namespace

const char* toString(LightClass c) { return kNames[static_cast<int>(c)].code; }
const char* labelSv(LightClass c) { return kNames[static_cast<int>(c)].sv; }
const char* labelEn(LightClass c) { return kNames[static_cast<int>(c)].en; }

struct WallClock::Impl {
    std::string name;
    const date::time_zone* zone = nullptr;
};

WallClock::WallClock(const std::string& zone) : m_impl(std::make_unique<Impl>()) {
    m_impl->name = zone;
    try {
        m_impl->zone = date::locate_zone(zone);
    } catch (const std::exception& e) {
        throw InputError("time_zone '" + zone + "' is not in the system's tz database (" + e.what() +
                         "); give one such as \"Europe/Stockholm\"");
    }
}
WallClock::~WallClock() = default;
WallClock::WallClock(WallClock&&) noexcept = default;
WallClock& WallClock::operator=(WallClock&&) noexcept = default;

const std::string& WallClock::zone() const { return m_impl->name; }

std::int64_t WallClock::toUtc(std::int64_t wallSeconds) const {
    using namespace std::chrono;
    const date::local_seconds local{seconds(wallSeconds)};
    const date::local_info info = m_impl->zone->get_info(local);
    // unique: one offset; ambiguous (clocks back): the first, summer time; nonexistent (clocks
    // forward): the offset before the change, as the clock on the wall read it.
    const seconds offset = info.first.offset;
    return wallSeconds - offset.count();
}

double sunAltitudeDeg(std::int64_t utcSeconds, double lonDeg, double latDeg) {
    const double jd = julianDay(utcSeconds);
    ln_equ_posn equ = solarOfDate(jd);
    ln_lnlat_posn observer{lonDeg, latDeg};
    ln_hrz_posn hrz{};
    ln_get_hrz_from_equ(&equ, &observer, jd, &hrz);
    return hrz.alt;
}

bool sunriseSunset(std::int64_t utcSeconds, double lonDeg, double latDeg, std::int64_t& rise, std::int64_t& set) {
    // The almanacs' altitude crossed upwards and downwards within the UTC day: found every 10
    // minutes on the sun of date, then to the second by bisection. (libnova's own rise and set
    // take its J2000 coordinates, a minute early.)
    constexpr std::int64_t kStep = 600;
    const std::int64_t day = utcSeconds >= 0 ? utcSeconds / 86400 * 86400 : -((-utcSeconds + 86399) / 86400) * 86400;
    const auto above = [&](std::int64_t t) { return sunAltitudeDeg(t, lonDeg, latDeg) - kSunriseAltitudeDeg; };
    const auto refine = [&](std::int64_t lo, std::int64_t hi) {  // above(lo) and above(hi) differ in sign
        const bool rising = above(lo) < 0;
        while (hi - lo > 1) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            ((above(mid) < 0) == rising ? lo : hi) = mid;
        }
        return hi;
    };
    bool foundRise = false, foundSet = false;
    double previous = above(day);
    for (std::int64_t t = day + kStep; t <= day + 86400; t += kStep) {
        const double now = above(t);
        if (previous < 0 && now >= 0 && !foundRise) rise = refine(t - kStep, t), foundRise = true;
        if (previous >= 0 && now < 0) set = refine(t - kStep, t), foundSet = true;
        previous = now;
    }
    return foundRise && foundSet;
}

namespace {
// The sun of date at a knot (a UTC midnight), computed once in a process: a run builds a path for
// its reports and another for the hours of each light class over the same days, and libnova's
// series cost some 20 µs a knot. The lock also keeps libnova, whose series keep caches of their
// own, on one thread at a time.
ln_equ_posn knotOfDate(std::int64_t utc) {
    static std::mutex mutex;
    static std::unordered_map<std::int64_t, ln_equ_posn> known;
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = known.find(utc); it != known.end()) return it->second;
    const ln_equ_posn e = solarOfDate(julianDay(utc));
    if (known.size() < 1000000) known.emplace(utc, e);  // some 2,700 years of knots
    return e;
}
} // namespace

SunPath::SunPath(std::int64_t fromUtc, std::int64_t toUtc) {
    m_from = fromUtc - fromUtc % kKnot - 2 * kKnot;
    const std::int64_t hours = std::max<std::int64_t>(0, (toUtc - m_from) / kKnot + 4);
    m_ra.reserve(static_cast<std::size_t>(hours));
    m_dec.reserve(static_cast<std::size_t>(hours));
    for (std::int64_t k = 0; k < hours; ++k) {
        const ln_equ_posn equ = knotOfDate(m_from + k * kKnot);
        // Right ascension grows through 360° once a year: unwrapped, so neighbours interpolate.
        double ra = equ.ra;
        if (!m_ra.empty())
            while (ra < m_ra.back() - 180) ra += 360;
        m_ra.push_back(ra);
        m_dec.push_back(equ.dec);
    }
}

bool SunPath::interpolates(std::int64_t utcSeconds) const {
    const std::int64_t dt = utcSeconds - m_from;
    const auto k = dt >= 0 ? static_cast<std::size_t>(dt / kKnot) : m_ra.size();
    return k >= 1 && k + 2 < m_ra.size();
}

double SunPath::altitudeDeg(std::int64_t utcSeconds, double lonDeg, double latDeg) const {
    if (!interpolates(utcSeconds)) return sunAltitudeDeg(utcSeconds, lonDeg, latDeg);
    const std::int64_t dt = utcSeconds - m_from;
    const auto k = static_cast<std::size_t>(dt / kKnot);
    // Lagrange's cubic through the knots k-1 .. k+2, at f in [0, 1) from knot k.
    const double f = static_cast<double>(dt - static_cast<std::int64_t>(k) * kKnot) / kKnot;
    const double w0 = -f * (f - 1) * (f - 2) / 6, w1 = (f + 1) * (f - 1) * (f - 2) / 2, w2 = -(f + 1) * f * (f - 2) / 2,
                 w3 = (f + 1) * f * (f - 1) / 6;
    const auto at = [&](const std::vector<double>& v) { return w0 * v[k - 1] + w1 * v[k] + w2 * v[k + 1] + w3 * v[k + 2]; };
    return altitude(julianDay(utcSeconds), at(m_ra), at(m_dec), lonDeg, latDeg);
}

std::int64_t WallClock::toWall(std::int64_t utcSeconds) const {
    std::int64_t until = 0;
    return utcSeconds + offsetSeconds(utcSeconds, until);
}

std::int64_t WallClock::offsetSeconds(std::int64_t utcSeconds, std::int64_t& untilUtc) const {
    using namespace std::chrono;
    const date::sys_info info = m_impl->zone->get_info(date::sys_seconds{seconds(utcSeconds)});
    untilUtc = info.end.time_since_epoch().count();
    return info.offset.count();
}

LightHours MonthlyLightHours::total() const {
    LightHours t;
    for (const auto& m : months) {
        t.daylight += m.daylight;
        t.twilight += m.twilight;
        t.darkness += m.darkness;
    }
    return t;
}

MonthlyLightHours lightHoursByMonth(const WallClock& clock, int firstYear, int firstMonth, std::size_t months,
                                    double lonDeg, double latDeg, const std::function<bool(std::int64_t wall)>& keep,
                                    std::int64_t stepSeconds) {
    MonthlyLightHours out;
    out.firstYear = firstYear;
    out.firstMonth = firstMonth;
    out.months.resize(months);
    if (months == 0 || stepSeconds <= 0) return out;
    const auto monthStart = [&](std::size_t k) {
        const int m0 = firstMonth - 1 + static_cast<int>(k);
        return io::daysFromCivil(firstYear + m0 / 12, m0 % 12 + 1, 1) * 86400;
    };
    const std::int64_t fromWall = monthStart(0), toWall = monthStart(months);
    const std::int64_t fromUtc = clock.toUtc(fromWall), toUtc = clock.toUtc(toWall);
    const SunPath sun(fromUtc - 86400, toUtc + 86400);
    std::size_t k = 0;
    std::int64_t nextMonth = monthStart(1);
    const double perSample = static_cast<double>(stepSeconds) / kHour;
    std::int64_t offset = 0, offsetUntil = std::numeric_limits<std::int64_t>::min();  // the zone's offset, valid until
    for (std::int64_t t = fromUtc; t < toUtc; t += stepSeconds) {
        const std::int64_t step = std::min(stepSeconds, toUtc - t);
        const std::int64_t mid = t + step / 2;
        if (mid >= offsetUntil) offset = clock.offsetSeconds(mid, offsetUntil);  // once per change of the clocks
        const std::int64_t wall = mid + offset;
        while (wall >= nextMonth && k + 1 < months) nextMonth = monthStart(++k + 1);
        if (keep && !keep(wall)) continue;
        const double hours = step == stepSeconds ? perSample : static_cast<double>(step) / kHour;
        LightHours& h = out.months[k];
        switch (sun.lightClass(mid, lonDeg, latDeg)) {
            case LightClass::Daylight: h.daylight += hours; break;
            case LightClass::Twilight: h.twilight += hours; break;
            case LightClass::Darkness: h.darkness += hours; break;
        }
    }
    return out;
}

LightHours lightHours(const SunPath& sun, std::int64_t fromUtc, std::int64_t toUtc, double lonDeg, double latDeg,
                      std::int64_t stepSeconds) {
    LightHours h;
    if (stepSeconds <= 0 || toUtc <= fromUtc) return h;
    const double perSample = static_cast<double>(stepSeconds) / kHour;
    // Each sample at the middle of its step.
    for (std::int64_t t = fromUtc; t < toUtc; t += stepSeconds) {
        const std::int64_t step = std::min(stepSeconds, toUtc - t);
        const double hours = step == stepSeconds ? perSample : static_cast<double>(step) / kHour;
        switch (sun.lightClass(t + step / 2, lonDeg, latDeg)) {
            case LightClass::Daylight: h.daylight += hours; break;
            case LightClass::Twilight: h.twilight += hours; break;
            case LightClass::Darkness: h.darkness += hours; break;
        }
    }
    return h;
}

} // namespace trygg::temporal
