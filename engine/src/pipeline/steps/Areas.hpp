#pragma once
// stats.areas: the same statistics on areas (DeSO and the like) over their contiguity, with rates
// per resident and the survey's indices. Internal to the pipeline.
#include "Metadata.hpp"
#include "Kde.hpp"
#include "LocalMoran.hpp"
#include "Perception.hpp"

#include "trygg/io/AreaLayer.hpp"
#include "trygg/output/GpkgWriter.hpp"

namespace trygg::pipeline::steps {

struct AreaStep {
    io::AreaLayer layer;
    std::vector<std::vector<unsigned char>> wkb;
    std::vector<double> areaKm2;
    grid::CellCounts counts;
    std::size_t outside = 0;  // accepted reports in no area
    GiStarStep gi;
    std::optional<LisaStep> lisa;
    // The area summary.
    std::vector<double> residents;      // NaN where unknown
    std::string residentsSource;
    std::vector<double> ratePer1000, ratePer1000Eb;
    std::optional<perception::CellSummary> perception;
    std::vector<std::vector<perception::ReasonRow>> reasons;  // per area
    std::optional<io::SurveyTable> survey;
};

// stats.areas: the same local statistics on polygon areas, over their contiguity, and the area
// summary: residents, rates, perception and survey indices.
AreaStep computeAreas(Inputs& inputs, const Config& cfg, const io::ReportSet& reports,
                      const geom::GeosContext& geos, const PerceptionStep* perceived, const KdeStep* density,
                      const Progress& progress, RunSummary& summary);

// run_metadata: the areas read, the rule for a report on an edge, their weights, residents and
// survey.
void areasMetadata(const Config& cfg, const AreaStep& step, Metadata& md);

} // namespace trygg::pipeline::steps
