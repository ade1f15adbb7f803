// gpkg_data_columns (the GeoPackage schema extension, spec 2.3.2): every declared field's title,
// its title in the other language and what it is, so that any GeoPackage reader (not QGIS alone,
// which reads the styles' aliases) can tell what a column holds.
#include "DataColumns.hpp"

#include "LayerNames.hpp"
#include "Sqlite.hpp"
#include "trygg/output/Layers.hpp"

#include <set>

namespace trygg::output {

namespace {

// "count; computed from n_before, n_after; km²": the role, its counts, its unit.
std::string describe(const FieldSpec& f) {
    std::string text = toString(f.role);
    if (!f.from.empty()) {
        text += "; computed from ";
        for (std::size_t k = 0; k < f.from.size(); ++k) text += (k ? ", " : "") + f.from[k];
    }
    if (!f.unit.empty()) text += "; " + f.unit;
    return text;
}

} // namespace

void writeDataColumns(const std::string& gpkgPath, bool english) {
    sqlite::Db db(gpkgPath, "output.gpkg: data columns", sqlite::Db::Kind::Scratch);  // the run's temporary file
    std::vector<std::string> tables;
    {
        auto q = db.prepare("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')");
        while (db.row(q.get())) tables.push_back(sqlite::text(q.get(), 0));
    }
    db.exec("BEGIN");
    db.exec("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, "
            "title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
            "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
            "CONSTRAINT gdc_tn UNIQUE (table_name, name))");
    // The extension registers both of its tables (spec requirement 141), the constraints empty.
    db.exec("CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT "
            "NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, "
            "description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))");
    for (const char* t : {"gpkg_data_columns", "gpkg_data_column_constraints"})
        db.exec(std::string("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                            "SELECT '") + t + "', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
                            "'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = '" + t +
                "' AND extension_name = 'gpkg_schema')");
    auto insert = db.prepare("INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) "
                             "VALUES (?, ?, ?, ?, ?)");
    for (const auto& table : tables) {
        const LayerSpec* spec = layerOf(table);
        if (!spec) continue;
        std::set<std::string> names;  // unique within a table
        auto cols = db.prepare("SELECT name FROM pragma_table_info(?)");
        sqlite3_bind_text(cols.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        while (db.row(cols.get())) {
            const std::string column = sqlite::text(cols.get(), 0);
            if (column == "fid" || column == "geom") continue;  // GeoPackage's own
            const FieldSpec* f = fieldOf(*spec, column);
            if (!f) continue;
            // name is unique within a table: a pattern's fields (n_<category>) keep their column beside it.
            const bool pattern = f->name.find('*') != std::string::npos;
            const std::string& mine = english ? f->en : f->sv;
            const std::string& other = english ? f->sv : f->en;
            std::string name = pattern ? mine + ": " + column : mine;
            if (!names.insert(name).second) names.insert(name += " (" + column + ")");
            const std::string title = pattern ? other + ": " + column : other;
            const std::string description = describe(*f);
            const std::string* values[] = {&table, &column, &name, &title, &description};
            for (int k = 0; k < 5; ++k) sqlite3_bind_text(insert.get(), k + 1, values[k]->c_str(), -1, SQLITE_TRANSIENT);
            db.step(insert.get());
        }
    }
    db.exec("COMMIT");
}

} // namespace trygg::output
