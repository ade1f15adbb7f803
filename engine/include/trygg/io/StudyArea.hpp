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
    std::string rowsSha256;  // a database source: its rows as read (io::RowDigest); "" for a file
    std::vector<std::string> warnings;  // repaired polygons, ignored non-polygons
};

// The features `spec` chooses, read once: their geometries (WKB, in their own CRS), that CRS,
// and their lon/lat bounding box (OGC:CRS84) for choosing and checking an analysis CRS.
struct StudyAreaSource {
    std::vector<std::vector<unsigned char>> wkbs;
    crs::Crs crs;
    crs::LonLatBounds lonLat;
    std::string layerName;
    std::int64_t features = 0;
    std::int64_t featuresInLayer = 0;
    std::string rowsSha256;  // a database source: its rows as read (io::RowDigest); "" for a file
};

// Reads the layer's features (those `where` chooses). Throws InputError when the file cannot be
// read, has no CRS, the filter cannot be applied or matches nothing, or no feature has a geometry.
StudyAreaSource readStudyAreaSource(const StudyAreaSpec& spec);

// Transforms the polygons to `analysisCrs` and dissolves them. Throws InputError when they hold
// no polygon.
StudyArea buildStudyArea(const StudyAreaSpec& spec, const StudyAreaSource& source, const crs::Crs& analysisCrs,
                         const geom::GeosContext& geos);

// Both in one go.
StudyArea readStudyArea(const StudyAreaSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos);

} // namespace trygg::io
