#pragma once
// Reading a polygon layer of areas (districts, DeSO areas, tätorter) for statistics on areas.
#include "trygg/geom/Geos.hpp"

#include <string>
#include <vector>

namespace trygg::crs {
class Crs;
}

namespace trygg::io {

struct AreaLayerSpec {
    std::string path;
    std::string layer;      // empty: the only layer
    std::string crs;        // empty: the layer's own CRS
    std::string idField;    // empty: the feature id
    std::string nameField;  // empty: none
    std::string populationField;  // empty: none; residents per area
};

struct AreaLayer {
    std::vector<geom::GeomPtr> polygons;  // in the analysis CRS, repaired when invalid
    std::vector<std::string> ids, names;
    std::vector<double> populations;  // with populationField; NaN where missing
    std::string sourceCrs, layerName;
    std::int64_t features = 0;
    std::string rowsSha256;  // a database source: its rows as read (io::RowDigest); "" for a file
    std::vector<std::string> warnings;  // repaired, skipped, duplicate ids
};

// Reads every polygon of the layer into the analysis CRS. Features without a polygon are skipped
// with a warning naming them. Throws InputError when the file cannot be read, has no CRS, lacks
// the named fields, or holds no polygon.
AreaLayer readAreaLayer(const AreaLayerSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos);

} // namespace trygg::io
