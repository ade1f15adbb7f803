#pragma once
// overlay.measures: what is in each cell and hotspot area, from the config's map layers.
// Internal to the pipeline.
#include "Metadata.hpp"
#include "HotspotAreas.hpp"

#include "trygg/overlay/Measures.hpp"

namespace trygg::pipeline::steps {

struct OverlayStep {
    std::vector<std::string> names;                 // column names
    std::vector<std::vector<double>> cellValues;    // per column, per cell
};

// overlay.measures: each [[overlays]] layer measured per cell and per hotspot area.
OverlayStep computeOverlays(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                            const geom::Area* area, const GridStep& g, HotspotAreasStep* hotAreas, RunSummary& summary);

// run_metadata: each overlay's measure and map layer.
void overlaysMetadata(const Config& cfg, Metadata& md);

} // namespace trygg::pipeline::steps
