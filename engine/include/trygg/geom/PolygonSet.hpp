#pragma once
// A set of polygons (districts, DeSO areas) with a GEOS STRtree: which polygon holds each point,
// and which polygons touch.
#include "trygg/geom/Geos.hpp"

#include <cstdint>
#include <span>
#include <vector>

typedef struct GEOSSTRtree_t GEOSSTRtree;

namespace trygg::geom {

class PolygonSet {
public:
    PolygonSet(const GeosContext& ctx, std::vector<GeomPtr> polygons);
    ~PolygonSet();
    PolygonSet(const PolygonSet&) = delete;
    PolygonSet& operator=(const PolygonSet&) = delete;

    std::size_t size() const { return m_polygons.size(); }

    // For each point, the first polygon (in input order) that covers it (boundary included), or -1.
    std::vector<std::int32_t> locate(std::span<const double> xs, std::span<const double> ys) const;

    // Neighbour lists by contiguity: queen (the polygons share at least a point) or rook (they share
    // a stretch of boundary). Sorted by index; the polygon itself is never listed.
    std::vector<std::vector<std::int32_t>> contiguity(bool queen) const;

    std::vector<double> areasM2() const;
    std::vector<std::vector<unsigned char>> toWkb() const;

private:
    template <class Fn>
    void query(const GEOSGeometry* g, Fn&& fn) const;

    const GeosContext* m_ctx;
    std::vector<GeomPtr> m_polygons;
    std::vector<PreparedPtr> m_prepared;
    std::vector<std::size_t> m_ids;  // stable addresses handed to the tree as item pointers
    GEOSSTRtree* m_tree = nullptr;
};

} // namespace trygg::geom
