#include "Inputs.hpp"

#include <geos_c.h>

namespace trygg::pipeline {
namespace {

std::string key(std::initializer_list<const std::string*> parts) {
    std::string k;
    for (const auto* p : parts) k += *p + '\x1f';
    return k;
}

geom::GeomPtr clone(const geom::GeosContext& geos, const geom::GeomPtr& g) {
    return geom::GeomPtr(GEOSGeom_clone_r(geos.handle(), g.get()), geom::GeomDeleter{geos.handle()});
}

} // namespace

template <typename T, typename Read>
const T& Inputs::cached(std::map<std::string, T>& cache, const std::string& key, Read read) {
    auto it = cache.find(key);
    if (it != cache.end()) {
        ++m_served;
        return it->second;
    }
    ++m_read;
    return cache.emplace(key, read()).first->second;
}

io::NamedFeatures Inputs::namedFeatures(const io::NamedFeaturesSpec& spec) {
    const io::NamedFeatures& read = cached(m_named, key({&spec.path, &spec.layer, &spec.nameField, &spec.crs}),
                                           [&] { return io::readNamedFeatures(spec, m_crs, m_geos); });
    io::NamedFeatures copy;
    copy.layerName = read.layerName;
    copy.repaired = read.repaired;
    copy.unusable = read.unusable;
    for (const auto& f : read.features) copy.features.push_back({f.name, clone(m_geos, f.geom)});
    return copy;
}

io::WeightedPoints Inputs::weightedPoints(const io::WeightedPointsSpec& spec) {
    return cached(m_weighted, key({&spec.path, &spec.layer, &spec.crs, &spec.field}),
                  [&] { return io::readWeightedPoints(spec, m_crs); });
}

io::AreaLayer Inputs::areaLayer(const io::AreaLayerSpec& spec) {
    const io::AreaLayer& a =
        cached(m_areas, key({&spec.path, &spec.layer, &spec.crs, &spec.idField, &spec.nameField, &spec.populationField}),
               [&] { return io::readAreaLayer(spec, m_crs, m_geos); });
    io::AreaLayer copy;
    for (const auto& p : a.polygons) copy.polygons.push_back(clone(m_geos, p));
    copy.ids = a.ids;
    copy.names = a.names;
    copy.populations = a.populations;
    copy.sourceCrs = a.sourceCrs;
    copy.layerName = a.layerName;
    copy.features = a.features;
    copy.warnings = a.warnings;
    return copy;
}

io::SurveyTable Inputs::surveyTable(const io::SurveySpec& spec) {
    return cached(m_surveys, key({&spec.path, &spec.areaField, &spec.questionField, &spec.yearField, &spec.indexField}),
                  [&] { return io::readSurveyTable(spec); });
}

io::ReportSet Inputs::reports(const io::ReportSourceSpec& spec, const geom::Area* area, const Progress& progress) {
    return cached(m_reports, key({&spec.path, &spec.layer}), [&] { return io::readReports(spec, m_crs, area, progress); });
}

} // namespace trygg::pipeline
