// io.study_area, io.context, io.reports: the layers of the run's inputs, written by the main
// analysis only (the further analyses share them): the study area, the context map clipped to
// the grid, and the rejected rows.
#include "InputLayers.hpp"
#include "Grid.hpp"
#include "../Step.hpp"

#include "trygg/io/NamedFeatures.hpp"
#include "trygg/output/Styles.hpp"

#include <cctype>
#include <set>

#include <algorithm>

namespace trygg::pipeline::steps {
namespace {

using output::FieldType;

// A context map layer: geometries in the analysis CRS, their dimensions, optional labels.
struct ContextLayer {
    std::string name;   // written as context_<name>
    std::string title;  // the config's title, else the source layer's name
    std::vector<std::vector<unsigned char>> wkb;
    std::vector<int> dims;            // 0 points, 1 lines, 2 polygons
    std::vector<std::string> labels;  // empty, or one per geometry
};
struct ContextLayers {
    std::vector<ContextLayer> layers;
};

// One context layer, of the highest dimension among its geometries (a stray point in a line
// layer is left out).
void writeContext(const ContextLayer& d, output::GpkgWriter& writer) {
    const std::string table = "context_" + d.name;
    const int dim = d.dims.empty() ? -1 : *std::max_element(d.dims.begin(), d.dims.end());
    output::LayerWriter layer = writer.layer(table,
                                             dim == 0   ? output::GeometryType::MultiPoint
                                             : dim == 1 ? output::GeometryType::MultiLineString
                                                        : output::GeometryType::MultiPolygon,
                                             d.title, "Context map layer '" + d.title + "', in the analysis CRS");
    const bool labelled = !d.labels.empty();
    const int label = labelled ? layer.add("label", FieldType::Text) : -1;
    for (std::size_t i = 0; i < d.wkb.size(); ++i) {
        if (d.dims[i] != dim) continue;
        layer.setGeometry(d.wkb[i], table.c_str());
        if (labelled) layer.setText(label, d.labels[i]);
        layer.write(table.c_str());
    }
    layer.finish();
    std::string qml = dim == 0   ? output::pointQml("60,60,60,255", 1.6)
                      : dim == 1 ? output::lineQml("150,150,150,255", 0.25)
                                 : output::outlineQml("140,140,140,255", 0.3, "");
    if (labelled) qml = output::withLabels(qml, "\"label\"", dim == 2 ? 9 : 8, dim == 2, 2);
    writer.style(table, qml, "Context: " + d.title);
}

// The study_area layer of the main analysis: the study area, or what the grid covers without one.
class StudyAreaLayer final : public Step {
public:
    StudyAreaLayer() : Step("io.study_area", StepCost{}) {}
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


// The context map layers, clipped to the grid's extent grown by 1 km (whole features kept).
class Context final : public Step {
public:
    Context() : Step("io.context", StepCost{0.1}) {}
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        for (const auto& x : cfg.context) add("context '" + x.name + "'", x.layer.path);
    }
    std::vector<const char*> configTables() const override { return {"context"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        for (const auto& t : file.tables("context", "must be a list of [[context]] tables", "each entry must be a table")) {
            t.onlyKnown({"name", "title", "path", "layer", "crs", "label_field"});
            ContextConfig c;
            c.name = t.str("name").value_or("");
            c.title = t.str("title").value_or("");
            c.layer.path = t.path("path");
            c.layer.layer = t.str("layer").value_or("");
            c.layer.crs = t.str("crs").value_or("");
            c.layer.nameField = t.str("label_field").value_or("");
            if (c.name.empty() || c.layer.path.empty()) t.failAt("context", "needs name and path");
            if (!isLayerName(c.name)) t.fail("name", "'" + c.name + "' must be lower-case letters, digits and _");
            for (const auto& other : cfg.context)
                if (other.name == c.name) t.fail("name", "'" + c.name + "' is used twice");
            cfg.context.push_back(c);
        }
    }
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis& a) const override { return a.main && !a.cfg.context.empty(); }
    void run(Analysis& a, const Progress&) const override {
        const grid::Extent& extent = a.results.get<GridStep>(name()).extent;
        constexpr double kMarginM = 1000;
        ContextLayers out;
        for (const auto& c : a.cfg.context) {
            const io::NamedFeatures nf = a.inputs.namedFeatures(c.layer);
            ContextLayer d;
            d.name = c.name;
            d.title = c.title.empty() ? nf.layerName : c.title;
            for (const auto& f : nf.features) {
                const geom::Bounds b = geom::boundsOf(a.geos, f.geom.get());
                if (b.maxX < extent.minX - kMarginM || b.minX > extent.maxX + kMarginM ||
                    b.maxY < extent.minY - kMarginM || b.minY > extent.maxY + kMarginM)
                    continue;
                d.wkb.push_back(geom::toWkb(a.geos, f.geom.get()));
                d.dims.push_back(geom::dimensionOf(a.geos, f.geom.get()));
                if (!c.layer.nameField.empty()) d.labels.push_back(f.name);
            }
            out.layers.push_back(std::move(d));
        }
        a.results.put(std::move(out));
    }
    // context_<name>: lines grey, polygons outlined, points as dots; labelled when named.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        for (const auto& c : a.results.get<ContextLayers>(name()).layers) writeContext(c, writer);
    }
};

// rejected_reports: every row not used, with its reason (never when publishing: the rows hold
// the input's own values).
class RejectedReports final : public Step {
public:
    RejectedReports() : Step("io.reports", StepCost{}) {}
    bool enabled(const Analysis& a) const override { return a.main && !a.publishing(); }
    void run(Analysis&, const Progress&) const override {}
    bool timed() const override { return false; }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        writeRejectedRows(a.reports, "rejected_reports", writer);
    }
};

} // namespace

void writeRejectedRows(const io::ReportSet& reports, const std::string& layerName, output::GpkgWriter& writer) {
    output::LayerWriter layer =
        writer.layer(layerName, output::GeometryType::None, layerName == "rejected_reports" ? "Rejected reports" : layerName,
                     "Input rows that were not used, with their original values, row number and reason");
    const std::array<const char*, 4> own{"source_row", "reject_reason", "reject_field", "reject_detail"};
    const int row = layer.add(own[0], FieldType::Integer64), reason = layer.add(own[1], FieldType::Text),
              field = layer.add(own[2], FieldType::Text), detail = layer.add(own[3], FieldType::Text);
    // The input's own fields, renamed where they would take one of these names.
    std::set<std::string> taken(own.begin(), own.end());
    std::vector<int> values;
    for (const auto& src : reports.rejectedFields) {
        std::string name = src;
        std::string low = name;
        for (auto& ch : low) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (taken.count(low) || low == "fid") name = "src_" + name;
        taken.insert(low);
        values.push_back(layer.add(name, FieldType::Text));
    }
    const bool hasWkt = std::any_of(reports.rejected.begin(), reports.rejected.end(),
                                    [](const io::RejectedRow& r) { return !r.sourceWkt.empty(); });
    const int wkt = hasWkt ? layer.add("source_geometry_wkt", FieldType::Text) : -1;
    for (const auto& r : reports.rejected) {
        layer.setInt(row, r.row);
        layer.setText(reason, std::string(io::reasonCode(r.reason)));
        layer.setText(field, r.field);
        layer.setText(detail, r.detail.empty() ? std::string(io::reasonText(r.reason))
                                               : std::string(io::reasonText(r.reason)) + ": " + r.detail);
        for (std::size_t k = 0; k < r.values.size() && k < values.size(); ++k) layer.setText(values[k], r.values[k]);
        if (hasWkt) layer.setText(wkt, r.sourceWkt);
        layer.write("rejected row", std::to_string(r.row));
    }
    layer.finish();
    writer.style(layerName, output::tableQml(), "Rejected input rows");
}

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
