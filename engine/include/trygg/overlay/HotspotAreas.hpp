#pragma once
// Hotspot areas: adjacent significant cells dissolved into polygons (GEOS), what lies in and near
// them, and the parts of them far from any street light.
#include "trygg/geom/Geos.hpp"
#include "trygg/grid/Grid.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace trygg::overlay {

struct DissolvedArea {
    geom::GeomPtr geom;              // clipped to the study area when one is given
    std::vector<std::size_t> cells;  // the grid cells (active numbers) it was made of
};

// Dissolves the cells into connected polygons: cells sharing an edge join, cells touching at a
// corner only do not. Parts come in the order of their lowest cell.
std::vector<DissolvedArea> dissolveCells(const geom::GeosContext& ctx, const grid::Grid& grid,
                                         std::span<const std::size_t> cells, const geom::Area* clip);

// A named feature to describe a hotspot by: a town, a station, a park.
struct Place {
    std::string name;
    std::string kind;  // the layer's name
    geom::GeomPtr geom;
};

// The place an area lies in (distance 0) or is nearest to, among `places`; ties by input order.
struct NearestPlace {
    std::string name, kind;
    double distanceM = 0;
};
NearestPlace nearestPlace(const geom::GeosContext& ctx, const GEOSGeometry* area, const std::vector<Place>& places);

// The places the area touches, in input order, one per kind (layer), at most `most`.
std::vector<const Place*> placesIn(const geom::GeosContext& ctx, const GEOSGeometry* area,
                                   const std::vector<Place>& places, std::size_t most);

// Points (street lights) inside the area.
std::size_t countPointsIn(const geom::GeosContext& ctx, const GEOSGeometry* area, std::span<const double> xs,
                          std::span<const double> ys);

// The parts of `area` farther than `distanceM` from every point (dark spots), or an empty
// geometry when there are none.
geom::GeomPtr farFromPoints(const geom::GeosContext& ctx, const GEOSGeometry* area, std::span<const double> xs,
                            std::span<const double> ys, double distanceM);

double areaM2(const geom::GeosContext& ctx, const GEOSGeometry* g);

// The ring around `area` out to `distanceM`: the buffer minus the area itself (the buffer zone
// of a measure's follow-up).
geom::GeomPtr ringAround(const geom::GeosContext& ctx, const GEOSGeometry* area, double distanceM);

} // namespace trygg::overlay
