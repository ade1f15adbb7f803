#include "GiStar.hpp"
#include "Darkness.hpp"
#include "Kde.hpp"
#include "LocalMoran.hpp"
#include "Overlays.hpp"
#include "../Step.hpp"
#include "Columns.hpp"

#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <map>
#include <set>

#include "trygg/stats/MultipleTesting.hpp"

namespace trygg::pipeline::steps {

void warnIfTooFewPermutations(const InferenceConfig& inf, const std::vector<double>& pseudoP, const char* step,
                              RunSummary& summary) {
    if (inf.permutations == 0 || inf.correction == stats::Correction::None) return;
    const double floorP = 1.0 / (inf.permutations + 1.0);
    if (stats::significanceCutoff(pseudoP, 0.10, inf.correction) >= floorP) return;
    const auto atFloor = std::count_if(pseudoP.begin(), pseudoP.end(), [&](double v) { return v <= floorP * (1 + 1e-9); });
    if (atFloor == 0) return;
    summary.warnings.push_back(fmt::format(
        "{}: {} cell(s) reach the smallest pseudo p-value 1/({}+1), but under the {} correction over {} cells even "
        "they are not significant at 90 %. Raise inference.permutations (for example to {}) or use the analytic "
        "p-values (permutations = 0)",
        step, atFloor, inf.permutations, stats::toString(inf.correction), pseudoP.size(),
        // Enough for those cells to pass at 99 %, rounded up to a whole thousand less one.
        static_cast<long>(std::ceil(100.0 * static_cast<double>(pseudoP.size()) / static_cast<double>(atFloor) / 1000.0) *
                              1000 -
                          1)));
}

stats::PermutationSpec permutationSpec(const InferenceConfig& inf) {
    stats::PermutationSpec spec;
    spec.permutations = inf.permutations;
    spec.seed = inf.seed;
    spec.threads = inf.threads;
    return spec;
}

std::vector<double> analysisValues(const GridStep& g) {
    const bool weighted = !g.counts.weightSum.empty();
    std::vector<double> v(g.cells.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = weighted ? g.counts.weightSum[i] : g.counts.n[i];
    return v;
}

IncrementalStep computeIncremental(const Config& cfg, const GridStep& g, const Progress& progress) {
    IncrementalStep s;
    const double spacing = g.lattice.offsetDistanceM(0, 1, 0);
    s.startM = cfg.incremental.startM > 0 ? cfg.incremental.startM : spacing;
    s.stepM = cfg.incremental.stepM > 0 ? cfg.incremental.stepM : spacing;
    s.result = stats::incrementalAutocorrelation(g.cells, analysisValues(g), s.startM, s.stepM, cfg.incremental.count,
                                                 [&] { progress.checkCancelled(); });
    return s;
}

void giStarOnValues(GiStarStep& s, const Config& cfg, const char* step, const Progress& progress, RunSummary& summary,
                    const char* what) {
    s.z = stats::getisOrdZ(s.values, s.weights);
    s.p.resize(s.z.size());
    std::transform(s.z.begin(), s.z.end(), s.p.begin(), stats::twoSidedP);
    if (cfg.inference.permutations > 0)
        s.pseudoP = stats::conditionalPermutationP(s.values, s.weights, permutationSpec(cfg.inference),
                                                   [&] { progress.checkCancelled(); });
    const bool pseudo = !s.pseudoP.empty() && cfg.inference.classesFrom == ClassesFrom::Pseudo;
    s.bins = stats::confidenceBins(s.z, pseudo ? s.pseudoP : s.p, cfg.inference.correction);
    if (pseudo) warnIfTooFewPermutations(cfg.inference, s.pseudoP, step, summary);
    s.undefined = 0;
    for (double z : s.z) s.undefined += std::isfinite(z) ? 0 : 1;
    if (s.undefined > 0) {
        const bool flat = std::adjacent_find(s.values.begin(), s.values.end(), std::not_equal_to<>()) == s.values.end();
        summary.warnings.push_back(fmt::format(
            "{}: Gi* is undefined on {} of {} {}, left empty: {}", step, s.undefined, s.values.size(), what,
            flat ? "every one holds the same value"
                 : "their neighbourhood covers them all; use a smaller distance band or cell size"));
    }
}

GiStarStep computeGiStar(const Config& cfg, const GridStep& g, double bandM, const Progress& progress,
                         RunSummary& summary) {
    GiStarStep s;
    stats::WeightsSpec ws = cfg.gistar.weights;
    if (bandM > 0) ws.distanceM = bandM;
    const bool band = ws.kind == stats::WeightsKind::DistanceBand || ws.kind == stats::WeightsKind::InverseDistance;
    if (band) {
        s.bandM = ws.distanceM > 0 ? ws.distanceM : stats::defaultBandM(g.lattice);
        const double nearestM = g.lattice.offsetDistanceM(0, 1, 0);
        if (s.bandM < nearestM * (1 - 1e-9))
            summary.warnings.push_back(fmt::format(
                "stats.gistar: the distance band {:g} m is shorter than the distance between neighbouring cells "
                "({:g} m): each cell is compared with itself only",
                s.bandM, nearestM));
    }
    if (band) {
        // The neighbours the band takes, estimated before a byte is allocated: a band of 10,000 km
        // over a fine grid would ask for more memory than any machine has.
        const double cells = static_cast<double>(g.cells.size());
        const double perCell = std::min(cells, 3.2 * s.bandM * s.bandM / g.lattice.cellAreaM2() + 1);
        const double bytes = cells * perCell * 12.0;  // an index and a weight per neighbour
        requireMemory("stats.gistar",
                      fmt::format("the distance band {:g} m, about {:.3g} neighbours for each of {} cells,", s.bandM,
                                  perCell, g.cells.size()),
                      bytes, "Use a smaller band or a larger cell size");
    }
    s.weights = stats::buildWeights(g.cells, ws);
    s.islands = s.weights.islands().size();
    if (s.islands > 0)
        summary.warnings.push_back(fmt::format("stats.gistar: {} cell(s) have no neighbour within the weights ({})",
                                               s.islands, s.weights.description));
    s.weighted = !g.counts.weightSum.empty();
    s.values = analysisValues(g);
    giStarOnValues(s, cfg, "stats.gistar", progress, summary);
    for (auto b : s.bins) ++summary.cellsByBin[static_cast<std::size_t>(b + 3)];
    return s;
}

void incrementalMetadata(const IncrementalStep& step, Metadata& md) {
    md.add("incremental.about", "global Moran's I with row-standardised binary distance-band weights over a series "
                                "of bands (ArcGIS Pro's Incremental Spatial Autocorrelation); table "
                                "incremental_autocorrelation");
    md.add("incremental.bands", fmt::format("{} from {:g} m by {:g} m", step.result.steps.size(), step.startM, step.stepM));
    md.add("incremental.first_peak_m", step.result.firstPeak
                                           ? fmt::format("{:g}", step.result.steps[*step.result.firstPeak].distanceM)
                                           : "none");
    md.add("incremental.max_peak_m", step.result.maxPeak
                                         ? fmt::format("{:g}", step.result.steps[*step.result.maxPeak].distanceM)
                                         : "none");
}

void readWeights(const ConfigTable& t, stats::WeightsSpec& w, BandKey band) {
    if (auto v = t.str("weights")) {
        const auto kind = stats::parseWeightsKind(*v);
        if (!kind)
            t.fail("weights", "'" + *v + "' is not \"distance_band\", \"inverse_distance\", \"knn\", \"queen\" or \"rook\"");
        w.kind = *kind;
    }
    const std::optional<double> bandM = band == BandKey::Skip          ? std::nullopt
                                        : band == BandKey::AutoAllowed ? t.number("distance_band_m", {"default", "auto"})
                                                                       : t.number("distance_band_m", {"default"});
    if (bandM) {
        // 0 is no band: the default is asked for by name, never by a zero.
        if (!(*bandM > 0)) t.fail("distance_band_m", "must be a positive number of metres, or \"default\"");
        w.distanceM = *bandM;
    }
    if (auto v = t.number("power")) w.power = *v;
    if (auto v = t.number("k")) {
        if (*v < 1 || *v != std::floor(*v)) t.fail("k", "must be a whole number >= 1");
        w.k = static_cast<int>(*v);
    }
    if (auto v = t.boolean("row_standardise")) w.rowStandardise = *v;
}

namespace {

class Incremental final : public Step {
public:
    Incremental() : Step("stats.incremental", StepCost{0.05, 0, 2e-6}) {}
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override {
        return a.cfg.grid.enabled && (a.cfg.gistar.autoBand || a.cfg.incremental.enabled);
    }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        a.results.put(computeIncremental(a.cfg, a.results.get<GridStep>(name()), progress));
    }
    // incremental_autocorrelation: global Moran's I per band, the peaks marked.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const stats::IncrementalResult& result = a.results.get<IncrementalStep>(name()).result;
        using output::FieldType;
        output::LayerWriter t =
            writer.layer("incremental_autocorrelation", output::GeometryType::None, "Incremental spatial autocorrelation",
                         "Global Moran's I over a series of distance bands; the peaks suggest the scale");
        const int distance = t.add("distance_m", FieldType::Real), moran = t.add("moran_i", FieldType::Real),
                  expected = t.add("expected_i", FieldType::Real), variance = t.add("variance", FieldType::Real),
                  z = t.add("z_score", FieldType::Real), p = t.add("p_value", FieldType::Real),
                  neighbours = t.add("mean_neighbours", FieldType::Real), peak = t.add("peak", FieldType::Text);
        for (std::size_t k = 0; k < result.steps.size(); ++k) {
            const auto& st = result.steps[k];
            t.setReal(distance, st.distanceM);
            t.setReal(moran, st.moran.statistic);
            t.setReal(expected, st.moran.expected);
            t.setReal(variance, st.moran.variance);
            t.setReal(z, st.moran.z);
            t.setReal(p, st.moran.p);
            t.setReal(neighbours, st.meanNeighbours);
            std::string mark;
            if (result.firstPeak == k) mark = "first";
            if (result.maxPeak == k) mark += mark.empty() ? "max" : ",max";
            t.setText(peak, mark);
            t.write("incremental autocorrelation");
        }
        t.finish();
        writer.style("incremental_autocorrelation", output::tableQml(), "Incremental spatial autocorrelation");
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        incrementalMetadata(a.results.get<IncrementalStep>(name()), md);
    }
};

class GiStar final : public Step {
public:
    GiStar() : Step("stats.gistar", StepCost{0.05, 0, 9e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        lines.push_back(fmt::format("Gi*: band {:g} m; hot spots {} / {} / {} cells at 99 / 95 / 90 %, cold spots {} / {} / {}",
                                    s.distanceBandM, s.cellsByBin[6], s.cellsByBin[5], s.cellsByBin[4], s.cellsByBin[0],
                                    s.cellsByBin[1], s.cellsByBin[2]));
    }
    std::vector<const char*> configTables() const override { return {"gistar", "inference"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        if (const auto t = file.table("gistar", "must be a table ([gistar])")) {
            t->onlyKnown({"weights", "distance_band_m", "power", "k", "include_self", "row_standardise"});
            const bool autoBand = t->textIfText("distance_band_m") == "auto";
            cfg.gistar.autoBand = cfg.gistar.autoBand || autoBand;
            readWeights(*t, cfg.gistar.weights, autoBand ? BandKey::Skip : BandKey::AutoAllowed);
            if (auto v = t->boolean("include_self")) cfg.gistar.weights.includeSelf = *v;
        }
        if (const auto t = file.table("inference", "must be a table ([inference])")) {
            InferenceConfig& inf = cfg.inference;
            t->onlyKnown({"correction", "permutations", "seed", "threads", "alpha", "classes_from"});
            if (auto v = t->str("classes_from")) {
                if (*v == "auto") inf.classesFrom = ClassesFrom::Auto;
                else if (*v == "analytic") inf.classesFrom = ClassesFrom::Analytic;
                else if (*v == "pseudo") inf.classesFrom = ClassesFrom::Pseudo;
                else t->fail("classes_from", "'" + *v + "' is not \"auto\", \"analytic\" or \"pseudo\"");
            }
            if (auto v = t->str("correction")) {
                const auto c = stats::parseCorrection(*v);
                if (!c) t->fail("correction", "'" + *v + "' is not \"fdr\", \"bonferroni\" or \"none\"");
                inf.correction = *c;
            }
            if (auto v = t->number("permutations")) {
                if (*v < 0 || *v > 99999 || *v != std::floor(*v))
                    t->fail("permutations", "must be a whole number from 0 to 99999");
                inf.permutations = static_cast<int>(*v);
            }
            if (auto v = t->number("seed")) {
                if (*v < 0 || *v != std::floor(*v) || *v > 9007199254740992.0)
                    t->fail("seed", "must be a whole number from 0 to 2^53");
                inf.seed = static_cast<std::uint64_t>(*v);
            }
            if (auto v = t->number("threads")) {
                if (*v < 0 || *v > 1024 || *v != std::floor(*v))
                    t->fail("threads", "must be a whole number from 0 (every core) to 1024");
                inf.threads = static_cast<int>(*v);
            }
            if (auto v = t->number("alpha")) {
                if (!(*v > 0 && *v < 1)) t->fail("alpha", "must lie between 0 and 1");
                inf.alpha = *v;
            }
        }
    }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.incremental"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.grid.enabled; }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        double autoBandM = 0;
        if (const auto* inc = a.results.find<IncrementalStep>(); inc && a.cfg.gistar.autoBand) {
            if (inc->result.firstPeak)
                autoBandM = inc->result.steps[*inc->result.firstPeak].distanceM;
            else
                a.summary.warnings.push_back(
                    "stats.incremental: global Moran's z has no peak over the bands tried; Gi* uses the default "
                    "band. Widen the series with [global] incremental_start_m, incremental_step_m, "
                    "incremental_count");
        }
        const GiStarStep& gi =
            a.results.put(computeGiStar(a.cfg, a.results.get<GridStep>(name()), autoBandM, progress, a.summary));
        a.summary.distanceBandM = gi.bandM;
        // Hot spot statistics from a handful of reports describe those reports, not a pattern.
        constexpr std::size_t kMinReports = 30;
        if (a.reports.acceptedCount() < kMinReports)
            a.summary.warnings.push_back(fmt::format(
                "stats.gistar: only {} report(s): hot spots from fewer than {} are not meaningful (ArcGIS Pro asks at "
                "least 30 features for Hot Spot Analysis); read the classes as a description, not as evidence",
                a.reports.acceptedCount(), kMinReports));
    }
    // hotspot_grid: the counts, Gi*, local Moran and what later steps measure per cell.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress& all) const override {
        const Progress progress = all.slice(0.0, 0.9, all.step());
        const GridStep& g = a.results.get<GridStep>(name());
        const KdeStep* density = a.results.find<KdeStep>();
        const OverlayStep* overlays = a.results.find<OverlayStep>();
        const LocalStatsData stats = localStatsData(a.results.get<GiStarStep>(name()), a.results.find<LisaStep>());
        using output::FieldType;
        output::LayerWriter layer =
            writer.layer("hotspot_grid", output::GeometryType::Polygon, "Hotspot grid",
                         "Incidents per cell and Getis-Ord Gi* hot and cold spots (see run_metadata)");
        const int cellId = layer.add("cell_id", FieldType::Text);
        const CountColumns counts(layer, g.counts, output::categoryFieldNames(a.reports.categories));
        const StatsColumns statsColumns(layer, stats);
        const int kde = density ? layer.add("kde", FieldType::Real) : -1;
        const bool risk = density && !density->riskPerCell.empty();
        const int kdeRisk = risk ? layer.add("kde_risk", FieldType::Real) : -1;
        std::vector<int> extra;
        if (overlays)
            for (const auto& column : overlays->names) extra.push_back(layer.add(column, FieldType::Real));
        const DarknessStep* dark = a.results.find<DarknessStep>();
        std::optional<DarkCellColumns> darkColumns;
        if (dark && !dark->cells.empty()) darkColumns.emplace(layer, *dark);
        const int shareInside = layer.add("share_inside", FieldType::Real);
        const auto& share = g.cells.shareInside();
        for (std::size_t i = 0; i < g.cells.size(); ++i) {
            if (i % 16384 == 0) progress.update(static_cast<double>(i) / static_cast<double>(g.cells.size()));
            const std::string id = layer.setCell(g.cells, i);
            layer.setText(cellId, id);
            counts.set(layer, i);
            statsColumns.set(layer, i);
            if (density) layer.setReal(kde, density->perCell[i]);
            if (risk) layer.setReal(kdeRisk, density->riskPerCell[i]);
            for (std::size_t k = 0; k < extra.size(); ++k) layer.setReal(extra[k], overlays->cellValues[k][i]);
            if (darkColumns) darkColumns->set(layer, i);
            if (share.empty())
                layer.setNull(shareInside);
            else
                layer.setReal(shareInside, share[i]);
            layer.write("cell", id);
        }
        layer.finish();
        writer.style("hotspot_grid", output::hotspotGridQml(), "Hot and cold spots by Gi_Bin");
        if (stats.lisa)
            writer.style("hotspot_grid", output::clusterOutlierQml(), "Clusters and outliers by COType (local Moran's I)",
                         "cluster_outlier", false);
        if (dark && !dark->gi.z.empty())
            writer.style("hotspot_grid", output::afterDarkQml(), "After-dark hot and cold spots by dark_Gi_Bin (Gi* on the "
                         "incidents in darkness)", "after_dark", false);
        progress.update(1.0);
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const Config& cfg = a.cfg;
        const GiStarStep& gi = a.results.get<GiStarStep>(name());
        md.add("gistar.statistic", cfg.gistar.weights.includeSelf
                                       ? "Getis-Ord Gi* z-score (Ord & Getis 1995), as spdep::localG and ArcGIS Pro"
                                       : "Getis-Ord Gi z-score, cell itself excluded");
        md.add("gistar.value", gi.weighted ? "weight_sum" : "n");
        md.add("gistar.weights", gi.weights.description);
        if (gi.bandM > 0) {
            const auto* inc = a.results.find<IncrementalStep>();
            md.add("gistar.distance_band_m", fmt::format("{:.6g}", gi.bandM));
            md.add("gistar.distance_band_rule", cfg.gistar.autoBand && inc && inc->result.firstPeak
                                                    ? "auto: the first peak of incremental spatial autocorrelation"
                                                : cfg.gistar.weights.distanceM > 0 ? "given"
                                                : cfg.grid.shape == grid::Shape::Square
                                                    ? "default: cell size x sqrt(2), the 3x3 block"
                                                    : "default: the cell size, the six touching hexagons");
        }
        md.add("gistar.include_self", cfg.gistar.weights.includeSelf ? "true" : "false");
        md.add("gistar.neighbour_links", std::to_string(gi.weights.linkCount()));
        md.add("gistar.islands", std::to_string(gi.islands));
        md.add("gistar.p_value", "GiPValue: two-sided, standard normal: p = 2 (1 - Phi(|z|))");
        md.add("inference.correction",
               cfg.inference.correction == stats::Correction::FdrBenjaminiHochberg
                   ? "fdr: Benjamini-Hochberg, as ArcGIS Pro applies it (z and p unchanged; Gi_Bin and COType use the "
                     "FDR cut-offs)"
               : cfg.inference.correction == stats::Correction::Bonferroni
                   ? "bonferroni: each level divided by the number of cells tested"
                   : "none: Gi_Bin uses p < 0.10, 0.05, 0.01");
        md.add("inference.permutations", std::to_string(cfg.inference.permutations));
        if (cfg.inference.permutations > 0) {
            md.add("inference.method", "conditional randomisation (x_i fixed, neighbours drawn without replacement from "
                                       "the other n - 1 cells); cells of the same value and the same weights (up to a "
                                       "factor) share one sample of R draws, as PySAL reuses draws across cells; one "
                                       "SplitMix64 stream per such key and permutation from the seed, so results do not "
                                       "depend on the number of threads");
            md.add("inference.seed", std::to_string(cfg.inference.seed));
            md.add("inference.pseudo_p",
                   "(min(M_ge, M_le) + 1) / (R + 1): the smaller tail, ties counted in both (folded)");
        }
        const bool giPseudo = !gi.pseudoP.empty() && cfg.inference.classesFrom == ClassesFrom::Pseudo;
        const bool lisaPseudo = cfg.inference.permutations > 0 && cfg.inference.classesFrom != ClassesFrom::Analytic;
        md.add("inference.gi_bin_from", giPseudo ? "pseudo p-values (GiPseudoP)" : "analytic p-values (GiPValue)");
        if (cfg.localMoran.enabled)
            md.add("inference.cotype_from", lisaPseudo ? "pseudo p-values (LMiPseudoP)" : "analytic p-values (LMiPValue)");
        const std::vector<double>& giP = giPseudo ? gi.pseudoP : gi.p;
        md.add("gistar.cutoffs", fmt::format("p90={:.6g} p95={:.6g} p99={:.6g}",
                                             stats::significanceCutoff(giP, 0.10, cfg.inference.correction),
                                             stats::significanceCutoff(giP, 0.05, cfg.inference.correction),
                                             stats::significanceCutoff(giP, 0.01, cfg.inference.correction)));
        md.add("gistar.undefined_cells", std::to_string(gi.undefined));
        for (int b = -3; b <= 3; ++b)
            md.add(fmt::format("gistar.cells_bin_{}", b),
                   std::to_string(a.summary.cellsByBin[static_cast<std::size_t>(b + 3)]));
    }
};

} // namespace

const Step& incremental() {
    static const Incremental step;
    return step;
}
const Step& giStar() {
    static const GiStar step;
    return step;
}

} // namespace trygg::pipeline::steps
