#pragma once
// overlay.hotspot_areas: adjacent hot cells dissolved into areas, each described: its incidents,
// categories, peak times, place, lights and dark parts. Internal to the pipeline.
#include "Metadata.hpp"
#include "Grid.hpp"
#include "../Inputs.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/overlay/HotspotAreas.hpp"
#include "trygg/io/NamedFeatures.hpp"
#include "trygg/temporal/HotTimes.hpp"

#include <optional>
#include <string>

#include <span>
#include <vector>

namespace trygg::pipeline::steps {

// One hotspot area: its polygon, what it holds, when, where, and how dark it is.
struct HotspotAreaRow {
    int id = 0;
    std::string kind;  // "incidents" or "perception": which hot spots it dissolves
    std::vector<unsigned char> wkb;
    std::size_t cells = 0;
    double areaM2 = 0, shareOfArea = 0, shareOfIncidents = 0;
    std::int64_t incidents = 0;
    std::vector<std::size_t> reports;  // the accepted reports in it (indices), for later steps
    std::string leadingCategories, peakHour, peakWeekday, place, placeKind;
    double placeDistanceM = 0;
    bool placeInside = true;  // `place` names what the area touches, else the nearest place
    std::int64_t lights = 0;
    double darkM2 = 0;
    std::vector<unsigned char> darkWkb;  // empty when nothing is dark
    std::vector<double> extras;          // values of the extra columns (overlay measures)
    std::optional<temporal::HourWeekdayTable> hotTimes;  // when the reports have times
};

struct HotspotAreasStep {
    std::vector<HotspotAreaRow> rows;
};

// What hotspot areas are described by: named places and street lights, read once.
struct AreaContext {
    std::vector<overlay::Place> places;
    io::WeightedPoints lights;
    bool hasLights = false;
};

AreaContext readAreaContext(Inputs& inputs, const HotspotAreasConfig& hc, RunSummary& summary);

// One area described: its incidents (the accepted reports listed), leading categories, peak hour
// and weekday, the places it touches or is nearest to, its street lights and dark parts.
HotspotAreaRow describeArea(const geom::GeosContext& geos, const GEOSGeometry* poly,
                                    std::span<const std::size_t> incidents, const io::ReportSet& reports,
                                    const AreaContext& ctx, const HotspotAreasConfig& hc, double studyAreaM2);

// overlay.hotspot_areas: the cells that `bins` calls hot (Gi_Bin, or perc_Gi_Bin), dissolved and
// described; `kind` names them, ids continue from `firstId`.
HotspotAreasStep computeHotspotAreas(const Config& cfg, const AreaContext& ctx, const geom::GeosContext& geos,
                                     const geom::Area* area, const GridStep& g, const std::vector<std::int8_t>& bins,
                                     const std::string& kind, int firstId, const io::ReportSet& reports);

// run_metadata: the rule that makes the areas, their number, and what describes them. `clipped`:
// the areas are clipped to a study area.
void hotspotAreasMetadata(const Config& cfg, const RunSummary& summary, bool clipped, Metadata& md);

} // namespace trygg::pipeline::steps
