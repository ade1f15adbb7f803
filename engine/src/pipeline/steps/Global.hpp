#pragma once
// stats.global: global Moran's I, General G and Clark-Evans. Internal to the pipeline.
#include "Metadata.hpp"
#include "LocalMoran.hpp"

#include "trygg/stats/Global.hpp"

namespace trygg::pipeline::steps {

struct GlobalStep {
    stats::GlobalTest moran, generalG, clarkEvans;
    std::string moranWeights, generalGWeights;
    double areaM2 = 0;
};

// stats.global: global Moran's I (on the local Moran weights, or queen row-standardised), General
// G (on the Gi* weights, self left out) and Clark-Evans on the accepted reports.
GlobalStep computeGlobal(const GridStep& g, const GiStarStep& gi, const LisaStep* lisa,
                         const io::ReportSet& reports, double areaM2, const Progress& progress);

// run_metadata: each global test with its expectation, z and p, or why it was not computed.
void globalMetadata(const GlobalStep& step, Metadata& md);

} // namespace trygg::pipeline::steps
