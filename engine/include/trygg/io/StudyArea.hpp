#pragma once
// Reading the study area: a polygon layer (the municipality's boundary) dissolved into one area.
#include "trygg/geom/Geos.hpp"

#include <memory>
#include <string>
#include <vector>

#include "trygg/crs/Crs.hpp"

namespace trygg::io {

struct StudyAreaSpec {
    std::string path;
    std::string layer;  // empty: the only layer
    std::string crs;    // empty: the layer's own CRS
    std::string where;  // OGR attribute filter choosing features ("KnKod = '1261'"); empty: all
};

struct StudyArea {
    std::unique_ptr<geom::Area> area;  // in the analysis CRS
    std::string sourceCrs;
    std::int64_t features = 0;          // the features used (those the filter chose)
    std::int64_t featuresInLayer = 0;   // every feature of the layer
    std::vector<std::string> warnings;  // repaired polygons, ignored non-polygons
};

// The lon/lat bounding box (OGC:CRS84) of the features `spec` chooses, read without dissolving
// them, for choosing an analysis CRS. Throws InputError as readStudyArea does.
crs::LonLatBounds studyAreaLonLatBounds(const StudyAreaSpec& spec);

// Reads every polygon of the layer, transforms it to `analysisCrs` and dissolves them. Throws
// InputError when the file cannot be read, has no CRS, or holds no polygon.
StudyArea readStudyArea(const StudyAreaSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos);

} // namespace trygg::io
