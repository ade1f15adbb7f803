#pragma once
// Reading a layer of weighted locations, such as population: points, or polygons (a population
// grid) taken at their centroids, with a numeric field as the weight.
#include <cstdint>
#include <string>
#include <vector>

namespace trygg::crs {
class Crs;
}

namespace trygg::io {

struct WeightedPointsSpec {
    std::string path;
    std::string layer;  // empty: the only layer
    std::string crs;    // empty: the layer's own CRS
    std::string field;  // the weight (residents); empty: every feature weighs 1
};

struct WeightedPoints {
    std::vector<double> x, y, weight;  // in the analysis CRS
    std::int64_t features = 0;
    std::int64_t skipped = 0;  // no geometry, or a weight that is missing, not a number or negative
    std::string sourceCrs, layerName;
    std::string rowsSha256;  // a database source: its rows as read (io::RowDigest); "" for a file
};

// Throws InputError when the file cannot be read, has no CRS, or lacks the field.
WeightedPoints readWeightedPoints(const WeightedPointsSpec& spec, const crs::Crs& analysisCrs);

} // namespace trygg::io
