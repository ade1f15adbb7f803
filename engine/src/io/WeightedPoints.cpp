#include "trygg/io/WeightedPoints.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Values.hpp"

#include <ogrsf_frmts.h>

#include <limits>

namespace trygg::io {

WeightedPoints readWeightedPoints(const WeightedPointsSpec& spec, const crs::Crs& analysisCrs) {
    VectorSource src = openVector(spec.path, spec.layer, "population");
    const crs::Crs sourceCrs = sourceCrsOf(src, spec.crs, "population", "kde.population");
    const crs::Transformer toAnalysis(sourceCrs, analysisCrs);
    const int field = spec.field.empty() ? -1 : src.layer->GetLayerDefn()->GetFieldIndex(spec.field.c_str());
    if (!spec.field.empty() && field < 0)
        throw InputError("population: no field '" + spec.field + "' in layer '" + src.layerName + "' of '" + spec.path +
                         "'. Name the field of residents with field = \"...\"");
    WeightedPoints out;
    out.sourceCrs = sourceCrs.authorityCode().empty() ? sourceCrs.name() : sourceCrs.authorityCode();
    out.layerName = src.layerName;
    RowDigest rows(spec.path);
    for (auto& feature : *src.layer) {
        ++out.features;
        rows.add(*feature);
        const OGRGeometry* g = feature->GetGeometryRef();
        // The weight: 1 without a field; NaN (skipped) when missing or not a number.
        double weight = 1.0;
        if (field >= 0) {
            const auto parsed =
                feature->IsFieldSetAndNotNull(field) ? parseNumber(feature->GetFieldAsString(field)) : std::optional<double>();
            weight = parsed.value_or(std::numeric_limits<double>::quiet_NaN());
        }
        if (!g || g->IsEmpty() || !(weight >= 0) || !coordinatesWithinReach(*g)) {
            ++out.skipped;
            continue;
        }
        OGRPoint p;
        if (wkbFlatten(g->getGeometryType()) == wkbPoint) {
            p = *g->toPoint();
        } else if (g->Centroid(&p) != OGRERR_NONE) {
            ++out.skipped;
            continue;
        }
        double x = p.getX(), y = p.getY();
        if (!toAnalysis.transform(x, y)) {
            ++out.skipped;
            continue;
        }
        out.x.push_back(x);
        out.y.push_back(y);
        out.weight.push_back(weight);
    }
    if (out.x.empty()) throw InputError("population: no usable feature in '" + spec.path + "'");
    out.rowsSha256 = rows.hex();
    return out;
}

} // namespace trygg::io
