#pragma once
// The batch configuration: what `trygg run CONFIG.toml` reads, and what `trygg hotspot` builds
// from its flags. Every field has the default documented in README.md.
#include "trygg/grid/Lattice.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/AreaLayer.hpp"
#include "trygg/io/MeasureRegister.hpp"
#include "trygg/io/NamedFeatures.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/io/SurveyTable.hpp"
#include "trygg/io/WeightedPoints.hpp"
#include "trygg/kde/Kernel.hpp"
#include "trygg/kde/Surface.hpp"
#include "trygg/perception/Perception.hpp"
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/stats/Weights.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace trygg::pipeline {

struct GridConfig {
    bool enabled = true;  // false: no hotspot grid statistics (a density surface alone)
    grid::Shape shape = grid::Shape::Square;
    std::optional<double> cellSizeM;  // nullopt: sfhotspot's automatic rule
    grid::Alignment alignment = grid::Alignment::Snapped;
    std::int64_t maxCells = 20'000'000;
    bool force = false;  // allow a grid over maxCells
};

// Getis-Ord Gi*: binary distance-band weights over the default band (the 3x3 block on a square
// grid, the six touching cells on a hex grid), the cell itself included.
struct GiStarConfig {
    stats::WeightsSpec weights = [] {
        stats::WeightsSpec w;
        w.kind = stats::WeightsKind::DistanceBand;
        w.distanceM = 0;  // 0: the default band
        w.includeSelf = true;
        return w;
    }();
    bool autoBand = false;  // distance_band_m = "auto": the first peak of incremental autocorrelation
};

// Incremental spatial autocorrelation: global Moran's I over `count` bands from startM by stepM
// (0: the cell size, the spacing of neighbouring centres).
struct IncrementalConfig {
    bool enabled = false;
    double startM = 0;
    double stepM = 0;
    int count = 10;
};

// Local Moran's I (cluster and outlier analysis): queen contiguity, row-standardised, as GeoDa and
// ArcGIS Pro default to.
struct LocalMoranConfig {
    bool enabled = false;
    stats::WeightsSpec weights = [] {
        stats::WeightsSpec w;
        w.kind = stats::WeightsKind::Queen;
        w.rowStandardise = true;
        return w;
    }();
};

// Which p-values decide Gi_Bin and COType. Auto does what each ArcGIS Pro tool does: Gi_Bin from
// the analytic p (Hot Spot Analysis), COType from the pseudo p (Cluster and Outlier Analysis).
enum class ClassesFrom { Auto, Analytic, Pseudo };

// Statistics on polygon areas (districts): incidents counted per area, Gi* over contiguous areas
// (the area itself included) and, with local Moran on, local Moran over the same contiguity,
// row-standardised.
struct AreasConfig {
    io::AreaLayerSpec layer;
    bool queen = true;  // false: rook
    // Residents per area: a field of the area layer, else the [kde.population] points inside.
    std::string populationField;
    std::optional<io::SurveySpec> survey;  // per-area survey indices
};

// Kernel density surfaces.
enum class BandwidthRule { Fixed, ArcGis, NormalReference };
struct KdeConfig {
    bool enabled = false;
    kde::Kernel kernel = kde::Kernel::Quartic;
    BandwidthRule rule = BandwidthRule::ArcGis;  // Fixed when bandwidthM > 0
    double bandwidthM = 0;
    double multiplier = 1;
    int adaptiveK = 0;   // > 0: each report's bandwidth is its distance to the k-th nearest report
    double pixelM = 0;   // 0: a quarter of the cell size
    kde::Normalisation normalisation = kde::Normalisation::DensityKm2;
    std::vector<double> topPercent{1, 5, 10};
    std::string alignTo;  // a raster whose pixel layout the surface copies (for comparisons); "" = snapped
    bool edgeCorrection = false;  // give back the kernel mass lost outside the study area
    bool geotiff = false;         // also write GeoTIFFs (with .qml styles) beside the GeoPackage

    // A denominator ([kde.population]): residents as points or grid squares, smoothed with the same
    // kernel and bandwidth, giving a risk surface where the smoothed population reaches a minimum.
    enum class RiskMethod { Rate, Ratio, Log, Difference, Sum };
    std::optional<io::WeightedPointsSpec> population;
    RiskMethod riskMethod = RiskMethod::Rate;
    double minPopulationKm2 = 100;
};

// Perceived safety: residents' reports with a score, a time of day and reasons.
struct PerceptionConfig {
    io::ReportSourceSpec reports;  // coordinates, id; x/y recognised as for incidents
    std::string scoreField, timeOfDayField, reasonsField;
    perception::Scale scale;
    std::uint32_t minReports = 3;     // a cell's mean is shown from this many reports
    std::uint32_t minNeighbourhood = 5;  // fear versus crime needs this many reports around a cell
    int hotBin = 2;                   // Gi_Bin at or above which a cell counts as hot (95 %)
    // The classes again for these times of day only (say evening and night): reports at those
    // times against incidents at those hours (day 06-18, evening 18-22, night 22-06).
    std::vector<perception::TimeOfDay> classesFor;
};

// Hotspot areas: adjacent hot cells dissolved, described by the places they lie in or near, their
// street lights and their dark parts.
struct HotspotAreasConfig {
    bool enabled = true;
    int minBin = 2;  // cells with Gi_Bin at or above this (95 %)
    std::vector<io::NamedFeaturesSpec> places;
    std::optional<io::WeightedPointsSpec> lights;
    double darkDistanceM = 30;  // farther than this from every light is dark
};

// An overlay measure of a map layer, declared in the config ([[overlays]]): written per grid cell
// and per hotspot area as <name>_<measure>[_<class>].
struct OverlayConfig {
    std::string name;  // the column prefix
    io::NamedFeaturesSpec layer;  // nameField here is the class field (optional)
    std::string measure = "count";  // count, density, share, length, distance
    std::vector<std::string> classes;  // one column per class of the class field; empty: all together
};

// Inference shared by every local statistic.
struct InferenceConfig {
    stats::Correction correction = stats::Correction::FdrBenjaminiHochberg;
    int permutations = 999;  // 0: analytic p-values only
    ClassesFrom classesFrom = ClassesFrom::Auto;
    std::uint64_t seed = 20230601;
    int threads = 0;       // 0: every core
    double alpha = 0.05;   // significance level of COType
};

// A time filter as written in the config ([filter], [periods.NAME]) or on the command line.
struct FilterText {
    std::optional<std::string> period, from, to, hours;
    std::vector<std::string> weekdays, months;
    std::vector<std::string> categories;  // not a time: kept apart by the caller
    bool empty() const { return !period && !from && !to && !hours && weekdays.empty() && months.empty(); }
};

// Parses `text` into a filter. A `period` starts from the named period (from `periods`) and the
// other keys narrow it. Throws InputError starting with `where` on a bad value or an unknown period.
temporal::TimeFilter parseFilter(const FilterText& text, const std::map<std::string, temporal::TimeFilter>& periods,
                                 const std::string& where);

// [change]: counts per cell in two named periods and whether the change is beyond chance.
struct ChangeConfig {
    std::string before, after;  // names in [periods]; each needs from and to
};

// [followup]: a measure's effect, by the Weighted Displacement Quotient. Each area is the union of
// the features of a layer whose name_field equals `name` (all features when no name is given).
struct FollowupArea {
    io::NamedFeaturesSpec layer;
    std::string name;
};
struct FollowupConfig {
    std::string title;            // "Ny belysning i Kaptenens park"
    std::int64_t date = 0;        // the day the measure took effect (wall seconds)
    std::string dateText;
    double beforeDays = 365, afterDays = 365;
    FollowupArea measure, control;
    std::optional<FollowupArea> buffer;  // else a ring of bufferM around the measure area
    double bufferM = 250;
};

// [measures]: the register of measures (the åtgärdsplan), each followed up against the rest of the
// study area (or a named control). Points and lines cover radiusM around them.
// A rule from a problem's figures to a kind of measure ([[measures.rules]]): suggest `kind` where
// `indicator` (dark_share, night_share, peak_slots_share, reason_share with `reason`,
// repeat_share) is at least `atLeast`.
struct SuggestionRule {
    std::string kind, indicator, reason;
    double atLeast = 0;
};

struct MeasuresConfig {
    io::MeasureRegisterSpec register_;
    std::vector<io::NamedFeaturesSpec> places;  // where a row's place names a feature, first layer first
    std::vector<std::string> kinds{"belysning", "röjning", "beskärning", "kamera", "patrullering",
                                   "ordningsvakter", "klotterborttagning", "ombyggnad", "annat"};
    double radiusM = 50, bufferM = 250;
    double beforeDays = 365, afterDays = 365;
    double tooFewPct = 50;  // a minimum detectable fall above this: "too few to tell"
    int controls = 10;      // matched control places of the difference in differences
    int placebos = 199;     // comparable places of its placebo test
    std::vector<SuggestionRule> rules{{"belysning", "dark_share", "", 0.4},
                                      {"belysning", "night_share", "", 0.6},
                                      {"belysning", "reason_share", "dålig belysning", 0.25},
                                      {"röjning", "reason_share", "skymd sikt/buskage", 0.25},
                                      {"patrullering", "peak_slots_share", "", 0.3},
                                      {"kamera", "repeat_share", "", 0.2}};
};

// [emerging]: emerging hot spots over time slices of the grid.
struct EmergingConfig {
    std::string slice = "auto";  // "week", "month", "quarter", or "auto": months over ten months or more, else weeks
    int timeLag = 1;            // steps before each slice in its neighbourhood
    double alpha = 0.05;        // significance of a bin (after [inference]'s correction) and of a trend
    double bandM = 0;           // the spatial neighbourhood; 0 = [gistar]'s band
};

// A context map layer copied into the output (context_<name>) for the QGIS project and the report.
struct ContextConfig {
    std::string name;
    std::string title;            // its name in QGIS's layer list; empty: the source layer's name
    io::NamedFeaturesSpec layer;  // nameField here is the label field (optional)
};

// One more analysis on the same inputs ([analyses.NAME]): its own reports (a time filter and
// categories, replacing [filter]), the rest as the main analysis unless switched off here. Its
// layers are written as NAME_<layer> into the same GeoPackage, and it gets its own part of the report.
struct AnalysisConfig {
    std::string name, title;
    temporal::TimeFilter filter;
    std::vector<std::string> categories;  // empty: every category
    // The steps it leaves out, by their keys in [analyses.NAME] ("kde", "perception", "change",
    // "emerging", "followup", "areas", "local_moran", "hotspot_areas"; Step::analysisSwitch): false
    // switches the step off, absent or true keeps the main analysis's setting.
    std::map<std::string, bool> steps;
    bool runs(const std::string& step) const {
        const auto it = steps.find(step);
        return it == steps.end() || it->second;
    }
};

// [lagesbild]: the recurring situation picture. The latest complete `period` ("week", "month",
// "quarter", "year"; or --since-last) against the one before and the baseline of all before it;
// `until` (days since 1970-01-01) fixes the latest period to the one holding that day.
// [near_repeat] (stats.near_repeat): the Knox test of near repeats, as Ratcliffe's Near Repeat
// Calculator and the R package NearRepeat run it, and the repeat locations.
struct NearRepeatConfig {
    bool enabled = true;             // runs where the reports have dates
    double distanceBandM = 0;        // 0: the grid's cell size
    int distanceBands = 4;           // after the same location; then one band beyond
    double days = 7;                 // the time bands' width
    int timeBands = 4;               // then one band beyond
    double sameLocationM = 1;        // closer than this is the same location (an address point)
    bool manhattan = true;           // distance "manhattan" (NearRepeat's default) or "euclidean"
    int permutations = 999;
    int minReports = 20;             // a category with fewer dated reports gets no table of its own
    double repeatDays = 0;           // repeat_locations' window; 0: the finite time bands' span
};

// [map_accuracy] (stats.map_accuracy): how well the map of one period finds the next's incidents.
struct MapAccuracyConfig {
    bool enabled = true;
    std::string train, test;         // names in [periods]; empty: the two halves of the data in time
    std::vector<double> cellSizesM;  // the scales compared; empty: half, once and twice the cell size
    std::vector<double> bandwidthsM; // empty: half, once and twice the run's bandwidth
};

// [risk_model] (stats.risk_model): which features of the map go with more incidents per cell.
struct RiskFactorConfig {
    std::string name, title;           // name: the factor's key (risk_factors.factor); title: as read
    io::NamedFeaturesSpec layer;       // nameField here is the class field (optional)
    std::vector<std::string> classes;  // the features of these classes; empty: all
    std::vector<std::string> operationalisations;  // proximity, density, share; empty: by geometry
};
struct RiskModelConfig {
    bool enabled = true;                 // runs where factors are given
    std::string family = "auto";         // auto (the lower BIC), poisson, negative_binomial
    std::string offset = "area";         // area (km2 of the cell inside the study area), population, none
    bool residents = true;               // log(1 + residents per km2) as a control, with [kde.population]
    double residentsBandwidthM = 500;    // the kernel's bandwidth for the residents around a cell
    double cellSizeM = 0;                // the model's own cells; 0: the grid's
    std::vector<double> influenceCells = {1, 2, 3};  // distances of influence, in cell sizes
    int minCells = 5;                    // a candidate present in fewer cells is not tried
    std::vector<RiskFactorConfig> factors;
};

// [[colocation]] (stats.colocation): are the incidents of a category found beside a layer's
// points or another category's incidents, more than random labels give?
struct ColocationConfig {
    std::string name, title;        // name: the row's key (colocation.name); title: as read
    std::string category;           // A: an incident category
    std::string nearCategory;       // B: another category (or the same) ...
    io::NamedFeaturesSpec nearLayer;  // ... or the points of a map layer (nameField: its class field)
    std::vector<std::string> nearClasses;  // of that layer: these classes only; empty: all
    int neighbours = 8;             // k of the local quotient
};
struct ColocationSettings {
    bool enabled = true;
    std::vector<ColocationConfig> pairs;
};

// [hotspot_comparison] (stats.hotspot_comparison): two hot spot maps of the same cells compared.
struct HotspotComparisonConfig {
    bool enabled = true;
    std::vector<std::string> compare = {"perceived", "periods", "analysis"};  // those that can run
    std::string weighting = "fuzzy";  // or "exact"
    int neighbours = 8;               // cells around each cell that match partly; 0: cell by cell
};

// [darkness] (temporal.darkness): the light at each report's place and moment.
struct DarknessConfig {
    bool enabled = true;  // runs where the reports have clock times
};

struct LagesbildConfig {
    std::string period = "year";
    std::optional<std::int64_t> until;
};

// Publishing mode ([publish] or --publish): see output/Publish.hpp.
struct PublishConfig {
    bool enabled = false;
    int minCount = 3;  // counts of 1 .. minCount are hidden: a published count is 0 or above it
};

struct OutputConfig {
    std::string path;               // a .gpkg, or a database's connection string ("PG:...", with schema)
    std::string schema;             // with a database: the schema the results replace
    bool overwrite = false;
    bool report = true;             // the HTML report beside the GeoPackage (<name>.html)
    bool qgisProject = true;        // a QGIS project of every layer, stored in the GeoPackage
    std::string language = "sv";    // the report's language: "sv" or "en"
};

struct Config {
    std::string name = "trygg";
    std::string analysisCrs;  // "" or "auto": SWEREF 99 TM in Sweden, else the UTM zone of the data's centre
    // The time zone of the reports' clock times ([analysis] time_zone), from the tz database:
    // daylight saving time included, for the sun's place at a report's moment.
    std::string timeZone = "Europe/Stockholm";
    std::optional<io::StudyAreaSpec> studyArea;
    io::ReportSourceSpec incidents;
    GridConfig grid;
    GiStarConfig gistar;
    LocalMoranConfig localMoran;
    InferenceConfig inference;
    bool globalTests = true;  // global Moran's I, General G, Clark-Evans
    IncrementalConfig incremental;
    std::optional<AreasConfig> areas;
    KdeConfig kde;
    std::optional<PerceptionConfig> perception;
    HotspotAreasConfig hotspotAreas;
    std::vector<OverlayConfig> overlays;
    std::vector<ContextConfig> context;  // [[context]]
    PublishConfig publish;
    std::map<std::string, temporal::TimeFilter> periods;  // [periods.NAME]
    temporal::TimeFilter filter;                          // [filter]: the reports every analysis runs on
    std::vector<std::string> categories;                  // [filter] categories: only these (empty: all)
    std::vector<AnalysisConfig> analyses;                 // [analyses.NAME], in the order of their names
    std::optional<ChangeConfig> change;
    std::optional<FollowupConfig> followup;
    std::optional<MeasuresConfig> measures;
    std::optional<EmergingConfig> emerging;
    LagesbildConfig lagesbild;
    DarknessConfig darkness;
    NearRepeatConfig nearRepeat;
    MapAccuracyConfig mapAccuracy;
    RiskModelConfig riskModel;
    ColocationSettings colocation;
    HotspotComparisonConfig hotspotComparison;
    OutputConfig output;

    std::string sourcePath;  // the config file, "" when built from flags
    std::string sourceText;  // the config file's text, or the command line, recorded in run_metadata
};

// Reads a TOML config. Relative paths in it are resolved against the config file's folder.
// Throws InputError naming the file, line and key for syntax errors, unknown keys, wrong types
// and out-of-range values.
Config loadConfig(const std::string& path);

// Checks values that do not depend on the data (cell size > 0, band > 0, a path for incidents
// and output). Throws InputError.
void validate(const Config& config);

// Every file the run reads, named by what it is ("incidents", "study area", "overlay 'roads'"):
// the config file itself, the reports, map layers, surveys, population and lights, the raster the
// KDE copies its layout from. GDAL connection strings (PG:...) are left out; /vsigzip/ and
// /vsizip/ paths are given as the file they read.
std::vector<std::pair<std::string, std::string>> inputFiles(const Config& config);

// Every file the run writes when it succeeds: the GeoPackage, the report beside it, and the
// GeoTIFFs with their styles (the KDE surfaces, when [kde] geotiff = true).
std::vector<std::string> outputFiles(const Config& config);

// Throws InputError, before anything is written, when an output of the run is one of its inputs:
// the same path, or the same file by another path (a symlink, "..", a hard link). Replacing it
// would destroy the input.
void refuseOutputOverInput(const Config& config);

} // namespace trygg::pipeline
