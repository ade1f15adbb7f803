// io.study_area, io.context, io.reports: the layers of the run's inputs, written by the main
// analysis only (the further analyses share them): the study area, the context map clipped to
// the grid, and the rejected rows.
#include "Grid.hpp"
#include "../Step.hpp"

#include "trygg/io/NamedFeatures.hpp"

#include <algorithm>

namespace trygg::pipeline::steps {
namespace {

// The study_area layer of the main analysis: the study area, or what the grid covers without one.
class StudyAreaLayer final : public Step {
public:
    StudyAreaLayer() : Step("io.study_area", 0.85, 0.85) {}
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis& a) const override { return a.main; }
    void run(Analysis&, const Progress&) const override {}
    bool timed() const override { return false; }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const GridStep& g = a.results.get<GridStep>(name());
        if (a.area()) {
            writer.writeStudyArea(a.area()->toWkb(), "The study area: " + a.cfg.studyArea->path);
        } else if (a.publishing()) {
            // The reports' extent is the extreme reports' exact coordinates: published, the
            // rectangle is the grid's own (whole cells at multiples of the cell size) instead.
            const grid::Extent b = latticeBounds(g.lattice);
            writer.writeStudyArea(geom::rectangleWkb(a.geos, b.minX, b.minY, b.maxX, b.maxY),
                                  "No study area was given: the grid's cells around the accepted reports");
        } else {
            // Without a study area the analysed area is the reports' extent; written so the map
            // shows it. One report, or reports on a line, have an extent without area: it is grown
            // to a cell.
            const double padX = std::max(0.0, g.cellSizeM - g.extent.width()) / 2;
            const double padY = std::max(0.0, g.cellSizeM - g.extent.height()) / 2;
            writer.writeStudyArea(geom::rectangleWkb(a.geos, g.extent.minX - padX, g.extent.minY - padY,
                                                     g.extent.maxX + padX, g.extent.maxY + padY),
                                  "No study area was given: the extent of the accepted reports, which the grid covers");
        }
    }
};

struct ContextLayers {
    std::vector<output::ContextLayerData> layers;
};

// The context map layers, clipped to the grid's extent grown by 1 km (whole features kept).
class Context final : public Step {
public:
    Context() : Step("io.context", 0.55, 0.55) {}
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis& a) const override { return a.main && !a.cfg.context.empty(); }
    void run(Analysis& a, const Progress&) const override {
        const grid::Extent& extent = a.results.get<GridStep>(name()).extent;
        constexpr double kMarginM = 1000;
        ContextLayers out;
        for (const auto& c : a.cfg.context) {
            const io::NamedFeatures nf = a.inputs.namedFeatures(c.layer);
            output::ContextLayerData d;
            d.name = c.name;
            d.title = nf.layerName;
            for (const auto& f : nf.features) {
                const geom::Bounds b = geom::boundsOf(a.geos, f.geom.get());
                if (b.maxX < extent.minX - kMarginM || b.minX > extent.maxX + kMarginM ||
                    b.maxY < extent.minY - kMarginM || b.minY > extent.maxY + kMarginM)
                    continue;
                d.wkb.push_back(geom::toWkb(a.geos, f.geom.get()));
                if (!c.layer.nameField.empty()) d.labels.push_back(f.name);
            }
            out.layers.push_back(std::move(d));
        }
        a.results.put(std::move(out));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        for (const auto& c : a.results.get<ContextLayers>(name()).layers) writer.writeContextLayer(c);
    }
};

// rejected_reports: every row not used, with its reason (never when publishing: the rows hold
// the input's own values).
class RejectedReports final : public Step {
public:
    RejectedReports() : Step("io.reports", 0.85, 0.85) {}
    bool enabled(const Analysis& a) const override { return a.main && !a.publishing(); }
    void run(Analysis&, const Progress&) const override {}
    bool timed() const override { return false; }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        writer.writeRejected(a.reports, "rejected_reports");
    }
};

} // namespace

const Step& studyAreaLayer() {
    static const StudyAreaLayer step;
    return step;
}
const Step& context() {
    static const Context step;
    return step;
}
const Step& rejectedReports() {
    static const RejectedReports step;
    return step;
}

} // namespace trygg::pipeline::steps
