#include "trygg/temporal/TimeFilter.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <utility>

namespace trygg::temporal {
namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Swedish capitals that tolower leaves in UTF-8: Å Ä Ö.
    for (const auto& [from, to] : {std::pair{"\xC3\x85", "\xC3\xA5"}, {"\xC3\x84", "\xC3\xA4"}, {"\xC3\x96", "\xC3\xB6"}}) {
        for (std::size_t p = out.find(from); p != std::string::npos; p = out.find(from, p)) out.replace(p, 2, to);
    }
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::optional<int> wholeNumber(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// Whether `word` names `full` in full or by its first three letters (UTF-8 aware enough for
// "lör", "sön", "mån").
bool names(const std::string& word, std::string_view full, std::string_view shortForm) {
    return word == full || word == shortForm;
}

constexpr const char* kWeekdaySv[7] = {"måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"};
constexpr const char* kWeekdaySvShort[7] = {"mån", "tis", "ons", "tor", "fre", "lör", "sön"};
constexpr const char* kWeekdayEn[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr const char* kWeekdayEnShort[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* kMonthSv[12] = {"januari", "februari", "mars",    "april",   "maj",      "juni",
                                      "juli",    "augusti",  "september", "oktober", "november", "december"};
constexpr const char* kMonthEn[12] = {"january", "february", "march",     "april",   "may",      "june",
                                      "july",    "august",   "september", "october", "november", "december"};
constexpr const char* kMonthShort[12] = {"jan", "feb", "mar", "apr", "maj", "jun",
                                         "jul", "aug", "sep", "okt", "nov", "dec"};
constexpr const char* kMonthShortEn[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"};

std::string isoOf(std::int64_t wall) {
    const CalendarTime c = calendarOf(wall);
    const std::int64_t secs = wall - floorDiv(wall, kDay) * kDay;
    if (secs == 0) return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
    return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}", c.year, c.month, c.day, c.hour, secs % 3600 / 60);
}

// Hours as ranges: "18-06", "10-12".
std::string hoursText(const std::bitset<24>& h) {
    std::string out;
    // Start a run where the hour is set and the one before (cyclically) is not.
    for (int start = 0; start < 24; ++start) {
        if (!h[static_cast<std::size_t>(start)] || h[static_cast<std::size_t>((start + 23) % 24)]) continue;
        int end = start;
        while (h[static_cast<std::size_t>(end % 24)] && end < start + 24) ++end;
        out += fmt::format("{}{:02d}-{:02d}", out.empty() ? "" : ",", start, end % 24 == 0 && end > 0 ? 24 : end % 24);
    }
    return out.empty() ? "00-24" : out;
}

} // namespace

CalendarTime calendarOf(std::int64_t wallSeconds) {
    using namespace std::chrono;
    const std::int64_t days = floorDiv(wallSeconds, kDay);
    const std::int64_t secs = wallSeconds - days * kDay;
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    CalendarTime c;
    c.year = static_cast<int>(ymd.year());
    c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    c.hour = static_cast<int>(secs / 3600);
    c.weekday = static_cast<int>(weekday{sys_days{std::chrono::days{days}}}.iso_encoding()) - 1;
    return c;
}

const char* weekdayName(int weekday, bool english) {
    static constexpr const char* kEnglish[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    const auto d = static_cast<std::size_t>(std::clamp(weekday, 0, 6));
    return english ? kEnglish[d] : kWeekdaySv[d];
}

bool TimeFilter::keeps(std::int64_t wall) const {
    if (from && wall < *from) return false;
    if (to && wall >= *to) return false;
    if (hours.none() && weekdays.none() && months.none()) return true;
    const CalendarTime c = calendarOf(wall);
    if (hours.any() && !hours[static_cast<std::size_t>(c.hour)]) return false;
    if (weekdays.any() && !weekdays[static_cast<std::size_t>(c.weekday)]) return false;
    if (months.any() && !months[static_cast<std::size_t>(c.month - 1)]) return false;
    return true;
}

std::string TimeFilter::describe(bool swedish) const {
    if (!active()) return swedish ? "ingen: alla anmälningar" : "none: every report";
    std::vector<std::string> parts;
    if (!period.empty()) parts.push_back("period " + period);
    if (from || to) {
        // `to` is exclusive; show the last day it includes when it falls on midnight.
        const char* open = swedish ? "öppen" : "open";
        std::string end = open;
        if (to)
            end = (*to % kDay == 0) ? isoOf(*to - kDay) + (swedish ? " (hela dagen)" : " (whole day)")
                                    : (swedish ? "före " : "before ") + isoOf(*to);
        parts.push_back(fmt::format("{} {} {}", from ? isoOf(*from) : open, swedish ? "till" : "to", end));
    }
    if (hours.any()) parts.push_back((swedish ? "timmar " : "hours ") + hoursText(hours));
    if (weekdays.any()) {
        std::string w;
        for (int d = 0; d < 7; ++d)
            if (weekdays[static_cast<std::size_t>(d)]) w += std::string(w.empty() ? "" : " ") + kWeekdaySvShort[d];
        parts.push_back((swedish ? "veckodagar " : "weekdays ") + w);
    }
    if (months.any()) {
        std::string m;
        for (int k = 0; k < 12; ++k)
            if (months[static_cast<std::size_t>(k)]) m += std::string(m.empty() ? "" : " ") + kMonthShort[k];
        parts.push_back((swedish ? "månader " : "months ") + m);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::bitset<24> parseHours(std::string_view text) {
    std::bitset<24> out;
    const std::string all(text);
    std::size_t pos = 0;
    while (pos <= all.size()) {
        const std::size_t comma = std::min(all.find(',', pos), all.size());
        const std::string part = trim(std::string_view(all).substr(pos, comma - pos));
        pos = comma + 1;
        const auto dash = part.find('-');
        auto hourOf = [&](std::string_view s, int maxHour) {
            const auto v = wholeNumber(trim(s));
            if (!v || *v < 0 || *v > maxHour)
                throw InputError(fmt::format("'{}' is not an hour range such as \"18-06\" or \"7\" (hours 0-24)", all));
            return *v;
        };
        if (dash == std::string::npos) {
            out.set(static_cast<std::size_t>(hourOf(part, 23)));
        } else {
            const int a = hourOf(std::string_view(part).substr(0, dash), 23);
            const int b = hourOf(std::string_view(part).substr(dash + 1), 24);
            if (a == b % 24 && b != 24)
                throw InputError(fmt::format("'{}': the range {} starts and ends at the same hour; write \"0-24\" "
                                             "for the whole day",
                                             all, part));
            int n = (b - a + 24) % 24;
            if (n == 0) n = 24;  // "0-24"
            for (int k = 0; k < n; ++k) out.set(static_cast<std::size_t>((a + k) % 24));
        }
    }
    return out;
}

std::bitset<7> parseWeekdays(const std::vector<std::string>& items) {
    std::bitset<7> out;
    for (const auto& item : items) {
        const std::string w = lower(trim(item));
        if (w == "vardagar" || w == "vardag" || w == "weekdays") {
            out |= std::bitset<7>(0b0011111);
            continue;
        }
        if (w == "helg" || w == "helger" || w == "weekend") {
            out |= std::bitset<7>(0b1100000);
            continue;
        }
        bool found = false;
        for (int d = 0; d < 7 && !found; ++d) {
            if (names(w, kWeekdaySv[d], kWeekdaySvShort[d]) || names(w, kWeekdayEn[d], kWeekdayEnShort[d]) ||
                wholeNumber(w) == d + 1) {
                out.set(static_cast<std::size_t>(d));
                found = true;
            }
        }
        if (!found)
            throw InputError(fmt::format("'{}' is not a weekday: write a name (\"fredag\", \"fre\", \"friday\"), 1-7 "
                                         "(Monday = 1), \"vardagar\" or \"helg\"",
                                         item));
    }
    return out;
}

std::bitset<12> parseMonths(const std::vector<std::string>& items) {
    std::bitset<12> out;
    auto months = [](std::initializer_list<int> ms) {
        std::bitset<12> b;
        for (int m : ms) b.set(static_cast<std::size_t>(m - 1));
        return b;
    };
    for (const auto& item : items) {
        const std::string w = lower(trim(item));
        if (w == "vinter" || w == "winter") { out |= months({12, 1, 2}); continue; }
        if (w == "vår" || w == "spring") { out |= months({3, 4, 5}); continue; }
        if (w == "sommar" || w == "summer") { out |= months({6, 7, 8}); continue; }
        if (w == "höst" || w == "autumn" || w == "fall") { out |= months({9, 10, 11}); continue; }
        bool found = false;
        for (int m = 0; m < 12 && !found; ++m) {
            if (w == kMonthSv[m] || w == kMonthEn[m] || w == kMonthShort[m] || w == kMonthShortEn[m] ||
                wholeNumber(w) == m + 1) {
                out.set(static_cast<std::size_t>(m));
                found = true;
            }
        }
        if (!found)
            throw InputError(fmt::format("'{}' is not a month or season: write 1-12, a name (\"juli\", \"jul\", "
                                         "\"july\") or a season (\"vinter\", \"vår\", \"sommar\", \"höst\")",
                                         item));
    }
    return out;
}

std::int64_t parseDateBound(std::string_view text, bool isEnd) {
    const auto dt = io::parseDateTime(trim(text));
    if (!dt || trim(text).size() < 10)
        throw InputError(fmt::format("'{}' is not a date such as \"2024-03-01\" or \"2024-03-01 18:00\"", text));
    const std::int64_t wall = dt->wallSeconds();
    return isEnd && !dt->hasTime ? wall + kDay : wall;
}

io::ReportSet applyFilter(io::ReportSet reports, const TimeFilter& filter, FilterCounts& counts) {
    counts = FilterCounts{};
    if (!filter.active()) {
        counts.kept = reports.acceptedCount();
        return reports;
    }
    // Everything about the reading, and the rejected rows, stay as they were.
    const std::size_t n = reports.acceptedCount();
    std::vector<char> keep(n, 0);
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t t = reports.timeWallSeconds.empty() ? io::kNoTime : reports.timeWallSeconds[i];
        if (t == io::kNoTime) {
            ++counts.noTime;
        } else if (filter.hours.any() && !reports.hasClock[i]) {
            ++counts.noClock;  // a date alone says nothing of the hour: never read as midnight
        } else if (!filter.keeps(t)) {
            ++counts.outside;
        } else {
            keep[i] = 1;
            ++k;
        }
    }
    io::keepReports(reports, keep);
    counts.kept = k;
    return reports;
}

} // namespace trygg::temporal
