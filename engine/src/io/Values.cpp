#include "trygg/io/Values.hpp"

#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace trygg::io {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(int y, int m) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t width, int& out) {
    if (pos + width > s.size()) return false;
    int v = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    pos += width;
    return true;
}

bool allDigitsOrNumber(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.' || c == ',')) return false;
    return true;
}

} // namespace

std::int64_t daysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

std::optional<double> parseNumber(std::string_view text) {
    std::string buf;
    buf.reserve(text.size());
    text = trim(text);
    bool sawDot = false, sawComma = false;
    // A thousands separator of `len` bytes at i stands between two digits, else the text is refused.
    auto separator = [&](std::size_t i, std::size_t len) {
        const bool before = !buf.empty() && buf.back() >= '0' && buf.back() <= '9';
        const bool after = i + len < text.size() && text[i + len] >= '0' && text[i + len] <= '9';
        return before && after;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // Thousands separators: spaces, apostrophes (Swiss "1'234"), and their Unicode forms.
        std::size_t sepLen = 0;
        if (c == ' ' || c == '\'') {
            sepLen = 1;
        } else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
            sepLen = 2;  // U+00A0 no-break space
        } else if (c == 0xA0 || c == 0x92) {
            // A lone 0xA0 or 0x92 is Windows-1252 (0xA0 also ISO 8859-1) text not yet recoded: the
            // no-break space and the right single quotation mark. In UTF-8 neither byte stands alone
            // after a digit, so a number reads the same in either encoding.
            sepLen = 1;
        } else if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(text[i + 2]) == 0xAF || static_cast<unsigned char>(text[i + 2]) == 0x89 ||
                    static_cast<unsigned char>(text[i + 2]) == 0x99)) {
            sepLen = 3;  // U+202F narrow no-break space, U+2009 thin space, U+2019 right single quotation mark
        }
        if (sepLen > 0) {
            if (!separator(i, sepLen)) return std::nullopt;
            i += sepLen - 1;
            continue;
        }
        if (c == ',') {
            sawComma = true;
            buf += '.';
            continue;
        }
        if (c == '.') sawDot = true;
        if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x88 &&
            static_cast<unsigned char>(text[i + 2]) == 0x92) {  // U+2212 minus sign
            buf += '-';
            i += 2;
            continue;
        }
        buf += static_cast<char>(c);
    }
    if (buf.empty() || (sawDot && sawComma)) return std::nullopt;
    const char* first = buf.data();
    if (*first == '+') ++first;
    double v = 0;
    const auto [ptr, ec] = std::from_chars(first, buf.data() + buf.size(), v);
    if (ec != std::errc() || ptr != buf.data() + buf.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string DateTime::toIso() const {
    char buf[64];
    if (!hasTime) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
        return buf;
    }
    const int whole = static_cast<int>(second);
    if (second != whole)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%06.3f", year, month, day, hour, minute, second);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, whole);
    std::string s = buf;
    if (tzFlag == 100) {
        s += 'Z';
    } else if (tzFlag > 1) {
        const int quarters = tzFlag - 100;
        const int mins = std::abs(quarters) * 15;
        std::snprintf(buf, sizeof buf, "%c%02d:%02d", quarters < 0 ? '-' : '+', mins / 60, mins % 60);
        s += buf;
    }
    return s;
}

std::int64_t DateTime::wallSeconds() const {
    return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + static_cast<std::int64_t>(second);
}

std::optional<DateTime> fromExcelSerial(double serial) {
    if (!(serial >= 1.0 && serial < 2958466.0)) return std::nullopt;
    // Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is accounted for; serials
    // before 1900-03-01 (61) are off by one in Excel itself and are not report dates.
    const auto days = static_cast<std::int64_t>(std::floor(serial));
    double frac = serial - static_cast<double>(days);
    auto secs = static_cast<std::int64_t>(std::llround(frac * 86400.0));
    std::int64_t dayOffset = days + secs / 86400;
    secs %= 86400;
    DateTime dt;
    civilFromDays(daysFromCivil(1899, 12, 30) + dayOffset, dt.year, dt.month, dt.day);
    dt.hour = static_cast<int>(secs / 3600);
    dt.minute = static_cast<int>(secs % 3600 / 60);
    dt.second = static_cast<double>(secs % 60);
    dt.hasTime = frac > 0;
    return dt;
}

std::optional<DateTime> parseDateTime(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.empty()) return std::nullopt;
    if (allDigitsOrNumber(s) && s.size() <= 12 && (s.find('.') != std::string_view::npos ||
                                                   s.find(',') != std::string_view::npos || s.size() <= 7)) {
        // Only serials from 1950 to 2099 are taken as dates, so that a bare year or a stray
        // number is refused rather than read as a date in 1905.
        if (auto v = parseNumber(s); v && *v >= 18264.0 && *v < 73051.0) return fromExcelSerial(*v);
        return std::nullopt;
    }
    DateTime dt;
    std::size_t pos = 0;
    if (!digits(s, pos, 4, dt.year)) return std::nullopt;
    if (pos >= s.size() || (s[pos] != '-' && s[pos] != '/')) return std::nullopt;
    const char sep = s[pos++];
    if (!digits(s, pos, 2, dt.month)) return std::nullopt;
    if (pos >= s.size() || s[pos] != sep) return std::nullopt;
    ++pos;
    if (!digits(s, pos, 2, dt.day)) return std::nullopt;
    if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > daysInMonth(dt.year, dt.month)) return std::nullopt;
    if (pos == s.size()) return dt;
    if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
    const bool isoT = s[pos] == 'T';
    ++pos;
    while (!isoT && pos < s.size() && s[pos] == ' ') ++pos;  // "2024-03-05  9:05" from joined columns
    // The hour: two digits, or one before its separator ("9:05").
    if (!digits(s, pos, 2, dt.hour) && !digits(s, pos, 1, dt.hour)) return std::nullopt;
    // ':' as ISO writes it, or '.' as Swedish does ("21.30"), never after a 'T'.
    if (pos >= s.size() || (s[pos] != ':' && (isoT || s[pos] != '.'))) return std::nullopt;
    const char clockSep = s[pos];
    ++pos;
    if (!digits(s, pos, 2, dt.minute)) return std::nullopt;
    dt.hasTime = true;
    if (pos < s.size() && s[pos] == clockSep) {
        ++pos;
        int sec = 0;
        if (!digits(s, pos, 2, sec)) return std::nullopt;
        dt.second = sec;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            double scale = 0.1;
            const std::size_t start = pos;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                dt.second += (s[pos] - '0') * scale;
                scale /= 10;
                ++pos;
            }
            if (pos == start) return std::nullopt;
        }
    }
    if (dt.hour > 23 || dt.minute > 59 || dt.second >= 61) return std::nullopt;
    if (pos == s.size()) return dt;
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
        dt.tzFlag = 100;
        return dt;
    }
    if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !digits(s, pos, 2, om)) return std::nullopt;
        if (pos != s.size() || oh > 14 || om % 15 != 0) return std::nullopt;
        dt.tzFlag = 100 + sign * (oh * 4 + om / 15);
        return dt;
    }
    return std::nullopt;
}

std::optional<DateTime> parseDateTime(std::string_view text, const std::string& format) {
    const std::string s(trim(text));
    if (s.empty()) return std::nullopt;
    // Sentinels tell which fields the layout set; glibc's strptime leaves the others alone.
    std::tm tm{};
    tm.tm_year = std::numeric_limits<int>::min();
    tm.tm_mon = -1;
    tm.tm_mday = 0;
    tm.tm_hour = -1;
    tm.tm_min = -1;
    tm.tm_sec = -1;
    const char* end = ::strptime(s.c_str(), format.c_str(), &tm);
    if (!end) return std::nullopt;
    while (*end == ' ' || *end == '\t') ++end;
    if (*end != '\0') return std::nullopt;
    if (tm.tm_year == std::numeric_limits<int>::min() || tm.tm_mon < 0 || tm.tm_mday < 1) return std::nullopt;
    DateTime dt;
    dt.year = tm.tm_year + 1900;
    dt.month = tm.tm_mon + 1;
    dt.day = tm.tm_mday;
    if (dt.month > 12 || dt.day > daysInMonth(dt.year, dt.month)) return std::nullopt;
    if (tm.tm_hour >= 0) {
        if (tm.tm_hour > 23) return std::nullopt;
        dt.hasTime = true;
        dt.hour = tm.tm_hour;
        dt.minute = tm.tm_min >= 0 ? tm.tm_min : 0;
        dt.second = tm.tm_sec >= 0 ? tm.tm_sec : 0;
    }
    return dt;
}

std::string lowerUtf8(std::string s) {
    // ASCII and the Swedish capitals Å Ä Ö É in UTF-8.
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 128) s[i] = static_cast<char>(std::tolower(c));
        else if (c == 0xC3 && i + 1 < s.size()) {
            const unsigned char d = static_cast<unsigned char>(s[i + 1]);
            if (d >= 0x80 && d <= 0x9E && d != 0x97) s[i + 1] = static_cast<char>(d + 0x20);
            ++i;
        }
    }
    return s;
}

} // namespace trygg::io
