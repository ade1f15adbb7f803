#pragma once
// The register of measures (the åtgärdsplan as data): one row per measure, from CSV, XLSX or any
// table or layer GDAL reads. Rows come back as written, with their own geometry where the source
// has one; checking them (dates, kinds, places) is the measures step's.
#include "trygg/geom/Geos.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace trygg::crs {
class Crs;
}

namespace trygg::io {

// The register's fields: each a list of names tried in turn (case-insensitive); the first one
// present is read. The config replaces a list with a single name.
struct MeasureFields {
    std::vector<std::string> id{"id", "atgard_id"}, name{"namn", "name", "atgard"}, kind{"typ", "kind", "type"},
        place{"plats", "place"}, start{"start", "startdatum", "start_date"}, end{"slut", "slutdatum", "end", "end_date"},
        responsible{"ansvarig", "responsible"}, target{"problem", "mal", "target"}, status{"status"};
};

struct MeasureRegisterSpec {
    std::string path, layer, crs;  // crs: of the register's own geometry, when its layer declares none
    MeasureFields fields;
};

struct MeasureRow {
    std::int64_t sourceRow = 0;  // 1 = the first data row
    std::string id, name, kind, place, start, end, responsible, target, status;
    geom::GeomPtr geom;  // its own geometry in the analysis CRS, or null
    std::string badGeometry;  // a WKT text that could not be read, as given ("" when none)
    // A geometry read but unusable: empty, or a coordinate that is not a finite number of the
    // size coordinates have ("" when none; geom is then null).
    std::string geometryProblem;
};

struct MeasureRegister {
    std::vector<MeasureRow> rows;
    std::string layerName;
    // The field read for each of id, name, kind, place, start, end, responsible, target, status
    // ("" when the register has none of its names).
    std::vector<std::string> fieldsRead;
};

// Throws InputError when the file cannot be read, lacks an id, a name, a kind or a start field,
// or has geometries and no CRS.
MeasureRegister readMeasureRegister(const MeasureRegisterSpec& spec, const crs::Crs& analysisCrs,
                                    const geom::GeosContext& geos);

} // namespace trygg::io
