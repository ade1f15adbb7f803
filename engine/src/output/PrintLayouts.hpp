#pragma once
// The print layouts of the QGIS project (Project > Layouts): the lägesbild map on A4 and A3
// landscape, each with a title, the map, its legend, a scale bar, a north arrow, and a note of the
// date, the data sources and whether the file is made for publishing, so that the GIS officer
// prints the map from QGIS in one step. Internal to the output module (QgisProject.cpp).
#include <map>
#include <string>
#include <vector>

namespace trygg::output {

struct LayoutLayer {
    std::string id, name, source, provider;  // as in the project's layer tree
};

struct LayoutInput {
    bool sv = true;
    std::map<std::string, std::string> md;  // run_metadata
    double minX = 0, minY = 0, maxX = 0, maxY = 0;  // what the map shows, in the project's CRS
    std::vector<LayoutLayer> legend;  // the layers the project shows, top first
};

// The project's <Layouts> element: one <Layout> per page size. The map follows the project's
// visible layers; the legend lists `legend`, filtered to what the map shows.
std::string printLayoutsXml(const LayoutInput& in);

} // namespace trygg::output
