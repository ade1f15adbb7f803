// stats.hotspot_comparison: two hot spot maps of the same cells compared (stats/HotspotComparison.hpp),
// as ArcGIS Pro's Hot Spot Analysis Comparison: the incidents' hot spots against residents'
// perceived insecurity (perceived), [change]'s first period against its second (periods), and a
// further analysis against the main one (analysis). Per comparison: the similarity, its
// expectation by chance and the kappa, the hot cells each has and shares (hotspot_comparison);
// per cell the two classes, where they agree and the cell's similarity
// (hotspot_comparison_<comparison>).
#include "Change.hpp"
#include "GiStar.hpp"
#include "Grid.hpp"
#include "Perception.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/stats/Colocation.hpp"
#include "trygg/stats/HotspotComparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace trygg::pipeline::steps {

struct HotspotComparisonStep {
    struct One {
        std::string kind;          // perceived, periods, analysis
        std::string mapA, mapB;    // what each map is, as the table names it
        std::vector<std::int8_t> a, b;
        stats::HotspotComparison result;
    };
    std::vector<One> comparisons;
    std::vector<std::string> skipped;  // "analysis: the grids differ" ...
};

namespace {

// Where a cell's two classes agree: both hot, one only, both cold, or the rest.
const char* agreement(int a, int b) {
    if (a > 0 && b > 0) return "both_hot";
    if (a > 0) return "a_hot_only";
    if (b > 0) return "b_hot_only";
    if (a < 0 && b < 0) return "both_cold";
    return "other";
}

// The same cells in the same order: the same size and every centre where the other's is.
bool sameCells(const GridStep& x, const GridStep& y) {
    if (x.cells.size() != y.cells.size() || x.cellSizeM != y.cellSizeM) return false;
    for (std::size_t i = 0; i < x.cells.size(); ++i) {
        const auto cx = x.lattice.centre(x.cells.cellIndex(i)), cy = y.lattice.centre(y.cells.cellIndex(i));
        if (std::abs(cx.x - cy.x) > 1e-6 || std::abs(cx.y - cy.y) > 1e-6) return false;
    }
    return true;
}

class HotspotComparisonStepImpl final : public Step {
public:
    HotspotComparisonStepImpl() : Step("stats.hotspot_comparison", StepCost{0.1, 0, 2e-7}) {}
    std::vector<const char*> configTables() const override { return {"hotspot_comparison"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("hotspot_comparison", "must be a table ([hotspot_comparison])");
        if (!t) return;
        HotspotComparisonConfig& c = cfg.hotspotComparison;
        t->onlyKnown({"enabled", "compare", "weighting", "neighbours"});
        if (auto v = t->boolean("enabled")) c.enabled = *v;
        if (auto v = t->texts("compare", "must be a list of perceived, periods, analysis")) {
            for (const auto& k : *v)
                if (k != "perceived" && k != "periods" && k != "analysis")
                    t->fail("compare", "'" + k + "' is not perceived, periods or analysis");
            c.compare = *v;
        }
        if (auto v = t->str("weighting")) {
            if (*v != "fuzzy" && *v != "exact") t->fail("weighting", "'" + *v + "' is not fuzzy or exact");
            c.weighting = *v;
        }
        if (auto v = t->number("neighbours")) {
            if (!(*v >= 0) || *v > 48 || *v != std::floor(*v)) t->fail("neighbours", "must be a whole number from 0 to 48");
            c.neighbours = static_cast<int>(*v);
        }
    }
    const char* analysisSwitch() const override { return "hotspot_comparison"; }
    void switchOff(Config& cfg) const override { cfg.hotspotComparison.enabled = false; }
    std::vector<std::string> needs() const override { return {"stats.gistar", "stats.change", "perception"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.hotspotComparison.enabled && a.results.find<GiStarStep>() != nullptr;
    }

    void run(Analysis& a, const Progress& progress) const override {
        const HotspotComparisonConfig& hc = a.cfg.hotspotComparison;
        const GridStep& g = a.results.get<GridStep>(name());
        const GiStarStep& gi = a.results.get<GiStarStep>(name());
        HotspotComparisonStep s;
        const auto wanted = [&](const char* k) { return std::find(hc.compare.begin(), hc.compare.end(), k) != hc.compare.end(); };
        if (wanted("perceived")) {
            if (const auto* p = a.results.find<PerceptionStep>(); p && p->gi.bins.size() == gi.bins.size())
                s.comparisons.push_back({"perceived", "Gi_Bin", "perc_Gi_Bin", gi.bins, p->gi.bins, {}});
            else
                s.skipped.push_back("perceived: no [perception] hot spots on this grid");
        }
        if (wanted("periods")) {
            if (const auto* c = a.results.find<ChangeStep>()) {
                // Gi* of each period's counts, with the run's weights and inference.
                RunSummary scratch;
                const auto period = [&](const std::vector<std::uint32_t>& n) {
                    GiStarStep p;
                    p.weights = gi.weights;
                    p.values.assign(n.begin(), n.end());
                    giStarOnValues(p, a.cfg, name(), progress.slice(0, 0.3, name()), scratch);
                    return p.bins;
                };
                s.comparisons.push_back({"periods", a.cfg.change->before, a.cfg.change->after, period(c->before), period(c->after), {}});
            } else {
                s.skipped.push_back("periods: no [change] periods");
            }
        }
        if (wanted("analysis") && !a.main) {
            const GridStep* mg = a.mainResults ? a.mainResults->find<GridStep>() : nullptr;
            const GiStarStep* mgi = a.mainResults ? a.mainResults->find<GiStarStep>() : nullptr;
            if (mg && mgi && sameCells(*mg, g))
                s.comparisons.push_back({"analysis", "main", "this", mgi->bins, gi.bins, {}});
            else
                s.skipped.push_back("analysis: the main analysis's hot spots are not on this analysis's cells");
        }
        progress.update(0.3);
        // The k nearest cells of each, by their centres.
        std::vector<std::vector<std::uint32_t>> nbrs;
        std::vector<std::vector<double>> dist;
        if (hc.neighbours > 0 && !s.comparisons.empty() && g.cells.size() > 1) {
            std::vector<double> cx, cy;
            std::vector<std::uint32_t> all(g.cells.size());
            for (std::size_t i = 0; i < g.cells.size(); ++i) {
                const auto c = g.lattice.centre(g.cells.cellIndex(i));
                cx.push_back(c.x), cy.push_back(c.y), all[i] = static_cast<std::uint32_t>(i);
            }
            nbrs = stats::nearestK(cx, cy, hc.neighbours, all);
            dist.resize(nbrs.size());
            for (std::size_t i = 0; i < nbrs.size(); ++i)
                for (std::uint32_t j : nbrs[i]) dist[i].push_back(std::hypot(cx[i] - cx[j], cy[i] - cy[j]));
        }
        stats::HotspotComparisonOptions o;
        o.weighting = hc.weighting == "exact" ? stats::ClassWeighting::Exact : stats::ClassWeighting::Fuzzy;
        o.permutations = std::max(99, std::min(999, a.cfg.inference.permutations));
        o.seed = a.cfg.inference.seed;
        o.threads = a.cfg.inference.threads;
        for (auto& c : s.comparisons) {
            progress.checkCancelled();
            c.result = stats::compareHotspots(c.a, c.b, nbrs, dist, g.cellSizeM, o);
        }
        a.results.put(std::move(s));
    }

    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const HotspotComparisonStep& s = a.results.get<HotspotComparisonStep>(name());
        if (s.comparisons.empty()) return;
        const GridStep& g = a.results.get<GridStep>(name());
        using output::FieldType;
        {
            output::LayerWriter t = writer.layer("hotspot_comparison", output::GeometryType::None, "Hot spot maps compared",
                                                 "Two hot spot maps of the same cells: similarity, kappa, hot cells shared");
            const int fKind = t.add("comparison", FieldType::Text), fA = t.add("map_a", FieldType::Text),
                      fB = t.add("map_b", FieldType::Text), fCells = t.add("cells", FieldType::Integer),
                      fSim = t.add("similarity", FieldType::Real), fExp = t.add("expected_similarity", FieldType::Real),
                      fKappa = t.add("kappa", FieldType::Real), fHotA = t.add("hot_cells_a", FieldType::Integer),
                      fHotB = t.add("hot_cells_b", FieldType::Integer), fBoth = t.add("hot_cells_both", FieldType::Integer),
                      fShareA = t.add("shared_of_a", FieldType::Real), fShareB = t.add("shared_of_b", FieldType::Real);
            for (const auto& c : s.comparisons) {
                const auto& r = c.result;
                t.setText(fKind, c.kind), t.setText(fA, c.mapA), t.setText(fB, c.mapB);
                t.setInt(fCells, static_cast<std::int64_t>(r.cells));
                t.setReal(fSim, r.similarity), t.setReal(fExp, r.expected), t.setReal(fKappa, r.kappa);
                t.setInt(fHotA, static_cast<std::int64_t>(r.hotA)), t.setInt(fHotB, static_cast<std::int64_t>(r.hotB));
                t.setInt(fBoth, static_cast<std::int64_t>(r.hotBoth));
                r.hotA ? t.setReal(fShareA, static_cast<double>(r.hotBoth) / static_cast<double>(r.hotA)) : t.setNull(fShareA);
                r.hotB ? t.setReal(fShareB, static_cast<double>(r.hotBoth) / static_cast<double>(r.hotB)) : t.setNull(fShareB);
                t.write("a hot spot comparison");
            }
            t.finish();
            writer.style("hotspot_comparison", output::tableQml(), "Hot spot maps compared");
        }
        for (const auto& c : s.comparisons) {
            const std::string layer = "hotspot_comparison_" + c.kind;
            output::LayerWriter t = writer.layer(layer, output::GeometryType::Polygon,
                                                 fmt::format("Hot spot maps compared per cell: {} against {}", c.mapA, c.mapB),
                                                 "Per cell: the two maps' classes, where they agree, the cell's similarity");
            const int fCell = t.add("cell_id", FieldType::Text), fA = t.add("class_a", FieldType::Int16),
                      fB = t.add("class_b", FieldType::Int16), fAgree = t.add("agreement", FieldType::Text),
                      fSim = t.add("similarity", FieldType::Real);
            for (std::size_t i = 0; i < c.a.size(); ++i) {
                t.setText(fCell, t.setCell(g.cells, i));
                t.setInt(fA, c.a[i]), t.setInt(fB, c.b[i]);
                t.setText(fAgree, agreement(c.a[i], c.b[i]));
                t.setReal(fSim, c.result.local[i]);
                t.write("a cell of a hot spot comparison");
            }
            t.finish();
            const auto label = [&](const char* v) { return output::classLabel(layer, "agreement", v, true); };
            writer.style(layer,
                         output::categorizedQml("agreement", {{"both_hot", label("both_hot"), "#b2182b", ""},
                                                              {"a_hot_only", label("a_hot_only"), "#f4a582", ""},
                                                              {"b_hot_only", label("b_hot_only"), "#c2a5cf", ""},
                                                              {"both_cold", label("both_cold"), "#4393c3", ""},
                                                              {"other", label("other"), "#f7f7f7", "", 0.1, false}}),
                         "Hot spot maps compared per cell");
        }
    }

    // "analysis": the main analysis's grid and Gi* classes, nothing else of it.
    void keepForFurther(const Results& main, Results& kept) const override {
        kept.share<GridStep>(main);
        kept.share<GiStarStep>(main);
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const HotspotComparisonStep& s = a.results.get<HotspotComparisonStep>(name());
        const HotspotComparisonConfig& hc = a.cfg.hotspotComparison;
        md.add("hotspot_comparison.method",
               fmt::format("two Gi_Bin maps of the same cells compared as ArcGIS Pro's Hot Spot Analysis Comparison: class "
                           "weights '{}' (exact: equal classes match; fuzzy: also 0.5 for classes one level apart and not "
                           "of opposite sign; Trygg's rule), spatial fuzziness over the {} nearest cells discounted by "
                           "2^(-d / cell size) (Hagen-Zanker 2009), a cell's similarity the lower of both directions; "
                           "expected similarity {}; kappa = (similarity - expected) / (1 - expected); periods: Gi* of "
                           "each [change] period's counts with the run's weights and inference",
                           hc.weighting, hc.neighbours,
                           hc.neighbours > 0 ? "the mean over permutations of map B's classes over the cells"
                                             : "exact (Cohen's weighted kappa)"));
        for (const auto& c : s.comparisons)
            md.add("hotspot_comparison." + c.kind,
                   fmt::format("{} against {}: similarity {:.4f}, expected {:.4f}, kappa {:.4f}; hot cells {} and {}, "
                               "{} in both",
                               c.mapA, c.mapB, c.result.similarity, c.result.expected, c.result.kappa, c.result.hotA,
                               c.result.hotB, c.result.hotBoth));
        std::string skipped;
        for (const auto& k : s.skipped) skipped += (skipped.empty() ? "" : "; ") + k;
        if (!skipped.empty()) md.add("hotspot_comparison.skipped", skipped);
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const HotspotComparisonStep& s = a.results.get<HotspotComparisonStep>(name());
        for (const auto& c : s.comparisons)
            lines.push_back(fmt::format("Hot spots compared ({}): kappa {:.2f}, {} of {} hot cells shared", c.kind,
                                        c.result.kappa, c.result.hotBoth, std::max(c.result.hotA, c.result.hotB)));
    }
};

} // namespace

const Step& hotspotComparison() {
    static const HotspotComparisonStepImpl step;
    return step;
}

} // namespace trygg::pipeline::steps
