#pragma once
// A QGIS project stored inside the GeoPackage, the way QGIS stores one (its qgis_projects table:
// name, metadata, and the hex of a .qgz), so that the file opens in QGIS's browser as a finished
// map. It is made from what the file holds: every layer of gpkg_contents, with its default style
// from layer_styles (other styles as alternatives), in groups with the context map below and the
// hot spots on top, zoomed to the study area in the analysis CRS.
#include <string>

namespace trygg::output {

struct QgisProjectOptions {
    std::string name = "trygg";  // the project's name in the GeoPackage
    std::string title;           // shown in QGIS's title bar
    // The GeoPackage's final file name. The layers refer to "./<fileName>" beside the project,
    // as QGIS itself writes them, so the file may move but keeps its name.
    std::string fileName;
    std::string language = "sv";  // group names: "sv" or "en"
};

// Adds the project to the GeoPackage at `gpkgPath`, replacing one of the same name. Throws IoError.
void writeQgisProject(const std::string& gpkgPath, const QgisProjectOptions& options);

} // namespace trygg::output
