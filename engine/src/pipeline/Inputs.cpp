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

io::NamedFeatures Inputs::namedFeatures(const io::NamedFeaturesSpec& spec) {
    const std::string k = key({&spec.path, &spec.layer, &spec.nameField, &spec.crs});
    auto it = m_named.find(k);
    if (it == m_named.end()) {
        it = m_named.emplace(k, io::readNamedFeatures(spec, m_crs, m_geos)).first;
        ++m_read;
    } else {
        ++m_served;
    }
    io::NamedFeatures copy;
    copy.layerName = it->second.layerName;
    copy.repaired = it->second.repaired;
    for (const auto& f : it->second.features) copy.features.push_back({f.name, clone(m_geos, f.geom)});
    return copy;
}

io::WeightedPoints Inputs::weightedPoints(const io::WeightedPointsSpec& spec) {
    const std::string k = key({&spec.path, &spec.layer, &spec.crs, &spec.field});
    auto it = m_weighted.find(k);
    if (it == m_weighted.end()) {
        it = m_weighted.emplace(k, io::readWeightedPoints(spec, m_crs)).first;
        ++m_read;
    } else {
        ++m_served;
    }
    return it->second;
}

io::AreaLayer Inputs::areaLayer(const io::AreaLayerSpec& spec) {
    const std::string k = key({&spec.path, &spec.layer, &spec.crs, &spec.idField, &spec.nameField, &spec.populationField});
    auto it = m_areas.find(k);
    if (it == m_areas.end()) {
        it = m_areas.emplace(k, io::readAreaLayer(spec, m_crs, m_geos)).first;
        ++m_read;
    } else {
        ++m_served;
    }
    const io::AreaLayer& a = it->second;
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
    const std::string k = key({&spec.path, &spec.areaField, &spec.questionField, &spec.yearField, &spec.indexField});
    auto it = m_surveys.find(k);
    if (it == m_surveys.end()) {
        it = m_surveys.emplace(k, io::readSurveyTable(spec)).first;
        ++m_read;
    } else {
        ++m_served;
    }
    return it->second;
}

io::ReportSet Inputs::reports(const io::ReportSourceSpec& spec, const geom::Area* area, const Progress& progress) {
    const std::string k = key({&spec.path, &spec.layer});
    auto it = m_reports.find(k);
    if (it == m_reports.end()) {
        it = m_reports.emplace(k, io::readReports(spec, m_crs, area, progress)).first;
        ++m_read;
    } else {
        ++m_served;
    }
    return it->second;
}

} // namespace trygg::pipeline
