// stats.colocation: for "are assaults found near bars", the colocation quotient (stats/Colocation.hpp)
// of an incident category against another category or a map layer's points, as ArcGIS Pro's
// Colocation Analysis: the global quotient with its random-labelling test (colocation) and the
// local quotient of each incident with its conditional permutation test, gathered per grid cell
// (colocation_cells: the incidents' own places are not written).
#include "Grid.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/stats/Colocation.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace trygg::pipeline::steps {

struct ColocationStep {
    struct Pair {
        std::string name, title, a, b;  // b: a category, or "layer:NAME"
        bool bIsLayer = false;
        stats::ColocationResult global;
        std::size_t colocated = 0, isolated = 0;  // A incidents significant at 95 % (local)
        struct Cell {
            std::size_t cell = 0, n = 0, colocated = 0, isolated = 0;
            double lclqSum = 0;
        };
        std::vector<Cell> cells;  // cells holding A incidents
        bool ran = false;
        std::string why;  // when not
    };
    std::vector<Pair> pairs;
    int permutations = 0;
};

namespace {

// Local significance: ArcGIS's, 95 % in either tail, not corrected for the many points.
constexpr double kAlpha = 0.05;

std::string globalClass(const stats::ColocationResult& r) {
    if (!std::isfinite(r.clq)) return "undefined";
    if (r.pHigh <= kAlpha && r.clq > 1) return "colocated";
    if (r.pLow <= kAlpha && r.clq < 1) return "isolated";
    return "not_significant";
}

std::int32_t categoryIndex(const io::ReportSet& r, const std::string& name) {
    const auto it = std::find(r.categories.begin(), r.categories.end(), name);
    return it == r.categories.end() ? -1 : static_cast<std::int32_t>(it - r.categories.begin());
}

// The points of a map layer (each part of a multipoint); anything else is refused.
void layerPoints(const geom::GeosContext& geos, const io::NamedFeatures& named, const ColocationConfig& c,
                 std::vector<double>& x, std::vector<double>& y) {
    auto h = geos.handle();
    for (const auto& f : named.features) {
        if (!c.nearClasses.empty() && std::find(c.nearClasses.begin(), c.nearClasses.end(), f.name) == c.nearClasses.end())
            continue;
        const GEOSGeometry* g = f.geom.get();
        const int type = GEOSGeomTypeId_r(h, g);
        if (type != GEOS_POINT && type != GEOS_MULTIPOINT)
            throw InputError(fmt::format("config: [[colocation]] '{}': '{}' holds {}, not points (the colocation quotient "
                                         "compares points; take a layer of their points)",
                                         c.name, c.nearLayer.path, GEOSGeomType_r(h, g)));
        const int parts = type == GEOS_POINT ? 1 : GEOSGetNumGeometries_r(h, g);
        for (int k = 0; k < parts; ++k) {
            const GEOSGeometry* p = type == GEOS_POINT ? g : GEOSGetGeometryN_r(h, g, k);
            double px = 0, py = 0;
            if (GEOSisEmpty_r(h, p) == 1) continue;
            GEOSGeomGetX_r(h, p, &px);
            GEOSGeomGetY_r(h, p, &py);
            x.push_back(px), y.push_back(py);
        }
    }
}

class ColocationStepImpl final : public Step {
public:
    ColocationStepImpl() : Step("stats.colocation", StepCost{0.3, 1e-5}) {}
    std::vector<const char*> configTables() const override { return {"colocation"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        std::set<std::string> names;
        for (const auto& t : file.tables("colocation", "must be a list of [[colocation]] tables", "each entry must be a table")) {
            t.onlyKnown({"name", "title", "category", "near_category", "near_path", "near_layer", "near_crs",
                         "near_class_field", "near_classes", "neighbours"});
            ColocationConfig c;
            c.name = t.str("name").value_or("");
            c.title = t.str("title").value_or(c.name);
            c.category = t.str("category").value_or("");
            c.nearCategory = t.str("near_category").value_or("");
            c.nearLayer.path = t.path("near_path");
            c.nearLayer.layer = t.str("near_layer").value_or("");
            c.nearLayer.crs = t.str("near_crs").value_or("");
            c.nearLayer.nameField = t.str("near_class_field").value_or("");
            if (c.name.empty() || c.category.empty()) t.failAt("colocation", "needs name and category");
            if (!isLayerName(c.name)) t.fail("name", "must be lower-case letters, digits and _");
            if (!names.insert(c.name).second) t.fail("name", "'" + c.name + "' names two [[colocation]] pairs");
            if (c.nearCategory.empty() == c.nearLayer.path.empty())
                t.failAt("colocation", "needs either near_category (another category) or near_path (a layer of points)");
            const std::string classes = "must be a list, with near_class_field naming the field it refers to";
            if (t.has("near_classes") && c.nearLayer.nameField.empty()) t.fail("near_classes", classes);
            if (const auto list = t.texts("near_classes", classes)) c.nearClasses = *list;
            if (const auto k = t.number("neighbours")) {
                if (!(*k >= 1) || *k > 100 || *k != std::floor(*k)) t.fail("neighbours", "must be a whole number from 1 to 100");
                c.neighbours = static_cast<int>(*k);
            }
            cfg.colocation.pairs.push_back(c);
        }
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        for (const auto& c : cfg.colocation.pairs)
            if (!c.nearLayer.path.empty()) add("colocation '" + c.name + "'", c.nearLayer.path);
    }
    const char* analysisSwitch() const override { return "colocation"; }
    void switchOff(Config& cfg) const override { cfg.colocation.enabled = false; }
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.colocation.enabled && !a.cfg.colocation.pairs.empty() && a.results.find<GridStep>() != nullptr;
    }

    void run(Analysis& a, const Progress& progress) const override {
        const io::ReportSet& r = a.reports;
        const GridStep& g = a.results.get<GridStep>(name());
        ColocationStep s;
        s.permutations = a.cfg.inference.permutations;
        const auto& pairs = a.cfg.colocation.pairs;
        for (std::size_t k = 0; k < pairs.size(); ++k) {
            progress.update(static_cast<double>(k) / static_cast<double>(pairs.size()));
            progress.checkCancelled();
            const ColocationConfig& c = pairs[k];
            ColocationStep::Pair p;
            p.name = c.name, p.title = c.title, p.a = c.category;
            p.bIsLayer = c.nearCategory.empty();
            p.b = p.bIsLayer ? (c.nearLayer.layer.empty() ? c.nearLayer.path : c.nearLayer.layer) : c.nearCategory;
            // The points: the analysis's incidents (A = 0, B = 1 for the other category, 2 any
            // other category), then the layer's points (B = 1) when B is a layer.
            const std::int32_t ia = categoryIndex(r, c.category);
            const std::int32_t ib = p.bIsLayer ? -1 : categoryIndex(r, c.nearCategory);
            if (ia < 0 || (!p.bIsLayer && ib < 0)) {
                p.why = fmt::format("no incidents of '{}' in this analysis", ia < 0 ? c.category : c.nearCategory);
                // A further analysis of other categories leaves the pair out without a warning
                // (its run_metadata says why).
                if (a.main) a.summary.warnings.push_back(fmt::format("stats.colocation '{}': {}: not computed", c.name, p.why));
                s.pairs.push_back(std::move(p));
                continue;
            }
            // Against a category, every incident is a point (the others a third label), as
            // ArcGIS's one dataset with categories; against a layer, the category's incidents and
            // the layer's points alone, as its two datasets.
            std::vector<double> x, y;
            std::vector<std::int32_t> label;
            for (std::size_t i = 0; i < r.x.size(); ++i) {
                const std::int32_t l = r.category[i] == ia ? 0 : r.category[i] == ib ? 1 : 2;
                if (p.bIsLayer && l != 0) continue;
                x.push_back(r.x[i]), y.push_back(r.y[i]), label.push_back(l);
            }
            const bool same = ia == ib;
            if (p.bIsLayer) {
                const auto named = a.inputs.namedFeatures(c.nearLayer);
                const std::size_t before = x.size();
                layerPoints(a.geos, named, c, x, y);
                label.resize(x.size(), 1);
                if (x.size() == before) {
                    p.why = "no points in the layer" + std::string(c.nearClasses.empty() ? "" : " of the classes given");
                    a.summary.warnings.push_back(fmt::format("stats.colocation '{}': {}: not computed", c.name, p.why));
                    s.pairs.push_back(std::move(p));
                    continue;
                }
            }
            const std::int32_t b = same ? 0 : 1;
            const std::uint64_t seed = a.cfg.inference.seed ^ (0x9E3779B97F4A7C15ULL * (k + 1));
            p.global = stats::globalColocation(x, y, label, 0, b, s.permutations, seed);
            const auto local = stats::localColocation(x, y, label, 0, b, c.neighbours, s.permutations, seed + 1,
                                                      a.cfg.inference.threads);
            std::vector<std::int64_t> slot(g.cells.size(), -1);
            for (std::size_t i = 0; i < local.size(); ++i) {
                if (label[i] != 0 || !std::isfinite(local[i].lclq)) continue;
                const bool colocated = s.permutations > 0 && local[i].pHigh <= kAlpha && local[i].lclq > 1;
                const bool isolated = s.permutations > 0 && local[i].pLow <= kAlpha && local[i].lclq < 1;
                p.colocated += colocated, p.isolated += isolated;
                const std::int32_t cell = g.cells.activeOf(g.lattice.cellOf(x[i], y[i]));
                if (cell < 0) continue;
                auto& at = slot[static_cast<std::size_t>(cell)];
                if (at < 0) at = static_cast<std::int64_t>(p.cells.size()), p.cells.push_back({static_cast<std::size_t>(cell)});
                auto& e = p.cells[static_cast<std::size_t>(at)];
                ++e.n, e.lclqSum += local[i].lclq, e.colocated += colocated, e.isolated += isolated;
            }
            std::sort(p.cells.begin(), p.cells.end(), [](const auto& u, const auto& v) { return u.cell < v.cell; });
            p.ran = true;
            s.pairs.push_back(std::move(p));
        }
        a.results.put(std::move(s));
    }

    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const ColocationStep& s = a.results.get<ColocationStep>(name());
        using output::FieldType;
        {
            output::LayerWriter t = writer.layer("colocation", output::GeometryType::None, "Colocation",
                                                 "Colocation quotients: an incident category beside another or a layer's points");
            const int fName = t.add("name", FieldType::Text), fTitle = t.add("title", FieldType::Text),
                      fA = t.add("category", FieldType::Text), fB = t.add("near", FieldType::Text),
                      fKind = t.add("near_kind", FieldType::Text), fNa = t.add("n", FieldType::Integer),
                      fNb = t.add("near_n", FieldType::Integer), fNear = t.add("nearest_near_n", FieldType::Integer),
                      fClq = t.add("clq", FieldType::Real),
                      fHigh = t.add("p_high", FieldType::Real), fLow = t.add("p_low", FieldType::Real),
                      fClass = t.add("clq_class", FieldType::Text), fCol = t.add("colocated_n", FieldType::Integer),
                      fIso = t.add("isolated_n", FieldType::Integer);
            for (const auto& p : s.pairs) {
                t.setText(fName, p.name), t.setText(fTitle, p.title), t.setText(fA, p.a), t.setText(fB, p.b);
                t.setText(fKind, p.bIsLayer ? "layer" : "category");
                if (!p.ran) {
                    for (int f : {fNa, fNb, fNear, fClq, fHigh, fLow, fCol, fIso}) t.setNull(f);
                    t.setText(fClass, "undefined");
                    t.write("a colocation pair");
                    continue;
                }
                t.setInt(fNa, static_cast<std::int64_t>(p.global.nA));
                t.setInt(fNb, static_cast<std::int64_t>(p.global.nB));
                t.setInt(fNear, static_cast<std::int64_t>(p.global.nearB));
                const auto real = [&](int f, double v) { std::isfinite(v) ? t.setReal(f, v) : t.setNull(f); };
                real(fClq, p.global.clq);
                real(fHigh, s.permutations > 0 ? p.global.pHigh : NAN);
                real(fLow, s.permutations > 0 ? p.global.pLow : NAN);
                t.setText(fClass, s.permutations > 0 ? globalClass(p.global) : "not_tested");
                if (s.permutations > 0) {
                    t.setInt(fCol, static_cast<std::int64_t>(p.colocated));
                    t.setInt(fIso, static_cast<std::int64_t>(p.isolated));
                } else {
                    t.setNull(fCol), t.setNull(fIso);
                }
                t.write("a colocation pair");
            }
            t.finish();
            writer.style("colocation", output::tableQml(), "Colocation");
        }
        // Per cell: the incidents' local quotients gathered. Counts of a category per cell, too
        // fine to publish: not written when publishing.
        if (a.publishing()) return;
        output::LayerWriter t = writer.layer("colocation_cells", output::GeometryType::Polygon, "Colocation per cell",
                                             "The local colocation quotients of a category's incidents, per cell");
        const GridStep& g = a.results.get<GridStep>(name());
        const int fCell = t.add("cell_id", FieldType::Text), fName = t.add("name", FieldType::Text),
                  fN = t.add("n", FieldType::Integer), fMean = t.add("mean_lclq", FieldType::Real),
                  fCol = t.add("colocated_n", FieldType::Integer), fIso = t.add("isolated_n", FieldType::Integer),
                  fClass = t.add("lclq_class", FieldType::Text);
        for (std::size_t k = 0; k < s.pairs.size(); ++k)
            for (const auto& c : s.pairs[k].cells) {
                const auto& p = s.pairs[k];
                t.setText(fCell, t.setCell(g.cells, c.cell, k));
                t.setText(fName, p.name);
                t.setInt(fN, static_cast<std::int64_t>(c.n));
                t.setReal(fMean, c.lclqSum / static_cast<double>(c.n));
                t.setInt(fCol, static_cast<std::int64_t>(c.colocated));
                t.setInt(fIso, static_cast<std::int64_t>(c.isolated));
                // The cell's class: most of its incidents colocated (or isolated) at 95 %.
                t.setText(fClass, 2 * c.colocated > c.n ? "colocated" : 2 * c.isolated > c.n ? "isolated" : "not_significant");
                t.write("a cell of the colocation");
            }
        t.finish();
        const auto label = [&](const char* v) { return output::classLabel("colocation_cells", "lclq_class", v, true); };
        writer.style("colocation_cells",
                     output::categorizedQml("lclq_class", {{"colocated", label("colocated"), "#d7301f", ""},
                                                           {"isolated", label("isolated"), "#4575b4", ""},
                                                           {"not_significant", label("not_significant"), "#d9d9d9", "", 0.1, false}}),
                     "Colocation per cell");
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const ColocationStep& s = a.results.get<ColocationStep>(name());
        md.add("colocation.method",
               fmt::format("colocation quotient (Leslie & Kronenfeld 2011; ArcGIS Pro's Colocation Analysis): global CLQ "
                           "from each A point's nearest neighbour (ties share), p by random labelling over all the points "
                           "({} permutations, one stream each); local CLQ (Cromley et al. 2014) over the k nearest with "
                           "Gaussian weights, the k-th distance as bandwidth, p by conditional permutation (the point's "
                           "own label held); significant at 95 % in either tail, not corrected for the many points (as "
                           "ArcGIS); a cell is colocated or isolated where most of its A incidents are. Against a "
                           "category every incident is a point, the other categories a third label (ArcGIS's dataset with "
                           "categories); against a layer the category's incidents and the layer's points alone (its two "
                           "datasets)",
                           s.permutations));
        for (const auto& p : s.pairs) {
            const ColocationConfig* c = nullptr;
            for (const auto& x : a.cfg.colocation.pairs)
                if (x.name == p.name) c = &x;
            md.add("colocation." + p.name,
                   p.ran ? fmt::format("{} -> {} ({}), k = {}: CLQ {:.4f}, p_high {:.4g}, p_low {:.4g}", p.a, p.b,
                                       p.bIsLayer ? "layer" : "category", c ? c->neighbours : 0, p.global.clq,
                                       p.global.pHigh, p.global.pLow)
                         : "not computed: " + p.why);
        }
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const ColocationStep& s = a.results.get<ColocationStep>(name());
        for (const auto& p : s.pairs)
            if (p.ran && std::isfinite(p.global.clq))
                lines.push_back(fmt::format("Colocation {} -> {}: CLQ {:.2f} ({})", p.a, p.b, p.global.clq,
                                            s.permutations > 0 ? globalClass(p.global) : "not tested"));
    }
};

} // namespace

const Step& colocation() {
    static const ColocationStepImpl step;
    return step;
}

} // namespace trygg::pipeline::steps
