#pragma once
// temporal.darkness: the light at each report's place and moment (temporal/Daylight.hpp), and
// what it says: incidents in daylight, twilight and darkness per cell, hotspot area and month, the
// rate per hour of darkness against the rate per hour of daylight (the hours from the sun over the
// analysis's own period and filter), Gi* on the incidents in darkness, and the incidents in
// darkness in the dark spots of the hotspot areas. Internal to the pipeline.
#include "GiStar.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/stats/Change.hpp"
#include "trygg/temporal/Daylight.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace trygg::pipeline::steps {

// Reports per light class: [0] daylight, [1] twilight, [2] darkness.
using LightCounts = std::array<std::int64_t, 3>;

struct DarknessStep {
    std::string zone;
    double lon = 0, lat = 0;  // where the hours of the study area are computed: the grid's centre
    // Per accepted report: its light class (0, 1, 2 as LightClass), -1 without a clock time; and
    // the sun's altitude in degrees (NaN without one).
    std::vector<std::int8_t> light;
    std::vector<float> altitude;
    LightCounts reports{};
    std::int64_t noClock = 0;
    // Per month of monthly_counts: the hours of each class, and the reports.
    temporal::MonthlyLightHours hours;
    std::vector<LightCounts> monthReports;
    std::vector<std::int64_t> monthNoClock;
    // The rate per hour of darkness against the rate per hour of daylight, over the study area.
    stats::RateRatio darkVsDaylight;
    // Per grid cell (empty without a grid).
    std::vector<LightCounts> cells;
    GiStarStep gi;  // on the incidents in darkness (its weights the grid's); empty without any
    // Per row of the hotspot areas, in their order (empty without them).
    std::vector<LightCounts> areas;
    std::vector<stats::RateRatio> areaRatios;
    std::vector<std::int64_t> darkSpotIncidents;  // incidents in darkness inside the area's dark spot; -1 without one

    // The perception reports with a clock time, per light class (and [3] those without one): the
    // reports and the unsafe ones. Empty without perception reports.
    std::vector<std::array<std::int64_t, 2>> perception;

    double darkHours() const { return hours.total().darkness; }
    double daylightHours() const { return hours.total().daylight; }
};

// The rate ratio of darkness to daylight for counts of one place (the hours the study area's).
stats::RateRatio darkRatio(const DarknessStep& d, const LightCounts& c);

// The per-cell columns of hotspot_grid (daylight_n, twilight_n, dark_n, dark_day_ratio and the
// after-dark Gi*), added by the grid's writer after its own.
class DarkCellColumns {
public:
    DarkCellColumns(output::LayerWriter& layer, const DarknessStep& d);
    void set(output::LayerWriter& layer, std::size_t cell) const;

private:
    const DarknessStep& m_d;
    double m_darkHours = 0, m_daylightHours = 0;  // summed once, not per cell
    int m_first = -1, m_ratio = -1, m_z = -1, m_p = -1, m_pseudo = -1, m_bin = -1;
};

// The per-area columns of hotspot_areas (daylight_incidents, twilight_incidents, dark_incidents,
// dark_day_ratio, dark_p).
class DarkAreaColumns {
public:
    DarkAreaColumns(output::LayerWriter& layer, const DarknessStep& d);
    void set(output::LayerWriter& layer, std::size_t row) const;

private:
    const DarknessStep& m_d;
    int m_first = -1, m_ratio = -1, m_p = -1;
};

} // namespace trygg::pipeline::steps
