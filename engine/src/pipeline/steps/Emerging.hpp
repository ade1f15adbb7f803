#pragma once
// stats.emerging: emerging hot spots, Gi* in a space-time cube of time slices and the trend of
// each cell (ArcGIS Pro's categories). Internal to the pipeline.
#include "Metadata.hpp"
#include "Grid.hpp"

#include "trygg/stats/Emerging.hpp"

#include <string>

namespace trygg::pipeline::steps {

struct EmergingStep {
    stats::EmergingResult result;
    std::string stepsText;
    double bandM = 0;
};

// [emerging]: the accepted reports in time slices (weeks, months or quarters from the first
// report's), counted per cell, then Gi* in the space-time cube, trends and patterns.
EmergingStep computeEmerging(const Config& cfg, const io::ReportSet& reports, const GridStep& g, const Progress& progress,
                             RunSummary& summary);

// run_metadata: the time slices, the method and the cells per pattern.
void emergingMetadata(const Config& cfg, const RunSummary& summary, Metadata& md);

} // namespace trygg::pipeline::steps
