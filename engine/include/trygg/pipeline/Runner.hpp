#pragma once
// The batch runner: the named steps of a hotspot analysis, from reports to GeoPackage.
//   io.study_area -> io.reports -> grid.build -> grid.count -> stats.gistar -> stats.local_moran
//   -> stats.global -> output.gpkg
#include "trygg/core/Progress.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/stats/Concentration.hpp"
#include "trygg/stats/Global.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trygg::pipeline {

struct RunSummary {
    std::string outputPath;
    std::string analysisCrs, analysisCrsRule;  // the analysis CRS and why: "given", or how it was chosen
    std::int64_t rowsRead = 0;
    std::int64_t accepted = 0;
    std::array<std::int64_t, io::kRejectReasonCount> rejectedByReason{};
    std::int64_t rejected = 0;
    // The accepted incidents' time span as read, before [filter] (wall seconds; kNoTime without
    // times): what the data cover, the same for every analysis of the run.
    std::int64_t firstWall = io::kNoTime, lastWall = io::kNoTime;
    std::string filter;                                     // the time filter, described; "" without one
    std::string filterSv;                                   // ... in Swedish
    std::int64_t filteredOut = 0, filteredNoTime = 0;       // accepted rows the filter left out
    std::int64_t filteredNoClock = 0;                       // ... with a date alone, under a filter of hours
    std::size_t cells = 0;
    std::int64_t changeBefore = -1, changeAfter = -1;   // with [change]: reports in each period
    std::array<std::size_t, 7> cellsByChangeBin{};      // change_bin -3..3 at index bin + 3
    std::string followupTitle, followupVerdict, followupVerdictSv;  // with [followup], for all incidents
    double followupWdq = 0, followupSuccess = 0;
    std::size_t emergingSteps = 0;                       // with [emerging]
    std::array<std::size_t, 17> emergingByPattern{};     // cells per pattern -8..8 at index code + 8
    double cellSizeM = 0;
    bool cellSizeAutomatic = false;
    bool hasStudyArea = false;
    double distanceBandM = 0;
    std::array<std::size_t, 7> cellsByBin{};  // Gi_Bin -3..3 at index bin + 3
    std::array<std::size_t, 5> cellsByCoType{};  // by stats::Quadrant: none, HH, LL, HL, LH
    bool hasGlobal = false;
    stats::Concentration concentration;  // with the hotspot grid
    std::size_t hotspotAreas = 0;
    std::size_t areas = 0, areasHot = 0;
    double kdeBandwidthM = 0;  // with [kde]
    bool hasGrid = true;        // false for a density surface alone
    std::vector<std::string> filesBeside;
    std::int64_t perceptionRead = 0, perceptionAccepted = 0;  // with [perception]
    std::array<std::size_t, 5> fearCrimeCells{};              // by perception::FearCrime
    stats::GlobalTest moranI, generalG, clarkEvans;
    std::vector<std::string> lines;  // what each step that ran says of its result, in run order (Step::summary)
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, double>> stageSeconds;  // wall seconds per named step
    std::string analysisName, analysisTitle;  // a further analysis ([analyses.NAME]); "" for the main one
    std::vector<RunSummary> analyses;         // the further analyses, each on its own reports
    std::int64_t filteredCategory = 0;        // accepted rows of other categories ([filter] categories)
    std::int64_t publishHidden = -1, publishComplementary = 0;  // publishing mode: counts hidden
};

// Runs the analysis of `config`, writing its GeoPackage. Throws InputError, CrsError, IoError
// or Cancelled; the output path is then left as it was.
RunSummary run(const Config& config, const Progress& progress);

} // namespace trygg::pipeline
