#include "trygg/output/Postgis.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Source.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

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

} // namespace

void copyToPostgis(const std::string& gpkgPath, const std::string& connection, const std::string& schema,
                   const QgisProjectOptions* project, const Progress& progress) {
    io::ensureGdalRegistered();
    const std::string where = io::describeConnection(connection);
    GDALDatasetUniquePtr src(GDALDataset::Open(gpkgPath.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!src) throw IoError("output: cannot reopen the finished GeoPackage '" + gpkgPath + "'");
    GDALDatasetUniquePtr db;
    {
        io::GdalErrorScope errors;
        db.reset(GDALDataset::Open(connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        if (!db)
            throw IoError("output: cannot connect to the database '" + where + "': " + io::redactPasswords(errors.lastError()) +
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
            options.database = QgisProjectOptions::Database{io::libpqConninfo(connection), schema};
            static const char* digits = "0123456789abcdef";
            std::string content;
            for (unsigned char b : qgisProjectQgz(gpkgPath, options)) (content += digits[b >> 4]) += digits[b & 15];
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
            for (const auto& s : styles)
                execute(*db,
                        "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                        "stylename, styleqml, useasdefault, description) VALUES (current_database(), " +
                            literal(schema) + ", " + literal(s.table) + ", " + literal(s.geometry.empty() ? "" : "geom") + ", " +
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
}

} // namespace trygg::output
