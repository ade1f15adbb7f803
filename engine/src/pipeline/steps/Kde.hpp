#pragma once
// kde.surface: the kernel density (and risk) surface and its densest areas. Internal to the pipeline.
#include "Metadata.hpp"
#include "Grid.hpp"
#include "../Inputs.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/kde/Bandwidth.hpp"
#include "trygg/kde/Regions.hpp"
#include "trygg/kde/Surface.hpp"

#include <optional>
#include <string>
#include <vector>

namespace trygg::pipeline::steps {

// One class of the densest areas: the regions of the surface at or above the threshold.
struct DensityAreaClass {
    double percent = 0;    // the densest `percent` % of the study area
    double threshold = 0;  // the surface value at its edge
    std::vector<std::int32_t> labels;  // per pixel: region 1..count, 0 elsewhere
    std::int32_t count = 0;
    std::vector<std::int64_t> incidents;  // per label (index 0: outside every region)
    std::vector<std::int64_t> pixels;     // per label
    std::int64_t totalIncidents = 0;
    std::vector<std::pair<std::int32_t, std::vector<unsigned char>>> polygons;  // label and WKB, per region
};

struct KdeStep {
    kde::Raster raster;
    std::vector<float> surface;
    std::vector<float> risk;       // with a population: the risk surface (NaN where masked)
    std::vector<double> riskPerCell;
    std::string riskUnit;
    io::WeightedPoints population;
    double bandwidthM = 0;  // the fixed bandwidth, or the median adaptive one
    std::string bandwidthRule;
    std::vector<double> perCell;  // at each grid cell's centre
    std::vector<DensityAreaClass> classes;
};

// kde.surface: the density surface over the study area (none over the sea), its value at each
// grid cell, and the densest areas.
KdeStep computeKde(Inputs& inputs, const Config& cfg, const io::ReportSet& reports, const GridStep& g, const geom::Area* area,
                   const Progress& progress, RunSummary& summary);

// run_metadata: the kernel, bandwidth, raster, mask and edge correction, the classes' thresholds,
// and the population behind the risk surface. `masked`: a study area masks the surface.
void kdeMetadata(const Config& cfg, const KdeStep& step, bool masked, Metadata& md);

} // namespace trygg::pipeline::steps
