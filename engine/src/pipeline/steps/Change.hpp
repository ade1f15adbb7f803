#pragma once
// stats.change: per cell, the incidents of the two periods of [change] and whether the change
// is beyond chance. Internal to the pipeline.
#include "Metadata.hpp"
#include "Grid.hpp"

#include "trygg/stats/Change.hpp"

#include <cstdint>
#include <vector>

namespace trygg::pipeline::steps {

struct ChangeStep {
    std::vector<std::uint32_t> before, after;
    double daysBefore = 0, daysAfter = 0;
    stats::PeriodChange result;
};

// Counts per cell in the two periods of [change], and the conditional binomial test of each cell.
ChangeStep computeChange(const Config& cfg, const io::ReportSet& reports, const GridStep& g, RunSummary& summary);

// run_metadata: the two periods, their reports, the test and the cells per class.
void changeMetadata(const Config& cfg, const RunSummary& summary, Metadata& md);

} // namespace trygg::pipeline::steps
