// temporal.hot_times: incidents by weekday and hour, for the study area and for each hotspot
// area, when the reports have times (table hot_times).
#include "HotspotAreas.hpp"
#include "../Step.hpp"

#include "trygg/temporal/HotTimes.hpp"

namespace trygg::pipeline::steps {
namespace {

class HotTimes final : public Step {
public:
    HotTimes() : Step("temporal.hot_times", 0.85, 0.85) {}
    std::vector<std::string> needs() const override { return {"overlay.hotspot_areas"}; }
    bool enabled(const Analysis& a) const override { return !a.reports.timeWallSeconds.empty(); }
    void run(Analysis& a, const Progress&) const override {
        temporal::HourWeekdayTable whole = temporal::hourWeekdayTable(a.reports.timeWallSeconds, a.reports.hasClock);
        whole.scopeTo(a.cfg.filter);  // hours and days the filter leaves out are empty, not zero
        a.results.put(std::move(whole));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto* areas = a.results.find<HotspotAreasStep>();
        writer.writeHotTimes(a.results.get<temporal::HourWeekdayTable>(name()),
                             areas ? areas->rows : std::vector<output::HotspotAreaRow>{});
    }
};

} // namespace

const Step& hotTimes() {
    static const HotTimes step;
    return step;
}

} // namespace trygg::pipeline::steps
