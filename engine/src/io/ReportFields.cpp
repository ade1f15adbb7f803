// The report reader's vocabulary: reject reasons, field lookup, recognised coordinate columns,
// the plausible dates, the precision of the times, and keeping a subset of the reports.
#include "ReportFields.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>

namespace trygg::io {
using namespace fields;

std::string_view reasonCode(RejectReason reason) {
    switch (reason) {
    case RejectReason::EmptyGeometry: return "empty_geometry";
    case RejectReason::UnreadableCoordinate: return "unreadable_coordinate";
    case RejectReason::NotAPoint: return "not_a_point";
    case RejectReason::SwappedCoordinates: return "swapped_coordinates";
    case RejectReason::OutsideStudyArea: return "outside_study_area";
    case RejectReason::OutsideCrsArea: return "outside_crs_area";
    case RejectReason::UnparseableDate: return "unparseable_date";
    case RejectReason::UnreadableWeight: return "unreadable_weight";
    case RejectReason::DuplicateId: return "duplicate_id";
    case RejectReason::InvalidValue: return "invalid_value";
    case RejectReason::ImplausibleDate: return "implausible_date";
    case RejectReason::UnreadableRow: return "unreadable_row";
    case RejectReason::MixedSeparators: return "mixed_separators";
    }
    return "unknown";
}

std::string_view reasonText(RejectReason reason) {
    switch (reason) {
    case RejectReason::EmptyGeometry: return "no coordinates";
    case RejectReason::UnreadableCoordinate: return "unreadable coordinate";
    case RejectReason::NotAPoint: return "geometry is not a point";
    case RejectReason::SwappedCoordinates: return "coordinates look swapped (x and y, or lon and lat)";
    case RejectReason::OutsideStudyArea: return "outside the study area";
    case RejectReason::OutsideCrsArea: return "far outside the area the analysis CRS is made for";
    case RejectReason::UnparseableDate: return "unparseable date";
    case RejectReason::UnreadableWeight: return "unreadable weight";
    case RejectReason::DuplicateId: return "duplicate id";
    case RejectReason::InvalidValue: return "value outside its range or vocabulary";
    case RejectReason::ImplausibleDate: return "implausible date";
    case RejectReason::UnreadableRow: return "unreadable row";
    case RejectReason::MixedSeparators: return "mixed separators";
    }
    return "unknown";
}

std::int64_t ReportSet::rejectedCount(RejectReason reason) const {
    return std::count_if(rejected.begin(), rejected.end(), [&](const RejectedRow& r) { return r.reason == reason; });
}

namespace fields {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    // Swedish capitals in UTF-8 (Å Ä Ö) to lower case.
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        if (static_cast<unsigned char>(s[i]) == 0xC3) {
            auto& c = reinterpret_cast<unsigned char&>(s[i + 1]);
            if (c == 0x85 || c == 0x84 || c == 0x96) c = static_cast<unsigned char>(c + 0x20);
        }
    }
    return s;
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

int findField(const std::vector<std::string>& fields, const std::string& name) {
    const std::string want = lower(trimmed(name));
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (lower(trimmed(fields[i])) == want) return static_cast<int>(i);
    return -1;
}

int findAny(const std::vector<std::string>& fields, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        const int i = findField(fields, n);
        if (i >= 0) return i;
    }
    return -1;
}

// Looks up a field named in the config; throws when it does not exist.
int requireField(const std::vector<std::string>& fields, const std::string& name, const std::string& what,
                 const std::string& key, const std::string& path) {
    const int i = findField(fields, name);
    if (i < 0) {
        std::string list;
        for (std::size_t k = 0; k < fields.size(); ++k) list += (k ? ", " : "") + fields[k];
        throw InputError(what + ": no field '" + name + "' (" + key + ") in '" + path + "'. Its fields: " + list);
    }
    return i;
}

std::int64_t wallNow() {
    const auto now = std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

// Warnings on the precision of the times: dates without a clock time, and an excess at exactly
// midnight, where many systems store an unknown time. The excess is judged against the other
// whole hours around midnight (22, 23, 01 and 02 o'clock exactly), so that times kept to the whole
// hour, where every hh:00:00 is common, are not taken for it.
void noteTimePrecision(ReportSet& set, const std::array<std::int64_t, 24>& onTheHour) {
    const std::int64_t dated = static_cast<std::int64_t>(set.timeWallSeconds.size()) - set.withoutTime;
    if (set.withoutClock > 0)
        set.warnings.push_back(fmt::format(
            "io.reports: {} of {} dated report(s) in '{}' have a date but no clock time; the hour-based results (hot "
            "times, peak hour, hours filters, times of day) leave them out{}",
            set.withoutClock, dated, set.path,
            set.withoutClock == dated ? ", so they are empty: name the clock column too (time_field = [\"Datum\", "
                                        "\"Klockslag\"])"
                                      : ""));
    const std::int64_t withClock = dated - set.withoutClock;
    const double around = static_cast<double>(onTheHour[22] + onTheHour[23] + onTheHour[1] + onTheHour[2]) / 4.0;
    if (set.atMidnight >= 10 && static_cast<double>(set.atMidnight) > 3.0 * (around + 1.0))
        set.warnings.push_back(fmt::format(
            "io.reports: {} of {} report(s) with a clock time in '{}' ({:.1f} %) are at exactly 00:00:00, against "
            "{:.1f} on average at 22, 23, 01 and 02 o'clock exactly: the source may store an unknown time as midnight, "
            "which would make the night look busier than it is",
            set.atMidnight, withClock, set.path, 100.0 * static_cast<double>(set.atMidnight) / static_cast<double>(withClock),
            around));
}

} // namespace

std::string FieldMapping::timeText() const {
    std::string out;
    for (const auto& t : time) out += (out.empty() ? "" : "+") + t;
    return out;
}

DateRange DateRange::defaultFor(std::int64_t nowWall) {
    DateRange r;
    r.fromWall = daysFromCivil(1990, 1, 1) * 86400;
    int y = 0, m = 0, d = 0;
    civilFromDays(nowWall / 86400 + 366, y, m, d);
    r.toWall = daysFromCivil(y, m, d) * 86400;
    r.fromText = "1990-01-01";
    r.toText = fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
    return r;
}

CoordinateColumns recogniseCoordinateColumns(const std::vector<std::string>& fields) {
    struct Pair {
        const char* x;
        const char* y;
        bool geographic;
    };
    static constexpr std::array<Pair, 14> kPairs{{{"longitude", "latitude", true},
                                                   {"lon", "lat", true},
                                                   {"long", "lat", true},
                                                   {"lng", "lat", true},
                                                   {"x", "y", false},
                                                   {"e", "n", false},
                                                   {"easting", "northing", false},
                                                   {"east", "north", false},
                                                   {"ost", "nord", false},
                                                   {"öst", "nord", false},
                                                   {"x_coord", "y_coord", false},
                                                   {"xcoord", "ycoord", false},
                                                   {"e_sweref99tm", "n_sweref99tm", false},
                                                   {"sweref99_e", "sweref99_n", false}}};
    for (const auto& p : kPairs) {
        const int xi = findField(fields, p.x), yi = findField(fields, p.y);
        if (xi >= 0 && yi >= 0) return {fields[static_cast<std::size_t>(xi)], fields[static_cast<std::size_t>(yi)], p.geographic};
    }
    return {};
}


void keepReports(ReportSet& r, const std::vector<char>& keep) {
    // The write index never passes the read index, so the columns compact in place.
    const std::size_t n = r.acceptedCount();
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        r.x[k] = r.x[i];
        r.y[k] = r.y[i];
        r.row[k] = r.row[i];
        if (!r.timeWallSeconds.empty()) {
            r.timeWallSeconds[k] = r.timeWallSeconds[i];
            r.hasClock[k] = r.hasClock[i];
        }
        if (!r.category.empty()) r.category[k] = r.category[i];
        if (!r.weight.empty()) r.weight[k] = r.weight[i];
        if (!r.extras.empty() && k != i) r.extras[k] = std::move(r.extras[i]);  // no self-move
        ++k;
    }
    r.x.resize(k);
    r.y.resize(k);
    r.row.resize(k);
    if (!r.timeWallSeconds.empty()) {
        r.timeWallSeconds.resize(k);
        r.hasClock.resize(k);
    }
    if (!r.category.empty()) r.category.resize(k);
    if (!r.weight.empty()) r.weight.resize(k);
    if (!r.extras.empty()) r.extras.resize(k);
}


} // namespace trygg::io
