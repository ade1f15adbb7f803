#include "trygg/io/StudyArea.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"

#include <ogrsf_frmts.h>

#include <string_view>

namespace trygg::io {

StudyAreaSource readStudyAreaSource(const StudyAreaSpec& spec) {
    VectorSource src = openVector(spec.path, spec.layer, "study area");
    StudyAreaSource out{{}, sourceCrsOf(src, spec.crs, "study area", "study_area"), {}, src.layerName, 0, 0, {}};
    out.featuresInLayer = src.layer->GetFeatureCount(TRUE);
    GdalErrorScope errors;  // a filter naming no field fails here, or (SQL drivers) while reading
    auto refuseFilter = [&] {
        std::string names;
        const OGRFeatureDefn* defn = src.layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i) names += (i ? ", " : "") + std::string(defn->GetFieldDefn(i)->GetNameRef());
        throw InputError("study area: the filter where = \"" + spec.where + "\" cannot be applied to layer '" +
                         src.layerName + "' of '" + spec.path + "': " + errors.lastError() + ". Its fields: " + names);
    };
    if (!spec.where.empty() && src.layer->SetAttributeFilter(spec.where.c_str()) != OGRERR_NONE) refuseFilter();
    src.layer->ResetReading();
    OGREnvelope all;
    RowDigest rows(spec.path);
    for (auto& feature : *src.layer) {
        ++out.features;
        rows.add(*feature);
        const OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        if (!coordinatesWithinReach(*g))
            throw InputError("study area: feature " + std::to_string(feature->GetFID()) + " of layer '" + src.layerName +
                             "' of '" + spec.path +
                             "' has a coordinate that is not a finite number of a map's size (NaN, infinity or "
                             "such as 1e308). Repair or remove it, in QGIS for instance (Vector > Geometry Tools > "
                             "Check Validity)");
        OGREnvelope e;
        g->getEnvelope(&e);
        all.Merge(e);
        std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        out.wkbs.push_back(std::move(wkb));
    }
    if (!spec.where.empty() && out.features == 0 && !errors.lastError().empty()) refuseFilter();
    out.rowsSha256 = rows.hex();
    if (out.wkbs.empty() && !spec.where.empty())
        throw InputError("study area: no feature of layer '" + src.layerName + "' of '" + spec.path + "' (" +
                         std::to_string(out.featuresInLayer) + " in all) matches where = \"" + spec.where +
                         "\". Check the field's name and value (texts in single quotes: KnKod = '1261')");
    if (out.wkbs.empty())
        throw InputError("study area: no polygon in layer '" + src.layerName + "' of '" + spec.path +
                         "'. Give the municipality's boundary as a polygon layer");
    const crs::Crs lonLat = crs::Crs::fromUserInput("OGC:CRS84");
    const auto box = crs::Transformer(out.crs, lonLat).transformBounds({all.MinX, all.MinY, all.MaxX, all.MaxY});
    if (!box) throw InputError("study area: the extent of '" + spec.path + "' cannot be transformed to longitude and latitude");
    out.lonLat = {box->minX, box->minY, box->maxX, box->maxY};
    return out;
}

StudyArea buildStudyArea(const StudyAreaSpec& spec, const StudyAreaSource& source, const crs::Crs& analysisCrs,
                         const geom::GeosContext& geos) {
    const crs::Transformer toAnalysis(source.crs, analysisCrs);
    StudyArea out;
    out.sourceCrs = source.crs.authorityCode().empty() ? source.crs.name() : source.crs.authorityCode();
    out.features = source.features;
    out.featuresInLayer = source.featuresInLayer;
    out.rowsSha256 = source.rowsSha256;
    try {
        out.area = std::make_unique<geom::Area>(geos, source.wkbs, &toAnalysis);
    } catch (const InputError& e) {
        // geom::Area says "study area: ..." itself; said once, with the file.
        std::string_view why = e.what();
        if (why.starts_with("study area: ")) why.remove_prefix(std::string_view("study area: ").size());
        throw InputError("study area: '" + spec.path + "' (layer '" + source.layerName + "'): " + std::string(why) +
                         ". Give the municipality's boundary as a polygon layer");
    }
    if (out.area->repairedParts() > 0)
        out.warnings.push_back("study area: " + std::to_string(out.area->repairedParts()) +
                               " invalid polygon(s) repaired with GEOS make-valid");
    if (out.area->closedSlivers() > 0)
        out.warnings.push_back("study area: " + std::to_string(out.area->closedSlivers()) +
                               " sliver hole(s) thinner than 1 m between the dissolved polygons closed");
    if (out.area->ignoredParts() > 0)
        out.warnings.push_back("study area: " + std::to_string(out.area->ignoredParts()) +
                               " non-polygon geometr(y/ies) ignored");
    return out;
}

StudyArea readStudyArea(const StudyAreaSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos) {
    return buildStudyArea(spec, readStudyAreaSource(spec), analysisCrs, geos);
}

} // namespace trygg::io
