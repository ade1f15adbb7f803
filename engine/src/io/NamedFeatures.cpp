#include "trygg/io/NamedFeatures.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"

#include <geos_c.h>
#include <ogrsf_frmts.h>

namespace trygg::io {
namespace {
int transformCallback(double* x, double* y, void* userdata) {
    return static_cast<const crs::Transformer*>(userdata)->transform(*x, *y) ? 1 : 0;
}
} // namespace

NamedFeatures readNamedFeatures(const NamedFeaturesSpec& spec, const crs::Crs& analysisCrs,
                                const geom::GeosContext& geos) {
    VectorSource src = openVector(spec.path, spec.layer, "places");
    const crs::Crs sourceCrs = sourceCrsOf(src, spec.crs, "places", "hotspot_areas.places");
    const crs::Transformer toAnalysis(sourceCrs, analysisCrs);
    const int nameIndex = spec.nameField.empty() ? -1 : src.layer->GetLayerDefn()->GetFieldIndex(spec.nameField.c_str());
    if (!spec.nameField.empty() && nameIndex < 0)
        throw InputError("places: no field '" + spec.nameField + "' in layer '" + src.layerName + "' of '" + spec.path +
                         "'. Name the field with the place names with name_field");
    NamedFeatures out;
    out.layerName = src.layerName;
    auto h = geos.handle();
    for (auto& f : *src.layer) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        if (!coordinatesWithinReach(*g)) {
            ++out.unusable;
            continue;
        }
        std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        geom::GeomPtr geom = geom::fromWkb(geos, wkb);
        if (!toAnalysis.isNoop())
            geom.reset(GEOSGeom_transformXY_r(h, geom.get(), &transformCallback, const_cast<crs::Transformer*>(&toAnalysis)));
        if (!geom) {
            ++out.unusable;
            continue;
        }
        if (GEOSisValid_r(h, geom.get()) != 1) {
            geom.reset(GEOSMakeValid_r(h, geom.get()));
            ++out.repaired;
        }
        out.features.push_back({nameIndex >= 0 ? toUtf8(f->GetFieldAsString(nameIndex)) : std::string(), std::move(geom)});
    }
    return out;
}

} // namespace trygg::io
