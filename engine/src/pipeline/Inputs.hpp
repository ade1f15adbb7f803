#pragma once
// The run's input files, each read once however many analyses use it: the second request for
// the same file, layer and fields is served from memory (geometries cloned, so each analysis may
// consume its own). Internal to the pipeline.
#include "trygg/core/Progress.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/AreaLayer.hpp"
#include "trygg/io/NamedFeatures.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/SurveyTable.hpp"
#include "trygg/io/WeightedPoints.hpp"

#include <map>
#include <memory>
#include <string>

namespace trygg::crs {
class Crs;
}

namespace trygg::pipeline {

class Inputs {
public:
    Inputs(const crs::Crs& analysisCrs, const geom::GeosContext& geos) : m_crs(analysisCrs), m_geos(geos) {}

    io::NamedFeatures namedFeatures(const io::NamedFeaturesSpec& spec);
    io::WeightedPoints weightedPoints(const io::WeightedPointsSpec& spec);
    io::AreaLayer areaLayer(const io::AreaLayerSpec& spec);
    io::SurveyTable surveyTable(const io::SurveySpec& spec);
    // Reports other than the incidents (perception): keyed by path and layer.
    io::ReportSet reports(const io::ReportSourceSpec& spec, const geom::Area* area, const Progress& progress);

    // How many times a file was read, and how many requests were served from memory.
    int filesRead() const { return m_read; }
    int servedFromMemory() const { return m_served; }

private:
    // The cached value under `key`, read with `read()` the first time.
    template <typename T, typename Read>
    const T& cached(std::map<std::string, T>& cache, const std::string& key, Read read);

    const crs::Crs& m_crs;
    const geom::GeosContext& m_geos;
    std::map<std::string, io::NamedFeatures> m_named;
    std::map<std::string, io::WeightedPoints> m_weighted;
    std::map<std::string, io::AreaLayer> m_areas;
    std::map<std::string, io::SurveyTable> m_surveys;
    std::map<std::string, io::ReportSet> m_reports;
    int m_read = 0, m_served = 0;
};

} // namespace trygg::pipeline
