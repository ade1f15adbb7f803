#pragma once
// Overlay measures of any map layer on the grid cells and on hotspot areas: how much of each is
// covered by polygons, how many points it holds, how many metres of lines, how far the nearest
// feature is. Spatial indexes throughout (the lattice for cells, GEOS STRtree for features).
#include "trygg/geom/Geos.hpp"
#include "trygg/grid/Grid.hpp"

#include <string>
#include <vector>

namespace trygg::overlay {

enum class Measure { Count, Density, Share, Length, Distance };
const char* toString(Measure m);

// Features of one layer in the analysis CRS, each with its class (empty when none).
struct Features {
    std::vector<geom::GeomPtr> geoms;
    std::vector<std::string> classes;
};

// Per grid cell: Count (features whose centroid lies in the cell), Density (that per km2 of the
// cell inside the study area), Share (share of the cell's area covered by polygons), Length
// (metres of lines inside the cell) or Distance (metres from the cell's centre to the nearest
// feature). `onlyClass` keeps the features of that class; empty keeps all.
std::vector<double> measureCells(const geom::GeosContext& ctx, const grid::Grid& grid, const Features& features,
                                 Measure measure, const std::string& onlyClass);

// The same for one polygon (a hotspot area): Count and Density of features inside it, Share of it
// covered, Length inside it, Distance from it to the nearest feature.
double measureArea(const geom::GeosContext& ctx, const GEOSGeometry* area, const Features& features, Measure measure,
                   const std::string& onlyClass);

} // namespace trygg::overlay
