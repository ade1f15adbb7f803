#include "trygg/geom/Geos.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace trygg::geom {

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
    GEOSContext_setErrorMessageHandler_r(m_handle, &GeosContext::onError, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(m_handle); }

void GeosContext::onError(const char* message, void* self) {
    static_cast<GeosContext*>(self)->m_lastError = message ? message : "";
}

void GeomDeleter::operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(ctx, g);
}

void PreparedDeleter::operator()(const GEOSPreparedGeometry* g) const {
    if (g) GEOSPreparedGeom_destroy_r(ctx, g);
}

namespace {

GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what) {
    if (!g) throw GeometryError(std::string("geom: ") + what + " failed: " + ctx.lastError());
    return GeomPtr(g, GeomDeleter{ctx.handle()});
}

} // namespace

GeomPtr fromWkb(const GeosContext& ctx, std::span<const unsigned char> wkb) {
    return own(ctx, GEOSGeomFromWKB_buf_r(ctx.handle(), wkb.data(), wkb.size()), "reading WKB");
}

std::vector<unsigned char> toWkb(const GeosContext& ctx, const GEOSGeometry* g) {
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx.handle());
    size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(ctx.handle(), writer, g, &size);
    GEOSWKBWriter_destroy_r(ctx.handle(), writer);
    if (!buf) throw GeometryError("geom: writing WKB failed: " + ctx.lastError());
    std::vector<unsigned char> out(buf, buf + size);
    GEOSFree_r(ctx.handle(), buf);
    return out;
}

Bounds boundsOf(const GeosContext& ctx, const GEOSGeometry* g) {
    Bounds b;
    if (GEOSGeom_getXMin_r(ctx.handle(), g, &b.minX) == 0 || GEOSGeom_getYMin_r(ctx.handle(), g, &b.minY) == 0 ||
        GEOSGeom_getXMax_r(ctx.handle(), g, &b.maxX) == 0 || GEOSGeom_getYMax_r(ctx.handle(), g, &b.maxY) == 0)
        throw GeometryError("geom: bounds of an empty geometry");
    return b;
}

std::vector<unsigned char> rectangleWkb(const GeosContext& ctx, double minX, double minY, double maxX, double maxY) {
    GeomPtr r = own(ctx, GEOSGeom_createRectangle_r(ctx.handle(), minX, minY, maxX, maxY), "building a rectangle");
    return toWkb(ctx, r.get());
}

namespace {

int transformCallback(double* x, double* y, void* userdata) {
    return static_cast<const crs::Transformer*>(userdata)->transform(*x, *y) ? 1 : 0;
}

bool isPolygonal(int type) { return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON; }

} // namespace

GeomPtr polygonInAnalysisCrs(const GeosContext& ctx, std::span<const unsigned char> wkb,
                             const crs::Transformer* toAnalysis, bool& repaired) {
    auto h = ctx.handle();
    GeomPtr g = fromWkb(ctx, wkb);
    if (!isPolygonal(GEOSGeomTypeId_r(h, g.get()))) return GeomPtr(nullptr, GeomDeleter{h});
    if (toAnalysis && !toAnalysis->isNoop())
        g = own(ctx, GEOSGeom_transformXY_r(h, g.get(), &transformCallback, const_cast<crs::Transformer*>(toAnalysis)),
                "reprojecting a polygon");
    repaired = GEOSisValid_r(h, g.get()) != 1;
    if (repaired) g = own(ctx, GEOSMakeValid_r(h, g.get()), "repairing an invalid polygon");
    return g;
}

Area::Area(const GeosContext& ctx, const std::vector<std::vector<unsigned char>>& wkbs,
           const crs::Transformer* toAnalysis)
    : m_ctx(&ctx) {
    auto h = ctx.handle();
    std::vector<GEOSGeometry*> parts;  // owned until handed to the collection
    auto freeParts = [&] {
        for (auto* p : parts) GEOSGeom_destroy_r(h, p);
        parts.clear();
    };
    try {
        for (const auto& wkb : wkbs) {
            bool repaired = false;
            GeomPtr g = polygonInAnalysisCrs(ctx, wkb, toAnalysis, repaired);
            if (!g) {
                ++m_ignored;
                continue;
            }
            m_repaired += repaired;
            parts.push_back(g.release());
        }
        if (parts.empty()) throw InputError("study area: no polygon found");
        GeomPtr collection = own(ctx,
                                 GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                             static_cast<unsigned>(parts.size())),
                                 "collecting the study area's polygons");
        const std::size_t partCount = parts.size();
        parts.clear();  // now owned by the collection
        m_geom = own(ctx, GEOSUnaryUnion_r(h, collection.get()), "dissolving the study area");
        if (partCount > 1) closeSlivers();
    } catch (...) {
        freeParts();
        throw;
    }
    double area = 0;
    if (GEOSisEmpty_r(h, m_geom.get()) == 1 || GEOSArea_r(h, m_geom.get(), &area) == 0 || !(area > 0))
        throw InputError("study area: the polygons have no area");
    m_prepared = PreparedPtr(GEOSPrepare_r(h, m_geom.get()), PreparedDeleter{h});
    if (!m_prepared) throw GeometryError("geom: preparing the study area failed: " + ctx.lastError());
    m_bounds = boundsOf(ctx, m_geom.get());
}

namespace {

int holeCount(GEOSContextHandle_t h, const GEOSGeometry* g) {
    int holes = 0;
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON) holes += GEOSGetNumInteriorRings_r(h, part);
    }
    return holes;
}

} // namespace

void Area::closeSlivers() {
    // Polygons that should share their edges (a town's districts) rarely do to the millimetre: the
    // union keeps the thin gaps between them as holes and notches, stray lines on every map. A
    // morphological closing (grow by half the sliver width, shrink back, mitred so that corners
    // stay sharp) fills every gap thinner than kSliverM and moves no other edge.
    auto h = m_ctx->handle();
    GEOSBufferParams* params = GEOSBufferParams_create_r(h);
    GEOSBufferParams_setJoinStyle_r(h, params, GEOSBUF_JOIN_MITRE);
    GEOSBufferParams_setMitreLimit_r(h, params, 4.0);
    GeomPtr grown(GEOSBufferWithParams_r(h, m_geom.get(), params, kSliverM / 2), GeomDeleter{h});
    GeomPtr closed;
    if (grown) closed = GeomPtr(GEOSBufferWithParams_r(h, grown.get(), params, -kSliverM / 2), GeomDeleter{h});
    GEOSBufferParams_destroy_r(h, params);
    if (!closed || GEOSisEmpty_r(h, closed.get()) == 1) return;  // keep the plain union
    m_closedSlivers = std::max(0, holeCount(h, m_geom.get()) - holeCount(h, closed.get()));
    m_geom = std::move(closed);
}

bool Area::coversPoint(double x, double y) const {
    if (x < m_bounds.minX || x > m_bounds.maxX || y < m_bounds.minY || y > m_bounds.maxY) return false;
    auto h = m_ctx->handle();
    GeomPtr p(GEOSGeom_createPointFromXY_r(h, x, y), GeomDeleter{h});
    return GEOSPreparedIntersects_r(h, m_prepared.get(), p.get()) == 1;
}

GeomPtr Area::polygon(std::span<const double> ringX, std::span<const double> ringY) const {
    auto h = m_ctx->handle();
    const auto n = static_cast<unsigned>(std::min(ringX.size(), ringY.size()));
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(h, ringX.data(), ringY.data(), nullptr, nullptr, n);
    GEOSGeometry* ring = GEOSGeom_createLinearRing_r(h, seq);
    if (!ring) throw GeometryError("geom: building a cell's ring failed: " + m_ctx->lastError());
    return own(*m_ctx, GEOSGeom_createPolygon_r(h, ring, nullptr, 0), "building a cell polygon");
}

double Area::coveredShare(std::span<const double> ringX, std::span<const double> ringY) const {
    auto h = m_ctx->handle();
    const auto [minX, maxX] = std::minmax_element(ringX.begin(), ringX.end());
    const auto [minY, maxY] = std::minmax_element(ringY.begin(), ringY.end());
    if (*maxX < m_bounds.minX || *minX > m_bounds.maxX || *maxY < m_bounds.minY || *minY > m_bounds.maxY) return 0.0;
    GeomPtr cell = polygon(ringX, ringY);
    if (GEOSPreparedContains_r(h, m_prepared.get(), cell.get()) == 1) return 1.0;
    if (GEOSPreparedIntersects_r(h, m_prepared.get(), cell.get()) != 1) return 0.0;
    GeomPtr inter = own(*m_ctx, GEOSIntersection_r(h, m_geom.get(), cell.get()), "intersecting a cell");
    double cellArea = 0, interArea = 0;
    GEOSArea_r(h, cell.get(), &cellArea);
    GEOSArea_r(h, inter.get(), &interArea);
    return cellArea > 0 ? std::clamp(interArea / cellArea, 0.0, 1.0) : 0.0;
}

std::vector<std::pair<double, double>> Area::spansAt(double y) const {
    std::vector<std::pair<double, double>> spans;
    if (y < m_bounds.minY || y > m_bounds.maxY) return spans;
    auto h = m_ctx->handle();
    const double xs[2] = {m_bounds.minX - 1, m_bounds.maxX + 1}, ys[2] = {y, y};
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(h, xs, ys, nullptr, nullptr, 2);
    GeomPtr line = own(*m_ctx, GEOSGeom_createLineString_r(h, seq), "building a scan line");
    GeomPtr inter = own(*m_ctx, GEOSIntersection_r(h, m_geom.get(), line.get()), "intersecting a scan line");
    const int parts = GEOSGetNumGeometries_r(h, inter.get());
    for (int k = 0; k < parts; ++k) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, inter.get(), k);
        if (GEOSGeomTypeId_r(h, part) != GEOS_LINESTRING) continue;  // a point where the line grazes a vertex
        double x0 = 0, x1 = 0;
        GEOSGeom_getXMin_r(h, part, &x0);
        GEOSGeom_getXMax_r(h, part, &x1);
        spans.emplace_back(x0, x1);
    }
    std::sort(spans.begin(), spans.end());
    return spans;
}

GeomPtr Area::clip(const GEOSGeometry* g) const {
    return own(*m_ctx, GEOSIntersection_r(m_ctx->handle(), m_geom.get(), g), "clipping to the study area");
}

double Area::areaM2() const {
    double a = 0;
    GEOSArea_r(m_ctx->handle(), m_geom.get(), &a);
    return a;
}

std::vector<unsigned char> Area::toWkb() const { return geom::toWkb(*m_ctx, m_geom.get()); }

} // namespace trygg::geom
