#include "trygg/overlay/HotspotAreas.hpp"

#include "trygg/core/Error.hpp"

#include <geos_c.h>

#include <algorithm>
#include <array>
#include <limits>

namespace trygg::overlay {
namespace {

using geom::own;

geom::GeomPtr collect(const geom::GeosContext& ctx, std::vector<GEOSGeometry*>& parts, const char* what) {
    GEOSGeometry* c = GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                  static_cast<unsigned>(parts.size()));
    if (!c) {
        for (auto* p : parts) GEOSGeom_destroy_r(ctx.handle(), p);
        throw GeometryError(std::string("overlay: ") + what + " failed: " + ctx.lastError());
    }
    parts.clear();
    return geom::GeomPtr(c, geom::GeomDeleter{ctx.handle()});
}

} // namespace

std::vector<DissolvedArea> dissolveCells(const geom::GeosContext& ctx, const grid::Grid& grid,
                                         std::span<const std::size_t> cells, const geom::Area* clip) {
    auto h = ctx.handle();
    std::vector<DissolvedArea> out;
    if (cells.empty()) return out;
    const grid::Lattice& lat = grid.lattice();
    std::vector<GEOSGeometry*> polys;
    std::array<double, 7> xs{}, ys{};
    for (std::size_t i : cells) {
        const int np = lat.ring(grid.cellIndex(i), xs, ys);
        GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(h, xs.data(), ys.data(), nullptr, nullptr,
                                                               static_cast<unsigned>(np));
        polys.push_back(GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), nullptr, 0));
    }
    const geom::GeomPtr all = collect(ctx, polys, "collecting cells");
    const geom::GeomPtr merged = own(ctx, GEOSUnaryUnion_r(h, all.get()), "dissolving cells");
    const int parts = GEOSGetNumGeometries_r(h, merged.get());
    std::vector<geom::PreparedPtr> prepared;
    for (int k = 0; k < parts; ++k) {
        DissolvedArea a;
        a.geom = own(ctx, GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, merged.get(), k)), "copying a part");
        prepared.emplace_back(GEOSPrepare_r(h, a.geom.get()), geom::PreparedDeleter{h});
        out.push_back(std::move(a));
    }
    // Each cell to the part holding its centre.
    for (std::size_t i : cells) {
        const grid::Point c = lat.centre(grid.cellIndex(i));
        geom::GeomPtr p(GEOSGeom_createPointFromXY_r(h, c.x, c.y), geom::GeomDeleter{h});
        for (int k = 0; k < parts; ++k)
            if (GEOSPreparedIntersects_r(h, prepared[static_cast<std::size_t>(k)].get(), p.get()) == 1) {
                out[static_cast<std::size_t>(k)].cells.push_back(i);
                break;
            }
    }
    prepared.clear();
    std::sort(out.begin(), out.end(), [](const DissolvedArea& a, const DissolvedArea& b) {
        return (a.cells.empty() ? std::numeric_limits<std::size_t>::max() : a.cells.front()) <
               (b.cells.empty() ? std::numeric_limits<std::size_t>::max() : b.cells.front());
    });
    if (clip)
        for (auto& a : out) a.geom = clip->clip(a.geom.get());
    return out;
}

NearestPlace nearestPlace(const geom::GeosContext& ctx, const GEOSGeometry* area, const std::vector<Place>& places) {
    NearestPlace best;
    best.distanceM = std::numeric_limits<double>::infinity();
    for (const auto& p : places) {
        double d = 0;
        if (GEOSDistance_r(ctx.handle(), area, p.geom.get(), &d) != 1) continue;
        if (d < best.distanceM) best = {p.name, p.kind, d};
    }
    return best;
}

std::vector<const Place*> placesIn(const geom::GeosContext& ctx, const GEOSGeometry* area,
                                   const std::vector<Place>& places, std::size_t most) {
    std::vector<const Place*> out;
    geom::PreparedPtr prep(GEOSPrepare_r(ctx.handle(), area), geom::PreparedDeleter{ctx.handle()});
    for (const auto& p : places) {
        if (out.size() == most) break;
        const bool kindTaken = std::any_of(out.begin(), out.end(), [&](const Place* q) { return q->kind == p.kind; });
        if (!kindTaken && GEOSPreparedIntersects_r(ctx.handle(), prep.get(), p.geom.get()) == 1) out.push_back(&p);
    }
    return out;
}

std::size_t countPointsIn(const geom::GeosContext& ctx, const GEOSGeometry* area, std::span<const double> xs,
                          std::span<const double> ys) {
    auto h = ctx.handle();
    const geom::Bounds b = geom::boundsOf(ctx, area);
    geom::PreparedPtr prep(GEOSPrepare_r(h, area), geom::PreparedDeleter{h});
    std::size_t n = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (xs[i] < b.minX || xs[i] > b.maxX || ys[i] < b.minY || ys[i] > b.maxY) continue;
        geom::GeomPtr p(GEOSGeom_createPointFromXY_r(h, xs[i], ys[i]), geom::GeomDeleter{h});
        n += GEOSPreparedIntersects_r(h, prep.get(), p.get()) == 1;
    }
    return n;
}

geom::GeomPtr farFromPoints(const geom::GeosContext& ctx, const GEOSGeometry* area, std::span<const double> xs,
                            std::span<const double> ys, double distanceM) {
    auto h = ctx.handle();
    const geom::Bounds b = geom::boundsOf(ctx, area);
    // Each circle owned as it is made, so that a failure on the way (GEOS gives NULL) frees the rest.
    std::vector<geom::GeomPtr> circles;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (xs[i] < b.minX - distanceM || xs[i] > b.maxX + distanceM || ys[i] < b.minY - distanceM ||
            ys[i] > b.maxY + distanceM)
            continue;
        const geom::GeomPtr p = own(ctx, GEOSGeom_createPointFromXY_r(h, xs[i], ys[i]), "placing a light");
        circles.push_back(own(ctx, GEOSBuffer_r(h, p.get(), distanceM, 16), "drawing a light's circle"));
    }
    if (circles.empty()) return own(ctx, GEOSGeom_clone_r(h, area), "copying an area");
    std::vector<GEOSGeometry*> buffers;
    for (auto& c : circles) buffers.push_back(c.release());
    const geom::GeomPtr lit = own(ctx, GEOSUnaryUnion_r(h, collect(ctx, buffers, "collecting light circles").get()),
                                  "joining light circles");
    return own(ctx, GEOSDifference_r(h, area, lit.get()), "cutting out the lit parts");
}

double areaM2(const geom::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0;
    GEOSArea_r(ctx.handle(), g, &a);
    return a;
}

geom::GeomPtr ringAround(const geom::GeosContext& ctx, const GEOSGeometry* area, double distanceM) {
    auto h = ctx.handle();
    const geom::GeomPtr grown = own(ctx, GEOSBuffer_r(h, area, distanceM, 16), "buffering an area");
    return own(ctx, GEOSDifference_r(h, grown.get(), area), "cutting the area out of its buffer");
}

} // namespace trygg::overlay
