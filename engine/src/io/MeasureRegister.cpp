#include "trygg/io/MeasureRegister.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Values.hpp"

#include <fmt/format.h>
#include <geos_c.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <array>
#include <cmath>
#include <memory>
#include <optional>

namespace trygg::io {
namespace {

int transformCallback(double* x, double* y, void* userdata) {
    return static_cast<const crs::Transformer*>(userdata)->transform(*x, *y) ? 1 : 0;
}

// A date field's value as Values.hpp reads dates ("2024-03-01"); other fields as their text.
std::string valueOf(OGRFeature& f, int i) {
    if (i < 0 || !f.IsFieldSetAndNotNull(i)) return {};
    const OGRFieldType type = f.GetFieldDefnRef(i)->GetType();
    if (type == OFTDate || type == OFTDateTime) {
        int y = 0, m = 0, d = 0, h = 0, min = 0, tz = 0;
        float s = 0;
        f.GetFieldAsDateTime(i, &y, &m, &d, &h, &min, &s, &tz);
        return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
    }
    std::string v = toUtf8(f.GetFieldAsString(i));
    const auto first = v.find_first_not_of(" \t\r\n"), last = v.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : v.substr(first, last - first + 1);
}

} // namespace

MeasureRegister readMeasureRegister(const MeasureRegisterSpec& spec, const crs::Crs& analysisCrs,
                                    const geom::GeosContext& geos) {
    VectorSource src = openVector(spec.path, spec.layer, "measures");
    OGRFeatureDefn* defn = src.layer->GetLayerDefn();
    const MeasureFields& mf = spec.fields;
    const std::array<std::pair<const char*, const std::vector<std::string>*>, 9> wanted{{
        {"id", &mf.id}, {"name", &mf.name}, {"kind", &mf.kind}, {"place", &mf.place}, {"start", &mf.start},
        {"end", &mf.end}, {"responsible", &mf.responsible}, {"target", &mf.target}, {"status", &mf.status}}};
    std::array<int, 9> index{};
    MeasureRegister reg;
    reg.layerName = src.layerName;
    for (std::size_t k = 0; k < wanted.size(); ++k) {
        index[k] = -1;
        for (const auto& name : *wanted[k].second)
            if ((index[k] = defn->GetFieldIndex(name.c_str())) >= 0) break;
        reg.fieldsRead.push_back(index[k] >= 0 ? defn->GetFieldDefn(index[k])->GetNameRef() : "");
        const bool required = k == 0 || k == 1 || k == 2 || k == 4;
        if (required && index[k] < 0)
            throw InputError(fmt::format("measures: '{}' has no {} field (looked for {}). Name it in [measures] fields, "
                                         "such as fields = {{ {} = \"...\" }}",
                                         spec.path, wanted[k].first, fmt::join(*wanted[k].second, ", "), wanted[k].first));
    }
    const bool hasGeometry = defn->GetGeomFieldCount() > 0;
    // Without a geometry of its own (a spreadsheet), a text column of WKT: WKT, geometri, geometry.
    // (GDAL's CSV driver reads a WKT column as the layer's geometry and keeps its text as a field:
    // textField, to name a geometry it could not read, or could read but Trygg cannot use.)
    int textField = -1;
    for (const char* name : {"wkt", "geometri", "geometry"})
        if ((textField = defn->GetFieldIndex(name)) >= 0) break;
    const int wktField = hasGeometry ? -1 : textField;
    std::optional<crs::Transformer> toAnalysis;
    if (hasGeometry) toAnalysis.emplace(sourceCrsOf(src, spec.crs, "measures", "measures"), analysisCrs);
    if (wktField >= 0) {
        if (spec.crs.empty())
            throw InputError(fmt::format("measures: '{}' has a WKT column ({}) but no CRS; give it in [measures] crs, "
                                         "such as crs = \"EPSG:3006\"",
                                         spec.path, defn->GetFieldDefn(wktField)->GetNameRef()));
        toAnalysis.emplace(crs::Crs::fromUserInput(spec.crs), analysisCrs);
    }
    auto h = geos.handle();
    for (auto& f : *src.layer) {
        MeasureRow r;
        r.sourceRow = static_cast<std::int64_t>(reg.rows.size()) + 1;
        std::string* out[9] = {&r.id, &r.name, &r.kind, &r.place, &r.start, &r.end, &r.responsible, &r.target, &r.status};
        for (std::size_t k = 0; k < 9; ++k) *out[k] = valueOf(*f, index[k]);
        std::unique_ptr<OGRGeometry> fromText;
        if (wktField >= 0) {
            const std::string wkt = valueOf(*f, wktField);
            if (!wkt.empty()) {
                OGRGeometry* parsed = nullptr;
                if (OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &parsed) == OGRERR_NONE && parsed)
                    fromText.reset(parsed);
                else
                    r.badGeometry = wkt.substr(0, 80);
            }
        }
        const OGRGeometry* g = hasGeometry ? f->GetGeometryRef() : fromText.get();
        const std::string text = textField >= 0 ? valueOf(*f, textField).substr(0, 80) : std::string();
        if (hasGeometry && !g && !text.empty()) r.badGeometry = text;  // text GDAL could not read
        // The geometry as the user wrote it, for a message only (WKT made when there is no text).
        const OGRGeometry* read = g;
        const auto given = [&] {
            std::string out = text;
            char* wkt = nullptr;
            if (out.empty() && read && read->exportToWkt(&wkt, wkbVariantIso) == OGRERR_NONE && wkt)
                out = std::string(wkt).substr(0, 80);
            CPLFree(wkt);
            return "'" + out + "'";
        };
        if (g && g->IsEmpty() && r.badGeometry.empty()) {
            r.geometryProblem = given() + " is empty";
            g = nullptr;
        }
        if (g && !coordinatesWithinReach(*g)) {
            r.geometryProblem = given() + " has a coordinate that is not a finite number of a map's size";
            g = nullptr;
        }
        if (g && !g->IsEmpty()) {
            std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
            g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
            r.geom = geom::fromWkb(geos, wkb);
            const bool parsed = r.geom != nullptr;
            if (r.geom && !toAnalysis->isNoop())
                r.geom.reset(GEOSGeom_transformXY_r(h, r.geom.get(), &transformCallback,
                                                    const_cast<crs::Transformer*>(&*toAnalysis)));
            double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
            const bool transformed =
                r.geom && GEOSGeom_getExtent_r(h, r.geom.get(), &x0, &y0, &x1, &y1) == 1 &&
                std::isfinite(x0) && std::isfinite(y0) && std::isfinite(x1) && std::isfinite(y1);
            if (parsed && !transformed) {
                r.geometryProblem = given() + " lies where the analysis CRS has no coordinates";
                r.geom.reset();
            }
            if (r.geom && GEOSisValid_r(h, r.geom.get()) != 1) r.geom.reset(GEOSMakeValid_r(h, r.geom.get()));
        }
        reg.rows.push_back(std::move(r));
    }
    return reg;
}

} // namespace trygg::io
