#pragma once
// The batch configuration: what `trygg run CONFIG.toml` reads, and what `trygg hotspot` builds
// from its flags. Every field has the default documented in README.md.
#include "trygg/grid/Lattice.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/stats/MultipleTesting.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace trygg::pipeline {

struct GridConfig {
    grid::Shape shape = grid::Shape::Square;
    std::optional<double> cellSizeM;  // nullopt: sfhotspot's automatic rule
    grid::Alignment alignment = grid::Alignment::Snapped;
    std::int64_t maxCells = 20'000'000;
    bool force = false;  // allow a grid over maxCells
};

struct GiStarConfig {
    std::optional<double> distanceBandM;  // nullopt: the 3x3 block (square) or six neighbours (hex)
    bool includeSelf = true;              // Gi* (true) or Gi (false)
    stats::Correction correction = stats::Correction::FdrBenjaminiHochberg;
};

struct OutputConfig {
    std::string path;
    bool overwrite = false;
};

struct Config {
    std::string name = "trygg";
    std::string analysisCrs = "EPSG:3006";
    std::optional<io::StudyAreaSpec> studyArea;
    io::ReportSourceSpec incidents;
    GridConfig grid;
    GiStarConfig gistar;
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

} // namespace trygg::pipeline
