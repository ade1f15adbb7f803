// stats.risk_model: risk terrain modelling (stats/RiskTerrain.hpp) on the municipality's own map
// layers. Each factor of [[risk_model.factors]] becomes candidate variables per grid cell:
//   - proximity: a feature within d of the cell's centre (d = 1, 2, 3 cell sizes by default);
//   - density: the features' kernel density (quartic, bandwidth d) at the cell's centre above the
//     cells' mean plus two standard deviations, RTMDx's "high concentration" (point layers);
//   - share: at least half the cell covered (polygon layers).
// By default points are tried as proximity and density, lines as proximity, polygons as
// proximity and share. The count regression of the cells' incidents takes the offset (the cell's
// km² inside the study area by default, or its residents) and residents as a control (log(1 +
// residents per km² around the cell) from [kde.population]), so that a factor is not credited with
// where people live.
// Writes risk_factors (one row per factor and control), risk_terrain (per cell: the relative risk
// score and the factors present) and risk_design (the design matrix, so anyone can refit it;
// never published).
#include "Grid.hpp"
#include "Kde.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/kde/Surface.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/overlay/Measures.hpp"
#include "trygg/stats/RiskTerrain.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>

namespace trygg::pipeline::steps {

struct RiskModelStep {
    enum class Kind { Points, Lines, Polygons, Empty };
    struct Candidate {
        std::size_t factor = 0;
        std::string operationalisation;  // proximity, density, share
        double influenceM = 0;
        std::size_t present = 0;         // model cells where it is 1
    };
    std::optional<GridStep> ownGrid;  // [risk_model] cell_size_m other than the grid's
    const GridStep* grid = nullptr;   // the cells of the model: the run's grid or ownGrid
    std::vector<Kind> kinds;  // per factor
    std::vector<Candidate> candidates;
    std::vector<stats::RiskCandidate> columns;  // over the model's cells
    std::vector<stats::RiskControl> controls;
    std::vector<std::size_t> cells;  // the grid's cells in the model
    std::vector<double> y, offset;
    std::string offsetText, controlText;
    std::size_t leftOut = 0;      // cells without residents (offset = population)
    std::int64_t leftOutN = 0;    // and their incidents
    stats::RiskModel model;
};

namespace {

using Kind = RiskModelStep::Kind;

const char* kindName(Kind k) {
    switch (k) {
    case Kind::Points: return "points";
    case Kind::Lines: return "lines";
    case Kind::Polygons: return "polygons";
    case Kind::Empty: return "no features";
    }
    return "";
}

Kind kindOf(const geom::GeosContext& geos, const overlay::Features& f) {
    auto h = geos.handle();
    for (const auto& g : f.geoms) {
        switch (GEOSGeomTypeId_r(h, g.get())) {
        case GEOS_POINT:
        case GEOS_MULTIPOINT: return Kind::Points;
        case GEOS_LINESTRING:
        case GEOS_MULTILINESTRING:
        case GEOS_LINEARRING: return Kind::Lines;
        case GEOS_POLYGON:
        case GEOS_MULTIPOLYGON: return Kind::Polygons;
        default: break;
        }
    }
    return Kind::Empty;
}

std::vector<std::string> defaultOperationalisations(Kind k) {
    switch (k) {
    case Kind::Points: return {"proximity", "density"};
    case Kind::Polygons: return {"proximity", "share"};
    default: return {"proximity"};
    }
}

std::string metres(double m) { return fmt::format("{:g} m", m); }

class RiskModelStepImpl final : public Step {
public:
    RiskModelStepImpl() : Step("stats.risk_model", StepCost{8.0, 0, 1e-5}) {}
    std::vector<const char*> configTables() const override { return {"risk_model"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("risk_model", "must be a table ([risk_model])");
        if (!t) return;
        RiskModelConfig& c = cfg.riskModel;
        t->onlyKnown({"enabled", "family", "offset", "residents", "cell_size_m", "residents_bandwidth_m", "influence_cells", "min_cells", "factors"});
        if (auto v = t->number("residents_bandwidth_m")) {
            if (!(*v > 0)) t->fail("residents_bandwidth_m", "must be a positive number of metres");
            c.residentsBandwidthM = *v;
        }
        if (auto v = t->number("cell_size_m")) {
            if (!(*v > 0)) t->fail("cell_size_m", "must be a positive number of metres");
            c.cellSizeM = *v;
        }
        if (auto v = t->boolean("enabled")) c.enabled = *v;
        if (auto v = t->boolean("residents")) c.residents = *v;
        if (auto v = t->str("family")) {
            if (*v != "auto" && *v != "poisson" && *v != "negative_binomial")
                t->fail("family", "'" + *v + "' is not auto, poisson or negative_binomial");
            c.family = *v;
        }
        if (auto v = t->str("offset")) {
            if (*v != "area" && *v != "population" && *v != "none")
                t->fail("offset", "'" + *v + "' is not area, population or none");
            c.offset = *v;
        }
        if (auto v = t->numbers("influence_cells", "must be a list of numbers of cell sizes, such as [1, 2, 3]")) {
            if (v->empty()) t->fail("influence_cells", "needs at least one distance");
            for (double x : *v)
                if (!(x > 0) || x > 50) t->fail("influence_cells", "must be numbers of cell sizes from above 0 to 50");
            c.influenceCells = *v;
        }
        if (auto v = t->number("min_cells")) {
            if (!(*v >= 1) || *v > 1e6 || *v != std::floor(*v)) t->fail("min_cells", "must be a whole number from 1");
            c.minCells = static_cast<int>(*v);
        }
        std::set<std::string> names;
        for (const auto& f : t->tables("factors", "must be a list of [[risk_model.factors]] tables",
                                       "each entry must be a table")) {
            f.onlyKnown({"name", "title", "path", "layer", "crs", "class_field", "classes", "operationalisations"});
            RiskFactorConfig r;
            r.name = f.str("name").value_or("");
            r.title = f.str("title").value_or(r.name);
            r.layer.path = f.path("path");
            r.layer.layer = f.str("layer").value_or("");
            r.layer.crs = f.str("crs").value_or("");
            r.layer.nameField = f.str("class_field").value_or("");
            if (r.name.empty() || r.layer.path.empty()) f.failAt("factors", "needs name and path");
            if (!isLayerName(r.name)) f.fail("name", "must be lower-case letters, digits and _ (it names the factor's columns)");
            if (!names.insert(r.name).second) f.fail("name", "'" + r.name + "' names two factors");
            const std::string classes = "must be a list, with class_field naming the field it refers to";
            if (f.has("classes") && r.layer.nameField.empty()) f.fail("classes", classes);
            if (const auto list = f.texts("classes", classes)) r.classes = *list;
            if (const auto ops = f.texts("operationalisations", "must be a list of proximity, density, share")) {
                for (const auto& o : *ops)
                    if (o != "proximity" && o != "density" && o != "share")
                        f.fail("operationalisations", "'" + o + "' is not proximity, density or share");
                r.operationalisations = *ops;
            }
            c.factors.push_back(r);
        }
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        for (const auto& f : cfg.riskModel.factors) add("risk factor '" + f.name + "'", f.layer.path);
    }
    const char* analysisSwitch() const override { return "risk_model"; }
    void switchOff(Config& cfg) const override { cfg.riskModel.enabled = false; }
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.riskModel.enabled && !a.cfg.riskModel.factors.empty() && a.cfg.grid.enabled &&
               a.results.find<GridStep>() != nullptr;
    }

    void run(Analysis& a, const Progress& progress) const override {
        const RiskModelConfig& rc = a.cfg.riskModel;
        RiskModelStep s;
        // The model's cells: the grid's, or its own size (the planted or expected effects may
        // reach less far than a cell of the hotspot grid).
        s.grid = &a.results.get<GridStep>(name());
        if (rc.cellSizeM > 0 && rc.cellSizeM != s.grid->cellSizeM) {
            Config c2 = a.cfg;
            c2.grid.cellSizeM = rc.cellSizeM;
            s.ownGrid = buildGrid(c2, a.reports, a.area(), progress);
            countCells(*s.ownGrid, a.reports);
            s.grid = &*s.ownGrid;
        }
        const GridStep& g = *s.grid;
        const std::size_t cells = g.cells.size();
        // Residents per cell, from [kde.population]'s points (grid squares by their centroids).
        std::vector<double> residents;
        if (a.cfg.kde.population && rc.offset == "population") {
            const io::WeightedPoints& pop = a.inputs.weightedPoints(*a.cfg.kde.population);
            residents.assign(cells, 0.0);
            for (std::size_t i = 0; i < pop.x.size(); ++i) {
                const std::int32_t c = g.cells.activeOf(g.lattice.cellOf(pop.x[i], pop.y[i]));
                if (c >= 0) residents[static_cast<std::size_t>(c)] += pop.weight[i];
            }
        }
        if (rc.offset == "population" && residents.empty())
            throw InputError("config: [risk_model] offset = \"population\" needs [kde.population] (the residents)");
        std::vector<double> area(cells, g.lattice.cellAreaM2() / 1e6);
        if (!g.cells.shareInside().empty())
            for (std::size_t i = 0; i < cells; ++i) area[i] *= g.cells.shareInside()[i];
        for (std::size_t i = 0; i < cells; ++i) {
            if (rc.offset == "population" && !(residents[i] > 0)) {
                ++s.leftOut;
                s.leftOutN += g.counts.n[i];
                continue;
            }
            if (!(area[i] > 0)) continue;
            s.cells.push_back(i);
            s.y.push_back(g.counts.n[i]);
            if (rc.offset == "area") s.offset.push_back(std::log(area[i]));
            else if (rc.offset == "population") s.offset.push_back(std::log(residents[i]));
        }
        s.offsetText = rc.offset == "area"         ? "log of the cell's km² inside the study area"
                       : rc.offset == "population" ? "log of the cell's residents ([kde.population])"
                                                   : "none";
        std::vector<double> cx, cy;
        for (std::size_t i : s.cells) {
            const auto c = g.lattice.centre(g.cells.cellIndex(i));
            cx.push_back(c.x), cy.push_back(c.y);
        }
        // The control: how many live around the cell, log(1 + residents per km²) by a quartic
        // kernel (a cell's own residents are too spiky: a 250 m population square lands in one of
        // six 100 m cells).
        if (rc.residents && a.cfg.kde.population) {
            const io::WeightedPoints& pop = a.inputs.weightedPoints(*a.cfg.kde.population);
            kde::SurfaceSpec spec;
            spec.kernel = kde::Kernel::Quartic;
            spec.bandwidthM = rc.residentsBandwidthM;
            spec.threads = a.cfg.inference.threads;
            stats::RiskControl control{"residents", kde::densityAt(cx, cy, pop.x, pop.y, pop.weight, spec)};
            for (double& v : control.column) v = std::log1p(v);
            s.controls.push_back(std::move(control));
            s.controlText = fmt::format("log(1 + residents per km²) of [kde.population], quartic kernel, bandwidth {:g} m",
                                        rc.residentsBandwidthM);
        } else {
            s.controlText = rc.residents ? "none: no [kde.population] to take residents from" : "none (residents = false)";
        }
        // The candidates.
        for (std::size_t f = 0; f < rc.factors.size(); ++f) {
            progress.update(0.5 * static_cast<double>(f) / static_cast<double>(rc.factors.size()));
            progress.checkCancelled();
            const RiskFactorConfig& fc = rc.factors[f];
            auto named = a.inputs.namedFeatures(fc.layer);
            overlay::Features features;
            for (auto& nf : named.features) {
                if (!fc.classes.empty() && std::find(fc.classes.begin(), fc.classes.end(), nf.name) == fc.classes.end()) continue;
                features.classes.push_back("");
                features.geoms.push_back(std::move(nf.geom));
            }
            const Kind kind = kindOf(a.geos, features);
            s.kinds.push_back(kind);
            if (kind == Kind::Empty) {
                a.summary.warnings.push_back(fmt::format("risk_model.factors.{}: no features in '{}'{}: not tried", fc.name,
                                                         fc.layer.path, fc.classes.empty() ? "" : " of the classes given"));
                continue;
            }
            const auto ops = fc.operationalisations.empty() ? defaultOperationalisations(kind) : fc.operationalisations;
            for (const auto& op : ops) {
                if (op == "density" && kind != Kind::Points)
                    throw InputError(fmt::format("config: [[risk_model.factors]] '{}': density needs a layer of points; '{}' "
                                                 "holds {}", fc.name, fc.layer.path, kindName(kind)));
                if (op == "share" && kind != Kind::Polygons)
                    throw InputError(fmt::format("config: [[risk_model.factors]] '{}': share needs a layer of polygons; '{}' "
                                                 "holds {}", fc.name, fc.layer.path, kindName(kind)));
            }
            const auto add = [&](const std::string& op, double influenceM, std::vector<double> column) {
                RiskModelStep::Candidate c{f, op, influenceM, static_cast<std::size_t>(std::count(column.begin(), column.end(), 1.0))};
                const std::string label = influenceM > 0 ? fmt::format("{}: {} {}", fc.name, op, metres(influenceM))
                                                         : fmt::format("{}: {}", fc.name, op);
                s.candidates.push_back(c);
                s.columns.push_back({f, label, std::move(column)});
            };
            for (const auto& op : ops) {
                if (op == "proximity") {
                    const std::vector<double> dist = overlay::measureCells(a.geos, g.cells, features, overlay::Measure::Distance, "");
                    for (double k : rc.influenceCells) {
                        const double d = k * g.cellSizeM;
                        std::vector<double> col;
                        for (std::size_t i : s.cells) col.push_back(dist[i] <= d ? 1.0 : 0.0);
                        add(op, d, std::move(col));
                    }
                } else if (op == "density") {
                    std::vector<double> px, py;
                    auto h = a.geos.handle();
                    for (const auto& gm : features.geoms) {
                        const int parts = GEOSGetNumGeometries_r(h, gm.get());
                        for (int p = 0; p < parts; ++p) {
                            double x = 0, y = 0;
                            const GEOSGeometry* pt = GEOSGetGeometryN_r(h, gm.get(), p);
                            if (GEOSGeomGetX_r(h, pt, &x) == 1 && GEOSGeomGetY_r(h, pt, &y) == 1) px.push_back(x), py.push_back(y);
                        }
                    }
                    const std::vector<double> w(px.size(), 1.0);
                    for (double k : rc.influenceCells) {
                        kde::SurfaceSpec spec;
                        spec.kernel = kde::Kernel::Quartic;
                        spec.bandwidthM = k * g.cellSizeM;
                        spec.threads = a.cfg.inference.threads;
                        const std::vector<double> dens = kde::densityAt(cx, cy, px, py, w, spec);
                        const double n = static_cast<double>(dens.size());
                        const double mean = std::accumulate(dens.begin(), dens.end(), 0.0) / n;
                        double var = 0;
                        for (double v : dens) var += (v - mean) * (v - mean);
                        const double cut = mean + 2 * std::sqrt(var / n);
                        std::vector<double> col;
                        for (double v : dens) col.push_back(v > cut && v > 0 ? 1.0 : 0.0);
                        add(op, spec.bandwidthM, std::move(col));
                    }
                } else {  // share
                    const std::vector<double> share = overlay::measureCells(a.geos, g.cells, features, overlay::Measure::Share, "");
                    std::vector<double> col;
                    for (std::size_t i : s.cells) col.push_back(share[i] >= 0.5 ? 1.0 : 0.0);
                    add(op, 0, std::move(col));
                }
            }
        }
        progress.update(0.5);
        progress.checkCancelled();
        stats::RiskModelOptions options;
        if (rc.family == "poisson") options.family = stats::CountFamily::Poisson;
        if (rc.family == "negative_binomial") options.family = stats::CountFamily::NegativeBinomial;
        options.minCells = static_cast<std::size_t>(rc.minCells);
        s.model = stats::fitRiskModel(s.columns, s.controls, s.y, s.offset, options);
        if (!s.model.fitted)
            a.summary.warnings.push_back("stats.risk_model: the model of the controls alone could not be fitted (too few "
                                         "incidents or cells): no risk terrain");
        RiskModelStep& kept = a.results.put(std::move(s));
        if (kept.ownGrid) kept.grid = &*kept.ownGrid;  // moved with it
    }

    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const RiskModelStep& s = a.results.get<RiskModelStep>(name());
        if (!s.model.fitted) return;
        const RiskModelConfig& rc = a.cfg.riskModel;
        const stats::RiskModel& m = s.model;
        using output::FieldType;
        // risk_factors: the controls, then each factor (chosen ones ranked by their relative risk).
        std::vector<std::size_t> order(m.selected.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t x, std::size_t y) { return m.coefficientOf(x) > m.coefficientOf(y); });
        std::vector<int> rankOfFactor(rc.factors.size(), 0), chosenOfFactor(rc.factors.size(), -1);
        for (std::size_t r = 0; r < order.size(); ++r) {
            const std::size_t f = s.candidates[m.selected[order[r]]].factor;
            rankOfFactor[f] = static_cast<int>(r) + 1;
            chosenOfFactor[f] = static_cast<int>(order[r]);
        }
        {
            output::LayerWriter t = writer.layer("risk_factors", output::GeometryType::None, "Risk factors",
                                                 "Risk terrain model: each factor's relative risk value, held against the others");
            const int factor = t.add("factor", FieldType::Text), title = t.add("title", FieldType::Text),
                      role = t.add("role", FieldType::Text), op = t.add("operationalisation", FieldType::Text),
                      influence = t.add("influence_m", FieldType::Real), geometry = t.add("features", FieldType::Text),
                      present = t.add("cells_present", FieldType::Integer), rank = t.add("rank", FieldType::Int16),
                      coef = t.add("coefficient", FieldType::Real), se = t.add("std_error", FieldType::Real),
                      z = t.add("z_score", FieldType::Real), p = t.add("p_value", FieldType::Real),
                      rrv = t.add("rrv", FieldType::Real), lo = t.add("rrv_low", FieldType::Real),
                      hi = t.add("rrv_high", FieldType::Real);
            // Publishing: two decimals (the coefficients themselves are dropped).
            const auto shown = [&](double v) { return a.publishing() ? std::round(v * 100) / 100 : v; };
            const auto estimates = [&](std::size_t column) {
                const double b = m.fit.coef[column], e = m.fit.se[column];
                t.setReal(coef, b);
                t.setReal(se, e);
                t.setReal(z, m.fit.z[column]);
                t.setReal(p, m.fit.p[column]);
                t.setReal(rrv, shown(std::exp(b)));
                t.setReal(lo, shown(std::exp(b - 1.959963984540054 * e)));
                t.setReal(hi, shown(std::exp(b + 1.959963984540054 * e)));
            };
            for (std::size_t c = 0; c < s.controls.size(); ++c) {
                t.setText(factor, s.controls[c].label);
                t.setText(title, "Invånare i rutan (log(1 + invånare))");
                t.setText(role, "control");
                t.setNull(op), t.setNull(influence), t.setNull(geometry), t.setNull(present), t.setNull(rank);
                estimates(1 + c);
                t.write("a risk factor");
            }
            for (std::size_t f = 0; f < rc.factors.size(); ++f) {
                t.setText(factor, rc.factors[f].name);
                t.setText(title, rc.factors[f].title);
                t.setText(geometry, kindName(s.kinds.at(f)));
                if (chosenOfFactor[f] >= 0) {
                    const std::size_t k = static_cast<std::size_t>(chosenOfFactor[f]);
                    const auto& cand = s.candidates[m.selected[k]];
                    t.setText(role, "chosen");
                    t.setText(op, cand.operationalisation);
                    if (cand.influenceM > 0) t.setReal(influence, cand.influenceM);
                    else t.setNull(influence);
                    t.setInt(present, static_cast<std::int64_t>(cand.present));
                    t.setInt(rank, rankOfFactor[f]);
                    estimates(1 + s.controls.size() + k);
                } else {
                    t.setText(role, "not_chosen");
                    for (int fld : {op, influence, present, rank, coef, se, z, p, rrv, lo, hi}) t.setNull(fld);
                }
                t.write("a risk factor");
            }
            t.finish();
            writer.style("risk_factors", output::tableQml(), "Risk factors");
        }
        // risk_terrain: per cell of the model.
        {
            output::LayerWriter t = writer.layer("risk_terrain", output::GeometryType::Polygon, "Risk terrain",
                                                 "Relative risk score per cell: the product of the relative risk values of "
                                                 "the factors present (1 where none is)");
            const int cellId = t.add("cell_id", FieldType::Text), score = t.add("rrs", FieldType::Real),
                      cls = t.add("risk_class", FieldType::Int16), count = t.add("n_factors", FieldType::Int16),
                      names = t.add("factors", FieldType::Text), expected = t.add("expected", FieldType::Real);
            for (std::size_t r = 0; r < s.cells.size(); ++r) {
                const std::string id = t.setCell(s.grid->cells, s.cells[r]);
                t.setText(cellId, id);
                const double v = m.score[r];
                t.setReal(score, a.publishing() ? std::round(v * 100) / 100 : v);
                t.setInt(cls, riskClass(v));
                std::string list;
                int present = 0;
                for (std::size_t k : order) {
                    const auto& cand = s.candidates[m.selected[k]];
                    if (s.columns[m.selected[k]].column[r] != 1.0) continue;
                    ++present;
                    list += (list.empty() ? "" : "; ") + rc.factors[cand.factor].name;
                }
                t.setInt(count, present);
                t.setText(names, list);
                t.setReal(expected, m.fit.fitted[r]);
                t.write("a cell of the risk terrain");
            }
            t.finish();
            writer.style("risk_terrain", riskTerrainQml(), "Risk terrain");
        }
        // risk_design: the design matrix, every candidate, for refitting elsewhere.
        if (!a.publishing()) {
            output::LayerWriter t = writer.layer("risk_design", output::GeometryType::None, "Risk model design matrix",
                                                 "The risk model's design matrix: per cell its incidents, offset, controls "
                                                 "and every candidate variable (0/1), for refitting with R's glm or MASS::glm.nb");
            const GridStep& g = *s.grid;
            const int cellId = t.add("cell_id", FieldType::Text), n = t.add("n", FieldType::Integer),
                      off = t.add("offset", FieldType::Real);
            std::vector<int> controls, candidates;
            for (const auto& c : s.controls) controls.push_back(t.add(c.label, FieldType::Real));
            for (const auto& c : s.candidates)
                candidates.push_back(t.add(designColumn(rc.factors[c.factor].name, c), FieldType::Int16));
            for (std::size_t r = 0; r < s.cells.size(); ++r) {
                t.setText(cellId, output::cellId(g.cells, s.cells[r]));
                t.setInt(n, static_cast<std::int64_t>(s.y[r]));
                if (s.offset.empty()) t.setReal(off, 0.0);
                else t.setReal(off, s.offset[r]);
                for (std::size_t c = 0; c < controls.size(); ++c) t.setReal(controls[c], s.controls[c].column[r]);
                for (std::size_t c = 0; c < candidates.size(); ++c)
                    t.setInt(candidates[c], static_cast<std::int64_t>(s.columns[c].column[r]));
                t.write("a row of the risk design matrix");
            }
            t.finish();
            writer.style("risk_design", output::tableQml(), "Risk model design matrix");
        }
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const RiskModelStep& s = a.results.get<RiskModelStep>(name());
        const stats::RiskModel& m = s.model;
        md.add("risk_model.method",
               "risk terrain modelling (Caplan & Kennedy; as RTMDx's final stage): each factor as proximity (a feature "
               "within d of the cell's centre), density (quartic kernel density of its points at the cell's centre, "
               "bandwidth d, above the cells' mean + 2 SD) or share (at least half the cell covered), 0/1 per cell; "
               "bidirectional stepwise selection by BIC (add, drop, or replace a factor's operationalisation; a factor "
               "enters once), Poisson and negative binomial (MASS::glm.nb's estimator) each, the lower BIC kept; estimates "
               "unpenalised maximum likelihood, relative risk value exp(beta) with Wald's 95 % interval; a cell's "
               "relative risk score the product of the values of the factors present. Not a lasso: the candidates are "
               "few enough to step through, and stepwise BIC needs no random folds (neighbouring cells are not exchangeable)");
        md.add("risk_model.cells", fmt::format("{:g} m {} cells{}", s.grid->cellSizeM, shapeName(s.grid->lattice.shape()),
                                               s.ownGrid ? " ([risk_model] cell_size_m, not the hotspot grid's)" : " (the hotspot grid's)"));
        md.add("risk_model.offset", s.offsetText);
        md.add("risk_model.controls", s.controlText);
        if (s.leftOut > 0)
            md.add("risk_model.cells_left_out",
                   fmt::format("{} cell(s) without residents (offset = population), holding {} incident(s)", s.leftOut, s.leftOutN));
        if (!m.fitted) {
            md.add("risk_model.fit", "not fitted");
            return;
        }
        md.add("risk_model.fit",
               fmt::format("{}: {} cells, {} parameter(s); deviance {:.4f} (null {:.4f}); log-likelihood {:.4f}; AIC {:.4f}; "
                           "BIC {:.4f}; Pearson dispersion {:.4f}{}",
                           stats::toString(m.family), m.fit.n, m.fit.parameters, m.fit.deviance, m.fit.nullDeviance,
                           m.fit.logLik, m.fit.aic, m.fit.bic, m.fit.dispersion,
                           m.family == stats::CountFamily::NegativeBinomial
                               ? fmt::format("; theta {:.4f} (SE {:.4f})", m.fit.theta, m.fit.thetaSe)
                               : std::string()));
        md.add("risk_model.family_bic", fmt::format("poisson {}, negative_binomial {}", bicText(m.poissonBic),
                                                    bicText(m.negativeBinomialBic)));
        std::string path;
        for (const auto& st : m.path) path += fmt::format("{}{} (BIC {:.2f})", path.empty() ? "" : "; ", st.move, st.bic);
        md.add("risk_model.selection", path.empty() ? "no factor lowered the BIC" : path);
        md.add("risk_model.candidates", fmt::format("{} candidate variable(s), {} tried (present and absent in at least {} "
                                                    "cells, each column once)",
                                                    s.candidates.size(), m.tried.size(), a.cfg.riskModel.minCells));
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RiskModelStep& s = a.results.get<RiskModelStep>(name());
        if (!s.model.fitted) return;
        std::string chosen;
        for (std::size_t k = 0; k < s.model.selected.size(); ++k)
            chosen += fmt::format("{}{} (RRV {:.2f})", chosen.empty() ? "" : ", ", s.columns[s.model.selected[k]].label,
                                  std::exp(s.model.coefficientOf(k)));
        lines.push_back(fmt::format("Risk terrain ({}): {}", stats::toString(s.model.family),
                                    chosen.empty() ? "no factor goes with more or fewer incidents" : chosen));
    }

private:
    static std::string bicText(double b) { return std::isfinite(b) ? fmt::format("{:.2f}", b) : "not fitted"; }
    static std::string designColumn(const std::string& factor, const RiskModelStep::Candidate& c) {
        return c.influenceM > 0 ? fmt::format("{}_{}_{:g}", factor, c.operationalisation, c.influenceM)
                                : fmt::format("{}_{}", factor, c.operationalisation);
    }
    // risk_terrain.risk_class: -1 below 1 (protective factors only), 0 no factor, then 1-2, 2-4,
    // 4-8, 8 and above.
    static int riskClass(double v) {
        if (v < 1 - 1e-12) return -1;
        if (v <= 1 + 1e-12) return 0;
        return v < 2 ? 1 : v < 4 ? 2 : v < 8 ? 3 : 4;
    }
    static std::string riskTerrainQml() {
        const auto label = [&](const char* v) { return output::classLabel("risk_terrain", "risk_class", v, true); };
        return output::categorizedQml("risk_class", {{"4", label("4"), "#7f0000", ""},
                                                     {"3", label("3"), "#d7301f", ""},
                                                     {"2", label("2"), "#fc8d59", ""},
                                                     {"1", label("1"), "#fdd49e", ""},
                                                     {"0", label("0"), "#f7f7f7", "", 0.1, false},
                                                     {"-1", label("-1"), "#91bfdb", ""}});
    }
};

} // namespace

const Step& riskModel() {
    static const RiskModelStepImpl step;
    return step;
}

} // namespace trygg::pipeline::steps
