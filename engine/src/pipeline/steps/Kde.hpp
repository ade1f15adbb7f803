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
    std::vector<output::DensityAreaClass> classes;
};

// kde.surface: the density surface over the study area (none over the sea), its value at each
// grid cell, and the densest areas.
KdeStep computeKde(Inputs& inputs, const Config& cfg, const io::ReportSet& reports, const GridStep& g, const geom::Area* area,
                   const Progress& progress, RunSummary& summary);

// run_metadata: the kernel, bandwidth, raster, mask and edge correction, the classes' thresholds,
// and the population behind the risk surface. `masked`: a study area masks the surface.
void kdeMetadata(const Config& cfg, const KdeStep& step, bool masked, Metadata& md);

} // namespace trygg::pipeline::steps
