#include "trygg/overlay/Measures.hpp"

#include "trygg/core/Error.hpp"

#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace trygg::overlay {
namespace {

bool keep(const Features& f, std::size_t i, const std::string& onlyClass) {
    return onlyClass.empty() || f.classes[i] == onlyClass;
}

geom::GeomPtr cellPolygon(const geom::GeosContext& ctx, const grid::Lattice& lat, grid::CellIndex c) {
    std::array<double, 7> xs{}, ys{};
    const int np = lat.ring(c, xs, ys);
    auto h = ctx.handle();
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromArrays_r(h, xs.data(), ys.data(), nullptr, nullptr, static_cast<unsigned>(np));
    return geom::GeomPtr(GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), nullptr, 0), geom::GeomDeleter{h});
}

double measureOf(const geom::GeosContext& ctx, const GEOSGeometry* g, Measure m) {
    double v = 0;
    if (m == Measure::Length) GEOSLength_r(ctx.handle(), g, &v);
    else GEOSArea_r(ctx.handle(), g, &v);
    return v;
}

// Calls fn(active cell) for every active cell whose lattice box overlaps the bounds.
template <class Fn>
void forCellsIn(const grid::Grid& grid, const geom::Bounds& b, Fn&& fn) {
    const grid::Lattice& lat = grid.lattice();
    const double s = lat.cellSizeM();
    const double rowStep = lat.shape() == grid::Shape::Square ? s : s * std::sqrt(3.0) / 2;
    const grid::Point o = lat.centre({0, 0});
    const auto c0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor((b.minX - o.x) / s)) - 1);
    const auto c1 = std::min<std::int64_t>(lat.cols() - 1, static_cast<std::int64_t>(std::floor((b.maxX - o.x) / s)) + 2);
    const auto r0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor((b.minY - o.y) / rowStep)) - 1);
    const auto r1 = std::min<std::int64_t>(lat.rows() - 1, static_cast<std::int64_t>(std::floor((b.maxY - o.y) / rowStep)) + 2);
    for (std::int64_t r = r0; r <= r1; ++r)
        for (std::int64_t c = c0; c <= c1; ++c) {
            const std::int32_t a = grid.activeOf(r * lat.cols() + c);
            if (a >= 0) fn(static_cast<std::size_t>(a));
        }
}

} // namespace

const char* toString(Measure m) {
    switch (m) {
    case Measure::Count: return "count";
    case Measure::Density: return "density";
    case Measure::Share: return "share";
    case Measure::Length: return "length";
    case Measure::Distance: return "distance";
    }
    return "count";
}

std::vector<double> measureCells(const geom::GeosContext& ctx, const grid::Grid& grid, const Features& features,
                                 Measure measure, const std::string& onlyClass) {
    auto h = ctx.handle();
    const grid::Lattice& lat = grid.lattice();
    std::vector<double> out(grid.size(), 0.0);
    if (measure == Measure::Count || measure == Measure::Density) {
        for (std::size_t i = 0; i < features.geoms.size(); ++i) {
            if (!keep(features, i, onlyClass)) continue;
            geom::GeomPtr c(GEOSGetCentroid_r(h, features.geoms[i].get()), geom::GeomDeleter{h});
            double x = 0, y = 0;
            if (!c || GEOSGeomGetX_r(h, c.get(), &x) != 1 || GEOSGeomGetY_r(h, c.get(), &y) != 1) continue;
            const std::int32_t a = grid.activeOf(lat.cellOf(x, y));
            if (a >= 0) out[static_cast<std::size_t>(a)] += 1;
        }
        if (measure == Measure::Density) {
            const auto& share = grid.shareInside();
            for (std::size_t i = 0; i < out.size(); ++i) {
                const double km2 = lat.cellAreaM2() * (share.empty() ? 1.0 : share[i]) / 1e6;
                out[i] = km2 > 0 ? out[i] / km2 : 0.0;
            }
        }
        return out;
    }
    if (measure == Measure::Share || measure == Measure::Length) {
        for (std::size_t i = 0; i < features.geoms.size(); ++i) {
            if (!keep(features, i, onlyClass)) continue;
            const GEOSGeometry* f = features.geoms[i].get();
            const int dimension = GEOSGeom_getDimensions_r(h, f);
            if ((measure == Measure::Share && dimension == 2) || (measure == Measure::Length && dimension == 1)) {
                // Down the lattice's quadtree: a detailed park or river costs its vertices plus
                // the cells it touches, not their product.
                for (const auto& [linear, v] : geom::measureOnLattice(ctx, f, lat)) {
                    const std::int32_t a = grid.activeOf(linear);
                    if (a >= 0) out[static_cast<std::size_t>(a)] += measure == Measure::Share ? v * lat.cellAreaM2() : v;
                }
                continue;
            }
            geom::PreparedPtr prep(GEOSPrepare_r(h, f), geom::PreparedDeleter{h});
            forCellsIn(grid, geom::boundsOf(ctx, f), [&](std::size_t cell) {
                const geom::GeomPtr poly = cellPolygon(ctx, lat, grid.cellIndex(cell));
                if (GEOSPreparedIntersects_r(h, prep.get(), poly.get()) != 1) return;
                if (measure == Measure::Share && GEOSPreparedContains_r(h, prep.get(), poly.get()) == 1) {
                    out[cell] += lat.cellAreaM2();
                    return;
                }
                geom::GeomPtr part(GEOSIntersection_r(h, poly.get(), f), geom::GeomDeleter{h});
                if (part) out[cell] += measureOf(ctx, part.get(), measure);
            });
        }
        if (measure == Measure::Share)
            for (auto& v : out) v = std::min(1.0, v / lat.cellAreaM2());  // overlapping polygons count once at most
        return out;
    }
    // Distance: nearest feature to each cell's centre, through GEOS's STRtree.
    GEOSSTRtree* tree = GEOSSTRtree_create_r(h, 10);
    std::vector<std::size_t> ids;
    for (std::size_t i = 0; i < features.geoms.size(); ++i)
        if (keep(features, i, onlyClass)) ids.push_back(i);
    for (std::size_t& i : ids) GEOSSTRtree_insert_r(h, tree, features.geoms[i].get(), &i);
    struct Lookup {
        GEOSContextHandle_t h;
        const Features* features;
    } lookup{h, &features};
    for (std::size_t cell = 0; cell < grid.size(); ++cell) {
        if (ids.empty()) {
            out[cell] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        const grid::Point c = lat.centre(grid.cellIndex(cell));
        geom::GeomPtr p(GEOSGeom_createPointFromXY_r(h, c.x, c.y), geom::GeomDeleter{h});
        const void* nearest = GEOSSTRtree_nearest_generic_r(
            h, tree, p.get(), p.get(),
            [](const void* item, const void* point, double* d, void* userdata) {
                const auto* l = static_cast<const Lookup*>(userdata);
                return GEOSDistance_r(l->h, l->features->geoms[*static_cast<const std::size_t*>(item)].get(),
                                      static_cast<const GEOSGeometry*>(point), d);
            },
            &lookup);
        double d = std::numeric_limits<double>::quiet_NaN();
        if (nearest) GEOSDistance_r(h, features.geoms[*static_cast<const std::size_t*>(nearest)].get(), p.get(), &d);
        out[cell] = d;
    }
    GEOSSTRtree_destroy_r(h, tree);
    return out;
}

double measureArea(const geom::GeosContext& ctx, const GEOSGeometry* area, const Features& features, Measure measure,
                   const std::string& onlyClass) {
    auto h = ctx.handle();
    geom::PreparedPtr prep(GEOSPrepare_r(h, area), geom::PreparedDeleter{h});
    double total = 0, best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < features.geoms.size(); ++i) {
        if (!keep(features, i, onlyClass)) continue;
        const GEOSGeometry* f = features.geoms[i].get();
        switch (measure) {
        case Measure::Count:
        case Measure::Density: {
            geom::GeomPtr c(GEOSGetCentroid_r(h, f), geom::GeomDeleter{h});
            if (c && GEOSPreparedIntersects_r(h, prep.get(), c.get()) == 1) total += 1;
            break;
        }
        case Measure::Share:
        case Measure::Length: {
            if (GEOSPreparedIntersects_r(h, prep.get(), f) != 1) break;
            geom::GeomPtr part(GEOSIntersection_r(h, area, f), geom::GeomDeleter{h});
            if (part) total += measureOf(ctx, part.get(), measure);
            break;
        }
        case Measure::Distance: {
            double d = 0;
            if (GEOSDistance_r(h, area, f, &d) == 1) best = std::min(best, d);
            break;
        }
        }
    }
    double a = 0;
    GEOSArea_r(h, area, &a);
    if (measure == Measure::Distance) return std::isfinite(best) ? best : std::numeric_limits<double>::quiet_NaN();
    if (measure == Measure::Density) return a > 0 ? total / (a / 1e6) : 0.0;
    if (measure == Measure::Share) return a > 0 ? std::min(1.0, total / a) : 0.0;
    return total;
}

} // namespace trygg::overlay
