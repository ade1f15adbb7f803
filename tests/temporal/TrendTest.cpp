// The lägesbild's trend (temporal/Trend.hpp): months with zeros, calendar periods, the latest
// complete period, and the exact tests. Expected p-values from R 4.2's binom.test (printed with
// 15 digits); dates checked against a calendar.
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/temporal/Trend.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg;
using temporal::PeriodKind;

namespace {
std::int64_t at(int y, int m, int d, int hour = 12) { return io::daysFromCivil(y, m, d) * 86400 + hour * 3600; }
std::int64_t day(int y, int m, int d) { return io::daysFromCivil(y, m, d); }
} // namespace

TEST_CASE("monthly counts run from the first month to the last, empty months as zeros", "[temporal][trend]") {
    const std::vector<std::int64_t> t = {at(2023, 11, 30), io::kNoTime, at(2024, 2, 1, 0), at(2023, 11, 1), at(2024, 2, 29, 23)};
    const std::vector<std::int32_t> cat = {0, 1, 1, -1, 0};
    const auto m = temporal::monthlyCounts(t, cat, 2);
    REQUIRE(m.months() == 4);  // 2023-11, 2023-12, 2024-01, 2024-02
    CHECK(m.label(0) == "2023-11");
    CHECK(m.label(3) == "2024-02");
    CHECK(m.counts[0] == std::vector<std::int64_t>{1, 0, 2});  // the report without a category in the total alone
    CHECK(m.counts[1] == std::vector<std::int64_t>{0, 0, 0});
    CHECK(m.counts[2] == std::vector<std::int64_t>{0, 0, 0});
    CHECK(m.counts[3] == std::vector<std::int64_t>{1, 1, 2});
    CHECK(temporal::monthlyCounts(std::vector<std::int64_t>{io::kNoTime}, {}, 0).months() == 0);
}

TEST_CASE("calendar periods: ISO weeks from Monday, quarters, years", "[temporal][trend]") {
    // 2024-12-31 was a Tuesday: its ISO week is Monday 30 December to Sunday 5 January.
    auto w = temporal::periodsEndingAt(PeriodKind::Week, day(2024, 12, 31), 2);
    CHECK(w[0].label() == "2024-12-30/2025-01-05");
    CHECK(w[1].label() == "2024-12-23/2024-12-29");
    CHECK(temporal::periodsEndingAt(PeriodKind::Month, day(2024, 2, 10), 1)[0].label() == "2024-02-01/2024-02-29");
    auto q = temporal::periodsEndingAt(PeriodKind::Quarter, day(2024, 1, 1), 2);
    CHECK(q[0].label() == "2024-01-01/2024-03-31");
    CHECK(q[1].label() == "2023-10-01/2023-12-31");
    CHECK(temporal::periodsEndingAt(PeriodKind::Year, day(1969, 6, 1), 1)[0].label() == "1969-01-01/1969-12-31");
    // Complete only on the period's last day; an export on 14 March describes February.
    CHECK(temporal::latestCompletePeriod(PeriodKind::Month, day(2024, 3, 14)).label() == "2024-02-01/2024-02-29");
    CHECK(temporal::latestCompletePeriod(PeriodKind::Month, day(2024, 3, 31)).label() == "2024-03-01/2024-03-31");
    CHECK(temporal::latestCompletePeriod(PeriodKind::Week, day(2024, 12, 29)).label() == "2024-12-23/2024-12-29");
    CHECK(temporal::periodKind("quarter") == PeriodKind::Quarter);
    CHECK(!temporal::periodKind("fortnight"));
}

TEST_CASE("the latest period against the one before and the baseline, as binom.test", "[temporal][trend]") {
    // binom.test(337, 600, 0.5)$p.value = 0.00284979393525174 (the sample's cykelstöld, 2024 vs 2023).
    const std::vector<std::int64_t> two = {337, 263};
    const auto c = temporal::comparePeriods(two);
    CHECK(c.pBefore == Approx(0.00284979393525174).epsilon(1e-12));
    CHECK(c.ratioBefore == Approx(337.0 / 263.0));
    CHECK(c.direction(0.05) == 1);
    CHECK(c.baselinePeriods == 1);
    // binom.test(30, 30 + 20 + 25 + 18, 1/4)$p.value = 0.118897919137337: 30 against a mean of 21 over 3.
    const std::vector<std::int64_t> four = {30, 20, 25, 18};
    const auto b = temporal::comparePeriods(four);
    CHECK(b.baselineTotal == 63);
    CHECK(b.ratioBaseline == Approx(30.0 / 21.0));
    CHECK(b.pBaseline == Approx(0.118897919137337).epsilon(1e-12));
    // binom.test(5, 12, 0.5)$p.value = 0.7744140625: a fall within chance.
    const std::vector<std::int64_t> fall = {5, 7};
    CHECK(temporal::comparePeriods(fall).pBefore == Approx(0.7744140625).epsilon(1e-12));
    CHECK(temporal::comparePeriods(fall).direction(0.05) == 0);
    // Nothing before: no test.
    const std::vector<std::int64_t> one = {5};
    CHECK(std::isnan(temporal::comparePeriods(one).pBefore));
    CHECK(temporal::comparePeriods(one).direction(0.05) == 0);
}
