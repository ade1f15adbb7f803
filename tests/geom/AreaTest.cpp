// A detailed boundary at the cost of its cells: the quadtree's shares and lengths per cell, and
// the scan-line spans from the edge index, each checked against GEOS computing the same thing
// the slow way (one full intersection per cell or per row), which the project used before.
#include "../TestSupport.hpp"

#include "trygg/geom/Geos.hpp"
#include "trygg/grid/Lattice.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <geos_c.h>

#include <array>
#include <cmath>
#include <random>
#include <string>

using namespace trygg;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A star-shaped ring of n vertices around (cx, cy): every vertex at its own angle, so the ring is
// simple, with a radius that wobbles at several scales like a coastline.
std::string starRing(int n, double cx, double cy, double radius, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> phase(0, 2 * kPi);
    double ph[10];
    for (double& p : ph) p = phase(rng);
    std::string wkt = "(";
    for (int i = 0; i <= n; ++i) {
        const double t = 2 * kPi * (i % n) / n;
        double f = 0;
        for (int k = 0; k < 10; ++k) f += 0.3 / (k + 1) * std::sin(std::pow(2.0, k) * t + ph[k]);
        const double r = radius * (1 + 0.5 * f);
        wkt += fmt::format("{}{} {}", i ? "," : "", cx + r * std::cos(t), cy + r * std::sin(t));
    }
    return wkt + ")";
}

geom::GeomPtr fromWkt(const geom::GeosContext& ctx, const std::string& wkt) { return test::fromWkt(ctx, wkt.c_str()); }

// Two parts, one with a hole, 8,000 vertices in all.
std::string detailedWkt() {
    return "MULTIPOLYGON((" + starRing(5000, 1000, 1000, 700, 1) + "," + starRing(1000, 1050, 980, 180, 2) + "),(" +
           starRing(2000, 2300, 1200, 250, 3) + "))";
}

double cellMeasure(const geom::GeosContext& ctx, const GEOSGeometry* g, const grid::Lattice& l, std::int64_t linear,
                   bool lines) {
    std::array<double, 7> xs{}, ys{};
    const int n = l.ring(l.cellAt(linear), xs, ys);
    auto h = ctx.handle();
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(h, xs.data(), ys.data(), nullptr, nullptr, static_cast<unsigned>(n));
    geom::GeomPtr cell(GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), nullptr, 0), geom::GeomDeleter{h});
    geom::GeomPtr inter(GEOSIntersection_r(h, g, cell.get()), geom::GeomDeleter{h});
    double v = 0;
    if (lines) GEOSLength_r(h, inter.get(), &v);
    else GEOSArea_r(h, inter.get(), &v);
    return lines ? v : v / l.cellAreaM2();
}

} // namespace

TEST_CASE("cell shares down the quadtree equal one GEOS intersection per cell", "[geom]") {
    geom::GeosContext ctx;
    const geom::GeomPtr g = fromWkt(ctx, detailedWkt());
    const geom::Area area(ctx, {geom::toWkb(ctx, g.get())}, nullptr);
    double total = 0;
    GEOSArea_r(ctx.handle(), g.get(), &total);
    for (const auto shape : {grid::Shape::Square, grid::Shape::Hex}) {
        INFO((shape == grid::Shape::Square ? "square" : "hex"));
        const geom::Bounds b = area.bounds();
        const grid::Lattice l = grid::Lattice::cover(shape, 60, {b.minX, b.minY, b.maxX, b.maxY}, grid::Alignment::Snapped);
        const auto shares = area.latticeShares(l);
        REQUIRE(shares.size() > 100);
        // Every cell of the lattice: the walk's share, or none where GEOS finds no area.
        std::size_t k = 0;
        double sum = 0, full = 0;
        for (std::int64_t i = 0; i < l.cellCount(); ++i) {
            const double expected = cellMeasure(ctx, g.get(), l, i, false);
            const double got = k < shares.size() && shares[k].first == i ? shares[k++].second : 0.0;
            INFO("cell " << i);
            CHECK(got == Approx(expected).margin(1e-9));
            std::array<double, 7> xs{}, ys{};
            const int n = l.ring(l.cellAt(i), xs, ys);
            CHECK(got == Approx(area.coveredShare(std::span<const double>(xs.data(), n), std::span<const double>(ys.data(), n)))
                             .margin(1e-9));
            sum += got * l.cellAreaM2();
            full += got == 1.0;
        }
        CHECK(k == shares.size());  // sorted, each cell once
        CHECK(sum == Approx(total).epsilon(1e-9));
        CHECK(full > 50);  // whole blocks decided at once, as wholly inside
    }
}

TEST_CASE("a line's length per cell down the quadtree equals GEOS cell by cell", "[geom]") {
    geom::GeosContext ctx;
    std::string wkt = "LINESTRING(";
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> step(-40, 60);
    double x = 100, y = 500;
    for (int i = 0; i < 3000; ++i) {
        wkt += fmt::format("{}{} {}", i ? "," : "", x, y);
        x += std::abs(step(rng)) * 0.3;
        y += step(rng) * 0.5;
    }
    const geom::GeomPtr line = fromWkt(ctx, wkt + ")");
    double length = 0;
    GEOSLength_r(ctx.handle(), line.get(), &length);
    for (const auto shape : {grid::Shape::Square, grid::Shape::Hex}) {
        INFO((shape == grid::Shape::Square ? "square" : "hex"));
        const geom::Bounds b = geom::boundsOf(ctx, line.get());
        const grid::Lattice l = grid::Lattice::cover(shape, 80, {b.minX, b.minY, b.maxX, b.maxY}, grid::Alignment::Snapped);
        const auto lengths = geom::measureOnLattice(ctx, line.get(), l);
        double sum = 0;
        for (const auto& [linear, v] : lengths) {
            CHECK(v == Approx(cellMeasure(ctx, line.get(), l, linear, true)).margin(1e-7));
            sum += v;
        }
        CHECK(sum == Approx(length).epsilon(1e-9));
    }
}

TEST_CASE("scan-line spans from the edge index equal GEOS's intersection with the line", "[geom]") {
    geom::GeosContext ctx;
    const geom::GeomPtr g = fromWkt(ctx, detailedWkt());
    const geom::Area area(ctx, {geom::toWkb(ctx, g.get())}, nullptr);
    auto h = ctx.handle();
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> uy(area.bounds().minY, area.bounds().maxY);
    for (int trial = 0; trial < 300; ++trial) {
        const double y = uy(rng);
        const auto spans = area.spansAt(y);
        // GEOS: the scan line intersected with the polygons, summed and compared span by span.
        const double xs[2] = {area.bounds().minX - 1, area.bounds().maxX + 1}, ys[2] = {y, y};
        geom::GeomPtr scan(GEOSGeom_createLineString_r(h, GEOSCoordSeq_copyFromArrays_r(h, xs, ys, nullptr, nullptr, 2)),
                           geom::GeomDeleter{h});
        geom::GeomPtr inter(GEOSIntersection_r(h, g.get(), scan.get()), geom::GeomDeleter{h});
        double expected = 0, got = 0;
        GEOSLength_r(h, inter.get(), &expected);
        for (const auto& [x0, x1] : spans) {
            CHECK(x1 > x0);
            got += x1 - x0;
            // The middle of every span lies inside.
            CHECK(area.coversPoint((x0 + x1) / 2, y));
        }
        CHECK(got == Approx(expected).margin(1e-6));
        for (std::size_t k = 1; k < spans.size(); ++k) CHECK(spans[k].first >= spans[k - 1].second);
    }
    CHECK(area.spansAt(area.bounds().maxY + 1).empty());
}

TEST_CASE("a boundary of 100000 vertices: every share found, the area kept", "[geom]") {
    geom::GeosContext ctx;
    const geom::GeomPtr g = fromWkt(ctx, "POLYGON(" + starRing(100000, 10000, 10000, 8000, 7) + ")");
    const geom::Area area(ctx, {geom::toWkb(ctx, g.get())}, nullptr);
    const geom::Bounds b = area.bounds();
    const grid::Lattice l = grid::Lattice::cover(grid::Shape::Square, 100, {b.minX, b.minY, b.maxX, b.maxY}, grid::Alignment::Snapped);
    const auto shares = area.latticeShares(l);
    double sum = 0;
    for (const auto& [linear, s] : shares) sum += s;
    CHECK(sum * l.cellAreaM2() == Approx(area.areaM2()).epsilon(1e-9));
    // Spot checks of boundary cells against one GEOS intersection each.
    int checked = 0;
    for (std::size_t k = 0; k < shares.size() && checked < 200; k += 97)
        if (shares[k].second < 1.0) {
            CHECK(shares[k].second == Approx(cellMeasure(ctx, g.get(), l, shares[k].first, false)).margin(1e-9));
            ++checked;
        }
    CHECK(checked > 20);
}

TEST_CASE("a repaired polygon keeps its polygons, never the lines make-valid leaves", "[geom]") {
    // A square with a spike: GEOS make-valid returns the square and the spike as a line, a
    // collection no polygon layer can hold (the area layer's writer refused it before).
    geom::GeosContext ctx;
    auto h = ctx.handle();
    const geom::GeomPtr spiky = fromWkt(ctx, "POLYGON((0 0,10 0,10 10,5 10,5 20,5 10,0 10,0 0))");
    const geom::GeomPtr made(GEOSMakeValid_r(h, spiky.get()), geom::GeomDeleter{h});
    REQUIRE(GEOSGeomTypeId_r(h, made.get()) == GEOS_GEOMETRYCOLLECTION);  // the case this guards against
    bool repaired = false;
    const geom::GeomPtr g = geom::polygonInAnalysisCrs(ctx, geom::toWkb(ctx, spiky.get()), nullptr, repaired);
    CHECK(repaired);
    const int type = GEOSGeomTypeId_r(h, g.get());
    CHECK((type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON));
    double area = 0;
    GEOSArea_r(h, g.get(), &area);
    CHECK(area == Approx(100.0));
    CHECK(GEOSisValid_r(h, g.get()) == 1);
}
