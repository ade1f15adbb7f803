#include "Overlays.hpp"
#include "../Step.hpp"
#include "GiStar.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

#include "trygg/output/GpkgWriter.hpp"

namespace trygg::pipeline::steps {

OverlayStep computeOverlays(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                            const geom::Area* area, const GridStep& g, HotspotAreasStep* hotAreas, RunSummary& summary) {
    OverlayStep s;
    for (const auto& oc : cfg.overlays) {
        auto named = inputs.namedFeatures(oc.layer);
        if (named.repaired > 0)
            summary.warnings.push_back(fmt::format("overlays.{}: {} invalid polygon(s) repaired with GEOS make-valid",
                                                   oc.name, named.repaired));
        if (named.unusable > 0)
            summary.warnings.push_back(fmt::format("overlays.{}: {} feature(s) left out: a coordinate not a finite "
                                                   "number of a map's size, or outside the analysis CRS",
                                                   oc.name, named.unusable));
        overlay::Features features;
        for (auto& f : named.features) {
            features.classes.push_back(f.name);
            features.geoms.push_back(std::move(f.geom));
        }
        // A layer that does not reach the study area (a wrong CRS, another municipality) is named.
        if (area && !features.geoms.empty()) {
            const auto& b = area->bounds();
            bool reaches = false;
            for (const auto& f : features.geoms) {
                const auto fb = geom::boundsOf(geos, f.get());
                if (fb.maxX >= b.minX && fb.minX <= b.maxX && fb.maxY >= b.minY && fb.minY <= b.maxY) {
                    reaches = true;
                    break;
                }
            }
            if (!reaches)
                summary.warnings.push_back("overlays." + oc.name + ": the layer '" + oc.layer.path +
                                           "' does not reach the study area; check its CRS");
        }
        const overlay::Measure m = oc.measure == "density"    ? overlay::Measure::Density
                                   : oc.measure == "share"    ? overlay::Measure::Share
                                   : oc.measure == "length"   ? overlay::Measure::Length
                                   : oc.measure == "distance" ? overlay::Measure::Distance
                                                              : overlay::Measure::Count;
        std::vector<std::string> classes = oc.classes.empty() ? std::vector<std::string>{""} : oc.classes;
        for (const auto& cls : classes) {
            const std::string column = cls.empty() ? fmt::format("{}_{}", output::fieldSlug(oc.name), overlay::toString(m))
                                                   : fmt::format("{}_{}_{}", output::fieldSlug(oc.name),
                                                                 overlay::toString(m), output::fieldSlug(cls));
            s.names.push_back(column);
            s.cellValues.push_back(overlay::measureCells(geos, g.cells, features, m, cls));
            if (hotAreas)
                for (auto& row : hotAreas->rows) {
                    const geom::GeomPtr poly = geom::fromWkb(geos, row.wkb);
                    row.extras.push_back(overlay::measureArea(geos, poly.get(), features, m, cls));
                }
        }
    }
    return s;
}

void overlaysMetadata(const Config& cfg, Metadata& md) {
    for (const auto& oc : cfg.overlays)
        md.add("overlays." + oc.name, fmt::format("{} of '{}' ({}){}", oc.measure, oc.layer.path, oc.layer.layer,
                                                  oc.classes.empty() ? "" : ", one column per class of " + oc.layer.nameField));
}

namespace {

// Its columns are written with the hotspot grid and the hotspot areas.
class Overlays final : public Step {
public:
    Overlays() : Step("overlay.measures", StepCost{0.2}) {}
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        for (const auto& o : cfg.overlays) add("overlay '" + o.name + "'", o.layer.path);
    }
    std::vector<const char*> configTables() const override { return {"overlays"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        for (const auto& t : file.tables("overlays", "must be a list of [[overlays]] tables", "each entry must be a table")) {
            t.onlyKnown({"name", "path", "layer", "crs", "measure", "class_field", "classes"});
            OverlayConfig o;
            o.name = t.str("name").value_or("");
            o.layer.path = t.path("path");
            o.layer.layer = t.str("layer").value_or("");
            o.layer.crs = t.str("crs").value_or("");
            o.layer.nameField = t.str("class_field").value_or("");
            o.measure = t.str("measure").value_or("count");
            if (o.name.empty() || o.layer.path.empty()) t.failAt("overlays", "needs name and path");
            if (o.measure != "count" && o.measure != "density" && o.measure != "share" && o.measure != "length" &&
                o.measure != "distance")
                t.fail("measure", "'" + o.measure + "' is not count, density, share, length or distance");
            const std::string classes = "must be a list, with class_field naming the field it refers to";
            if (t.has("classes") && o.layer.nameField.empty()) t.fail("classes", classes);
            if (const auto list = t.texts("classes", classes)) o.classes = *list;
            cfg.overlays.push_back(o);
        }
    }
    std::vector<std::string> needs() const override { return {"grid.build", "stats.gistar", "overlay.hotspot_areas"}; }
    bool enabled(const Analysis& a) const override {
        return !a.cfg.overlays.empty() && a.results.find<GiStarStep>() != nullptr;
    }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        a.results.put(computeOverlays(a.inputs, a.cfg, a.geos, a.area(), a.results.get<GridStep>(name()),
                                      a.results.find<HotspotAreasStep>(), a.summary));
    }
    void metadata(const Analysis& a, Metadata& md) const override { overlaysMetadata(a.cfg, md); }
};

} // namespace

const Step& overlays() {
    static const Overlays step;
    return step;
}

} // namespace trygg::pipeline::steps
