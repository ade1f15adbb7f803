#pragma once
// Named features of any geometry type (towns, stations, parks), for describing where things are.
#include "trygg/geom/Geos.hpp"

#include <string>
#include <vector>

namespace trygg::crs {
class Crs;
}

namespace trygg::io {

struct NamedFeaturesSpec {
    std::string path, layer, nameField, crs;
};

struct NamedFeature {
    std::string name;
    geom::GeomPtr geom;  // in the analysis CRS; polygons repaired when invalid
};

struct NamedFeatures {
    std::vector<NamedFeature> features;
    std::string layerName;
    std::int64_t repaired = 0;
    // Features left out: a coordinate not a finite number of a map's size, or none in the analysis CRS.
    std::int64_t unusable = 0;
};

// Throws InputError when the file cannot be read, has no CRS, or lacks the name field.
NamedFeatures readNamedFeatures(const NamedFeaturesSpec& spec, const crs::Crs& analysisCrs,
                                const geom::GeosContext& geos);

} // namespace trygg::io
