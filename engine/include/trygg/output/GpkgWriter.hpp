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
#include "trygg/io/SurveyTable.hpp"
#include "trygg/perception/Perception.hpp"
#include "trygg/stats/Displacement.hpp"
#include "trygg/stats/Emerging.hpp"
#include "trygg/stats/Incremental.hpp"
#include "trygg/stats/LocalMoran.hpp"
#include "trygg/stats/Weights.hpp"
#include "trygg/temporal/HotTimes.hpp"

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
namespace trygg::io {
struct ReportSet;
}

namespace trygg::output {

struct MetadataEntry {
    std::string key;
    std::string value;
};

// The local statistics of a layer's features, in feature order.
struct LocalStatsData {
    const std::vector<double>* z = nullptr;          // GiZScore
    const std::vector<double>* p = nullptr;          // GiPValue
    const std::vector<std::int8_t>* bin = nullptr;   // Gi_Bin
    const stats::Weights* neighbours = nullptr;      // NNeighbors
    const std::vector<double>* pseudoP = nullptr;    // GiPseudoP, with permutations
    const stats::LocalMoran* lisa = nullptr;         // LMi* fields, when local Moran ran
    const std::vector<stats::Quadrant>* coType = nullptr;
    const std::vector<double>* lisaPseudoP = nullptr;
};

// What the hotspot_grid layer holds, cell by cell over the grid's active cells.
struct HotspotGridData {
    const grid::Grid* grid = nullptr;
    const grid::CellCounts* counts = nullptr;
    std::vector<std::string> categoryFields;  // one per category, "n_<slug>"
    LocalStatsData stats;
    const std::vector<double>* kde = nullptr;  // the density at each cell's centre, with [kde]
    const std::vector<double>* kdeRisk = nullptr;  // the risk at each cell's centre, with [kde.population]
    // Further real columns, such as overlay measures: name and one value per cell (NaN: empty).
    std::vector<std::pair<std::string, const std::vector<double>*>> extraColumns;
};

// What the perception_grid layer holds: residents' reports per cell, their hot spots, and fear
// versus crime.
struct PerceptionGridData {
    const grid::Grid* grid = nullptr;
    const perception::CellSummary* summary = nullptr;
    std::uint32_t minReports = 3;  // perc_mean is shown from this many reports
    LocalStatsData stats;          // Gi* on the unsafe reports (written with a perc_ prefix)
    const std::vector<std::int8_t>* incidentBins = nullptr;
    const std::vector<double>* scoreZ = nullptr;  // Gi* on the mean score
    const std::vector<double>* scoreP = nullptr;
    const std::vector<std::int8_t>* scoreBins = nullptr;
    const std::vector<double>* around = nullptr;
    const std::vector<perception::FearCrime>* classes = nullptr;
    const std::vector<perception::FearCrime>* classesAtTimes = nullptr;  // fear_crime_<times>_class
    std::string timesLabel;  // "kväll_natt"
};

// What the change_grid layer holds: per cell, counts in two periods and the change test.
struct ChangeGridData {
    const grid::Grid* grid = nullptr;
    const std::vector<std::uint32_t>* before = nullptr;
    const std::vector<std::uint32_t>* after = nullptr;
    const std::vector<double>* rateRatio = nullptr;
    const std::vector<double>* p = nullptr;
    const std::vector<std::int8_t>* bins = nullptr;
    std::string beforeName, afterName;
};

// A measure's follow-up: its three areas and the WDQ per category.
struct FollowupArea {
    std::string role, name;  // role: measure, buffer, control
    std::vector<unsigned char> wkb;
    double areaM2 = 0;
    std::int64_t before = 0, after = 0;  // all incidents
};
struct FollowupRow {
    std::string category;  // "all" for every category
    stats::WdqCounts counts;
    stats::WdqResult result;
};
struct FollowupData {
    std::string title, window;
    std::vector<FollowupArea> areas;
    std::vector<FollowupRow> rows;
};

// What the emerging_hotspots layer holds: per cell, the pattern over the time slices.
struct EmergingGridData {
    const grid::Grid* grid = nullptr;
    const stats::EmergingResult* result = nullptr;
    const std::vector<std::uint32_t>* n = nullptr;  // incidents per cell, all slices
    std::string stepsText;                           // "24 months, 2023-01 to 2024-12"
};

// What the area_summary layer holds, per area; pointers left null are not written.
struct AreaSummaryData {
    const std::vector<std::vector<unsigned char>>* wkb = nullptr;
    const std::vector<std::string>* ids = nullptr;
    const std::vector<std::string>* names = nullptr;
    const std::vector<double>* areaKm2 = nullptr;
    const std::vector<std::uint32_t>* incidents = nullptr;
    const std::vector<double>* residents = nullptr;
    const std::vector<double>* rate = nullptr;    // per 1,000 residents
    const std::vector<double>* rateEb = nullptr;  // empirical Bayes
    const perception::CellSummary* perception = nullptr;
    std::uint32_t minReports = 3;
    const std::vector<std::vector<perception::ReasonRow>>* reasons = nullptr;  // per area: table area_reasons
    const io::SurveyTable* survey = nullptr;                                     // table area_survey
};

// One hotspot area: its polygon, what it holds, when, where, and how dark it is.
struct HotspotAreaRow {
    int id = 0;
    std::string kind;  // "incidents" or "perception": which hot spots it dissolves
    std::vector<unsigned char> wkb;
    std::size_t cells = 0;
    double areaM2 = 0, shareOfArea = 0, shareOfIncidents = 0;
    std::int64_t incidents = 0;
    std::string leadingCategories, peakHour, peakWeekday, place, placeKind;
    double placeDistanceM = 0;
    std::int64_t lights = 0;
    double darkM2 = 0;
    std::vector<unsigned char> darkWkb;  // empty when nothing is dark
    std::vector<double> extras;          // values of the extra columns (overlay measures)
    std::optional<temporal::HourWeekdayTable> hotTimes;  // when the reports have times
};

// One class of the densest areas: the regions of the surface at or above the threshold.
struct DensityAreaClass {
    double percent = 0;    // the densest `percent` % of the study area
    double threshold = 0;  // the surface value at its edge
    std::vector<std::int32_t> labels;  // per pixel: region 1..count, 0 elsewhere
    std::int32_t count = 0;
    std::vector<std::int64_t> incidents;  // per label (index 0: outside every region)
    std::vector<std::int64_t> pixels;     // per label
    std::int64_t totalIncidents = 0;
    std::vector<std::pair<std::int32_t, std::vector<unsigned char>>> polygons;  // label and WKB, per region
};

// What the area_statistics layer holds: the same statistics on polygon areas (districts).
struct AreaStatisticsData {
    const std::vector<std::vector<unsigned char>>* wkb = nullptr;  // polygons in the analysis CRS
    const std::vector<std::string>* ids = nullptr;
    const std::vector<std::string>* names = nullptr;
    const std::vector<double>* areaKm2 = nullptr;
    const grid::CellCounts* counts = nullptr;  // per area
    std::vector<std::string> categoryFields;
    LocalStatsData stats;
    std::string description;
};

// A context map layer (roads, towns, stations): geometries in the analysis CRS and an optional label.
struct ContextLayerData {
    std::string name;                                // written as context_<name>
    std::string title;                               // the source layer's name
    std::vector<std::vector<unsigned char>> wkb;     // ISO WKB, one kind of geometry
    std::vector<std::string> labels;                 // empty, or one per geometry
};

// Output field names for categories: "n_" + a lower-case ASCII slug of each name (å, ä -> a,
// ö -> o, other characters -> _), made unique.
std::vector<std::string> categoryFieldNames(const std::vector<std::string>& categories);

// A lower-case ASCII field-name slug of a text: å, ä -> a, ö -> o, é -> e, other characters -> _.
std::string fieldSlug(const std::string& text);

class GpkgWriter {
public:
    // Throws IoError when `finalPath` exists and overwrite is false, or its folder is a file.
    // A missing folder is created when the writer is constructed.
    static void checkWritable(const std::string& finalPath, bool overwrite);

    GpkgWriter(std::string finalPath, bool overwrite, const crs::Crs& analysisCrs);
    ~GpkgWriter();
    GpkgWriter(const GpkgWriter&) = delete;
    GpkgWriter& operator=(const GpkgWriter&) = delete;

    void writeHotspotGrid(const HotspotGridData& data, const Progress& progress);
    void writeAreaStatistics(const AreaStatisticsData& data);
    void writePerceptionGrid(const PerceptionGridData& data);
    void writePerceptionReasons(const std::vector<perception::ReasonRow>& rows);
    void writeAreaSummary(const AreaSummaryData& data);
    void writeChangeGrid(const ChangeGridData& data);
    void writeFollowup(const FollowupData& data);
    void writeEmerging(const EmergingGridData& data);
    // hotspot_areas, and dark_spots when lights were given.
    void writeHotspotAreas(const std::vector<HotspotAreaRow>& rows, bool withLights,
                           const std::vector<std::string>& extraColumns = {});
    // hot_times: incidents by weekday (rows) and hour (h00..h23), for the study area (area_id NULL)
    // and for each hotspot area that has its table.
    void writeHotTimes(const temporal::HourWeekdayTable& studyArea, const std::vector<HotspotAreaRow>& areas);
    void writeStudyArea(const std::vector<unsigned char>& wkb, const std::string& description);
    // context_<name>: lines grey, polygons outlined, points as dots; labelled when labels are given.
    void writeContextLayer(const ContextLayerData& data);
    void writeRejected(const io::ReportSet& reports, const std::string& layerName);
    void writeMetadata(const std::vector<MetadataEntry>& entries);
    void writeIncremental(const stats::IncrementalResult& result);
    // A Float32 raster table in the same file (GDAL's GeoPackage gridded coverage), written by
    // commit(); NaN pixels become nodata.
    void writeRaster(const std::string& table, const kde::Raster& raster, const std::vector<float>& values,
                     const std::string& description);
    void writeDensityAreas(const kde::Raster& raster, const std::vector<DensityAreaClass>& classes);
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
    OGRLayer* createLayer(const std::string& name, int geometryType, const std::string& title,
                          const std::string& description);
    void writeStyle(const std::string& layer, const std::string& geometryColumn, const std::string& qml,
                    const std::string& description, const std::string& styleName = "", bool isDefault = true);
    void exec(const std::string& sql);
    void createSpatialIndex(const std::string& baseName);
    struct PendingIndex;
    // Sets a grid cell's polygon and fid on the feature, adds its box to `index`, returns its id.
    std::string setCell(OGRFeature& f, const grid::Grid& g, std::size_t i, PendingIndex& index);

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
    };
    std::vector<PendingIndex> m_pendingIndexes;  // spatial indexes built in bulk on commit
    std::vector<std::string> m_gdalIndexed;      // layers GDAL indexed itself
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
    // `qml` with its fields' aliases replaced by their declared titles (Layers.hpp).
    std::string withDeclaredTitles(const std::string& table, std::string qml) const;
    std::optional<PublishOptions> m_publish;
    PublishSummary m_publishSummary;

};

} // namespace trygg::output
