#include "trygg/kde/Kernel.hpp"

#include <cmath>

namespace trygg::kde {
namespace {
constexpr double kPi = 3.14159265358979323846;
// The Gaussian is cut at 4 standard deviations and scaled back up by the mass it keeps, so that it
// still integrates to exactly 1: 1 - exp(-4^2 / 2).
const double kGaussianKept = 1.0 - std::exp(-8.0);
} // namespace

double kernelShape(Kernel k, double u) {
    if (u < 0) u = -u;
    switch (k) {
    case Kernel::Quartic: return u < 1 ? (1 - u * u) * (1 - u * u) : 0.0;
    case Kernel::Epanechnikov: return u < 1 ? 1 - u * u : 0.0;
    case Kernel::Triangular: return u < 1 ? 1 - u : 0.0;
    case Kernel::Uniform: return u < 1 ? 1.0 : 0.0;
    case Kernel::Gaussian: return u < 4 ? std::exp(-u * u / 2) : 0.0;
    }
    return 0.0;
}

double kernelValue(Kernel k, double u) {
    switch (k) {
    case Kernel::Quartic: return 3 / kPi * kernelShape(k, u);
    case Kernel::Epanechnikov: return 2 / kPi * kernelShape(k, u);
    case Kernel::Triangular: return 3 / kPi * kernelShape(k, u);
    case Kernel::Uniform: return 1 / kPi * kernelShape(k, u);
    case Kernel::Gaussian: return kernelShape(k, u) / (2 * kPi * kGaussianKept);
    }
    return 0.0;
}

double supportRadius(Kernel k) { return k == Kernel::Gaussian ? 4.0 : 1.0; }

std::string toString(Kernel k) {
    switch (k) {
    case Kernel::Quartic: return "quartic";
    case Kernel::Epanechnikov: return "epanechnikov";
    case Kernel::Triangular: return "triangular";
    case Kernel::Uniform: return "uniform";
    case Kernel::Gaussian: return "gaussian";
    }
    return "quartic";
}

std::optional<Kernel> parseKernel(const std::string& text) {
    for (auto k : {Kernel::Quartic, Kernel::Epanechnikov, Kernel::Triangular, Kernel::Uniform, Kernel::Gaussian})
        if (toString(k) == text) return k;
    return std::nullopt;
}

} // namespace trygg::kde
