// stats.map_accuracy: whether the hotspot map of one period would have found the next period's
// incidents (stats/MapAccuracy.hpp: hit rate, PAI, PEI, RRI), so the municipality knows how far
// to trust the map and chooses its scale on evidence. The periods are the two halves of the data
// in time, or two named periods ([map_accuracy] train, test). The maps, made on the training
// period alone: the hot cells of Gi* at 99, 95 and 90 % (analytic p, [inference]'s correction,
// the run's weights), and the densest 1, 5 and 10 % of the study area by kernel density at the
// cells' centres (the run's kernel and bandwidth). Then Gi* at 95 % over other cell sizes and the
// densest 5 % over other bandwidths: the scale with the highest PEI is marked best, PEI rather
// than PAI because PAI rises as the hot area shrinks, and the scales' hot areas differ in size.
#include "GiStar.hpp"
#include "Grid.hpp"
#include "Kde.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/kde/Bandwidth.hpp"
#include "trygg/kde/Surface.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/stats/GetisOrd.hpp"
#include "trygg/stats/MapAccuracy.hpp"
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/temporal/Trend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trygg::pipeline::steps {

struct MapAccuracyStep {
    struct Row {
        std::string method;  // gistar_99, gistar_95, gistar_90, density_top_1 ...
        double cellSizeM = 0, bandwidthM = 0;
        bool scale = false;  // one of the scales compared (else the run's own map)
        bool best = false;
        stats::MapAccuracy m;
    };
    std::string trainFrom, trainTo, testFrom, testTo, split;
    std::vector<Row> rows;
};

namespace {

// A grid's cells with their area inside the study area, and the training and test counts.
struct CellCounts {
    std::vector<double> area;
    std::vector<std::int64_t> train, test;
};

CellCounts countOn(const grid::Lattice& lattice, const grid::Grid& cells, const io::ReportSet& r,
                   const std::vector<std::int8_t>& period) {
    CellCounts c;
    c.area.assign(cells.size(), lattice.cellAreaM2());
    if (!cells.shareInside().empty())
        for (std::size_t i = 0; i < cells.size(); ++i) c.area[i] *= cells.shareInside()[i];
    c.train.assign(cells.size(), 0);
    c.test.assign(cells.size(), 0);
    for (std::size_t i = 0; i < r.acceptedCount(); ++i) {
        if (period[i] < 0) continue;
        const std::int32_t a = cells.activeOf(lattice.cellOf(r.x[i], r.y[i]));
        if (a < 0) continue;
        (period[i] == 0 ? c.train : c.test)[static_cast<std::size_t>(a)] += 1;
    }
    return c;
}

// The training Gi* classes over `weights`.
std::vector<std::int8_t> trainingBins(const CellCounts& c, const stats::Weights& weights, stats::Correction correction) {
    const std::vector<double> values(c.train.begin(), c.train.end());
    const std::vector<double> z = stats::getisOrdZ(values, weights);
    std::vector<double> p(z.size());
    std::transform(z.begin(), z.end(), p.begin(), stats::twoSidedP);
    return stats::confidenceBins(z, p, correction);
}

// The densest `percent` % of the area: cells by training density, densest first, until their area
// reaches it (the cell that crosses it included).
std::vector<char> densest(const std::vector<double>& density, const std::vector<double>& area, double percent) {
    std::vector<std::size_t> order(density.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return density[a] > density[b]; });
    const double total = std::accumulate(area.begin(), area.end(), 0.0);
    std::vector<char> hot(density.size(), 0);
    double taken = 0;
    for (std::size_t i : order) {
        if (taken >= total * percent / 100 || !(density[i] > 0)) break;
        hot[i] = 1;
        taken += area[i];
    }
    return hot;
}

std::vector<double> trainingDensity(const grid::Lattice& lattice, const grid::Grid& cells, const io::ReportSet& r,
                                    const std::vector<std::int8_t>& period, const Config& cfg, double bandwidthM) {
    std::vector<double> cx(cells.size()), cy(cells.size()), px, py, pw;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto c = lattice.centre(cells.cellIndex(i));
        cx[i] = c.x, cy[i] = c.y;
    }
    for (std::size_t i = 0; i < r.acceptedCount(); ++i)
        if (period[i] == 0) px.push_back(r.x[i]), py.push_back(r.y[i]), pw.push_back(r.weight.empty() ? 1.0 : r.weight[i]);
    kde::SurfaceSpec spec;
    spec.kernel = cfg.kde.kernel;
    spec.bandwidthM = bandwidthM;
    spec.threads = cfg.inference.threads;
    return kde::densityAt(cx, cy, px, py, pw, spec);
}

class MapAccuracyStepImpl final : public Step {
public:
    MapAccuracyStepImpl() : Step("stats.map_accuracy", StepCost{0.05, 0, 1e-6}) {}
    std::vector<const char*> configTables() const override { return {"map_accuracy"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("map_accuracy", "must be a table ([map_accuracy])");
        if (!t) return;
        MapAccuracyConfig& c = cfg.mapAccuracy;
        t->onlyKnown({"enabled", "train", "test", "cell_sizes_m", "bandwidths_m"});
        if (auto v = t->boolean("enabled")) c.enabled = *v;
        if (auto v = t->str("train")) c.train = *v;
        if (auto v = t->str("test")) c.test = *v;
        if (c.train.empty() != c.test.empty()) t->fail(c.train.empty() ? "train" : "test", "give both train and test, or neither");
        for (const char* key : {"cell_sizes_m", "bandwidths_m"}) {
            if (auto v = t->numbers(key, "must be a list of numbers of metres, such as [125, 250, 500]")) {
                for (double x : *v)
                    if (!(x > 0)) t->fail(key, "must be positive numbers of metres");
                (std::string(key) == "cell_sizes_m" ? c.cellSizesM : c.bandwidthsM) = *v;
            }
        }
    }
    const char* analysisSwitch() const override { return "map_accuracy"; }
    void switchOff(Config& cfg) const override { cfg.mapAccuracy.enabled = false; }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.gistar", "kde.surface"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.mapAccuracy.enabled && a.cfg.grid.enabled && !a.reports.timeWallSeconds.empty() &&
               a.results.find<GiStarStep>() != nullptr;
    }
    void run(Analysis& a, const Progress& progress) const override {
        const io::ReportSet& r = a.reports;
        const MapAccuracyConfig& mc = a.cfg.mapAccuracy;
        MapAccuracyStep s;
        // Each report's period: 0 training, 1 test, -1 neither.
        std::vector<std::int8_t> period(r.acceptedCount(), -1);
        if (!mc.train.empty()) {
            const auto find = [&](const std::string& name, const char* key) -> const temporal::TimeFilter& {
                const auto it = a.cfg.periods.find(name);
                if (it == a.cfg.periods.end())
                    throw InputError(fmt::format("config: [map_accuracy] {} = \"{}\" is not a period of [periods]", key, name));
                return it->second;
            };
            const temporal::TimeFilter &train = find(mc.train, "train"), &test = find(mc.test, "test");
            for (std::size_t i = 0; i < period.size(); ++i) {
                const std::int64_t w = r.timeWallSeconds[i];
                if (w == io::kNoTime) continue;
                period[i] = train.keeps(w) ? 0 : test.keeps(w) ? 1 : -1;
            }
            s.trainFrom = mc.train, s.testFrom = mc.test;
            s.split = fmt::format("the periods {} and {}", mc.train, mc.test);
        } else {
            std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
            for (std::int64_t w : r.timeWallSeconds)
                if (w != io::kNoTime) first = std::min(first, temporal::dayOf(w)), last = std::max(last, temporal::dayOf(w));
            if (first > last) {
                a.results.put(std::move(s));
                return;
            }
            const std::int64_t split = first + (last - first + 1) / 2;
            for (std::size_t i = 0; i < period.size(); ++i)
                if (r.timeWallSeconds[i] != io::kNoTime) period[i] = temporal::dayOf(r.timeWallSeconds[i]) < split ? 0 : 1;
            s.trainFrom = temporal::isoDay(first), s.trainTo = temporal::isoDay(split - 1), s.testFrom = temporal::isoDay(split), s.testTo = temporal::isoDay(last);
            s.split = fmt::format("the two halves of the data in time, {} to {} and {} to {}", s.trainFrom, s.trainTo,
                                  s.testFrom, s.testTo);
        }
        // A map needs reports to be made from and to be tested on.
        const auto trainN = std::count(period.begin(), period.end(), 0), testN = std::count(period.begin(), period.end(), 1);
        if (trainN < 2 || testN < 1) {
            a.summary.warnings.push_back(fmt::format(
                "stats.map_accuracy: {} dated report(s) to make the map from and {} to test it on ({}): not measured",
                trainN, testN, s.split));
            a.results.put(std::move(s));
            return;
        }
        const GridStep& g = a.results.get<GridStep>(name());
        const GiStarStep& gi = a.results.get<GiStarStep>(name());
        const CellCounts counts = countOn(g.lattice, g.cells, r, period);
        const stats::Correction correction = a.cfg.inference.correction;
        const std::vector<std::int8_t> bins = trainingBins(counts, gi.weights, correction);
        const auto add = [&](const std::string& method, double cellSizeM, double bandwidthM, bool scale, const CellCounts& c,
                             const std::vector<char>& hot) {
            s.rows.push_back({method, cellSizeM, bandwidthM, scale, false, stats::mapAccuracy(c.area, c.train, c.test, hot)});
        };
        for (const int level : {3, 2, 1}) {
            std::vector<char> hot(bins.size());
            for (std::size_t i = 0; i < bins.size(); ++i) hot[i] = bins[i] >= level;
            add(fmt::format("gistar_{}", level == 3 ? 99 : level == 2 ? 95 : 90), g.cellSizeM, 0, false, counts, hot);
        }
        // The density: the run's bandwidth, or its rule's on the training reports.
        double bandwidth = 0;
        if (const KdeStep* k = a.results.find<KdeStep>()) bandwidth = k->bandwidthM;
        else if (a.cfg.kde.bandwidthM > 0) bandwidth = a.cfg.kde.bandwidthM;
        else {
            std::vector<double> tx, ty, tw;
            for (std::size_t i = 0; i < period.size(); ++i)
                if (period[i] == 0) tx.push_back(r.x[i]), ty.push_back(r.y[i]), tw.push_back(r.weight.empty() ? 1.0 : r.weight[i]);
            bandwidth = kde::arcgisBandwidthM(tx, ty, tw);
        }
        // (Reports all at one point have no spread to take a bandwidth from: no density maps.)
        const std::vector<double> density =
            bandwidth > 0 ? trainingDensity(g.lattice, g.cells, r, period, a.cfg, bandwidth) : std::vector<double>{};
        if (bandwidth > 0) {
            for (const double percent : {1.0, 5.0, 10.0})
                add(fmt::format("density_top_{:g}", percent), g.cellSizeM, bandwidth, false, counts,
                    densest(density, counts.area, percent));
        }
        progress.checkCancelled();
        // The scales: Gi* at 95 % over other cell sizes (each with its default band), the densest
        // 5 % over other bandwidths.
        std::vector<double> sizes = mc.cellSizesM, widths = mc.bandwidthsM;
        if (sizes.empty()) sizes = {g.cellSizeM / 2, g.cellSizeM, g.cellSizeM * 2};
        if (widths.empty() && bandwidth > 0) widths = {bandwidth / 2, bandwidth, bandwidth * 2};
        for (const double cs : sizes) {
            progress.checkCancelled();
            Config c2 = a.cfg;
            c2.grid.cellSizeM = cs;
            const GridStep g2 = buildGrid(c2, r, a.area(), progress);
            const CellCounts c = countOn(g2.lattice, g2.cells, r, period);
            stats::WeightsSpec ws = a.cfg.gistar.weights;
            ws.distanceM = stats::defaultBandM(g2.lattice);
            const auto b = trainingBins(c, stats::buildWeights(g2.cells, ws), correction);
            std::vector<char> hot(b.size());
            for (std::size_t i = 0; i < b.size(); ++i) hot[i] = b[i] >= 2;
            add("gistar_95", cs, 0, true, c, hot);
        }
        for (const double bw : widths) {
            progress.checkCancelled();
            // The run's own bandwidth is the surface already computed.
            add("density_top_5", g.cellSizeM, bw, true, counts,
                densest(bw == bandwidth ? density : trainingDensity(g.lattice, g.cells, r, period, a.cfg, bw), counts.area,
                        5.0));
        }
        for (const char* method : {"gistar_95", "density_top_5"}) {
            MapAccuracyStep::Row* best = nullptr;
            for (auto& row : s.rows)
                if (row.scale && row.method == method && std::isfinite(row.m.pei) && (!best || row.m.pei > best->m.pei)) best = &row;
            if (best) best->best = true;
        }
        a.results.put(std::move(s));
    }

    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const MapAccuracyStep& s = a.results.get<MapAccuracyStep>(name());
        if (s.rows.empty()) return;
        using output::FieldType;
        output::LayerWriter t = writer.layer(
            "map_accuracy", output::GeometryType::None, "Map accuracy",
            "How well the hotspot map of the training period found the test period's incidents: hit rate, PAI, PEI, RRI");
        const int method = t.add("method", FieldType::Text), scale = t.add("scale", FieldType::Int16),
                  cellSize = t.add("cell_size_m", FieldType::Real), bandwidth = t.add("bandwidth_m", FieldType::Real),
                  trainFrom = t.add("train_from", FieldType::Text), trainTo = t.add("train_to", FieldType::Text),
                  testFrom = t.add("test_from", FieldType::Text), testTo = t.add("test_to", FieldType::Text),
                  cells = t.add("cells", FieldType::Integer), area = t.add("area_share", FieldType::Real),
                  trainAll = t.add("train_incidents", FieldType::Integer64), trainIn = t.add("train_in", FieldType::Integer64),
                  testAll = t.add("test_incidents", FieldType::Integer64), testIn = t.add("test_in", FieldType::Integer64),
                  bestIn = t.add("best_in", FieldType::Integer64), hit = t.add("hit_rate", FieldType::Real),
                  pai = t.add("pai", FieldType::Real), pei = t.add("pei", FieldType::Real), rri = t.add("rri", FieldType::Real),
                  best = t.add("best_scale", FieldType::Int16);
        for (const auto& row : s.rows) {
            t.setText(method, row.method);
            t.setInt(scale, row.scale ? 1 : 0);
            t.setReal(cellSize, row.cellSizeM);
            if (row.bandwidthM > 0) t.setReal(bandwidth, row.bandwidthM);
            else t.setNull(bandwidth);
            t.setText(trainFrom, s.trainFrom);
            t.setText(trainTo, s.trainTo);
            t.setText(testFrom, s.testFrom);
            t.setText(testTo, s.testTo);
            t.setInt(cells, row.m.cells);
            t.setReal(area, row.m.areaShare);
            t.setInt(trainAll, row.m.trainAll);
            t.setInt(trainIn, row.m.trainIn);
            t.setInt(testAll, row.m.testAll);
            t.setInt(testIn, row.m.testIn);
            t.setInt(bestIn, row.m.bestIn);
            t.setReal(hit, row.m.hitRate);
            t.setReal(pai, row.m.pai);
            t.setReal(pei, row.m.pei);
            t.setReal(rri, row.m.rri);
            if (row.scale) t.setInt(best, row.best ? 1 : 0);
            else t.setNull(best);
            t.write("a map's accuracy");
        }
        t.finish();
        writer.style("map_accuracy", output::tableQml(), "Map accuracy");
    }

    void metadata(const Analysis& a, Metadata& md) const override {
        const MapAccuracyStep& s = a.results.get<MapAccuracyStep>(name());
        if (s.rows.empty()) return;
        md.add("map_accuracy.method",
               fmt::format("maps made on the training period alone, tested on the next ({}): Gi* hot cells at 99/95/90 % "
                           "(analytic p, {} correction, the run's weights) and the densest 1/5/10 % of the study area by "
                           "kernel density at the cells' centres; hit rate n/N, PAI (n/N)/(a/A) (Chainey et al. 2008), PEI "
                           "n/n* with n* the test incidents of as many cells chosen with hindsight (Hunt 2016), RRI "
                           "(n/n1)/(N/N1) (Levine 2008); the scales compared: Gi* at 95 % over cell sizes (each with its "
                           "default band) and the densest 5 % over bandwidths, best by PEI",
                           s.split, stats::toString(a.cfg.inference.correction)));
    }

    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const MapAccuracyStep& s = a.results.get<MapAccuracyStep>(name());
        for (const auto& row : s.rows)
            if (row.method == "gistar_95" && !row.scale) {
                std::string bestScale;
                for (const auto& b : s.rows)
                    if (b.best && b.method == "gistar_95") bestScale = fmt::format("; best cell size {:g} m (PEI {:.2f})", b.cellSizeM, b.m.pei);
                lines.push_back(fmt::format(
                    "Map accuracy: the 95 % hot spots of {} to {} would have covered {:.0f} % of the incidents of {} to {} on "
                    "{:.1f} % of the area (PAI {:.1f}, PEI {:.2f}, RRI {:.2f}){}",
                    s.trainFrom, s.trainTo, 100 * row.m.hitRate, s.testFrom, s.testTo, 100 * row.m.areaShare, row.m.pai,
                    row.m.pei, row.m.rri, bestScale));
            }
    }
};

} // namespace

const Step& mapAccuracy() {
    static const MapAccuracyStepImpl step;
    return step;
}

} // namespace trygg::pipeline::steps
