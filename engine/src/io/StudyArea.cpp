#include "trygg/io/StudyArea.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"

#include <ogrsf_frmts.h>

namespace trygg::io {

StudyArea readStudyArea(const StudyAreaSpec& spec, const crs::Crs& analysisCrs, const geom::GeosContext& geos) {
    VectorSource src = openVector(spec.path, spec.layer, "study area");
    const crs::Crs sourceCrs = sourceCrsOf(src, spec.crs, "study area", "study_area");
    const crs::Transformer toAnalysis(sourceCrs, analysisCrs);

    StudyArea out;
    out.sourceCrs = sourceCrs.authorityCode().empty() ? sourceCrs.name() : sourceCrs.authorityCode();
    std::vector<std::vector<unsigned char>> wkbs;
    for (auto& feature : *src.layer) {
        ++out.features;
        const OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        wkbs.push_back(std::move(wkb));
    }
    if (wkbs.empty())
        throw InputError("study area: no polygon in layer '" + src.layerName + "' of '" + spec.path +
                         "'. Give the municipality's boundary as a polygon layer");
    try {
        out.area = std::make_unique<geom::Area>(geos, wkbs, &toAnalysis);
    } catch (const InputError& e) {
        throw InputError("study area: '" + spec.path + "' (layer '" + src.layerName + "'): " + e.what() +
                         ". Give the municipality's boundary as a polygon layer");
    }
    if (out.area->repairedParts() > 0)
        out.warnings.push_back("study area: " + std::to_string(out.area->repairedParts()) +
                               " invalid polygon(s) repaired with GEOS make-valid");
    if (out.area->ignoredParts() > 0)
        out.warnings.push_back("study area: " + std::to_string(out.area->ignoredParts()) +
                               " non-polygon geometr(y/ies) ignored");
    return out;
}

} // namespace trygg::io
