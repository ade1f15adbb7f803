#pragma once
// The layers of the run's inputs (InputLayers.cpp), for the steps that write rows of their own
// inputs too (perception's rejected rows). Internal to the pipeline.
#include "trygg/io/ReportReader.hpp"
#include "trygg/output/GpkgWriter.hpp"

#include <string>

namespace trygg::pipeline::steps {

// `layerName` (rejected_reports, rejected_perception): every input row not used, with its row
// number, reason, field and original values. Never written when publishing.
void writeRejectedRows(const io::ReportSet& reports, const std::string& layerName, output::GpkgWriter& writer);

} // namespace trygg::pipeline::steps
