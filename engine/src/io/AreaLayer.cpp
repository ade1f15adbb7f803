#include "trygg/io/AreaLayer.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Values.hpp"

#include <ogrsf_frmts.h>

#include <cmath>
#include <map>
#include <set>

namespace trygg::io {

AreaLayer readAreaLayer(const AreaLayerSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos) {
    VectorSource src = openVector(spec.path, spec.layer, "areas");
    const crs::Crs sourceCrs = sourceCrsOf(src, spec.crs, "areas", "areas");
    const crs::Transformer toAnalysis(sourceCrs, analysisCrs);
    OGRFeatureDefn* defn = src.layer->GetLayerDefn();
    auto field = [&](const std::string& name, const char* key) {
        if (name.empty()) return -1;
        const int i = defn->GetFieldIndex(name.c_str());
        if (i < 0) {
            std::string list;
            for (int k = 0; k < defn->GetFieldCount(); ++k) list += (k ? ", " : "") + std::string(defn->GetFieldDefn(k)->GetNameRef());
            throw InputError("areas: no field '" + name + "' (" + key + ") in '" + spec.path + "'. Its fields: " + list);
        }
        return i;
    };
    const int idIndex = field(spec.idField, "id_field");
    const int nameIndex = field(spec.nameField, "name_field");
    const int populationIndex = field(spec.populationField, "population_field");

    AreaLayer out;
    out.sourceCrs = sourceCrs.authorityCode().empty() ? sourceCrs.name() : sourceCrs.authorityCode();
    out.layerName = src.layerName;
    int repaired = 0;
    std::map<std::string, int> seen;  // id -> features with it
    RowDigest rows(spec.path);
    for (auto& feature : *src.layer) {
        ++out.features;
        rows.add(*feature);
        const std::string id = idIndex >= 0 ? toUtf8(feature->GetFieldAsString(idIndex)) : std::to_string(feature->GetFID());
        const OGRGeometry* g = feature->GetGeometryRef();
        bool fixed = false;
        geom::GeomPtr poly(nullptr, geom::GeomDeleter{geos.handle()});
        if (g && !g->IsEmpty() && !coordinatesWithinReach(*g)) {
            out.warnings.push_back("areas: feature '" + id + "' of '" + src.layerName +
                                   "' has a coordinate that is not a finite number of a map's size; skipped");
            continue;
        }
        if (g && !g->IsEmpty()) {
            std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
            g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
            poly = geom::polygonInAnalysisCrs(geos, wkb, &toAnalysis, fixed);
        }
        if (!poly) {
            out.warnings.push_back("areas: feature '" + id + "' of '" + src.layerName + "' has no polygon; skipped");
            continue;
        }
        ++seen[id];
        repaired += fixed;
        out.polygons.push_back(std::move(poly));
        out.ids.push_back(id);
        out.names.push_back(nameIndex >= 0 ? toUtf8(feature->GetFieldAsString(nameIndex)) : std::string());
        if (populationIndex >= 0) {
            const auto v = feature->IsFieldSetAndNotNull(populationIndex) ? parseNumber(feature->GetFieldAsString(populationIndex))
                                                                          : std::nullopt;
            out.populations.push_back(v && *v >= 0 ? *v : std::nan(""));
        }
    }
    if (out.polygons.empty())
        throw InputError("areas: no polygon in layer '" + src.layerName + "' of '" + spec.path + "'");
    if (repaired > 0)
        out.warnings.push_back("areas: " + std::to_string(repaired) + " invalid polygon(s) repaired with GEOS make-valid");
    for (const auto& [id, times] : seen)
        if (times > 1)
            out.warnings.push_back("areas: the id '" + id + "' occurs " + std::to_string(times) + " times in '" + src.layerName +
                                   "'; each feature is an area of its own");
    out.rowsSha256 = rows.hex();
    return out;
}

} // namespace trygg::io
