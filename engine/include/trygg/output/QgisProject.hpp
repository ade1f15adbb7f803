#pragma once
// A QGIS project stored inside the GeoPackage, the way QGIS stores one (its qgis_projects table:
// name, metadata, and the hex of a .qgz), so that the file opens in QGIS's browser as a finished
// map. It is made from what the file holds: every layer of gpkg_contents, with its default style
// from layer_styles (other styles as alternatives), in groups with the context map below and the
// hot spots on top, zoomed to the study area in the analysis CRS.
#include <optional>
#include <string>

namespace trygg::output {

struct QgisProjectOptions {
    std::string name = "trygg";  // the project's name in the GeoPackage
    std::string title;           // shown in QGIS's title bar
    // The GeoPackage's final file name. The layers refer to "./<fileName>" beside the project,
    // as QGIS itself writes them, so the file may move but keeps its name.
    std::string fileName;
    std::string language = "sv";  // group names: "sv" or "en"
    // The project for the layers as copied into PostgreSQL (output/Postgis.hpp) rather than for
    // the GeoPackage: their sources are the tables of `schema` through the postgres provider, the
    // rasters through postgresraster when they were copied, else left out.
    struct Database {
        std::string conninfo;  // libpq's keywords without the password (io::libpqConninfo)
        std::string schema;
        bool rasters = false;
    };
    std::optional<Database> database;
};

// The project made from the GeoPackage at `gpkgPath`, zipped as QGIS stores it (a .qgz), as hex
// digits: the GeoPackage keeps them as they are, PostgreSQL decodes them into BYTEA. Throws IoError.
std::string qgisProjectQgzHex(const std::string& gpkgPath, const QgisProjectOptions& options);

// What QGIS keeps beside a stored project (its metadata column): the time and the user.
std::string qgisProjectMetadata();

// Adds the project to the GeoPackage at `gpkgPath`, replacing one of the same name. Throws IoError.
void writeQgisProject(const std::string& gpkgPath, const QgisProjectOptions& options);

} // namespace trygg::output
