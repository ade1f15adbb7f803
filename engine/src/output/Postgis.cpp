#include "trygg/output/Postgis.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Source.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace trygg::output {
namespace {

std::string quoted(const std::string& name) { return "\"" + name + "\""; }
std::string literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// Runs a statement that returns no rows; throws with the server's message (never the password).
void execute(GDALDataset& db, const std::string& sql, const std::string& where) {
    io::GdalErrorScope errors;
    if (OGRLayer* result = db.ExecuteSQL(sql.c_str(), nullptr, nullptr)) db.ReleaseResultSet(result);
    const std::string error = errors.lastError();
    if (!error.empty())
        throw IoError("output: writing into the database '" + where + "' failed: " + io::redactPasswords(error) +
                      ". The schema there is as it was");
}

// Whether a query returns a row.
bool any(GDALDataset& db, const std::string& sql) {
    io::GdalErrorScope errors;
    OGRLayer* result = db.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (!result) return false;
    std::unique_ptr<OGRFeature> row(result->GetNextFeature());
    db.ReleaseResultSet(result);
    return row != nullptr;
}

// A raster of the GeoPackage (a density surface) as a PostGIS raster table: 256 x 256 tiles,
// those at the edges padded with nodata so that every tile has one size (as raster2pgsql -t
// 256x256 -P writes them), built on the server from their values (ST_MakeEmptyRaster, ST_AddBand,
// ST_SetValues: no GDAL driver needed there), then its constraints (raster_columns, where QGIS
// finds its SRID, pixel size and extent) and a spatial index on the tiles' hulls.
void copyRaster(GDALDataset& db, const std::string& gpkgPath, const std::string& table, const std::string& schema,
                int srid, const std::string& where) {
    GDALDatasetUniquePtr raster(GDALDataset::Open(("GPKG:" + gpkgPath + ":" + table).c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!raster || raster->GetRasterCount() < 1)
        throw IoError("output: cannot reopen the raster '" + table + "' of the finished GeoPackage");
    GDALRasterBand* band = raster->GetRasterBand(1);
    double gt[6];
    raster->GetGeoTransform(gt);
    int hasNodata = 0;
    double nodata = band->GetNoDataValue(&hasNodata);
    if (!hasNodata) nodata = -9999;
    const int width = raster->GetRasterXSize(), height = raster->GetRasterYSize();
    constexpr int kTile = 256;
    const std::string name = quoted(schema) + "." + quoted(table);
    execute(db, "CREATE TABLE " + name + " (rid SERIAL PRIMARY KEY, rast raster)", where);
    std::vector<float> values(static_cast<std::size_t>(kTile) * kTile);
    for (int y0 = 0; y0 < height; y0 += kTile)
        for (int x0 = 0; x0 < width; x0 += kTile) {
            const int w = std::min(kTile, width - x0), h = std::min(kTile, height - y0);
            if (band->RasterIO(GF_Read, x0, y0, w, h, values.data(), w, h, GDT_Float32, 0, 0) != CE_None)
                throw IoError("output: cannot read the raster '" + table + "' of the finished GeoPackage");
            std::string array = "{";
            for (int r = 0; r < kTile; ++r) {
                array += r ? ",{" : "{";
                for (int c = 0; c < kTile; ++c) {
                    if (c) array += ',';
                    const float v = r < h && c < w ? values[static_cast<std::size_t>(r) * w + c] : static_cast<float>(nodata);
                    if (std::isnan(v) || v == static_cast<float>(nodata)) array += "NULL";
                    else array += fmt::format("{:.9g}", v);
                }
                array += '}';
            }
            array += '}';
            execute(db,
                    fmt::format("INSERT INTO {} (rast) SELECT ST_SetValues(ST_AddBand(ST_MakeEmptyRaster({}, {}, {:.17g}, "
                                "{:.17g}, {:.17g}, {:.17g}, 0, 0, {}), '32BF'::text, {:.17g}, {:.17g}), 1, 1, 1, {}::double "
                                "precision[])",
                                name, kTile, kTile, gt[0] + x0 * gt[1], gt[3] + y0 * gt[5], gt[1], gt[5], srid, nodata, nodata,
                                literal(array)),
                    where);
        }
    execute(db, "SELECT AddRasterConstraints(" + literal(schema) + "::name, " + literal(table) + "::name, 'rast'::name)", where);
    execute(db, "CREATE INDEX ON " + name + " USING gist (ST_ConvexHull(rast))", where);
}

} // namespace

std::vector<std::string> copyToPostgis(const std::string& gpkgPath, const std::string& connection, const std::string& schema,
                                       const QgisProjectOptions* project, const Progress& progress) {
    std::vector<std::string> warnings;
    io::ensureGdalRegistered();
    const std::string where = io::describeConnection(connection);
    GDALDatasetUniquePtr src(GDALDataset::Open(gpkgPath.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!src) throw IoError("output: cannot reopen the finished GeoPackage '" + gpkgPath + "'");
    GDALDatasetUniquePtr db;
    {
        io::GdalErrorScope errors;
        db.reset(GDALDataset::Open(connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        if (!db)
            throw IoError("output: cannot connect to the database '" + where + "': " + io::connectionError(errors.lastError()) +
                          ". Check the host, database and user; give the password in PGPASSWORD or ~/.pgpass");
    }
    // Every layer into a fresh schema; only when all are in does it replace the old one, in one
    // transaction with the styles, so readers see the old result or the new, never half.
    const std::string fresh = schema + "__trygg_new";
    execute(*db, "DROP SCHEMA IF EXISTS " + quoted(fresh) + " CASCADE", where);
    execute(*db, "CREATE SCHEMA " + quoted(fresh), where);
    try {
        const int layers = src->GetLayerCount();
        for (int i = 0; i < layers; ++i) {
            progress.update(0.9 * i / layers);
            progress.checkCancelled();
            OGRLayer* layer = src->GetLayer(i);
            const std::string name = layer->GetName();
            if (name == "layer_styles") continue;  // QGIS's own table in the database, below
            const std::string schemaOption = "SCHEMA=" + fresh;
            const char* options[] = {schemaOption.c_str(), "LAUNDER=NO", "GEOMETRY_NAME=geom", "FID=fid",
                                     "SPATIAL_INDEX=GIST", nullptr};
            io::GdalErrorScope errors;
            if (!db->CopyLayer(layer, name.c_str(), const_cast<char**>(options)))
                throw IoError("output: copying the layer '" + name + "' into the database '" + where +
                              "' failed: " + io::redactPasswords(errors.lastError()) + ". The schema there is as it was");
        }
        // The rasters (density surfaces), where the database has PostGIS's rasters.
        struct Raster {
            std::string table;
            int srid = 0;
        };
        std::vector<Raster> rasters;
        if (OGRLayer* r = src->ExecuteSQL("SELECT c.table_name, s.organization, s.organization_coordsys_id FROM gpkg_contents c "
                                          "JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id "
                                          "WHERE c.data_type = '2d-gridded-coverage' ORDER BY c.table_name",
                                          nullptr, "SQLITE")) {
            for (auto& f : *r)
                rasters.push_back({f->GetFieldAsString(0), EQUAL(f->GetFieldAsString(1), "EPSG") ? f->GetFieldAsInteger(2) : 0});
            src->ReleaseResultSet(r);
        }
        bool rastersCopied = false;
        if (!rasters.empty()) {
            if (!any(*db, "SELECT 1 FROM pg_extension WHERE extname = 'postgis_raster'")) {
                std::string names;
                for (const auto& r : rasters) names += (names.empty() ? "" : ", ") + r.table;
                warnings.push_back("output: the rasters (" + names + ") are not in the database '" + where +
                                   "': it lacks PostGIS's rasters (CREATE EXTENSION postgis_raster). Run into a GeoPackage for them");
            } else {
                for (std::size_t i = 0; i < rasters.size(); ++i) {
                    progress.update(0.9 + 0.04 * static_cast<double>(i) / static_cast<double>(rasters.size()), rasters[i].table);
                    progress.checkCancelled();
                    copyRaster(*db, gpkgPath, rasters[i].table, fresh, rasters[i].srid, where);
                }
                rastersCopied = true;
            }
        }
        // The styles as QGIS keeps them in PostgreSQL: public.layer_styles, one default per table.
        struct Style {
            std::string table, geometry, name, qml, description;
            bool isDefault = false;
        };
        std::vector<Style> styles;
        if (OGRLayer* st = src->GetLayerByName("layer_styles"))
            for (auto& f : *st)
                styles.push_back({f->GetFieldAsString("f_table_name"), f->GetFieldAsString("f_geometry_column"),
                                  f->GetFieldAsString("styleName"), f->GetFieldAsString("styleQML"),
                                  f->GetFieldAsString("description"), f->GetFieldAsInteger("useAsDefault") != 0});
        // The project, in the fresh schema too, so that it is replaced with the layers it shows.
        if (project) {
            QgisProjectOptions options = *project;
            options.database = QgisProjectOptions::Database{io::libpqConninfo(connection), schema, rastersCopied};
            const std::string content = qgisProjectQgzHex(gpkgPath, options);
            execute(*db, "CREATE TABLE " + quoted(fresh) + ".qgis_projects (name TEXT PRIMARY KEY, metadata JSONB, content BYTEA)",
                    where);
            execute(*db, "INSERT INTO " + quoted(fresh) + ".qgis_projects VALUES (" + literal(options.name) + ", " +
                             literal(qgisProjectMetadata()) + ", decode('" + content + "', 'hex'))",
                    where);
        }
        progress.update(0.95);
        io::GdalErrorScope errors;
        if (db->StartTransaction(TRUE) != OGRERR_NONE)
            throw IoError("output: the database '" + where + "' refused a transaction: " + io::redactPasswords(errors.lastError()));
        try {
            execute(*db, "DROP SCHEMA IF EXISTS " + quoted(schema) + " CASCADE", where);
            execute(*db, "ALTER SCHEMA " + quoted(fresh) + " RENAME TO " + quoted(schema), where);
            execute(*db,
                    "CREATE TABLE IF NOT EXISTS public.layer_styles (id SERIAL PRIMARY KEY, f_table_catalog varchar, "
                    "f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, "
                    "stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml, "
                    "update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)",
                    where);
            execute(*db, "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND f_table_schema = " +
                             literal(schema), where);
            const auto isRaster = [&](const std::string& table) {
                return std::any_of(rasters.begin(), rasters.end(), [&](const Raster& r) { return r.table == table; });
            };
            for (const auto& s : styles)
                execute(*db,
                        "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                        "stylename, styleqml, useasdefault, description) VALUES (current_database(), " +
                            literal(schema) + ", " + literal(s.table) + ", " +
                            literal(s.geometry.empty() ? (isRaster(s.table) ? "rast" : "") : "geom") + ", " +
                            literal(s.name) + ", XMLPARSE(DOCUMENT " + literal(s.qml) + "), " + (s.isDefault ? "true" : "false") +
                            ", " + literal(s.description) + ")",
                        where);
            if (db->CommitTransaction() != OGRERR_NONE)
                throw IoError("output: the database '" + where + "' did not commit: " + io::redactPasswords(errors.lastError()));
        } catch (...) {
            db->RollbackTransaction();
            throw;
        }
    } catch (...) {
        try {
            execute(*db, "DROP SCHEMA IF EXISTS " + quoted(fresh) + " CASCADE", where);
        } catch (const Error&) {
            // the first error is the one to tell
        }
        throw;
    }
    progress.update(1.0);
    return warnings;
}

} // namespace trygg::output
