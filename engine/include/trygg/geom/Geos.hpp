#pragma once
// RAII over GEOS's C API (its C++ API is not stable). One GeosContext per thread; raw pointers
// never own. GEOS errors become GeometryError with GEOS's own message.
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <span>
#include <string>
#include <vector>

typedef struct GEOSContextHandle_HS* GEOSContextHandle_t;
typedef struct GEOSGeom_t GEOSGeometry;
typedef struct GEOSPrepGeom_t GEOSPreparedGeometry;

namespace trygg::crs {
class Transformer;
}
namespace trygg::grid {
class Lattice;
}

namespace trygg::geom {

class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GEOSContextHandle_t handle() const { return m_handle; }
    // The last error GEOS reported on this context, or "".
    const std::string& lastError() const { return m_lastError; }

private:
    static void onError(const char* message, void* self);
    GEOSContextHandle_t m_handle;
    std::string m_lastError;
};

struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const;
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const;
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

struct Bounds {
    double minX = 0, minY = 0, maxX = 0, maxY = 0;
    double width() const { return maxX - minX; }
    double height() const { return maxY - minY; }
};

// Owns what a GEOS call returned, with the context's deleter. GEOS catches its own exceptions and
// returns NULL: that becomes a GeometryError naming `what`, with GEOS's message.
GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what);

GeomPtr fromWkb(const GeosContext& ctx, std::span<const unsigned char> wkb);
std::vector<unsigned char> toWkb(const GeosContext& ctx, const GEOSGeometry* g);
Bounds boundsOf(const GeosContext& ctx, const GEOSGeometry* g);
// 0 for points, 1 for lines, 2 for polygons; a collection's highest.
int dimensionOf(const GeosContext& ctx, const GEOSGeometry* g);
std::vector<unsigned char> rectangleWkb(const GeosContext& ctx, double minX, double minY, double maxX, double maxY);

// The polygon (or multipolygon) of `wkb` in the analysis CRS, repaired with GEOS make-valid when
// invalid (`repaired` says so); an empty pointer when the geometry is not polygonal.
GeomPtr polygonInAnalysisCrs(const GeosContext& ctx, std::span<const unsigned char> wkb,
                             const crs::Transformer* toAnalysis, bool& repaired);

// What of `g` lies in each cell of `lattice`: for a polygon the share of the cell's area inside
// it, for a line its length in metres; (linear index, value > 0) sorted by linear index. The cells
// are found down a quadtree of blocks of cells, clipping g to each block (GEOSClipByRect), so a
// block wholly inside or outside is decided at once and only the cells on the boundary are
// clipped, each against the few vertices of its own block: the cost grows with the vertices and
// with the cells touched, not with their product. `progress` gets the fraction of cells decided.
std::vector<std::pair<std::int64_t, double>> measureOnLattice(const GeosContext& ctx, const GEOSGeometry* g,
                                                              const grid::Lattice& lattice,
                                                              const std::function<void(double)>& progress = {});

// The polygons of `g` as a multipolygon (g itself when it is polygonal): the lines and points
// GEOS make-valid leaves beside the polygons of a repaired geometry dropped.
GeomPtr polygonalPart(const GeosContext& ctx, GeomPtr g);

// A polygonal area (the study area): the union of the polygons given, repaired when invalid,
// in the analysis CRS, prepared for fast point and cell tests.
class Area {
public:
    // Unions the polygonal parts of `wkbs` (other geometry types are ignored and counted in
    // `ignoredParts`), transforming them with `toAnalysis` when given. Invalid polygons are
    // repaired with GEOS make-valid; `repairedParts` counts them.
    Area(const GeosContext& ctx, const std::vector<std::vector<unsigned char>>& wkbs,
         const crs::Transformer* toAnalysis);

    // True when the point lies inside or on the boundary.
    bool coversPoint(double x, double y) const;

    // coversPoint for another thread: a copy of the area prepared on a GEOS context of its own,
    // giving the same answers. One per thread; made on the area's thread.
    class PointTest {
    public:
        bool covers(double x, double y) const;

    private:
        friend class Area;
        GeosContext m_ctx;
        GeomPtr m_geom;
        PreparedPtr m_prepared;
        Bounds m_bounds;
    };
    std::unique_ptr<PointTest> pointTest() const;
    // Share in [0, 1] of the polygon (ring given as closed x/y coordinate lists) inside the area,
    // by one GEOS intersection: the cell-by-cell reference that latticeShares is tested against
    // (the grid uses latticeShares).
    double coveredShare(std::span<const double> ringX, std::span<const double> ringY) const;

    // The share inside the area of every cell of `lattice` that the area covers more than a
    // line of: (linear index, share in (0, 1]) in lattice order, by measureOnLattice. The same
    // shares as coveredShare cell by cell.
    std::vector<std::pair<std::int64_t, double>> latticeShares(const grid::Lattice& lattice,
                                                               const std::function<void(double)>& progress = {}) const;

    // The x-intervals of the horizontal line at y that lie inside the area, sorted: for masking a
    // raster row by row. From an index of the boundary's edges by y, so a row costs the edges
    // it crosses, not the whole boundary. Safe to call from several threads.
    std::vector<std::pair<double, double>> spansAt(double y) const;

    // The part of `g` inside the area (g itself, copied, when the area covers it).
    GeomPtr clip(const GEOSGeometry* g) const;

    const Bounds& bounds() const { return m_bounds; }
    double areaM2() const;
    std::vector<unsigned char> toWkb() const;
    int repairedParts() const { return m_repaired; }
    int ignoredParts() const { return m_ignored; }
    // Holes and gaps thinner than kSliverM closed when several polygons were dissolved.
    int closedSlivers() const { return m_closedSlivers; }
    static constexpr double kSliverM = 1.0;

private:
    GeomPtr polygon(std::span<const double> ringX, std::span<const double> ringY) const;
    const GeosContext* m_ctx;
    GeomPtr m_geom;
    PreparedPtr m_prepared;
    Bounds m_bounds;
    int m_repaired = 0;
    int m_ignored = 0;
    int m_closedSlivers = 0;
    void closeSlivers();
    void indexEdges();
    // The boundary's edges (x0, y0, x1, y1) with y0 < y1, horizontal ones left out, and for each
    // of m_slabCount equal bands of y the edges that reach into it.
    struct Edge {
        double x0, y0, x1, y1;
    };
    std::vector<Edge> m_edges;
    std::vector<std::uint32_t> m_slabStart, m_slabEdges;
    double m_slabHeight = 1;
};

} // namespace trygg::geom
