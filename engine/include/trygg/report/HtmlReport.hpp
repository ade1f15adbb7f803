#pragma once
// The report: one self-contained HTML file that planners read in a browser or print on A4. It is
// made from the finished GeoPackage, so it shows exactly what the file holds: maps drawn as SVG
// (the hotspot grid with its areas, and the change and emerging-hot-spot grids when the run made
// them), a table of the leading hotspot areas, the follow-up's verdict, and the run's parameters.
#include <string>

namespace trygg::report {

struct ReportOptions {
    std::string language = "sv";  // "sv" or "en"
};

// Reads `gpkgPath` and writes `htmlPath`. Throws IoError when either cannot be opened.
void writeHtmlReport(const std::string& gpkgPath, const std::string& htmlPath, const ReportOptions& options);

} // namespace trygg::report
