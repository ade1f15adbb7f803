#pragma once
// Writing Trygg's GeoPackage. The file is built under a temporary name beside the output and
// renamed into place by commit(), so a failed or interrupted run never leaves a broken file at
// the output path.
#include "trygg/core/Progress.hpp"
#include "trygg/grid/Grid.hpp"
#include "trygg/output/Publish.hpp"
#include "trygg/output/QgisProject.hpp"
#include "trygg/output/RtreeBulkLoad.hpp"
#include "trygg/kde/Surface.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class GDALDataset;
class OGRLayer;
class OGRFeature;
class OGRSpatialReference;

namespace trygg::crs {
class Crs;
}

namespace trygg::output {

struct MetadataEntry {
    std::string key;
    std::string value;
};

// Output field names for categories: "n_" + a lower-case ASCII slug of each name (å, ä -> a,
// ö -> o, other characters -> _), made unique.
std::vector<std::string> categoryFieldNames(const std::vector<std::string>& categories);

// A lower-case ASCII field-name slug of a text: å, ä -> a, ö -> o, é -> e, other characters -> _.
std::string fieldSlug(const std::string& text);

// The kinds of a field, as GeoPackage stores them.
enum class FieldType { Integer, Int16, Integer64, Real, Text };
// The geometry of a layer: none (a table), cells of a grid, or (multi) polygons, points or lines.
enum class GeometryType { None, Polygon, MultiPolygon, MultiPoint, MultiLineString };

class GpkgWriter;

// One layer being written, feature by feature, in one transaction: its fields are added first,
// then each feature is set and written. A field keeps its value from one feature to the next
// until it is set again. Made by GpkgWriter::layer(); finish() commits it and queues its spatial
// index, which the file builds before it is closed. It knows no analysis: the steps write their
// layers through it.
// A grid cell's id as every layer writes it ("E380250N6184500": a square's south-west corner, a
// hexagon's centre, in whole metres).
std::string cellId(const grid::Grid& g, std::size_t i);

class LayerWriter {
public:
    LayerWriter(LayerWriter&&) noexcept;
    LayerWriter& operator=(LayerWriter&&) = delete;
    ~LayerWriter();

    // Adds a field; returns its index for the setters.
    int add(const std::string& name, FieldType type);
    int index(const std::string& name) const;  // -1 when the layer has no such field

    // The feature's geometry and fid: cell i of the grid (named and indexed as the grid layers
    // are); returns the cell's id ("E<x>N<y>"). A layer with a row per cell and something else
    // (a pair, a comparison) numbers the something: its `copy`-th row of the cell takes fid
    // copy x cells + i + 1.
    std::string setCell(const grid::Grid& g, std::size_t i, std::size_t copy = 0);
    // The feature's geometry from ISO WKB, converted to the layer's type; `what` names it in errors.
    void setGeometry(const std::vector<unsigned char>& wkb, const char* what);

    void setInt(int field, std::int64_t value);
    void setReal(int field, double value);  // a non-finite value is written as NULL, never as 0
    void setText(int field, const std::string& value);
    void setNull(int field);

    // Writes the feature; `what` and `detail` ("cell", "E384000N6177500") name it in an error,
    // put together only then.
    void write(const char* what, const std::string& detail = {});
    // Commits the layer's features (also when there are none).
    void finish();

private:
    friend class GpkgWriter;
    struct Impl;
    void startDirect();
    void writeDirect(const char* what, const std::string& detail);
    void flushDirect(bool all, const char* what, const std::string& detail);
    explicit LayerWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

class GpkgWriter {
public:
    // Throws IoError when `finalPath` exists and overwrite is false, or its folder is a file.
    // A missing folder is created when the writer is constructed.
    static void checkWritable(const std::string& finalPath, bool overwrite);

    GpkgWriter(std::string finalPath, bool overwrite, const crs::Crs& analysisCrs);
    ~GpkgWriter();
    GpkgWriter(const GpkgWriter&) = delete;
    GpkgWriter& operator=(const GpkgWriter&) = delete;

    // A new layer, named prefix + `name`; `title` and `description` go to gpkg_contents.
    LayerWriter layer(const std::string& name, GeometryType geometry, const std::string& title,
                      const std::string& description);
    // A style of layer prefix + `name` in layer_styles, its fields titled from their declarations
    // (Layers.hpp) in the project's language. `styleName` "" names it after the layer; the first
    // style of a layer is its default.
    void style(const std::string& name, const std::string& qml, const std::string& description,
               const std::string& styleName = "", bool isDefault = true);

    void writeStudyArea(const std::vector<unsigned char>& wkb, const std::string& description);
    void writeMetadata(const std::vector<MetadataEntry>& entries);
    // A Float32 raster table in the same file (GDAL's GeoPackage gridded coverage), written by
    // commit(); NaN pixels become nodata.
    void writeRaster(const std::string& table, const kde::Raster& raster, const std::vector<float>& values,
                     const std::string& description);
    // Also write each raster as a GeoTIFF beside the GeoPackage (<name>.<table>.tif) with its QGIS
    // style as a .qml sidecar, which every QGIS version applies on opening.
    void setGeoTiffBeside(bool on) { m_geotiff = on; }
    // Store a QGIS project of every layer in the file, made by commit() once the layers are
    // complete. Its layers refer to the output's final file name.
    void setQgisProject(QgisProjectOptions options) { m_project = std::move(options); }
    // Every layer written from now on is named prefix + its name ("natt_" + "hotspot_grid"): a
    // further analysis in the same file.
    // `title` goes after the layers' titles (identifiers), which must be unique too.
    void setLayerPrefix(std::string prefix, std::string title = "") {
        m_prefix = std::move(prefix);
        m_prefixTitle = std::move(title);
    }
    // Publishing mode, applied by commit() to every layer before the project is made.
    void setPublish(PublishOptions options) { m_publish = std::move(options); }
    const PublishSummary& publishSummary() const { return m_publishSummary; }
    // The files written beside the GeoPackage by commit().
    const std::vector<std::string>& filesBeside() const { return m_besideFinal; }

    // Completes the file at temporaryPath(): rasters, spatial indexes, publishing, the project.
    // Nothing is in place yet.
    void finish();

    // Moves the finished file, the GeoTIFFs and `extra` (temporary path, final path; the report)
    // into place together. The moves are listed first in a journal beside the output, so that a
    // run killed among them is completed by the next run on the same output; each file is
    // replaced by rename, so every file is always whole, old or new. `remove` lists files of an
    // earlier run that this run does not make again (a report that could not be written) and
    // that would otherwise describe the old results.
    void install(const std::vector<std::pair<std::string, std::string>>& extra = {},
                 const std::vector<std::string>& remove = {});

    // finish() and install() in one go.
    void commit();

    // What the writer found of an earlier run on the same output and set right (an interrupted
    // install completed, temporary files of a killed run removed), for the run's warnings.
    const std::vector<std::string>& recovered() const { return m_recovered; }

    // A temporary name beside `finalPath` for a file of this process ("." + name + ".partial-PID"
    // + suffix), which a later run recognises and removes once this process is gone.
    static std::string partialPath(const std::string& finalPath, const std::string& suffix = "");

    const std::string& temporaryPath() const { return m_tmpPath; }

private:
    friend class LayerWriter;
    OGRLayer* createLayer(const std::string& name, int geometryType, const std::string& title,
                          const std::string& description);
    void writeStyle(const std::string& layer, const std::string& geometryColumn, const std::string& qml,
                    const std::string& description, const std::string& styleName = "", bool isDefault = true);
    void exec(const std::string& sql);
    void createSpatialIndex(const std::string& baseName);
    struct PendingIndex;

    std::string m_prefix, m_prefixTitle;
    std::string m_finalPath;
    std::string m_tmpPath;
    bool m_overwrite = false;
    bool m_committed = false;
    struct DatasetDeleter {
        void operator()(GDALDataset* ds) const;
    };
    std::unique_ptr<GDALDataset, DatasetDeleter> m_ds;
    std::unique_ptr<OGRSpatialReference, void (*)(OGRSpatialReference*)> m_srs;
    OGRLayer* m_styles = nullptr;
    struct PendingIndex {
        std::string table;
        std::vector<BoxEntry> boxes;
        std::string countTrigger;  // GDAL's feature-count trigger, put back once the rows are in
        std::int64_t rows = 0;     // the rows written directly
    };
    std::vector<PendingIndex> m_pendingIndexes;  // spatial indexes built in bulk on commit
    std::vector<std::string> m_gdalIndexed;      // layers GDAL indexed itself
    std::vector<PendingIndex> m_directCounts;  // tables without geometry written directly (no boxes)
    struct PendingRaster {
        std::string table, description;
        kde::Raster raster;
        std::vector<float> values;
        std::string qml;
    };
    bool m_geotiff = false;
    std::vector<std::string> m_besideTmp, m_besideFinal;  // GeoTIFFs and sidecars, renamed on commit
    std::vector<std::string> m_recovered;
    bool m_finished = false;
    std::vector<PendingRaster> m_pendingRasters;  // written by commit(), once the vector layers are closed
    std::optional<QgisProjectOptions> m_project;
    std::optional<PublishOptions> m_publish;
    PublishSummary m_publishSummary;

};

} // namespace trygg::output
