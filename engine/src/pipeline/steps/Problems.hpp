#pragma once
// analysis.problems' result, for the steps that link to the problems (stats.measures). Internal
// to the pipeline.
#include "HotspotAreas.hpp"

#include <string>
#include <vector>

namespace trygg::pipeline::steps {

struct Problem {
    std::string id, kind, category, title, place, when, evidence;  // kind: hotspot, perceived, rise
    int areaId = 0;  // 0: not an area
    const std::vector<unsigned char>* wkb = nullptr;
    const HotspotAreaRow* area = nullptr;  // the hotspot area it is, if any
};

struct ProblemsStep {
    std::vector<Problem> problems;
};

} // namespace trygg::pipeline::steps
