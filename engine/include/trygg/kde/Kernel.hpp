#pragma once
// Kernels for density surfaces. Plain C++: no GDAL, PROJ or GEOS types here.
//
// Each kernel K(u), u = d / h, integrates to 1 over the plane when divided by h^2, so that
//   density(x) = sum_i w_i K(|x - x_i| / h) / h^2        (reports per square metre)
// Sources: Silverman (1986), Density Estimation, table 3.1 and eq. 4.5 (the bivariate forms);
// ArcGIS Pro "How Kernel Density works" (the quartic kernel); QGIS Heatmap (the same shapes).
#include <optional>
#include <string>

namespace trygg::kde {

enum class Kernel {
    Quartic,       // 3/pi (1 - u^2)^2 for u < 1: the biweight, ArcGIS's and QGIS's default
    Epanechnikov,  // 2/pi (1 - u^2)
    Triangular,    // 3/pi (1 - u): a cone
    Uniform,       // 1/pi: a disc
    Gaussian,      // exp(-u^2 / 2) / (2 pi c) for u < 4, h the standard deviation, c = 1 - exp(-8)
};

// The normalised kernel at u = d / h (0 outside its support).
double kernelValue(Kernel k, double u);

// The kernel's shape without its constant, 1 at the centre: what QGIS's Heatmap sums as "raw".
double kernelShape(Kernel k, double u);

// How far the kernel reaches, in multiples of h (1; 4 for the Gaussian).
double supportRadius(Kernel k);

std::string toString(Kernel k);
std::optional<Kernel> parseKernel(const std::string& text);

} // namespace trygg::kde
