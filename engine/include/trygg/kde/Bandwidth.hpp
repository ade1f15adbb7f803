#pragma once
// Bandwidth rules for density surfaces, on plain coordinate arrays in metres.
#include <span>
#include <vector>

namespace trygg::kde {

// ArcGIS Pro's default search radius ("How Kernel Density works"):
//   h = 0.9 min(SD, sqrt(1 / ln 2) Dm) n^-0.2
// with SD the standard distance from the (weighted) mean centre, Dm the (weighted) median distance
// to it, and n the number of points (the sum of weights when weighted). `weights` may be empty.
double arcgisBandwidthM(std::span<const double> xs, std::span<const double> ys, std::span<const double> weights);

// The normal-reference rule of MASS::bandwidth.nrd, 4 x 1.06 min(sd, IQR / 1.34) n^-1/5 (quantiles
// of R's default type 7), averaged over x and y as sfhotspot documents it. (sfhotspot's code calls
// R's mean(a, b), which takes b as its trim argument, so it actually uses the x rule alone.)
double normalReferenceBandwidthM(std::span<const double> xs, std::span<const double> ys);

// Adaptive bandwidths: each point's distance to its k-th nearest other point, at least `floorM`.
std::vector<double> adaptiveBandwidthsM(std::span<const double> xs, std::span<const double> ys, int k, double floorM);

} // namespace trygg::kde
