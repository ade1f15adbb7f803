#include "trygg/kde/Bandwidth.hpp"
#include "trygg/kde/Kernel.hpp"
#include "trygg/kde/Surface.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace trygg::kde;

namespace {
constexpr double kPi = 3.14159265358979323846;
}

TEST_CASE("kernel values at known distances, by hand", "[kde]") {
    // u = 0.5: quartic 3/pi (1 - 0.25)^2 = 0.537148; Epanechnikov 2/pi 0.75 = 0.477465;
    // triangular 3/pi 0.5 = 0.477465; uniform 1/pi = 0.318310; Gaussian exp(-0.125) / (2 pi (1 - e^-8)).
    CHECK(kernelValue(Kernel::Quartic, 0.5) == Approx(3 / kPi * 0.5625));
    CHECK(kernelValue(Kernel::Epanechnikov, 0.5) == Approx(2 / kPi * 0.75));
    CHECK(kernelValue(Kernel::Triangular, 0.5) == Approx(3 / kPi * 0.5));
    CHECK(kernelValue(Kernel::Uniform, 0.5) == Approx(1 / kPi));
    CHECK(kernelValue(Kernel::Gaussian, 0.5) == Approx(std::exp(-0.125) / (2 * kPi * (1 - std::exp(-8.0)))));
    CHECK(kernelValue(Kernel::Quartic, 1.0) == 0.0);
    CHECK(kernelValue(Kernel::Gaussian, 4.0) == 0.0);
    CHECK(kernelShape(Kernel::Quartic, 0.0) == 1.0);
}

TEST_CASE("a single point's kernel integrates to its weight within 0.1 %", "[kde]") {
    for (const auto k : {Kernel::Quartic, Kernel::Epanechnikov, Kernel::Triangular, Kernel::Uniform, Kernel::Gaussian}) {
        const double h = 50;
        const Raster r = rasterCovering(-250, -250, 250, 250, 1.0);
        SurfaceSpec spec;
        spec.kernel = k;
        spec.bandwidthM = h;
        const std::vector<double> x{0.3}, y{-0.2}, w{2.5};
        const auto s = densitySurface(r, x, y, w, spec);
        double sum = 0;
        for (float v : s) sum += v;
        INFO(toString(k));
        CHECK(sum * 1e-6 == Approx(2.5).epsilon(1e-3));  // per km2 x 1 m2 pixels
    }
}

TEST_CASE("the surface equals its formula at sampled pixels, whatever the threads", "[kde]") {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0, 3000);
    std::vector<double> xs, ys, ws;
    for (int i = 0; i < 3000; ++i) {
        xs.push_back(u(rng));
        ys.push_back(u(rng));
        ws.push_back(1 + i % 3);
    }
    const Raster r = rasterCovering(0, 0, 3000, 3000, 25);
    SurfaceSpec spec;
    spec.bandwidthM = 400;
    spec.threads = 1;
    const auto one = densitySurface(r, xs, ys, ws, spec);
    spec.threads = 3;
    CHECK(densitySurface(r, xs, ys, ws, spec) == one);
    // Brute force: every point against sampled pixels.
    std::vector<double> tx, ty;
    std::vector<std::size_t> idx;
    for (std::int64_t k = 0; k < r.cols * r.rows; k += 997) {
        idx.push_back(static_cast<std::size_t>(k));
        tx.push_back(r.centreX(k % r.cols));
        ty.push_back(r.centreY(k / r.cols));
    }
    const auto exact = densityAt(tx, ty, xs, ys, ws, spec);
    for (std::size_t t = 0; t < idx.size(); ++t) {
        double brute = 0;
        for (std::size_t i = 0; i < xs.size(); ++i)
            brute += ws[i] * kernelValue(Kernel::Quartic, std::hypot(tx[t] - xs[i], ty[t] - ys[i]) / 400) / (400.0 * 400) * 1e6;
        CHECK(exact[t] == Approx(brute).epsilon(1e-9));
        CHECK(one[idx[t]] == Approx(brute).epsilon(1e-6));
    }
}

TEST_CASE("bandwidth rules on a small point set, by hand", "[kde]") {
    // Four corners of a 10 m square. Mean centre (5, 5); every distance to it is sqrt(50).
    // ArcGIS: SD = sqrt(50), Dm = sqrt(50); min(SD, sqrt(1/ln 2) Dm) = sqrt(50);
    //   h = 0.9 sqrt(50) 4^-0.2 = 4.82300.
    // MASS::bandwidth.nrd on x = {0, 10, 0, 10}: sd = sqrt(100/3) = 5.77350; type-7 quartiles 0 and
    //   10, IQR / 1.34 = 7.46269; 4 x 1.06 x 5.77350 x 4^-0.2 = 18.5521; the same for y.
    const std::vector<double> x{0, 10, 0, 10}, y{0, 0, 10, 10};
    CHECK(arcgisBandwidthM(x, y, {}) == Approx(0.9 * std::sqrt(50.0) * std::pow(4.0, -0.2)));
    CHECK(arcgisBandwidthM(x, y, {}) == Approx(4.82300).epsilon(1e-5));
    CHECK(normalReferenceBandwidthM(x, y) == Approx(18.5521).epsilon(1e-5));
    // An even count with two different middle distances: (+-1, 0) and (0, +-9) have their mean
    // centre at the origin and distances 1, 1, 9, 9, whose median is (1 + 9) / 2 = 5 (R's
    // median(), numpy's, ArcGIS's). SD = sqrt(41) = 6.403 > sqrt(1/ln 2) x 5 = 6.006, so
    //   h = 0.9 x sqrt(1/ln 2) x 5 x 4^-0.2 = 4.09626 (with the lower median 1 it would be 0.819).
    const std::vector<double> ex{1, -1, 0, 0}, ey{0, 0, 9, -9};
    const double rootInvLn2 = std::sqrt(1 / std::log(2.0));
    CHECK(arcgisBandwidthM(ex, ey, {}) == Approx(0.9 * rootInvLn2 * 5 * std::pow(4.0, -0.2)).epsilon(1e-12));
    CHECK(arcgisBandwidthM(ex, ey, {}) == Approx(4.09626).epsilon(1e-5));
    // Whole-number weights are the points repeated: weights 2, 2, 2, 2 are eight distances
    // 1, 1, 1, 1, 9, 9, 9, 9 (median 5); weights 3, 3, 1, 1 are 1 x 6 and 9 x 2 (median 1).
    CHECK(arcgisBandwidthM(ex, ey, std::vector<double>{2, 2, 2, 2}) ==
          Approx(0.9 * rootInvLn2 * 5 * std::pow(8.0, -0.2)).epsilon(1e-12));
    const double sd31 = std::sqrt((6 * 1.0 + 2 * 81.0) / 8);  // 4.583 > sqrt(1/ln 2) x 1
    CHECK(arcgisBandwidthM(ex, ey, std::vector<double>{3, 3, 1, 1}) ==
          Approx(0.9 * std::min(sd31, rootInvLn2 * 1) * std::pow(8.0, -0.2)).epsilon(1e-12));
    // Adaptive: the distance to the nearest other corner is 10 m; to the second nearest 10 m too.
    const auto a = adaptiveBandwidthsM(x, y, 1, 0);
    for (double h : a) CHECK(h == Approx(10.0));
    CHECK(adaptiveBandwidthsM(x, y, 3, 0)[0] == Approx(std::sqrt(200.0)));
    CHECK(adaptiveBandwidthsM(x, y, 1, 25)[0] == Approx(25.0));  // the floor
}

TEST_CASE("pixels outside the mask are NaN, inside unchanged", "[kde]") {
    const Raster r = rasterCovering(0, 0, 100, 100, 10);
    SurfaceSpec spec;
    spec.bandwidthM = 50;
    const std::vector<double> x{50}, y{50};
    const auto full = densitySurface(r, x, y, {}, spec);
    const auto half = densitySurface(r, x, y, {}, spec, [](std::int64_t) {
        return std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 5}};
    });
    for (std::int64_t row = 0; row < r.rows; ++row)
        for (std::int64_t c = 0; c < r.cols; ++c) {
            const auto k = static_cast<std::size_t>(row * r.cols + c);
            if (c < 5)
                CHECK(half[k] == full[k]);
            else
                CHECK(std::isnan(half[k]));
        }
}

TEST_CASE("the edge correction gives back the mass lost outside the mask", "[kde]") {
    // A point on the edge of a half-plane mask keeps half its kernel inside (by symmetry), so its
    // share is 1/2; dividing its weight by it makes the masked surface integrate to the weight.
    const Raster r = rasterCovering(-200, -200, 200, 200, 1.0);
    SurfaceSpec spec;
    spec.bandwidthM = 100;
    const std::vector<double> x{0.0}, y{0.5};  // on a pixel edge: columns 0..199 left, 200.. right
    RowSpans left = [&](std::int64_t) { return std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 200}}; };
    const auto shares = insideShares(r, x, y, spec, left);
    CHECK(shares[0] == Approx(0.5).epsilon(2e-3));
    const std::vector<double> w{1.0 / shares[0]};
    const auto s = densitySurface(r, x, y, w, spec, left);
    double sum = 0;
    for (float v : s)
        if (std::isfinite(v)) sum += v;
    CHECK(sum * 1e-6 == Approx(1.0).epsilon(1e-3));
    CHECK(insideShares(r, x, y, spec, {})[0] == 1.0);  // no mask: nothing to correct
}

TEST_CASE("a cancel stops the surface on every thread and reaches the caller", "[kde]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 3000);
    std::vector<double> xs, ys;
    for (int i = 0; i < 40000; ++i) {
        xs.push_back(u(rng));
        ys.push_back(u(rng));
    }
    const Raster r = rasterCovering(0, 0, 3000, 3000, 25);
    struct Stop {};
    for (int threads : {1, 3}) {
        SurfaceSpec spec;
        spec.bandwidthM = 300;
        spec.threads = threads;
        int calls = 0;
        spec.checkCancelled = [&] {
            if (++calls == 2) throw Stop{};
        };
        CHECK_THROWS_AS(densitySurface(r, xs, ys, {}, spec), Stop);
        CHECK(calls == 2);
        calls = 0;
        CHECK_THROWS_AS(insideShares(r, xs, ys, spec, [&](std::int64_t) {
                            return std::vector<std::pair<std::int64_t, std::int64_t>>{{0, r.cols}};
                        }),
                        Stop);
        // Without a cancel the same spec computes the surface.
        spec.checkCancelled = {};
        CHECK(densitySurface(r, xs, ys, {}, spec).size() == static_cast<std::size_t>(r.cols * r.rows));
    }
}
