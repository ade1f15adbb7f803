#include "trygg/geom/Geos.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/grid/Lattice.hpp"

#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>

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

GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what) {
    if (!g) throw GeometryError(std::string("geom: ") + what + " failed: " + ctx.lastError());
    return GeomPtr(g, GeomDeleter{ctx.handle()});
}

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

int dimensionOf(const GeosContext& ctx, const GEOSGeometry* g) { return GEOSGeom_getDimensions_r(ctx.handle(), g); }

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
    if (repaired) g = polygonalPart(ctx, own(ctx, GEOSMakeValid_r(h, g.get()), "repairing an invalid polygon"));
    return g;
}

GeomPtr polygonalPart(const GeosContext& ctx, GeomPtr g) {
    auto h = ctx.handle();
    if (!g || isPolygonal(GEOSGeomTypeId_r(h, g.get()))) return g;
    // make-valid turns a spike or a collapsed ring into a line beside the polygons: a collection
    // of mixed dimensions, which no polygon layer can hold. The polygons are kept.
    std::vector<GEOSGeometry*> parts;
    std::function<void(const GEOSGeometry*)> collect = [&](const GEOSGeometry* part) {
        const int type = GEOSGeomTypeId_r(h, part);
        if (type == GEOS_POLYGON) {
            if (GEOSisEmpty_r(h, part) != 1) parts.push_back(GEOSGeom_clone_r(h, part));
        } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            for (int i = 0; i < GEOSGetNumGeometries_r(h, part); ++i) collect(GEOSGetGeometryN_r(h, part, i));
        }
    };
    collect(g.get());
    return own(ctx, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(), static_cast<unsigned>(parts.size())),
               "keeping the polygons of a repaired geometry");
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
    indexEdges();
}

void Area::indexEdges() {
    auto h = m_ctx->handle();
    std::vector<double> xs, ys;
    auto addRing = [&](const GEOSGeometry* ring) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned n = 0;
        if (!seq || GEOSCoordSeq_getSize_r(h, seq, &n) == 0 || n < 2) return;
        xs.resize(n);
        ys.resize(n);
        GEOSCoordSeq_copyToArrays_r(h, seq, xs.data(), ys.data(), nullptr, nullptr);
        for (unsigned i = 0; i + 1 < n; ++i) {
            if (ys[i] == ys[i + 1]) continue;  // a horizontal edge crosses no scan line
            if (ys[i] < ys[i + 1]) m_edges.push_back({xs[i], ys[i], xs[i + 1], ys[i + 1]});
            else m_edges.push_back({xs[i + 1], ys[i + 1], xs[i], ys[i]});
        }
    };
    const int parts = GEOSGetNumGeometries_r(h, m_geom.get());
    for (int p = 0; p < parts; ++p) {
        const GEOSGeometry* poly = GEOSGetGeometryN_r(h, m_geom.get(), p);
        if (GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON) continue;
        addRing(GEOSGetExteriorRing_r(h, poly));
        const int holes = GEOSGetNumInteriorRings_r(h, poly);
        for (int k = 0; k < holes; ++k) addRing(GEOSGetInteriorRingN_r(h, poly, k));
    }
    // Bands of y holding about four edges each, fewer when long edges would be listed in too many.
    const double height = m_bounds.height();
    std::size_t slabs = std::clamp<std::size_t>(m_edges.size() / 4, 1, 1u << 16);
    auto slabOf = [&](double y, std::size_t count) {
        const double f = (y - m_bounds.minY) / height * static_cast<double>(count);
        return std::min(count - 1, static_cast<std::size_t>(std::max(0.0, f)));
    };
    for (;; slabs /= 2) {
        if (!(height > 0)) slabs = 1;
        std::size_t entries = 0;
        for (const Edge& e : m_edges) entries += slabOf(e.y1, slabs) - slabOf(e.y0, slabs) + 1;
        if (slabs == 1 || entries <= 16 * m_edges.size() + slabs) break;
    }
    m_slabHeight = height > 0 ? height / static_cast<double>(slabs) : 1.0;
    m_slabStart.assign(slabs + 1, 0);
    for (const Edge& e : m_edges)
        for (std::size_t k = slabOf(e.y0, slabs); k <= slabOf(e.y1, slabs); ++k) ++m_slabStart[k + 1];
    for (std::size_t k = 0; k < slabs; ++k) m_slabStart[k + 1] += m_slabStart[k];
    m_slabEdges.resize(m_slabStart.back());
    std::vector<std::uint32_t> fill(m_slabStart.begin(), m_slabStart.end() - 1);
    for (std::size_t i = 0; i < m_edges.size(); ++i)
        for (std::size_t k = slabOf(m_edges[i].y0, slabs); k <= slabOf(m_edges[i].y1, slabs); ++k)
            m_slabEdges[fill[k]++] = static_cast<std::uint32_t>(i);
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

namespace {
bool preparedCovers(GEOSContextHandle_t h, const GEOSPreparedGeometry* prepared, const Bounds& b, double x, double y) {
    if (x < b.minX || x > b.maxX || y < b.minY || y > b.maxY) return false;
    GeomPtr p(GEOSGeom_createPointFromXY_r(h, x, y), GeomDeleter{h});
    return GEOSPreparedIntersects_r(h, prepared, p.get()) == 1;
}
} // namespace

bool Area::coversPoint(double x, double y) const { return preparedCovers(m_ctx->handle(), m_prepared.get(), m_bounds, x, y); }

std::unique_ptr<Area::PointTest> Area::pointTest() const {
    auto t = std::make_unique<PointTest>();
    auto h = t->m_ctx.handle();
    t->m_geom = own(t->m_ctx, GEOSGeom_clone_r(h, m_geom.get()), "copying the study area");
    t->m_prepared = PreparedPtr(GEOSPrepare_r(h, t->m_geom.get()), PreparedDeleter{h});
    if (!t->m_prepared) throw GeometryError("geom: preparing a copy of the study area failed: " + t->m_ctx.lastError());
    t->m_bounds = m_bounds;
    return t;
}

bool Area::PointTest::covers(double x, double y) const {
    return preparedCovers(m_ctx.handle(), m_prepared.get(), m_bounds, x, y);
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
    if (!(y >= m_bounds.minY && y <= m_bounds.maxY) || m_slabStart.size() < 2) return spans;
    const std::size_t slabs = m_slabStart.size() - 1;
    const auto k = std::min(slabs - 1, static_cast<std::size_t>((y - m_bounds.minY) / m_slabHeight));
    // Crossings of the line with every edge, each edge half-open [y0, y1) so that a vertex on the
    // line counts once; in a valid polygon (holes included) they pair up, inside between.
    std::vector<double> xs;
    for (auto i = m_slabStart[k]; i < m_slabStart[k + 1]; ++i) {
        const Edge& e = m_edges[m_slabEdges[i]];
        if (e.y0 <= y && y < e.y1) xs.push_back(e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0));
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2)
        if (xs[i + 1] > xs[i]) spans.emplace_back(xs[i], xs[i + 1]);
    return spans;
}

namespace {

// The quadtree walk behind measureOnLattice: a block of cells [c0, c1) x [r0, r1) receives the
// part of the geometry inside its parent's block and clips it to its own bounding box.
class LatticeWalk {
public:
    LatticeWalk(const GeosContext& ctx, const GEOSGeometry* whole, bool lines, const grid::Lattice& lattice,
                const std::function<void(double)>& progress)
        : m_ctx(ctx), m_h(ctx.handle()), m_whole(whole), m_lines(lines), m_lattice(lattice), m_progress(progress),
          m_total(static_cast<double>(lattice.cellCount())) {}

    void walk(const GEOSGeometry* piece, std::int64_t c0, std::int64_t c1, std::int64_t r0, std::int64_t r1) {
        const Bounds b = blockBounds(c0, c1, r0, r1);
        const std::int64_t cells = (c1 - c0) * (r1 - r0);
        GeomPtr clipped = own(m_ctx, GEOSClipByRect_r(m_h, piece, b.minX, b.minY, b.maxX, b.maxY), "clipping to a block of cells");
        double amount = 0;
        if (GEOSisEmpty_r(m_h, clipped.get()) == 1 ||
            (m_lines ? GEOSLength_r(m_h, clipped.get(), &amount) : GEOSArea_r(m_h, clipped.get(), &amount)) == 0 ||
            !(amount > 0))
            return decided(cells);
        if (!m_lines && amount >= b.width() * b.height() * (1 - 1e-12)) {  // the block lies wholly inside
            for (std::int64_t r = r0; r < r1; ++r)
                for (std::int64_t c = c0; c < c1; ++c) out.emplace_back(m_lattice.linear({c, r}), 1.0);
            return decided(cells);
        }
        if (cells == 1) {
            double v = leafAmount(clipped.get(), amount, c0, r0);
            if (!m_lines) v = std::clamp(v / m_lattice.cellAreaM2(), 0.0, 1.0);
            if (v > 0) out.emplace_back(m_lattice.linear({c0, r0}), v);
            return decided(1);
        }
        if (c1 - c0 >= r1 - r0) {
            const std::int64_t cm = c0 + (c1 - c0) / 2;
            walk(clipped.get(), c0, cm, r0, r1);
            walk(clipped.get(), cm, c1, r0, r1);
        } else {
            const std::int64_t rm = r0 + (r1 - r0) / 2;
            walk(clipped.get(), c0, c1, r0, rm);
            walk(clipped.get(), c0, c1, rm, r1);
        }
    }

    std::vector<std::pair<std::int64_t, double>> out;

private:
    Bounds blockBounds(std::int64_t c0, std::int64_t c1, std::int64_t r0, std::int64_t r1) const {
        const grid::Extent e = m_lattice.blockBounds(c0, c1, r0, r1);
        return {e.minX, e.minY, e.maxX, e.maxY};
    }

    // The area (or length) of one cell's part: on a square lattice the block is the cell; a
    // hexagon is intersected with its block's piece (or, should GEOS refuse the clipped piece,
    // with the whole geometry).
    double leafAmount(const GEOSGeometry* piece, double pieceAmount, std::int64_t c, std::int64_t r) const {
        if (m_lattice.shape() == grid::Shape::Square) return pieceAmount;
        std::array<double, 7> xs{}, ys{};
        const int n = m_lattice.ring({c, r}, xs, ys);
        GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(m_h, xs.data(), ys.data(), nullptr, nullptr, static_cast<unsigned>(n));
        GeomPtr hex = own(m_ctx, GEOSGeom_createPolygon_r(m_h, GEOSGeom_createLinearRing_r(m_h, seq), nullptr, 0), "building a cell");
        GEOSGeometry* inter = GEOSIntersection_r(m_h, piece, hex.get());
        if (!inter) inter = GEOSIntersection_r(m_h, m_whole, hex.get());
        GeomPtr owned = own(m_ctx, inter, "intersecting a cell");
        double v = 0;
        if (m_lines) GEOSLength_r(m_h, owned.get(), &v);
        else GEOSArea_r(m_h, owned.get(), &v);
        return v;
    }

    void decided(std::int64_t cells) {
        const std::int64_t before = m_decided;
        m_decided += cells;
        if (m_progress && before / 65536 != m_decided / 65536) m_progress(static_cast<double>(m_decided) / m_total);
    }

    const GeosContext& m_ctx;
    GEOSContextHandle_t m_h;
    const GEOSGeometry* m_whole;
    bool m_lines;
    const grid::Lattice& m_lattice;
    const std::function<void(double)>& m_progress;
    double m_total;
    std::int64_t m_decided = 0;
};

} // namespace

std::vector<std::pair<std::int64_t, double>> measureOnLattice(const GeosContext& ctx, const GEOSGeometry* g,
                                                              const grid::Lattice& lattice,
                                                              const std::function<void(double)>& progress) {
    auto h = ctx.handle();
    if (!g || GEOSisEmpty_r(h, g) == 1 || lattice.cols() <= 0 || lattice.rows() <= 0) return {};
    const int dimension = GEOSGeom_getDimensions_r(h, g);
    if (dimension < 1) throw GeometryError("geom: only polygons and lines have a measure per cell");
    // Start from the block of cells around the geometry's bounds (a cell's margin either side).
    const Bounds b = boundsOf(ctx, g);
    const double s = lattice.cellSizeM();
    const double rowStep = lattice.shape() == grid::Shape::Square ? s : s * 0.8660254037844386;
    const grid::Point o = lattice.centre({0, 0});
    auto clampTo = [](double v, std::int64_t hi) {
        return static_cast<std::int64_t>(std::clamp(v, 0.0, static_cast<double>(hi)));
    };
    const std::int64_t c0 = clampTo(std::floor((b.minX - o.x) / s) - 1, lattice.cols());
    const std::int64_t c1 = clampTo(std::floor((b.maxX - o.x) / s) + 3, lattice.cols());
    const std::int64_t r0 = clampTo(std::floor((b.minY - o.y) / rowStep) - 1, lattice.rows());
    const std::int64_t r1 = clampTo(std::floor((b.maxY - o.y) / rowStep) + 3, lattice.rows());
    LatticeWalk walk(ctx, g, dimension == 1, lattice, progress);
    if (c0 < c1 && r0 < r1) walk.walk(g, c0, c1, r0, r1);
    std::sort(walk.out.begin(), walk.out.end());
    return std::move(walk.out);
}

std::vector<std::pair<std::int64_t, double>> Area::latticeShares(const grid::Lattice& lattice,
                                                                 const std::function<void(double)>& progress) const {
    return measureOnLattice(*m_ctx, m_geom.get(), lattice, progress);
}

GeomPtr Area::clip(const GEOSGeometry* g) const {
    auto h = m_ctx->handle();
    if (GEOSPreparedCovers_r(h, m_prepared.get(), g) == 1) return own(*m_ctx, GEOSGeom_clone_r(h, g), "copying a geometry");
    return own(*m_ctx, GEOSIntersection_r(h, m_geom.get(), g), "clipping to the study area");
}

double Area::areaM2() const {
    double a = 0;
    GEOSArea_r(m_ctx->handle(), m_geom.get(), &a);
    return a;
}

std::vector<unsigned char> Area::toWkb() const { return geom::toWkb(*m_ctx, m_geom.get()); }

} // namespace trygg::geom
