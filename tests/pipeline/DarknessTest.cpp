// temporal.darkness in a run: each report's light from the sun at its place and moment, the hours
// of each light class, and the counts per cell, month and area that add up as they must. The
// classes are checked against libnova's full computation at the same moments (the run takes an
// interpolated sun path and its own wall-clock conversion) and, where the sky leaves no doubt,
// by hand: noon in December is day, 19:00 in December dark, 02:30 on the night the clocks go
// back dark whichever of its two moments it was.
#include "../TestSupport.hpp"

#include "trygg/io/Values.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"
#include "trygg/stats/Change.hpp"
#include "trygg/temporal/Daylight.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <string>

using namespace trygg;

namespace {

std::int64_t at(int y, int m, int d, int hh, int mm) { return io::daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60; }

double number(const std::string& text) { return text == test::kSqlNull ? std::nan("") : std::stod(text); }

} // namespace

TEST_CASE("each report's light is the sun's at its place and moment, and the counts add up", "[pipeline][temporal]") {
    // Kävlinge, one 250 m cell; (wall time, UTC offset in hours, the light a reader expects or -1
    // to take libnova's word).
    struct Report {
        const char* when;
        int y, m, d, hh, mm, offset, expected;
    };
    const std::vector<Report> reports = {
        {"2024-12-10 12:00", 2024, 12, 10, 12, 0, 1, 0},   // noon in December: day
        {"2024-12-10 19:00", 2024, 12, 10, 19, 0, 1, 2},   // dark
        {"2024-12-10 15:50", 2024, 12, 10, 15, 50, 1, 1},  // sunset about 15:27, civil dusk about 16:10
        {"2024-06-15 23:45", 2024, 6, 15, 23, 45, 2, -1},
        {"2024-06-15 13:00", 2024, 6, 15, 13, 0, 2, 0},
        {"2024-10-27 02:30", 2024, 10, 27, 2, 30, 2, 2},   // the repeated hour: summer time first
        {"2024-03-31 02:30", 2024, 3, 31, 2, 30, 1, 2},    // the skipped hour: read as standard time
        {"2024-08-01 21:40", 2024, 8, 1, 21, 40, 2, -1},
    };
    std::string csv = "lon,lat,tid\n";
    for (const auto& r : reports) csv += std::string("13.1100,55.7900,") + r.when + "\n";
    csv += "13.1100,55.7900,2024-09-02\n";  // a date alone: no light class
    test::TempDir dir;
    pipeline::Config c;
    c.incidents.path = test::writeVsimem("light.csv", csv);
    c.incidents.fields.time = {"tid"};
    c.grid.cellSizeM = 250.0;
    c.inference.permutations = 0;
    c.output.path = dir.file("light.gpkg");
    c.output.report = false;
    pipeline::run(c, Progress());

    // Expected classes: the reader's, and libnova's full computation for every one of them.
    std::int64_t expected[3] = {0, 0, 0};
    for (const auto& r : reports) {
        INFO(r.when);
        const std::int64_t utc = at(r.y, r.m, r.d, r.hh, r.mm) - r.offset * 3600;
        const auto cls = static_cast<int>(temporal::lightClassOf(temporal::sunAltitudeDeg(utc, 13.11, 55.79)));
        if (r.expected >= 0) CHECK(cls == r.expected);
        ++expected[cls];
    }
    const auto cell = test::sqlQuery(c.output.path, "SELECT n, daylight_n, twilight_n, dark_n, dark_day_ratio FROM hotspot_grid "
                                                    "WHERE n > 0");
    REQUIRE(cell.size() == 1);
    CHECK(cell[0][0] == "9");
    CHECK(std::stoll(cell[0][1]) == expected[0]);
    CHECK(std::stoll(cell[0][2]) == expected[1]);
    CHECK(std::stoll(cell[0][3]) == expected[2]);

    // Per month: the hours are the month's real hours, and its reports its monthly_counts' n.
    const auto months = test::sqlQuery(
        c.output.path, "SELECT l.month, m.n, l.daylight_n + l.twilight_n + l.dark_n + l.no_clock, l.no_clock, "
                       "l.hours_daylight + l.hours_twilight + l.hours_dark, l.hours_daylight, l.hours_dark "
                       "FROM light_by_month l JOIN monthly_counts m USING (month) ORDER BY l.month");
    REQUIRE(months.size() == 10);  // 2024-03 .. 2024-12, the months without reports too
    std::map<std::string, double> hoursIn = {{"2024-03", 31 * 24 - 1}, {"2024-04", 30 * 24}, {"2024-10", 31 * 24 + 1},
                                             {"2024-12", 31 * 24}};
    double dayHours = 0, darkHours = 0;
    std::int64_t noClock = 0;
    for (const auto& m : months) {
        INFO(m[0]);
        CHECK(m[1] == m[2]);
        noClock += std::stoll(m[3]);
        if (hoursIn.count(m[0])) CHECK(number(m[4]) == Approx(hoursIn[m[0]]).margin(1e-6));
        dayHours += number(m[5]);
        darkHours += number(m[6]);
    }
    CHECK(noClock == 1);
    // The cell's ratio is the rate per dark hour over the rate per daylight hour, with the hours
    // of light_by_month: (dark / dark hours) / (daylight / daylight hours).
    CHECK(number(cell[0][4]) ==
          Approx((static_cast<double>(expected[2]) / darkHours) / (static_cast<double>(expected[0]) / dayHours)).epsilon(1e-9));
    // And run_metadata's ratio over the study area is R's poisson.test of the same counts and hours.
    const auto md = test::sqlQuery(c.output.path, "SELECT value FROM run_metadata WHERE key = 'darkness.dark_day_ratio'");
    REQUIRE(md.size() == 1);
    const stats::RateRatio rr = stats::poissonRateRatio(static_cast<std::uint64_t>(expected[2]), darkHours,
                                                        static_cast<std::uint64_t>(expected[0]), dayHours);
    CHECK(md[0][0].rfind(fmt::format("{:.4g}", rr.ratio), 0) == 0);
}

TEST_CASE("an unknown time zone is refused by name, and another zone moves the light", "[pipeline][temporal]") {
    test::TempDir dir;
    const std::string config = dir.file("tz.toml");
    {
        std::ofstream out(config);
        out << "[analysis]\ntime_zone = \"Europe/Kävlinge\"\n[incidents]\npath = \"x.csv\"\n";
    }
    CHECK_THROWS_WITH(pipeline::loadConfig(config), Catch::Contains("analysis.time_zone") && Catch::Contains("Europe/Kävlinge"));
    // 15:50 on 10 December in Kävlinge: twilight on Swedish time (sunset about 15:28, civil dusk
    // about 16:12), daylight on Helsinki's clock (14:50 CET), dark on London's (16:50 CET): the
    // zone is what turns a wall time into a moment.
    const std::string csv = "lon,lat,tid\n13.11,55.79,2024-12-10 15:50\n";
    std::map<std::string, std::string> cls;
    for (const char* zone : {"Europe/Stockholm", "Europe/Helsinki", "Europe/London"}) {
        pipeline::Config c;
        c.incidents.path = test::writeVsimem(std::string("tz-") + zone[7] + ".csv", csv);
        c.incidents.fields.time = {"tid"};
        c.timeZone = zone;
        c.grid.cellSizeM = 250.0;
        c.inference.permutations = 0;
        c.output.path = dir.file(std::string("tz-") + zone[7] + ".gpkg");
        c.output.report = false;
        pipeline::run(c, Progress());
        const auto r = test::sqlQuery(c.output.path, "SELECT daylight_n, twilight_n, dark_n FROM hotspot_grid WHERE n > 0");
        REQUIRE(r.size() == 1);
        cls[zone] = r[0][0] + r[0][1] + r[0][2];
    }
    CHECK(cls["Europe/Stockholm"] == "010");
    CHECK(cls["Europe/Helsinki"] == "100");
    CHECK(cls["Europe/London"] == "001");
}

TEST_CASE("near repeats in a run: the Knox table by hand, repeat locations, and nothing of them published but p", "[pipeline][temporal]") {
    // Four thefts at one point on days 0, 2, 3 and 40, two bike thefts at another point 100 m off
    // on days 0 and 1, and one far away: by hand (Manhattan, bands of 250 m and 7 days) the
    // same-location pairs are the thefts' (0, 2), (0, 3), (2, 3) and the bike thefts' (0, 1): 4
    // within 0-6 days; the thefts' (0, 40), (2, 40), (3, 40): 3 at 28 days or more.
    const std::string csv =
        "lon,lat,tid,typ\n"
        "13.1100,55.7900,2024-03-01 10:00,stöld\n13.1100,55.7900,2024-03-03 11:00,stöld\n"
        "13.1100,55.7900,2024-03-04 12:00,stöld\n13.1100,55.7900,2024-04-10 13:00,stöld\n"
        "13.1116,55.7900,2024-03-01 14:00,cykelstöld\n13.1116,55.7900,2024-03-02 15:00,cykelstöld\n"
        "13.2000,55.8200,2024-06-01 16:00,cykelstöld\n";
    test::TempDir dir;
    pipeline::Config c;
    c.incidents.path = test::writeVsimem("nr.csv", csv);
    c.incidents.fields.time = {"tid"};
    c.incidents.fields.category = "typ";
    c.grid.cellSizeM = 250.0;
    c.inference.permutations = 0;
    c.nearRepeat.minReports = 2;
    c.nearRepeat.permutations = 99;
    c.output.path = dir.file("nr.gpkg");
    c.output.report = false;
    pipeline::run(c, Progress());
    const auto same = test::sqlQuery(c.output.path, "SELECT time_band, observed_pairs FROM near_repeat WHERE category = 'all' "
                                                    "AND distance_band = 0 ORDER BY time_band");
    REQUIRE(same.size() == 5);
    CHECK(same[0][1] == "4");
    CHECK(same[1][1] == "0");
    CHECK(same[4][1] == "3");
    // Every pair is in one band pair: 7 reports, 21 pairs.
    CHECK(test::sqlQuery(c.output.path, "SELECT SUM(observed_pairs) FROM near_repeat WHERE category = 'all'")[0][0] == "21");
    // The point hit four times: two repeats within the window (28 days: after 2 and 1 days; 37
    // days is not one); the bike thefts' point one. Most repeats first.
    const auto loc = test::sqlQuery(c.output.path, "SELECT incidents, repeats, first_day, last_day, categories FROM repeat_locations");
    REQUIRE(loc.size() == 2);
    CHECK(loc[1][0] == "2");
    CHECK(loc[1][1] == "1");
    CHECK(loc[1][4] == "cykelstöld (2)");
    CHECK(loc[0][0] == "4");
    CHECK(loc[0][1] == "2");
    CHECK(loc[0][2] == "2024-03-01");
    CHECK(loc[0][3] == "2024-04-10");
    CHECK(loc[0][4] == "stöld (4)");
    // Published: no repeat locations, no pair counts or ratios, the p-values and classes kept.
    c.publish.enabled = true;
    c.output.path = dir.file("nr-published.gpkg");
    pipeline::run(c, Progress());
    CHECK(test::sqlQuery(c.output.path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'repeat_locations'")[0][0] == "0");
    const auto cols = test::sqlQuery(c.output.path, "SELECT name FROM pragma_table_info('near_repeat')");
    std::set<std::string> names;
    for (const auto& r : cols) names.insert(r[0]);
    CHECK(names.count("p_value") == 1);
    CHECK(names.count("near_repeat") == 1);
    CHECK(names.count("observed_pairs") == 0);
    CHECK(names.count("expected_pairs") == 0);
    CHECK(names.count("knox_ratio") == 0);
}

TEST_CASE("the sample's planted near repeat of bike thefts is found, and no other category's", "[pipeline][temporal]") {
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.analyses.clear();
    c.riskModel.enabled = false;  // not this test's subject, and the slowest step
    c.inference.permutations = 0;
    c.output.path = dir.file("k.gpkg");
    c.output.report = false;
    pipeline::run(c, Progress());
    // Bike thefts moved to 0-6 days after an earlier one within 250 m (scripts/make-sample-data).
    const auto near = test::sqlQuery(c.output.path, "SELECT category, knox_ratio FROM near_repeat WHERE near_repeat = 1 AND "
                                                    "distance_band = 1 AND time_band = 0 AND category <> 'all'");
    REQUIRE(near.size() == 1);
    CHECK(near[0][0] == "cykelstöld");
    CHECK(std::stod(near[0][1]) > 1.3);
}

TEST_CASE("perception reports with a clock time get the sun's light too", "[pipeline][temporal][perception]") {
    // Two residents at noon on 10 December (daylight; one unsafe), three at 19:00 (dark; two
    // unsafe), one with a date alone.
    test::TempDir dir;
    pipeline::Config c;
    c.incidents.path = test::writeVsimem("pl-inc.csv", "lon,lat,tid\n13.11,55.79,2024-12-10 12:00\n13.12,55.79,2024-12-11 19:00\n");
    c.incidents.fields.time = {"tid"};
    pipeline::PerceptionConfig p;
    p.reports.path = test::writeVsimem("pl-perc.csv", "lon,lat,tid,trygghet\n"
                                                      "13.11,55.79,2024-12-10 12:00,2\n13.11,55.79,2024-12-10 12:05,5\n"
                                                      "13.11,55.79,2024-12-10 19:00,5\n13.11,55.79,2024-12-10 19:10,6\n"
                                                      "13.11,55.79,2024-12-10 19:20,1\n13.11,55.79,2024-12-12,6\n");
    p.reports.fields.time = {"tid"};
    p.reports.what = "perception";
    p.scoreField = "trygghet";
    c.perception = p;
    c.grid.cellSizeM = 250.0;
    c.inference.permutations = 0;
    c.output.path = dir.file("pl.gpkg");
    c.output.report = false;
    pipeline::run(c, Progress());
    const auto rows = test::sqlQuery(c.output.path, "SELECT light_class, reports, unsafe_reports FROM perception_light");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::vector<std::string>{"dagsljus", "2", "1"});
    CHECK(rows[1] == std::vector<std::string>{"skymning", "0", "0"});
    CHECK(rows[2] == std::vector<std::string>{"morker", "3", "2"});
    CHECK(rows[3] == std::vector<std::string>{"no_clock", "1", "1"});
}

TEST_CASE("reports read in a clock of another continent are pointed out", "[pipeline][temporal]") {
    // Chicago (87.6° W, where the sun's time is UTC-5.8) read in the default Europe/Stockholm
    // (UTC+1 in winter): seven hours apart, a warning; read in America/Chicago, none.
    const std::string csv = "lon,lat,tid\n-87.6300,41.8800,2024-01-10 22:00\n-87.6290,41.8805,2024-01-11 13:30\n";
    test::TempDir dir;
    for (const std::string zone : {"Europe/Stockholm", "America/Chicago"}) {
        pipeline::Config c;
        c.incidents.path = test::writeVsimem("chicago.csv", csv);
        c.incidents.fields.time = {"tid"};
        c.timeZone = zone;
        c.grid.cellSizeM = 250.0;
        c.inference.permutations = 0;
        c.output.path = dir.file("chicago-" + zone.substr(0, 6) + ".gpkg");
        c.output.report = false;
        const auto summary = pipeline::run(c, Progress());
        std::string warned;
        for (const auto& w : summary.warnings)
            if (w.find("time_zone") != std::string::npos) warned = w;
        INFO(zone << ": " << warned);
        if (zone == "Europe/Stockholm") {
            CHECK(warned.find("87.6° W") != std::string::npos);
            CHECK(warned.find("UTC-6") != std::string::npos);
            CHECK(warned.find("Europe/Stockholm (UTC+1)") != std::string::npos);
        } else {
            CHECK(warned.empty());
        }
    }
}
