#include "Commands.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"

#include <CLI/CLI.hpp>

namespace trygg::cli {
namespace {

std::optional<double> numberOrWord(const std::string& text, const char* word, const char* option) {
    if (text == word) return std::nullopt;
    const auto v = io::parseNumber(text);
    if (!v) throw InputError(std::string("options: ") + option + " '" + text + "' is not a number or '" + word + "'");
    return v;
}

} // namespace

void InputOutputOptions::add(CLI::App* app, bool reportFields) {
    auto* in = "Input";
    app->add_option("--incidents", incidents, "Incident reports: CSV, XLSX or a point layer GDAL reads")
        ->required()
        ->group(in);
    app->add_option("--layer", layer, "Layer (or sheet) of the incidents file")->group(in);
    app->add_option("--x-field", xField, "Column of x / longitude / easting (default: recognised)")->group(in);
    app->add_option("--y-field", yField, "Column of y / latitude / northing (default: recognised)")->group(in);
    if (reportFields) {
        app->add_option("--time-field", timeFields,
                        "Column of the date-time (default: recognised); give it again for a date and a clock column, "
                        "joined with a space (--time-field Datum --time-field Klockslag)")
            ->group(in);
        app->add_option("--time-format", timeFormat,
                        "Layout of the time, strptime-style, such as \"%Y %m %d %H %M\" (default: ISO 8601 or Excel)")
            ->group(in);
        app->add_option("--category-field", categoryField, "Column of the category (default: recognised)")->group(in);
        app->add_option("--id-field", idField, "Column of the report id (default: recognised)")->group(in);
    }
    app->add_option("--weight-field", weightField, "Column of a weight per report (default: none)")->group(in);
    app->add_option("--crs", crs, "CRS of the incidents' coordinates, EPSG:N (default: the layer's, or EPSG:4326 for lon/lat columns)")
        ->group(in);
    app->add_option("--study-area", studyArea, "Polygon layer of the study area (default: the reports' extent)")->group(in);
    app->add_option("--study-area-layer", studyAreaLayer, "Layer of the study area file")->group(in);
    app->add_option("--study-area-where", studyAreaWhere,
                    "Attribute filter choosing the study area's features, OGR SQL, such as \"KnKod = '1261'\"")
        ->group(in);
    app->add_option("--analysis-crs", analysisCrs, "Projected CRS in metres for the analysis")
        ->capture_default_str()
        ->group(in);
    app->add_option("--time-zone", timeZone, "The reports' clock, a tz database zone such as America/Chicago")
        ->capture_default_str()
        ->group(in);
    auto* outGroup = "Output";
    app->add_option("--out", out, "The GeoPackage to write (.gpkg)")->required()->group(outGroup);
    app->add_flag("--overwrite", overwrite, "Replace the output file if it exists")->group(outGroup);
}

void InputOutputOptions::apply(pipeline::Config& cfg) const {
    cfg.analysisCrs = analysisCrs;
    cfg.timeZone = timeZone;
    cfg.incidents.path = incidents;
    cfg.incidents.layer = layer;
    cfg.incidents.crs = crs;
    cfg.incidents.fields = {xField, yField, timeFields, categoryField, idField, weightField};
    cfg.incidents.timeFormat = timeFormat;
    if (!studyArea.empty()) {
        io::StudyAreaSpec s;
        s.path = studyArea;
        s.layer = studyAreaLayer;
        s.where = studyAreaWhere;
        cfg.studyArea = s;
    } else if (!studyAreaWhere.empty()) {
        throw InputError("options: --study-area-where needs --study-area");
    }
    cfg.output.path = out;
    cfg.output.overwrite = overwrite;
}

HotspotCommand::HotspotCommand(CLI::App& parent)
    : m_app(parent.add_subcommand("hotspot", "Count incidents on a grid and find Gi* hot spots, from flags")) {
    m_io.add(m_app, true);
    auto* an = "Analysis";
    m_app->add_option("--cell-size", m_cellSize, "Cell size in metres, or 'auto' (sfhotspot's rule)")
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--grid", m_gridShape, "Cell shape")
        ->check(CLI::IsMember({"square", "hex"}))
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--align", m_align, "Grid origin: snapped to multiples of the cell size, or the extent's corner")
        ->check(CLI::IsMember({"snapped", "extent"}))
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--max-cells", m_maxCells, "Refuse grids with more cells than this")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(an);
    m_app->add_flag("--force", m_force, "Allow a grid over --max-cells")->group(an);
    auto* st = "Statistics";
    m_app->add_option("--weights", m_weights, "Gi* neighbourhood")
        ->check(CLI::IsMember({"distance_band", "inverse_distance", "knn", "queen", "rook"}))
        ->capture_default_str()
        ->group(st);
    m_app->add_option("--distance-band", m_distanceBand,
                      "Distance band in metres, 'default' (3x3 block; six hexagons), or 'auto' (first peak of incremental "
                      "spatial autocorrelation)")
        ->capture_default_str()
        ->group(st);
    m_app->add_option("--k", m_k, "Neighbours for --weights knn")->check(CLI::PositiveNumber)->capture_default_str()->group(st);
    m_app->add_flag("--exclude-self", m_excludeSelf, "Gi instead of Gi*: leave the cell out of its neighbourhood")
        ->group(st);
    m_app->add_flag("--local-moran", m_localMoran, "Also run local Moran's I (clusters and outliers, COType)")->group(st);
    m_app->add_flag("--incremental", m_incremental, "Write incremental spatial autocorrelation over 10 bands")->group(st);
    m_app->add_flag("--no-global", m_noGlobal, "Skip the global tests (Moran's I, General G, Clark-Evans)")->group(st);
    m_app->add_option("--correction", m_correction, "Multiple-testing correction of Gi_Bin and COType")
        ->check(CLI::IsMember({"fdr", "bonferroni", "none"}))
        ->capture_default_str()
        ->group(st);
    m_app->add_flag("--no-fdr", m_noFdr, "Same as --correction none")->group(st);
    m_app->add_option("--permutations", m_permutations, "Permutations for pseudo p-values (0: analytic only)")
        ->check(CLI::Range(0, 99999))
        ->capture_default_str()
        ->group(st);
    m_app->add_option("--seed", m_seed, "Seed of the permutations")->capture_default_str()->group(st);
    m_app->add_option("--threads", m_threads, "Threads for the permutations (0: every core)")
        ->check(CLI::Range(0, 1024))
        ->capture_default_str()
        ->group(st);
    // The analyses of a whole lägesbild that take far longer than the hot spots on large files
    // (the Knox test's permutations over every close pair; the map accuracy's surfaces) are asked
    // for here; a config runs them by default.
    auto* more = "More analyses (on by default in a config)";
    m_app->add_flag("--near-repeat", m_nearRepeat, "Also the Knox test of near repeats and the repeat locations (needs dates)")
        ->group(more);
    m_app->add_flag("--map-accuracy", m_mapAccuracy,
                    "Also how well the first half's map finds the second half's incidents (needs dates)")
        ->group(more);
    m_app->footer("Example: trygg hotspot --incidents reports.csv --study-area boundary.gpkg --cell-size 200 "
                  "--out hotspots.gpkg");
}

pipeline::Config HotspotCommand::config(const std::string& commandLine) const {
    pipeline::Config cfg;
    cfg.name = "hotspot";
    cfg.sourceText = commandLine;
    m_io.apply(cfg);
    cfg.grid.shape = m_gridShape == "hex" ? grid::Shape::Hex : grid::Shape::Square;
    cfg.grid.cellSizeM = numberOrWord(m_cellSize, "auto", "--cell-size");
    cfg.grid.alignment = m_align == "extent" ? grid::Alignment::Extent : grid::Alignment::Snapped;
    cfg.grid.maxCells = m_maxCells;
    cfg.grid.force = m_force;
    cfg.gistar.weights.kind = *stats::parseWeightsKind(m_weights);
    cfg.gistar.autoBand = m_distanceBand == "auto";
    if (!cfg.gistar.autoBand) {
        const auto band = numberOrWord(m_distanceBand, "default", "--distance-band");
        if (band && !(*band > 0))
            throw InputError("options: --distance-band '" + m_distanceBand + "' must be a positive number of metres, "
                             "'default' or 'auto'");
        cfg.gistar.weights.distanceM = band.value_or(0.0);
    }
    cfg.gistar.weights.k = m_k;
    cfg.gistar.weights.includeSelf = !m_excludeSelf;
    cfg.localMoran.enabled = m_localMoran;
    cfg.globalTests = !m_noGlobal;
    cfg.incremental.enabled = m_incremental;
    cfg.inference.correction = m_noFdr ? stats::Correction::None : *stats::parseCorrection(m_correction);
    cfg.inference.permutations = m_permutations;
    cfg.inference.seed = m_seed;
    cfg.inference.threads = m_threads;
    cfg.nearRepeat.enabled = m_nearRepeat;
    cfg.mapAccuracy.enabled = m_mapAccuracy;
    pipeline::validate(cfg);
    return cfg;
}

} // namespace trygg::cli
