#pragma once
// The results into PostgreSQL/PostGIS (trygg run --out "PG:..." --schema NAME): the finished
// GeoPackage's layers copied into a fresh schema, which then replaces the schema NAME in one
// transaction with the layers' styles in public.layer_styles (where QGIS reads a PostgreSQL
// layer's default style). Readers see the old result or the new, never half of one; a failure
// before the commit leaves the old schema as it was and drops the fresh one. With a project, the
// QGIS project goes into the schema's qgis_projects table (QGIS's project storage in PostgreSQL),
// its layers the schema's tables: Project > Open From > PostgreSQL opens the finished map.
#include "trygg/core/Progress.hpp"
#include "trygg/output/QgisProject.hpp"

#include <string>
#include <vector>

namespace trygg::output {

// `connection`: a GDAL connection string (io/Source.hpp); `schema`: a name of lower-case letters,
// digits and _. Throws IoError naming the database without its password.
// The rasters (density surfaces) become PostGIS rasters where the database has the postgis_raster
// extension; without it they are left out, and the warning returned says so.
// `project`: name, title and language of the project to store (its database part is filled in
// here), or null for none. Returns the warnings.
std::vector<std::string> copyToPostgis(const std::string& gpkgPath, const std::string& connection, const std::string& schema,
                                       const QgisProjectOptions* project, const Progress& progress);

} // namespace trygg::output
