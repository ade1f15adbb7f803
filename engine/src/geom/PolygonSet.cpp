#include "trygg/geom/PolygonSet.hpp"

#include "trygg/core/Error.hpp"

#include <geos_c.h>

#include <algorithm>
#include <numeric>

namespace trygg::geom {

PolygonSet::PolygonSet(const GeosContext& ctx, std::vector<GeomPtr> polygons)
    : m_ctx(&ctx), m_polygons(std::move(polygons)) {
    auto h = ctx.handle();
    m_ids.resize(m_polygons.size());
    std::iota(m_ids.begin(), m_ids.end(), std::size_t{0});
    m_tree = GEOSSTRtree_create_r(h, 10);
    for (std::size_t i = 0; i < m_polygons.size(); ++i) {
        m_prepared.emplace_back(GEOSPrepare_r(h, m_polygons[i].get()), PreparedDeleter{h});
        GEOSSTRtree_insert_r(h, m_tree, m_polygons[i].get(), &m_ids[i]);
    }
}

PolygonSet::~PolygonSet() {
    if (m_tree) GEOSSTRtree_destroy_r(m_ctx->handle(), m_tree);
}

template <class Fn>
void PolygonSet::query(const GEOSGeometry* g, Fn&& fn) const {
    std::vector<std::size_t> found;
    GEOSSTRtree_query_r(
        m_ctx->handle(), m_tree, g,
        [](void* item, void* userdata) {
            static_cast<std::vector<std::size_t>*>(userdata)->push_back(*static_cast<std::size_t*>(item));
        },
        &found);
    std::sort(found.begin(), found.end());  // input order, whatever order the tree visits
    for (std::size_t j : found) fn(j);
}

std::vector<std::int32_t> PolygonSet::locate(std::span<const double> xs, std::span<const double> ys) const {
    auto h = m_ctx->handle();
    std::vector<std::int32_t> out(xs.size(), -1);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        GeomPtr p(GEOSGeom_createPointFromXY_r(h, xs[i], ys[i]), GeomDeleter{h});
        query(p.get(), [&](std::size_t j) {
            if (out[i] < 0 && GEOSPreparedIntersects_r(h, m_prepared[j].get(), p.get()) == 1)
                out[i] = static_cast<std::int32_t>(j);
        });
    }
    return out;
}

std::vector<std::vector<std::int32_t>> PolygonSet::contiguity(bool queen) const {
    auto h = m_ctx->handle();
    std::vector<std::vector<std::int32_t>> lists(m_polygons.size());
    for (std::size_t i = 0; i < m_polygons.size(); ++i) {
        query(m_polygons[i].get(), [&](std::size_t j) {
            if (j <= i) return;
            bool touch = GEOSPreparedIntersects_r(h, m_prepared[i].get(), m_polygons[j].get()) == 1;
            // Rook: the boundaries share a line (DE-9IM boundary/boundary of dimension 1).
            if (touch && !queen) touch = GEOSRelatePattern_r(h, m_polygons[i].get(), m_polygons[j].get(), "****1****") == 1;
            if (touch) {
                lists[i].push_back(static_cast<std::int32_t>(j));
                lists[j].push_back(static_cast<std::int32_t>(i));
            }
        });
    }
    for (auto& l : lists) std::sort(l.begin(), l.end());
    return lists;
}

std::vector<double> PolygonSet::areasM2() const {
    std::vector<double> out;
    for (const auto& g : m_polygons) {
        double a = 0;
        GEOSArea_r(m_ctx->handle(), g.get(), &a);
        out.push_back(a);
    }
    return out;
}

std::vector<std::vector<unsigned char>> PolygonSet::toWkb() const {
    std::vector<std::vector<unsigned char>> out;
    for (const auto& g : m_polygons) out.push_back(geom::toWkb(*m_ctx, g.get()));
    return out;
}

} // namespace trygg::geom
