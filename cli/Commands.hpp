#pragma once
// One class per verb. Each declares its options on its CLI11 sub-app and turns them into a
// pipeline::Config; none holds analysis logic.
#include "trygg/pipeline/Config.hpp"

#include <CLI/App.hpp>

#include <string>
#include <vector>

namespace trygg::cli {

// The input and output flags `hotspot` and `kde` share.
struct InputOutputOptions {
    std::string incidents, layer, xField, yField, categoryField, idField, weightField, crs;
    std::vector<std::string> timeFields;  // one or more columns, joined with a space
    std::string timeFormat;
    std::string studyArea, studyAreaLayer, studyAreaWhere, analysisCrs = "auto", timeZone = "Europe/Stockholm", out;
    bool overwrite = false;

    // Declares the flags; `reportFields` adds --time-field, --category-field and --id-field.
    void add(CLI::App* app, bool reportFields);
    // Fills the config's inputs, analysis CRS and output.
    void apply(pipeline::Config& cfg) const;
};

// `trygg run CONFIG.toml [--overwrite]`
class RunCommand {
public:
    explicit RunCommand(CLI::App& parent);
    bool selected() const { return m_app->parsed(); }
    pipeline::Config config() const;

private:
    CLI::App* m_app;
    std::string m_configPath;
    std::string m_out;
    std::string m_schema;
    bool m_overwrite = false;
    bool m_noReport = false;
    bool m_publish = false;
    int m_minCount = 0;
    std::string m_language;
    std::string m_sinceLast;
    pipeline::FilterText m_filter;  // replaces the config's [filter] when any is given
};

// `trygg hotspot --incidents FILE ... --out FILE.gpkg`
class HotspotCommand {
public:
    explicit HotspotCommand(CLI::App& parent);
    bool selected() const { return m_app->parsed(); }
    pipeline::Config config(const std::string& commandLine) const;

private:
    CLI::App* m_app;
    InputOutputOptions m_io;
    std::string m_cellSize = "auto", m_gridShape = "square", m_align = "snapped", m_distanceBand = "default";
    std::string m_weights = "distance_band", m_correction = "fdr";
    std::int64_t m_maxCells = 20'000'000;
    int m_k = 8, m_permutations = 999, m_threads = 0;
    std::uint64_t m_seed = 20230601;
    bool m_force = false, m_noFdr = false, m_excludeSelf = false, m_localMoran = false,
         m_noGlobal = false, m_incremental = false, m_nearRepeat = false, m_mapAccuracy = false;
};

// `trygg kde --incidents FILE ... --out FILE.gpkg`: a density surface alone.
class KdeCommand {
public:
    explicit KdeCommand(CLI::App& parent);
    bool selected() const { return m_app->parsed(); }
    pipeline::Config config(const std::string& commandLine) const;

private:
    CLI::App* m_app;
    InputOutputOptions m_io;
    std::string m_kernel = "quartic", m_bandwidth = "arcgis", m_output = "density_km2", m_alignTo;
    double m_pixelM = 0, m_multiplier = 1;
    int m_adaptiveK = 0, m_threads = 0;
    std::vector<double> m_topPercent{1, 5, 10};
    bool m_noAreas = false;
};

} // namespace trygg::cli
