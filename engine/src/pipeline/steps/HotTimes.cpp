// temporal.hot_times: incidents by weekday and hour, for the study area and for each hotspot
// area, when the reports have times (table hot_times).
#include "HotspotAreas.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"

#include "trygg/temporal/HotTimes.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <optional>

namespace trygg::pipeline::steps {
namespace {

class HotTimes final : public Step {
public:
    HotTimes() : Step("temporal.hot_times", StepCost{0.01, 1e-8}) {}
    std::vector<std::string> needs() const override { return {"overlay.hotspot_areas"}; }
    bool enabled(const Analysis& a) const override { return !a.reports.timeWallSeconds.empty(); }
    void run(Analysis& a, const Progress&) const override {
        temporal::HourWeekdayTable whole = temporal::hourWeekdayTable(a.reports.timeWallSeconds, a.reports.hasClock);
        whole.scopeTo(a.cfg.filter);  // hours and days the filter leaves out are empty, not zero
        a.results.put(std::move(whole));
    }
    // hot_times: seven weekday rows for the study area, then for each hotspot area that has times.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto* areas = a.results.find<HotspotAreasStep>();
        using output::FieldType;
        output::LayerWriter t = writer.layer(
            "hot_times", output::GeometryType::None, "Hot times",
            "Incidents by weekday and hour of the day, for the study area and each hotspot area; NULL where the "
            "analysis's filter of hours or weekdays counts nothing");
        const int scope = t.add("scope", FieldType::Text), areaId = t.add("area_id", FieldType::Integer),
                  weekday = t.add("weekday", FieldType::Integer), weekdayName = t.add("weekday_name", FieldType::Text);
        const int firstHour = t.add("h00", FieldType::Integer);
        for (int h = 1; h < 24; ++h) t.add(std::string(h < 10 ? "h0" : "h") + std::to_string(h), FieldType::Integer);
        const int noClock = t.add("no_clock", FieldType::Integer), total = t.add("total", FieldType::Integer);
        const auto rows = [&](const temporal::HourWeekdayTable& table, const std::string& name, std::optional<int> id) {
            for (int d = 0; d < 7; ++d) {
                t.setText(scope, name);
                if (id)
                    t.setInt(areaId, *id);
                else
                    t.setNull(areaId);
                t.setInt(weekday, d + 1);
                t.setText(weekdayName, temporal::weekdayName(d, a.cfg.output.language == "en"));
                // Slots outside the analysis's filter are NULL: not counted, rather than counted empty.
                const auto set = [&](int field, bool counted, std::int64_t v) {
                    if (counted)
                        t.setInt(field, v);
                    else
                        t.setNull(field);
                };
                for (int h = 0; h < 24; ++h)
                    set(firstHour + h, table.counted(d, h),
                        table.counts[static_cast<std::size_t>(d)][static_cast<std::size_t>(h)]);
                set(noClock, table.countedNoClock(d), table.noClock[static_cast<std::size_t>(d)]);
                set(total, table.countedWeekday(d), table.weekdayTotal(d));
                t.write("hot times");
            }
        };
        rows(a.results.get<temporal::HourWeekdayTable>(name()), "study_area", std::nullopt);
        if (areas)
            for (const auto& r : areas->rows)
                if (r.hotTimes) rows(*r.hotTimes, r.kind, r.id);
        t.finish();
        writer.style("hot_times", output::tableQml(), "Hot times");
    }
};

} // namespace

const Step& hotTimes() {
    static const HotTimes step;
    return step;
}

} // namespace trygg::pipeline::steps
