#pragma once
// Parsing the values found in report tables: numbers written the Swedish way and date-times.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trygg::io {

// A number from text: "55.79", "55,79" (decimal comma), "6 180 000" or "6 180 000,5", "1'234.5"
// (thousands separated by spaces, no-break spaces, narrow or thin spaces, or apostrophes, in UTF-8
// or in Windows-1252 bytes not yet recoded; a separator stands between two digits), a leading '+'
// or '-'. Text with both '.' and ',' is refused as ambiguous. nullopt when not a finite number.
std::optional<double> parseNumber(std::string_view text);

// A wall-clock date-time as written in the source, with its time-zone flag in GDAL's convention:
// 0 unknown, 1 local time, 100 UTC, 100 + 4 x (offset in hours) otherwise.
struct DateTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    double second = 0;
    int tzFlag = 0;
    bool hasTime = false;

    // ISO 8601: "2024-03-05T21:30:00", "2024-03-05" when there is no time; offset appended.
    std::string toIso() const;
    // Seconds since 1970-01-01T00:00 of the wall-clock time (offset not applied); for ordering.
    std::int64_t wallSeconds() const;
};

// A date-time from text: ISO 8601 ("2024-03-05", "2024-03-05T21:30", "2024-03-05 21:30:15",
// with optional fraction and "Z" or "+01:00"), "2024/03/05 21:30:00" (GDAL's text form), or an
// Excel serial date (days since 1899-12-30, a fraction for the time of day; text serials are
// taken from 1950 to 2099 only).
// The clock may also be written the Swedish way, "2024-03-05 21.30", with a one-digit hour ("9:05").
// nullopt for anything else or an impossible date.
std::optional<DateTime> parseDateTime(std::string_view text);

// A date-time read with a strptime-style layout, such as "%Y %m %d %H %M" (numbers need no leading
// zeros) or "%d.%m.%Y %H:%M"; the whole text must match. It has a clock time when the layout
// reads an hour (%H, %I, %R, %T, %c). nullopt when the text does not match, the layout gives no
// year, month and day, or the date is impossible.
std::optional<DateTime> parseDateTime(std::string_view text, const std::string& format);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
std::int64_t daysFromCivil(int y, int m, int d);
void civilFromDays(std::int64_t days, int& y, int& m, int& d);

// A date-time from an Excel serial day number. nullopt when out of range.
std::optional<DateTime> fromExcelSerial(double serial);

// Lower case for ASCII and the Latin-1 capitals in UTF-8 (Å Ä Ö É ...), for names compared
// whatever their case (a measure's kind).
std::string lowerUtf8(std::string s);

} // namespace trygg::io
