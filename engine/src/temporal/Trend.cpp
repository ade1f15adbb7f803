#include "trygg/temporal/Trend.hpp"

#include "trygg/io/ReportReader.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/stats/Change.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::temporal {

std::string isoDay(std::int64_t day) {
    int y = 0, m = 0, d = 0;
    io::civilFromDays(day, y, m, d);
    return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

namespace {

// The period of `kind` holding `day`.
DayRange periodOf(PeriodKind kind, std::int64_t day) {
    int y = 0, m = 0, d = 0;
    io::civilFromDays(day, y, m, d);
    switch (kind) {
    case PeriodKind::Week: {
        // 1970-01-01 was a Thursday: Monday is day 4 of that week, counting from 0.
        const std::int64_t weekday = ((day + 3) % 7 + 7) % 7;  // 0 = Monday
        return {day - weekday, day - weekday + 6};
    }
    case PeriodKind::Month: {
        const int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        return {io::daysFromCivil(y, m, 1), io::daysFromCivil(ny, nm, 1) - 1};
    }
    case PeriodKind::Quarter: {
        const int q0 = (m - 1) / 3 * 3 + 1;
        const int ny = q0 == 10 ? y + 1 : y, nm = q0 == 10 ? 1 : q0 + 3;
        return {io::daysFromCivil(y, q0, 1), io::daysFromCivil(ny, nm, 1) - 1};
    }
    case PeriodKind::Year:
        return {io::daysFromCivil(y, 1, 1), io::daysFromCivil(y + 1, 1, 1) - 1};
    }
    return {day, day};
}

} // namespace

std::string MonthlyCounts::label(std::size_t month) const {
    const int index = firstMonth - 1 + static_cast<int>(month);
    return fmt::format("{:04d}-{:02d}", firstYear + index / 12, index % 12 + 1);
}

MonthlyCounts monthlyCounts(std::span<const std::int64_t> wallSeconds, std::span<const std::int32_t> category,
                            std::size_t categoryCount) {
    MonthlyCounts out;
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    for (const auto t : wallSeconds)
        if (t != io::kNoTime) first = std::min(first, t), last = std::max(last, t);
    if (first > last) return out;
    int y0 = 0, m0 = 0, d = 0, y1 = 0, m1 = 0;
    io::civilFromDays(dayOf(first), y0, m0, d);
    io::civilFromDays(dayOf(last), y1, m1, d);
    out.firstYear = y0;
    out.firstMonth = m0;
    const std::size_t months = static_cast<std::size_t>((y1 - y0) * 12 + (m1 - m0) + 1);
    out.counts.assign(months, std::vector<std::int64_t>(categoryCount + 1, 0));
    for (std::size_t i = 0; i < wallSeconds.size(); ++i) {
        if (wallSeconds[i] == io::kNoTime) continue;
        int y = 0, m = 0;
        io::civilFromDays(dayOf(wallSeconds[i]), y, m, d);
        auto& row = out.counts[static_cast<std::size_t>((y - y0) * 12 + (m - m0))];
        ++row[categoryCount];
        if (i < category.size() && category[i] >= 0 && static_cast<std::size_t>(category[i]) < categoryCount)
            ++row[static_cast<std::size_t>(category[i])];
    }
    return out;
}

std::optional<PeriodKind> periodKind(const std::string& name) {
    if (name == "week") return PeriodKind::Week;
    if (name == "month") return PeriodKind::Month;
    if (name == "quarter") return PeriodKind::Quarter;
    if (name == "year") return PeriodKind::Year;
    return std::nullopt;
}

const char* toString(PeriodKind kind) {
    switch (kind) {
    case PeriodKind::Week: return "week";
    case PeriodKind::Month: return "month";
    case PeriodKind::Quarter: return "quarter";
    case PeriodKind::Year: return "year";
    }
    return "";
}

std::string DayRange::label() const { return isoDay(first) + "/" + isoDay(last); }

std::vector<DayRange> periodsEndingAt(PeriodKind kind, std::int64_t day, std::size_t count) {
    std::vector<DayRange> out;
    for (std::size_t k = 0; k < count; ++k) {
        out.push_back(periodOf(kind, day));
        day = out.back().first - 1;
    }
    return out;
}

DayRange latestCompletePeriod(PeriodKind kind, std::int64_t lastDay) {
    const DayRange holding = periodOf(kind, lastDay);
    return holding.last == lastDay ? holding : periodOf(kind, holding.first - 1);
}

int PeriodComparison::direction(double alpha) const {
    if (!(pBefore < alpha)) return 0;
    return now > before ? 1 : now < before ? -1 : 0;
}

PeriodComparison comparePeriods(std::span<const std::int64_t> perPeriod) {
    PeriodComparison c;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    c.ratioBefore = c.pBefore = c.ratioBaseline = c.pBaseline = nan;
    if (perPeriod.empty()) return c;
    c.now = perPeriod[0];
    if (perPeriod.size() < 2) return c;
    c.before = perPeriod[1];
    if (c.before > 0) c.ratioBefore = static_cast<double>(c.now) / static_cast<double>(c.before);
    if (c.now + c.before > 0)
        c.pBefore = stats::binomialTwoSidedP(static_cast<std::uint64_t>(c.now), static_cast<std::uint64_t>(c.now + c.before), 0.5);
    c.baselinePeriods = perPeriod.size() - 1;
    for (std::size_t k = 1; k < perPeriod.size(); ++k) c.baselineTotal += perPeriod[k];
    if (c.baselineTotal > 0)
        c.ratioBaseline = static_cast<double>(c.now) * static_cast<double>(c.baselinePeriods) / static_cast<double>(c.baselineTotal);
    if (c.now + c.baselineTotal > 0)
        c.pBaseline = stats::binomialTwoSidedP(static_cast<std::uint64_t>(c.now),
                                               static_cast<std::uint64_t>(c.now + c.baselineTotal),
                                               1.0 / (1.0 + static_cast<double>(c.baselinePeriods)));
    return c;
}

} // namespace trygg::temporal
