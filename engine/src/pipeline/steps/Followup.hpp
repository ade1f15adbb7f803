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

namespace trygg::pipeline::steps {

// [followup]: the measure, buffer and control areas; incidents in each before and after the
// measure's date; the WDQ for all incidents and per category.
output::FollowupData computeFollowup(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                                     const io::ReportSet& reports, RunSummary& summary);

// run_metadata: the follow-up's areas, windows, method and its result over all incidents.
void followupMetadata(const Config& cfg, const RunSummary& summary, Metadata& md);

} // namespace trygg::pipeline::steps
