#pragma once
// The densest areas of a surface: thresholds by share of area, and their connected regions.
#include "trygg/kde/Surface.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace trygg::kde {

// The density above which the densest `percent` % of the surface's valued pixels lie (pixels have
// equal areas, so this is a share of the study area). NaN pixels (outside the study area) take no
// part. Returns +inf when no pixel has a positive value.
double topShareThreshold(std::span<const float> surface, double percent);

// Connected regions (edge-connected, as GDALPolygonize joins pixels) of pixels at or above the
// threshold and above zero: a label 1..count per pixel, 0 elsewhere.
std::vector<std::int32_t> labelRegions(const Raster& raster, std::span<const float> surface, double threshold,
                                       std::int32_t& count);

// The pixel holding (x, y), or -1 outside the raster.
std::int64_t pixelOf(const Raster& raster, double x, double y);

} // namespace trygg::kde
