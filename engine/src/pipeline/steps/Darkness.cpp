// temporal.darkness: whether incidents follow darkness, from the sun rather than the clock.
//
// Each report with a clock time gets the sun's altitude at its place (its coordinates in lon/lat)
// and moment (its wall time in [analysis] time_zone, daylight saving time included), and its
// light class: dagsljus above -0.833°, skymning to -6°, mörker below (temporal/Daylight.hpp).
// The hours of each class over the analysis's months are the sun's at the grid's centre (across a
// municipality of 30 km the times differ by about two minutes), counted only in the hours the
// analysis's filter keeps, so a night analysis is compared with the dark share of its own nights.
//
// Under the null hypothesis that incidents do not follow the light, they fall into darkness and
// daylight in proportion to the hours of each; the dark count given the dark and daylight counts
// together is then binomial with q = dark hours / (dark + daylight hours), and the rate ratio
// (incidents per dark hour / incidents per daylight hour) is R's poisson.test's, with its exact
// interval. Twilight is counted apart and left out of the comparison. The null is the plain one
// the question asks ("more than the dark hours' share"); people are out less at night, so a ratio
// near 1 already means darkness carries more risk per person out: the report says so.
#include "Darkness.hpp"

#include "trygg/core/Parallel.hpp"
#include "HotspotAreas.hpp"
#include "Perception.hpp"
#include "Trend.hpp"
#include "../Step.hpp"

#include "trygg/core/Parallel.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::pipeline::steps {

stats::RateRatio darkRatio(const DarknessStep& d, const LightCounts& c) {
    if (!(d.darkHours() > 0 && d.daylightHours() > 0)) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan, nan, nan, nan};
    }
    return stats::poissonRateRatio(static_cast<std::uint64_t>(c[2]), d.darkHours(), static_cast<std::uint64_t>(c[0]),
                                   d.daylightHours());
}

DarkCellColumns::DarkCellColumns(output::LayerWriter& layer, const DarknessStep& d)
    : m_d(d), m_darkHours(d.darkHours()), m_daylightHours(d.daylightHours()) {
    using output::FieldType;
    m_first = layer.add("daylight_n", FieldType::Integer);
    layer.add("twilight_n", FieldType::Integer);
    layer.add("dark_n", FieldType::Integer);
    m_ratio = layer.add("dark_day_ratio", FieldType::Real);
    if (!d.gi.z.empty()) {
        m_z = layer.add("dark_GiZScore", FieldType::Real);
        m_p = layer.add("dark_GiPValue", FieldType::Real);
        if (!d.gi.pseudoP.empty()) m_pseudo = layer.add("dark_GiPseudoP", FieldType::Real);
        m_bin = layer.add("dark_Gi_Bin", FieldType::Int16);
    }
}

void DarkCellColumns::set(output::LayerWriter& layer, std::size_t cell) const {
    const LightCounts& c = m_d.cells[cell];
    for (int k = 0; k < 3; ++k) layer.setInt(m_first + k, c[static_cast<std::size_t>(k)]);
    // Per cell the ratio alone (no interval, no test): a test per cell would be thousands of tests
    // of a handful of reports, and their exact intervals cost seconds over a grid.
    const double dark = m_darkHours, day = m_daylightHours;
    layer.setReal(m_ratio, c[0] > 0 && dark > 0 && day > 0
                               ? (static_cast<double>(c[2]) / dark) / (static_cast<double>(c[0]) / day)
                               : std::numeric_limits<double>::quiet_NaN());
    if (m_z < 0) return;
    layer.setReal(m_z, m_d.gi.z[cell]);
    layer.setReal(m_p, m_d.gi.p[cell]);
    if (m_pseudo >= 0) layer.setReal(m_pseudo, m_d.gi.pseudoP[cell]);
    layer.setInt(m_bin, m_d.gi.bins[cell]);
}

DarkAreaColumns::DarkAreaColumns(output::LayerWriter& layer, const DarknessStep& d) : m_d(d) {
    using output::FieldType;
    m_first = layer.add("daylight_incidents", FieldType::Integer64);
    layer.add("twilight_incidents", FieldType::Integer64);
    layer.add("dark_incidents", FieldType::Integer64);
    m_ratio = layer.add("dark_day_ratio", FieldType::Real);
    m_p = layer.add("dark_p", FieldType::Real);
}

void DarkAreaColumns::set(output::LayerWriter& layer, std::size_t row) const {
    const LightCounts& c = m_d.areas[row];
    for (int k = 0; k < 3; ++k) layer.setInt(m_first + k, c[static_cast<std::size_t>(k)]);
    layer.setReal(m_ratio, m_d.areaRatios[row].ratio);
    layer.setReal(m_p, m_d.areaRatios[row].pGreater);
}

namespace {

// The light of every report with a clock time: its wall time to UTC, its place to lon/lat.
void classifyReports(DarknessStep& d, const io::ReportSet& r, const crs::Crs& analysisCrs, const temporal::WallClock& clock) {
    const std::size_t n = r.acceptedCount();
    d.light.assign(n, -1);
    d.altitude.assign(n, std::numeric_limits<float>::quiet_NaN());
    std::vector<double> lon(r.x), lat(r.y);
    const crs::Crs lonLat = crs::Crs::fromUserInput("EPSG:4326");
    std::vector<std::unique_ptr<crs::Transformer>> toLonLat(threadCount(0));  // PROJ's objects: one per thread
    std::vector<std::int64_t> utc(n, io::kNoTime);
    // Blocks of reports on every core; each writes its own reports only, so the result does not
    // depend on the threads. The tz database is read-only once loaded; the sun between its knots
    // is plain arithmetic (libnova's cached series are called only while the path is built).
    constexpr std::size_t kBlock = 1 << 16;
    const std::size_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<std::int64_t> firsts(blocks, std::numeric_limits<std::int64_t>::max()),
        lasts(blocks, std::numeric_limits<std::int64_t>::min());
    parallelBlocks(n, kBlock, 0, {}, [&](std::size_t b, std::size_t e, unsigned thread) {
        if (!toLonLat[thread]) toLonLat[thread] = std::make_unique<crs::Transformer>(analysisCrs, lonLat);
        toLonLat[thread]->transform(std::span<double>(lon).subspan(b, e - b), std::span<double>(lat).subspan(b, e - b));
        std::int64_t& first = firsts[b / kBlock];
        std::int64_t& last = lasts[b / kBlock];
        for (std::size_t i = b; i < e; ++i) {
            if (!r.clockKnown(i)) continue;
            utc[i] = clock.toUtc(r.timeWallSeconds[i]);
            first = std::min(first, utc[i]);
            last = std::max(last, utc[i]);
        }
    });
    const std::int64_t first = blocks ? *std::min_element(firsts.begin(), firsts.end()) : 0;
    const std::int64_t last = blocks ? *std::max_element(lasts.begin(), lasts.end()) : -1;
    if (first > last) return;
    const temporal::SunPath sun(first - 3600, last + 3600);
    auto classify = [&](std::size_t i) {
        const double a = sun.altitudeDeg(utc[i], lon[i], lat[i]);
        d.altitude[i] = static_cast<float>(a);
        d.light[i] = static_cast<std::int8_t>(temporal::lightClassOf(a));
    };
    auto due = [&](std::size_t i) { return utc[i] != io::kNoTime && std::isfinite(lon[i]) && std::isfinite(lat[i]); };
    parallelBlocks(n, kBlock, 0, {}, [&](std::size_t b, std::size_t e, unsigned) {
        for (std::size_t i = b; i < e; ++i)
            if (due(i) && sun.interpolates(utc[i])) classify(i);
    });
    for (std::size_t i = 0; i < n; ++i)  // (none, as the path spans the reports; libnova on one thread if so)
        if (due(i) && !sun.interpolates(utc[i])) classify(i);
}

class Darkness final : public Step {
public:
    Darkness() : Step("temporal.darkness", StepCost{0.3, 2.5e-7, 5e-7}) {}
    std::vector<const char*> configTables() const override { return {"darkness"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("darkness", "must be a table ([darkness])");
        if (!t) return;
        t->onlyKnown({"enabled"});
        if (auto v = t->boolean("enabled")) cfg.darkness.enabled = *v;
    }
    const char* analysisSwitch() const override { return "darkness"; }
    void switchOff(Config& cfg) const override { cfg.darkness.enabled = false; }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.gistar", "overlay.hotspot_areas"}; }
    bool enabled(const Analysis& a) const override {
        if (!a.cfg.darkness.enabled || a.reports.timeWallSeconds.empty()) return false;
        for (std::size_t i = 0; i < a.reports.acceptedCount(); ++i)
            if (a.reports.clockKnown(i)) return true;
        return false;
    }
    void run(Analysis& a, const Progress& progress) const override {
        const io::ReportSet& r = a.reports;
        DarknessStep d;
        d.zone = a.cfg.timeZone;
        const temporal::WallClock clock(a.cfg.timeZone);
        classifyReports(d, r, a.analysisCrs, clock);
        progress.checkCancelled();
        for (std::size_t i = 0; i < d.light.size(); ++i)
            if (d.light[i] >= 0) ++d.reports[static_cast<std::size_t>(d.light[i])];
            else ++d.noClock;

        // The months of monthly_counts, and the hours of each class in them that the filter keeps.
        const temporal::MonthlyCounts months = temporal::monthlyCounts(r.timeWallSeconds, {}, 0);
        const GridStep* g = a.results.find<GridStep>();
        {
            double x = 0, y = 0;
            if (g) {
                const grid::Extent e = latticeBounds(g->lattice);
                x = (e.minX + e.maxX) / 2, y = (e.minY + e.maxY) / 2;
            } else {
                for (std::size_t i = 0; i < r.acceptedCount(); ++i) x += r.x[i] / r.acceptedCount(), y += r.y[i] / r.acceptedCount();
            }
            const crs::Transformer toLonLat(a.analysisCrs, crs::Crs::fromUserInput("EPSG:4326"));
            toLonLat.transform(x, y);
            d.lon = x, d.lat = y;
        }
        // The reports' clock should be the place's. A zone more than four hours from the sun's
        // time there (longitude / 15°) reads another continent's clock: Chicago's reports in
        // Europe/Stockholm put every report's light seven hours off. (Four hours leaves room for
        // the wide single zones, such as China's.)
        std::size_t first = 0;
        while (first < r.acceptedCount() && !r.clockKnown(first)) ++first;
        if (a.main && first < r.acceptedCount()) {
            std::int64_t until = 0;
            const double zoneHours =
                static_cast<double>(clock.offsetSeconds(clock.toUtc(r.timeWallSeconds[first]), until)) / 3600.0;
            const double sunHours = d.lon / 15.0;
            if (std::abs(zoneHours - sunHours) > 4.0)
                a.summary.warnings.push_back(fmt::format(
                    "temporal.darkness: the reports lie at {:.1f}° {}, where clocks read about UTC{:+.0f}, but their times are "
                    "read as {} (UTC{:+g}): the light at each report would be hours off. Set [analysis] time_zone (or "
                    "--time-zone) to the reports' own zone, such as America/Chicago",
                    std::abs(d.lon), d.lon < 0 ? "W" : "E", std::round(sunHours), a.cfg.timeZone, zoneHours));
        }
        const temporal::TimeFilter& filter = a.cfg.filter;
        d.hours = temporal::lightHoursByMonth(clock, months.firstYear, months.firstMonth, months.months(), d.lon, d.lat,
                                              filter.active() ? std::function<bool(std::int64_t)>(
                                                                    [&](std::int64_t w) { return filter.keeps(w); })
                                                              : std::function<bool(std::int64_t)>());
        d.monthReports.assign(months.months(), LightCounts{});
        d.monthNoClock.assign(months.months(), 0);
        for (std::size_t i = 0; i < r.acceptedCount(); ++i) {
            if (r.timeWallSeconds[i] == io::kNoTime) continue;
            const temporal::CalendarTime c = temporal::calendarOf(r.timeWallSeconds[i]);
            const auto m = static_cast<std::size_t>((c.year - months.firstYear) * 12 + c.month - months.firstMonth);
            if (d.light[i] >= 0) ++d.monthReports[m][static_cast<std::size_t>(d.light[i])];
            else ++d.monthNoClock[m];
        }
        d.darkVsDaylight = darkRatio(d, d.reports);
        progress.checkCancelled();

        // Per cell, and Gi* on the incidents in darkness over the grid's own weights.
        if (g) {
            d.cells.assign(g->cells.size(), LightCounts{});
            for (std::size_t i = 0; i < r.acceptedCount(); ++i) {
                if (d.light[i] < 0) continue;
                const std::int32_t c = g->cells.activeOf(g->pointCells[i]);
                if (c >= 0) ++d.cells[static_cast<std::size_t>(c)][static_cast<std::size_t>(d.light[i])];
            }
            if (const auto* gi = a.results.find<GiStarStep>(); gi && d.reports[2] > 0) {
                d.gi.weights = gi->weights;
                d.gi.values.resize(d.cells.size());
                for (std::size_t c = 0; c < d.cells.size(); ++c) d.gi.values[c] = static_cast<double>(d.cells[c][2]);
                // Its classes come from the analytic p, as Gi_Bin's do (classes_from "auto" or
                // "analytic"): permutations only where the classes are read from them.
                Config analytic = a.cfg;
                if (a.cfg.inference.classesFrom != ClassesFrom::Pseudo) analytic.inference.permutations = 0;
                giStarOnValues(d.gi, analytic, name(), progress, a.summary);
            }
        }
        // Per hotspot area, and in its dark spot (the part far from street lights).
        if (const auto* areas = a.results.find<HotspotAreasStep>()) {
            for (const auto& row : areas->rows) {
                LightCounts c{};
                for (std::size_t i : row.reports)
                    if (d.light[i] >= 0) ++c[static_cast<std::size_t>(d.light[i])];
                d.areas.push_back(c);
                d.areaRatios.push_back(darkRatio(d, c));
                std::int64_t inDarkSpot = -1;
                if (!row.darkWkb.empty()) {
                    const geom::Area spot(a.geos, {row.darkWkb}, nullptr);
                    inDarkSpot = 0;
                    for (std::size_t i : row.reports)
                        if (d.light[i] == static_cast<std::int8_t>(temporal::LightClass::Darkness) &&
                            spot.coversPoint(r.x[i], r.y[i]))
                            ++inDarkSpot;
                }
                d.darkSpotIncidents.push_back(inDarkSpot);
            }
        }
        // Residents' reports with a clock time: the same light, and how many felt unsafe in it.
        if (const auto* perceived = a.results.find<PerceptionStep>(); perceived && !perceived->reports.timeWallSeconds.empty()) {
            DarknessStep p;
            classifyReports(p, perceived->reports, a.analysisCrs, clock);
            d.perception.assign(4, {0, 0});
            const perception::Scale& scale = a.cfg.perception->scale;
            for (std::size_t i = 0; i < p.light.size(); ++i) {
                auto& row = d.perception[p.light[i] >= 0 ? static_cast<std::size_t>(p.light[i]) : 3];
                ++row[0];
                row[1] += scale.isUnsafe(perceived->parsed.score[i]) ? 1 : 0;
            }
            if (d.perception[3][0] == static_cast<std::int64_t>(p.light.size())) d.perception.clear();  // no clock times
        }
        a.results.put(std::move(d));
    }

    // light_by_month: per month the hours and the incidents of each light class.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const DarknessStep& d = a.results.get<DarknessStep>(name());
        using output::FieldType;
        output::LayerWriter t = writer.layer(
            "light_by_month", output::GeometryType::None, "Light by month",
            "Per month: the hours of daylight, twilight and darkness (from the sun, in the hours the analysis keeps) "
            "and the incidents in each");
        const int month = t.add("month", FieldType::Text), hDay = t.add("hours_daylight", FieldType::Real),
                  hTwilight = t.add("hours_twilight", FieldType::Real), hDark = t.add("hours_dark", FieldType::Real),
                  nDay = t.add("daylight_n", FieldType::Integer), nTwilight = t.add("twilight_n", FieldType::Integer),
                  nDark = t.add("dark_n", FieldType::Integer), noClock = t.add("no_clock", FieldType::Integer),
                  shareHours = t.add("dark_share_hours", FieldType::Real),
                  shareIncidents = t.add("dark_share_incidents", FieldType::Real);
        temporal::MonthlyCounts labels;
        labels.firstYear = d.hours.firstYear;
        labels.firstMonth = d.hours.firstMonth;
        for (std::size_t m = 0; m < d.hours.months.size(); ++m) {
            const temporal::LightHours& h = d.hours.months[m];
            const LightCounts& c = d.monthReports[m];
            t.setText(month, labels.label(m));
            t.setReal(hDay, h.daylight);
            t.setReal(hTwilight, h.twilight);
            t.setReal(hDark, h.darkness);
            t.setInt(nDay, c[0]);
            t.setInt(nTwilight, c[1]);
            t.setInt(nDark, c[2]);
            t.setInt(noClock, d.monthNoClock[m]);
            t.setReal(shareHours, h.total() > 0 ? h.darkness / h.total() : std::nan(""));
            const std::int64_t withClock = c[0] + c[1] + c[2];
            t.setReal(shareIncidents, withClock > 0 ? static_cast<double>(c[2]) / static_cast<double>(withClock) : std::nan(""));
            t.write("a month's light");
        }
        t.finish();
        writer.style("light_by_month", output::tableQml(), "Light by month");
        if (d.perception.empty()) return;
        output::LayerWriter pl = writer.layer(
            "perception_light", output::GeometryType::None, "Perceived safety by light",
            "Residents' safety reports by the light at their place and moment (those with a clock time), and the unsafe ones");
        const int cls = pl.add("light_class", FieldType::Text), label = pl.add("light", FieldType::Text),
                  reports = pl.add("reports", FieldType::Integer), unsafe = pl.add("unsafe_reports", FieldType::Integer),
                  share = pl.add("share_unsafe", FieldType::Real);
        const bool en = a.cfg.output.language == "en";
        for (std::size_t k = 0; k < d.perception.size(); ++k) {
            const auto c = static_cast<temporal::LightClass>(k);
            pl.setText(cls, k < 3 ? temporal::toString(c) : "no_clock");
            pl.setText(label, k < 3 ? (en ? temporal::labelEn(c) : temporal::labelSv(c)) : (en ? "No clock time" : "Utan klockslag"));
            pl.setInt(reports, d.perception[k][0]);
            pl.setInt(unsafe, d.perception[k][1]);
            pl.setReal(share, d.perception[k][0] > 0 ? static_cast<double>(d.perception[k][1]) / static_cast<double>(d.perception[k][0])
                                                     : std::nan(""));
            pl.write("a light class's perception reports");
        }
        pl.finish();
        writer.style("perception_light", output::tableQml(), "Perceived safety by light");
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const DarknessStep& d = a.results.get<DarknessStep>(name());
        const temporal::LightHours h = d.hours.total();
        md.add("darkness.method",
               "the sun's altitude at each report's place and moment (libnova: VSOP87 and Meeus), its centre without "
               "refraction; dagsljus above -0.833 deg, skymning (civil twilight) to -6 deg, morker below. The hours of "
               "each class from the sun at the grid's centre every 5 minutes over the analysis's months, in the hours "
               "its filter keeps. dark_day_ratio = (dark_n / hours_dark) / (daylight_n / hours_daylight), as R's "
               "poisson.test; dark_p its one-sided exact test of ratio > 1 (dark_n given dark_n + daylight_n is "
               "binomial with q = hours_dark / (hours_dark + hours_daylight)); twilight apart");
        md.add("darkness.time_zone", d.zone);
        md.add("darkness.sun_at", fmt::format("{:.5f} E, {:.5f} N", d.lon, d.lat));
        md.add("darkness.hours", fmt::format("daylight {:.1f}, twilight {:.1f}, darkness {:.1f}", h.daylight, h.twilight,
                                             h.darkness));
        // When publishing, the counts are light_by_month's to publish (or hide), and the ratio is
        // given only where no class is small: with the hours it would give a small count back.
        const int minCount = a.cfg.publish.minCount;
        const bool small = std::any_of(d.reports.begin(), d.reports.end(), [&](std::int64_t v) { return v >= 1 && v <= minCount; });
        if (a.publishing())
            md.add("darkness.reports", "in light_by_month");
        else
            md.add("darkness.reports", fmt::format("daylight {}, twilight {}, darkness {}, without a clock time {}",
                                                   d.reports[0], d.reports[1], d.reports[2], d.noClock));
        const auto& rr = d.darkVsDaylight;
        md.add("darkness.dark_day_ratio",
               a.publishing() && small ? std::string("hidden (a small count)")
               : std::isfinite(rr.ratio)
                   ? fmt::format("{:.4g} (95 % CI {:.4g} to {:.4g}), p = {:.3g} (one-sided, ratio > 1)", rr.ratio, rr.low,
                                 rr.high, rr.pGreater)
                   : "undefined (no incidents in darkness or daylight, or no such hours)");
        // The same as numbers, for the report: "hidden" where the text is.
        const bool hide = a.publishing() && small;
        const std::int64_t withClock = d.reports[0] + d.reports[1] + d.reports[2];
        const auto number = [&](const char* key, double v, bool hideIt) {
            md.add(key, hideIt ? std::string("hidden") : std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string());
        };
        number("darkness.share_hours", h.total() > 0 ? h.darkness / h.total() : std::nan(""), false);
        number("darkness.share_incidents",
               withClock > 0 ? static_cast<double>(d.reports[2]) / static_cast<double>(withClock) : std::nan(""), hide);
        number("darkness.ratio", rr.ratio, hide);
        number("darkness.ratio_low", rr.low, hide);
        number("darkness.ratio_high", rr.high, hide);
        number("darkness.p_greater", rr.pGreater, hide);
        if (!d.gi.z.empty())
            md.add("darkness.gistar", d.gi.pseudoP.empty()
                                          ? "Gi* on dark_n over the grid's weights, classes from the analytic p after the "
                                            "run's correction (dark_GiZScore, dark_Gi_Bin)"
                                          : "Gi* on dark_n over the grid's weights and inference, classes from the pseudo p "
                                            "(dark_GiZScore, dark_GiPseudoP, dark_Gi_Bin)");
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const DarknessStep& d = a.results.get<DarknessStep>(name());
        const std::int64_t withClock = d.reports[0] + d.reports[1] + d.reports[2];
        const temporal::LightHours h = d.hours.total();
        std::string line = fmt::format(
            "Darkness: {} of {} incidents with a clock time ({:.0f} %) in darkness, which is {:.0f} % of the hours",
            d.reports[2], withClock, withClock > 0 ? 100.0 * static_cast<double>(d.reports[2]) / static_cast<double>(withClock) : 0.0,
            h.total() > 0 ? 100.0 * h.darkness / h.total() : 0.0);
        if (std::isfinite(d.darkVsDaylight.ratio))
            line += fmt::format("; rate per dark hour {:.2f} x that per daylight hour (95 % CI {:.2f}-{:.2f})",
                                d.darkVsDaylight.ratio, d.darkVsDaylight.low, d.darkVsDaylight.high);
        if (!d.gi.bins.empty()) {
            const auto hot = std::count_if(d.gi.bins.begin(), d.gi.bins.end(), [](std::int8_t b) { return b >= 2; });
            line += fmt::format("; {} after-dark hot spot cell(s) at 95 %", hot);
        }
        lines.push_back(line);
    }
};

} // namespace

const Step& darkness() {
    static const Darkness step;
    return step;
}

} // namespace trygg::pipeline::steps
