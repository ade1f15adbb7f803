#pragma once
// perception: residents' safety reports per cell, their Gi*, and fear versus crime. Internal to
// the pipeline.
#include "Metadata.hpp"
#include "GiStar.hpp"

#include "trygg/perception/Perception.hpp"

#include <optional>
#include <string>
#include <vector>

namespace trygg::pipeline::steps {

struct PerceptionStep {
    io::ReportSet reports;
    perception::Reports parsed;
    perception::CellSummary cells;
    GiStarStep gi;                 // Gi* on the unsafe reports per cell
    GiStarStep giScore;            // Gi* on the (shrunk) mean score, oriented so that hot = unsafe
    std::vector<double> around;    // perception reports in each cell's neighbourhood
    std::vector<perception::FearCrime> classes;
    std::vector<perception::ReasonRow> reasons;
    std::array<std::size_t, 5> cellsByClass{};
    std::vector<perception::FearCrime> classesAtTimes;  // with classes_for: those times of day only
    std::array<std::size_t, 5> cellsByClassAtTimes{};
};

// The time of day of an incident's wall-clock time, as perception reports name it.
perception::TimeOfDay timeOfDayOf(std::int64_t wallSeconds);

// perception: residents' reports per cell, their hot spots, and fear versus crime.
PerceptionStep computePerception(Inputs& inputs, const Config& cfg, const geom::Area* area,
                                 const GridStep& g, const io::ReportSet& reports, const GiStarStep& incidents,
                                 const Progress& progress, RunSummary& summary);

// run_metadata: the perception reports read, the scale, the smoothing, and fear versus crime.
void perceptionMetadata(const Config& cfg, const PerceptionStep& step, Metadata& md);

} // namespace trygg::pipeline::steps
