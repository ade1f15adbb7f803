#pragma once
// Opening vector sources through GDAL, with errors turned into InputError and GDAL's own
// messages collected instead of printed.
#include "trygg/crs/Crs.hpp"

#include <gdal_priv.h>
#include <ogr_feature.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace trygg {
class Sha256;
}

namespace trygg::io {

// Registers GDAL's drivers once per process.
void ensureGdalRegistered();

// Whether every vertex of a geometry is a finite number below 1e8 in size: no longitude, latitude
// or projected coordinate on Earth (at most about 4e7 m) is larger, and a buffer, an area or a
// grid over larger ones overflows. False for NaN, infinity and values such as 1e308.
bool coordinatesWithinReach(const OGRGeometry& g);

// While alive, GDAL's errors and warnings are collected here instead of going to stderr.
class GdalErrorScope {
public:
    GdalErrorScope();
    ~GdalErrorScope();
    GdalErrorScope(const GdalErrorScope&) = delete;
    GdalErrorScope& operator=(const GdalErrorScope&) = delete;

    // The last error message GDAL reported, or "".
    std::string lastError() const;
    const std::vector<std::string>& warnings() const { return m_warnings; }

private:
    static void CPL_STDCALL handler(CPLErr level, CPLErrorNum code, const char* message);
    std::vector<std::string> m_errors;
    std::vector<std::string> m_warnings;
};

// An opened vector dataset and the layer chosen from it.
struct VectorSource {
    GDALDatasetUniquePtr dataset;
    // An SQL query's result set, released to the dataset before it closes (declared after it).
    std::unique_ptr<OGRLayer, std::function<void(OGRLayer*)>> resultSet;
    OGRLayer* layer = nullptr;  // owned by dataset, or resultSet
    std::string path;
    std::string layerName;
    std::string driverName;
};

// What identifies the rows of a database source in run_metadata, where there is no file to
// checksum: the SHA-256 of each feature read (its fields as text, a null marked, and its
// geometry's ISO WKB), in the order read. Does nothing for a file.
class RowDigest {
public:
    explicit RowDigest(const std::string& path);
    ~RowDigest();
    void add(const OGRFeature& feature);
    std::string hex();  // 64 hex digits; "" for a file

private:
    std::unique_ptr<Sha256> m_hash;
};

// The file's extension in lower case (".csv").
std::string lowerExtension(const std::string& path);
// Whether openVector opens `path` as CSV (.csv, .txt, .tsv, and those gzipped as .gz).
bool isCsvPath(const std::string& path);

// Throws InputError when `path` (not a /vsi path, not a database's connection string) does not
// exist or is an empty file.
void requireReadableFile(const std::string& path, const std::string& what);

// Whether a layer name is an SQL query ("SELECT ...", "WITH ..."), run by openVector instead.
bool isSqlQuery(const std::string& layerName);

// Opens `path` as a vector dataset and picks `layerName`, or the only layer when empty; a layer
// name that is an SQL query is run on the dataset (in its own dialect: PostgreSQL's for a
// database) and its result read as the layer. `path` may be a database's connection string
// (io/Source.hpp): messages name it without its password.
// CSV is opened with every column as text (Trygg parses numbers itself: decimal commas) and the
// separator detected (comma, semicolon or tab). `what` names the input in messages ("incidents").
// Throws InputError for a missing, empty or unreadable file, a missing layer, or a choice of
// several layers with none named.
// `openOptions` are added to the driver's open options (NAME, VALUE), such as the CSV separator.
VectorSource openVector(const std::string& path, const std::string& layerName, const std::string& what,
                        const std::vector<std::pair<std::string, std::string>>& openOptions = {});

// The CRS of a source's layer: the one declared in the config when given, else the layer's own.
// Throws InputError naming the file and the config section when there is neither.
crs::Crs sourceCrsOf(const VectorSource& src, const std::string& declared, const std::string& what,
                     const std::string& section);

// The layer's CRS as text Crs::fromUserInput takes: "AUTH:CODE" when it has one, else WKT2;
// "" when the layer has no CRS.
std::string crsTextOf(OGRLayer* layer);

// The pixel layout of an existing raster: top-left corner, square pixel size, columns and rows.
// Throws InputError when it cannot be read or its pixels are not square and north-up.
struct RasterLayout {
    double originX = 0, originY = 0, pixelM = 0;
    std::int64_t cols = 0, rows = 0;
};
RasterLayout readRasterLayout(const std::string& path);

// The regions of a label raster (0 = none, 1..n) as polygons, through GDALPolygonize: pairs of
// label and ISO WKB, one per edge-connected region. `originX/originY` is the top-left corner.
std::vector<std::pair<std::int32_t, std::vector<unsigned char>>> polygonizeLabels(const std::vector<std::int32_t>& labels,
                                                                                  std::int64_t cols, std::int64_t rows,
                                                                                  double originX, double originY,
                                                                                  double pixelM);

// `s` as UTF-8: returned unchanged when valid UTF-8, else recoded from Windows-1252 (what
// Swedish Excel writes).
std::string toUtf8(const char* s);

} // namespace trygg::io
