#pragma once
// Kernel density surfaces on a raster and at given locations. Plain C++ on plain arrays.
#include "trygg/kde/Kernel.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace trygg::kde {

// A north-up raster: pixel (col, row) has its centre at
//   (originX + (col + 0.5) pixelM, originY - (row + 0.5) pixelM), row 0 at the top, as GDAL has it.
struct Raster {
    double originX = 0, originY = 0;  // top-left corner
    double pixelM = 0;
    std::int64_t cols = 0, rows = 0;
    double centreX(std::int64_t col) const { return originX + (static_cast<double>(col) + 0.5) * pixelM; }
    double centreY(std::int64_t row) const { return originY - (static_cast<double>(row) + 0.5) * pixelM; }
};

// The raster of `pixelM` pixels covering [minX, maxX] x [minY, maxY], its edges snapped to whole
// multiples of the pixel size (as the grids are), so that surfaces from different runs line up.
Raster rasterCovering(double minX, double minY, double maxX, double maxY, double pixelM);

enum class Normalisation {
    DensityKm2,  // reports per square kilometre: sum w K(d/h) / h^2 x 10^6
    Raw,         // sum w shape(d/h), the kernel's shape 1 at its centre: QGIS Heatmap's "raw"
    PerArea,     // expected reports in an area of `areaM2` around the location: density x area
};

struct SurfaceSpec {
    Kernel kernel = Kernel::Quartic;
    double bandwidthM = 0;                // fixed bandwidth, or
    std::span<const double> bandwidthsM;  // one per point (adaptive); empty for fixed
    Normalisation normalisation = Normalisation::DensityKm2;
    double areaM2 = 0;                    // PerArea: the pixel's or cell's area
    int threads = 0;                      // 0: every core
    // Called on the caller's thread every few thousand points; when it throws (a cancel), the
    // other threads stop and the exception goes on to the caller.
    std::function<void()> checkCancelled;
};

// The surface at every pixel centre, row by row from the top. `inside(row)` may give the column
// spans [c0, c1) to compute for a row (a mask: the study area); pixels outside them are NaN.
using RowSpans = std::function<std::vector<std::pair<std::int64_t, std::int64_t>>(std::int64_t row)>;
std::vector<float> densitySurface(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                  std::span<const double> weights, const SurfaceSpec& spec, const RowSpans& inside = {});

// The same in double precision (for values kept per grid cell rather than written as Float32).
std::vector<double> densitySurfaceDouble(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                         std::span<const double> weights, const SurfaceSpec& spec,
                                         const RowSpans& inside = {});

// The share of each point's kernel mass that falls inside the mask (pixels outside `inside`'s
// spans are outside), summed over pixel centres: c_i for the edge correction of Diggle (1985) and
// Jones (1993), where each point's weight is divided by c_i so that mass lost over the edge (the
// sea, the border) is given back inside. 1 without a mask.
std::vector<double> insideShares(const Raster& raster, std::span<const double> xs, std::span<const double> ys,
                                 const SurfaceSpec& spec, const RowSpans& inside);

// The surface at given locations (cell centres), evaluated exactly.
std::vector<double> densityAt(std::span<const double> tx, std::span<const double> ty, std::span<const double> xs,
                              std::span<const double> ys, std::span<const double> weights, const SurfaceSpec& spec);

} // namespace trygg::kde
