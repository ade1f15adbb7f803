#pragma once
// stats.followup: a measure's effect, the Weighted Displacement Quotient of its measure, buffer and
// control areas. Internal to the pipeline.
#include "Metadata.hpp"
#include "../Inputs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"
#include "trygg/stats/Displacement.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace trygg::pipeline::steps {

// A measure's follow-up: its three areas and the WDQ per category.
struct FollowupPart {
    std::string role, name;  // role: measure, buffer, control
    std::vector<unsigned char> wkb;
    double areaM2 = 0;
    std::int64_t before = 0, after = 0;  // all incidents
};
struct FollowupRow {
    std::string category;  // "all" for every category
    stats::WdqCounts counts;
    stats::WdqResult result;
};
struct FollowupData {
    std::string title, window;
    std::vector<FollowupPart> areas;
    std::vector<FollowupRow> rows;
};

// [followup]: the measure, buffer and control areas; incidents in each before and after the
// measure's date; the WDQ for all incidents and per category.
FollowupData computeFollowup(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                                     const io::ReportSet& reports, RunSummary& summary);

// run_metadata: the follow-up's areas, windows, method and its result over all incidents.
void followupMetadata(const Config& cfg, const RunSummary& summary, Metadata& md);

} // namespace trygg::pipeline::steps
