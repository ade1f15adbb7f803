#pragma once
// stats.local_moran: cluster and outlier analysis (COType). Internal to the pipeline.
#include "Columns.hpp"
#include "GiStar.hpp"

#include "trygg/output/GpkgWriter.hpp"
#include "trygg/stats/LocalMoran.hpp"

namespace trygg::pipeline::steps {

struct LisaStep {
    stats::Weights weights;
    stats::LocalMoran lm;
    std::vector<double> pseudoP;
    std::vector<stats::Quadrant> coType;  // the quadrant where significant, None elsewhere
    double cutoff = 0;
};

// stats.local_moran: cluster and outlier analysis; COType where p (pseudo p with permutations)
// is significant at alpha after the correction.
LisaStep computeLocalMoran(const Config& cfg, const GridStep& g, const GiStarStep& gi, const Progress& progress,
                           RunSummary& summary);

// The local statistics columns of a layer (hotspot_grid, area_statistics): Gi*, and local Moran
// when it ran.
LocalStatsData localStatsData(const GiStarStep& gi, const LisaStep* lisa);

} // namespace trygg::pipeline::steps
