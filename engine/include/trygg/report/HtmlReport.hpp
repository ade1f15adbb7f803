#pragma once
// The report: the lägesbild's mapping and analysis, one self-contained HTML file that planners read
// in a browser or print on A4. It is made from the finished GeoPackage, so it shows exactly what
// the file holds: a summary, an interactive map, then the law's three parts (the mapping of crime,
// other relevant information, the analysis with its problems), each further analysis, and the
// run's parameters; maps and charts drawn as SVG (src/report/).
#include <string>

namespace trygg::report {

struct ReportOptions {
    std::string language = "sv";  // "sv" or "en"
};

// Reads `gpkgPath` and writes `htmlPath`. Throws IoError when either cannot be opened.
void writeHtmlReport(const std::string& gpkgPath, const std::string& htmlPath, const ReportOptions& options);

} // namespace trygg::report
