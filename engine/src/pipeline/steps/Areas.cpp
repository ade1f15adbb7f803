#include "Areas.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"
#include "Columns.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "trygg/stats/Rates.hpp"
#include "trygg/stats/Weights.hpp"
#include "trygg/geom/PolygonSet.hpp"

namespace trygg::pipeline::steps {

AreaStep computeAreas(Inputs& inputs, const Config& cfg, const io::ReportSet& reports,
                      const geom::GeosContext& geos, const PerceptionStep* perceived, const KdeStep* density,
                      const Progress& progress, RunSummary& summary) {
    const AreasConfig& ac = *cfg.areas;
    AreaStep s;
    s.layer = inputs.areaLayer(ac.layer);
    summary.warnings.insert(summary.warnings.end(), s.layer.warnings.begin(), s.layer.warnings.end());
    const std::size_t n = s.layer.polygons.size();
    if (n < 4) throw InputError(fmt::format("stats.areas: '{}' holds {} area(s); local statistics need at least 4",
                                            ac.layer.path, n));
    const geom::PolygonSet set(geos, std::move(s.layer.polygons));
    s.wkb = set.toWkb();
    for (double a : set.areasM2()) s.areaKm2.push_back(a / 1e6);
    const std::vector<std::int32_t> where = set.locate(reports.x, reports.y);
    const std::vector<std::int64_t> areaOfReport(where.begin(), where.end());
    s.counts = grid::countByItem(areaOfReport, n, reports.category, reports.categories.size(), reports.weight);
    s.outside = s.counts.unbinned;
    if (s.outside > 0)
        summary.warnings.push_back(fmt::format("stats.areas: {} accepted report(s) lie in no area of '{}'", s.outside,
                                               ac.layer.path));
    const auto lists = set.contiguity(ac.queen);
    const std::string kind = ac.queen ? "queen contiguity of the polygons" : "rook contiguity of the polygons";
    GiStarStep& gi = s.gi;
    gi.weights = stats::fromNeighbourLists(lists, true, false, kind);
    gi.islands = gi.weights.islands().size();
    if (gi.islands > 0)
        summary.warnings.push_back(fmt::format("stats.areas: {} area(s) touch no other area", gi.islands));
    gi.weighted = !s.counts.weightSum.empty();
    gi.values.resize(n);
    for (std::size_t i = 0; i < n; ++i) gi.values[i] = gi.weighted ? s.counts.weightSum[i] : s.counts.n[i];
    giStarOnValues(gi, cfg, "stats.areas", progress, summary, "area(s)");
    if (cfg.localMoran.enabled) {
        LisaStep l;
        l.weights = stats::fromNeighbourLists(lists, false, true, kind);
        l.lm = stats::localMoran(gi.values, l.weights);
        if (cfg.inference.permutations > 0)
            l.pseudoP = stats::samePermutationTest(l.weights, gi.weights)
                            ? gi.pseudoP
                            : stats::conditionalPermutationP(gi.values, l.weights, permutationSpec(cfg.inference));
        const bool lp = !l.pseudoP.empty() && cfg.inference.classesFrom != ClassesFrom::Analytic;
        const std::vector<double>& p = lp ? l.pseudoP : l.lm.p;
        l.cutoff = stats::significanceCutoff(p, cfg.inference.alpha, cfg.inference.correction);
        l.coType.assign(n, stats::Quadrant::None);
        for (std::size_t i = 0; i < n; ++i)
            if (std::isfinite(p[i]) && (cfg.inference.correction == stats::Correction::None ? p[i] < l.cutoff
                                                                                           : l.cutoff > 0 && p[i] <= l.cutoff))
                l.coType[i] = l.lm.quadrant[i];
        s.lisa = std::move(l);
    }
    for (auto b : gi.bins) summary.areasHot += b >= 2;
    summary.areas = n;

    // Residents: the layer's field, else the population points inside each area.
    s.residents.assign(n, std::nan(""));
    if (!s.layer.populations.empty()) {
        s.residents = s.layer.populations;
        s.residentsSource = "field '" + ac.populationField + "' of the area layer";
    } else if (density && !density->population.x.empty()) {
        const auto in = set.locate(density->population.x, density->population.y);
        std::fill(s.residents.begin(), s.residents.end(), 0.0);
        for (std::size_t i = 0; i < in.size(); ++i)
            if (in[i] >= 0) s.residents[static_cast<std::size_t>(in[i])] += density->population.weight[i];
        s.residentsSource = "the population points of [kde.population] inside each area";
    }
    if (!s.residentsSource.empty()) {
        std::vector<double> events(n);
        for (std::size_t i = 0; i < n; ++i) events[i] = s.counts.n[i];
        const auto eb = stats::empiricalBayesRates(events, s.residents);
        s.ratePer1000.resize(n);
        s.ratePer1000Eb.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            s.ratePer1000[i] = s.residents[i] > 0 ? events[i] / s.residents[i] * 1000 : std::nan("");
            s.ratePer1000Eb[i] = eb[i] * 1000;
        }
    }
    // Perception reports per area, and what goes with feeling unsafe in each.
    if (perceived) {
        const auto in = set.locate(perceived->reports.x, perceived->reports.y);
        const std::vector<std::int64_t> areaOf(in.begin(), in.end());
        s.perception = perception::summarise(perceived->parsed, areaOf, n, cfg.perception->scale);
        s.reasons.resize(n);
        for (std::size_t a = 0; a < n; ++a) {
            std::vector<std::uint8_t> mask(areaOf.size());
            for (std::size_t i = 0; i < areaOf.size(); ++i) mask[i] = areaOf[i] == static_cast<std::int64_t>(a);
            s.reasons[a] = perception::rankReasons(perceived->parsed, cfg.perception->scale, mask);
        }
    }
    if (ac.survey) {
        s.survey = inputs.surveyTable(*ac.survey);
        for (const auto& why : s.survey->rejected)
            summary.warnings.push_back("survey: '" + ac.survey->path + "' " + why);
        std::set<std::string> known(s.layer.ids.begin(), s.layer.ids.end()), unknown;
        for (const auto& r : s.survey->rows)
            if (!known.count(r.area)) unknown.insert(r.area);
        for (const auto& u : unknown)
            summary.warnings.push_back("survey: the area '" + u + "' of '" + ac.survey->path + "' is not in the areas layer");
    }
    return s;
}

void areasMetadata(const Config& cfg, const AreaStep& step, Metadata& md) {
    md.addSource("input.areas", cfg.areas->layer.path, step.layer.rowsSha256);
    md.add("input.areas.layer", step.layer.layerName);
    md.add("input.areas.crs", step.layer.sourceCrs);
    md.add("input.areas.features", std::to_string(step.layer.features));
    md.add("areas.count", std::to_string(step.wkb.size()));
    md.add("areas.reports_outside", std::to_string(step.outside));
    md.add("areas.point_rule", "a report belongs to the first area (in layer order) that covers it, boundary included");
    md.add("areas.gistar.weights", step.gi.weights.description);
    md.add("areas.gistar.islands", std::to_string(step.gi.islands));
    if (step.lisa) md.add("areas.local_moran.weights", step.lisa->weights.description);
    md.add("areas.residents", step.residentsSource.empty() ? "unknown: no population_field and no [kde.population]"
                                                             : step.residentsSource);
    if (!step.residentsSource.empty())
        md.add("areas.rate_eb", "incidents per 1,000 residents, empirical Bayes (Marshall 1991, global), as spdep::EBest");
    if (step.survey) {
        md.addSource("input.survey", cfg.areas->survey->path, step.survey->rowsSha256);
        md.add("input.survey.rows_read", std::to_string(step.survey->read));
        md.add("input.survey.rows_rejected", std::to_string(step.survey->rejected.size()));
    }
    for (int b = -3; b <= 3; ++b) {
        const auto count = std::count(step.gi.bins.begin(), step.gi.bins.end(), static_cast<std::int8_t>(b));
        md.add(fmt::format("areas.gistar.areas_bin_{}", b), std::to_string(count));
    }
}

namespace {

using output::FieldType;

// area_statistics: the counts and local statistics per area.
void writeStatistics(const Analysis& a, const AreaStep& areas, output::GpkgWriter& writer) {
    const LocalStatsData stats = localStatsData(areas.gi, areas.lisa ? &*areas.lisa : nullptr);
    output::LayerWriter layer = writer.layer(
        "area_statistics", output::GeometryType::MultiPolygon, "Area statistics",
        "Incidents per area of " + a.cfg.areas->layer.path + " and local statistics over " + areas.gi.weights.description);
    const int id = layer.add("area_id", FieldType::Text), areaName = layer.add("area_name", FieldType::Text),
              km2 = layer.add("area_km2", FieldType::Real);
    const CountColumns counts(layer, areas.counts, output::categoryFieldNames(a.reports.categories));
    const int density = layer.add("n_per_km2", FieldType::Real);
    const StatsColumns statsColumns(layer, stats);
    for (std::size_t i = 0; i < areas.wkb.size(); ++i) {
        layer.setGeometry(areas.wkb[i], "an area");
        layer.setText(id, areas.layer.ids[i]);
        layer.setText(areaName, areas.layer.names[i]);
        layer.setReal(km2, areas.areaKm2[i]);
        counts.set(layer, i);
        layer.setReal(density, areas.areaKm2[i] > 0 ? areas.counts.n[i] / areas.areaKm2[i] : std::nan(""));
        statsColumns.set(layer, i);
        layer.write("area", areas.layer.ids[i]);
    }
    layer.finish();
    writer.style("area_statistics", output::hotspotGridQml(), "Hot and cold areas by Gi_Bin");
    if (stats.lisa)
        writer.style("area_statistics", output::clusterOutlierQml(), "Clusters and outliers by COType (local Moran's I)",
                     "area_cluster_outlier", false);
}

// area_summary: per area, residents and rates, perceived safety, the survey's latest total index.
void writeSummary(const Analysis& a, const AreaStep& areas, output::GpkgWriter& writer) {
    const bool residents = !areas.residentsSource.empty();
    const perception::CellSummary* perceived = areas.perception ? &*areas.perception : nullptr;
    const io::SurveyTable* survey = areas.survey && a.main ? &*areas.survey : nullptr;
    output::LayerWriter layer =
        writer.layer("area_summary", output::GeometryType::MultiPolygon, "Area summary",
                     "Per area: residents, incidents and rates, perceived safety, and survey indices");
    const int id = layer.add("area_id", FieldType::Text), areaName = layer.add("area_name", FieldType::Text),
              km2 = layer.add("area_km2", FieldType::Real), incidents = layer.add("incidents", FieldType::Integer),
              perKm2 = layer.add("incidents_per_km2", FieldType::Real);
    // Incidents per km² of the area: the map's measure where there are no residents to divide by.
    std::vector<double> density(areas.wkb.size());
    for (std::size_t i = 0; i < density.size(); ++i)
        density[i] = areas.areaKm2[i] > 0 ? areas.counts.n[i] / areas.areaKm2[i] : std::nan("");
    int nResidents = -1, rate = -1, rateEb = -1;
    if (residents) {
        nResidents = layer.add("residents", FieldType::Real);
        rate = layer.add("incidents_per_1000", FieldType::Real);
        rateEb = layer.add("incidents_per_1000_eb", FieldType::Real);
    }
    int percN = -1, percUnsafe = -1, percShare = -1, percMean = -1, percMeanEb = -1, percReasons = -1;
    if (perceived) {
        percN = layer.add("perc_n", FieldType::Integer);
        percUnsafe = layer.add("perc_unsafe", FieldType::Integer);
        percShare = layer.add("perc_share_unsafe", FieldType::Real);
        percMean = layer.add("perc_mean", FieldType::Real);
        percMeanEb = layer.add("perc_mean_eb", FieldType::Real);
        percReasons = layer.add("perc_reasons", FieldType::Text);
    }
    int total = -1, totalYear = -1, totalChange = -1;
    if (survey) {
        total = layer.add("survey_total", FieldType::Real);
        totalYear = layer.add("survey_total_year", FieldType::Integer);
        totalChange = layer.add("survey_total_change", FieldType::Real);
    }
    const std::uint32_t minReports = perceived ? a.cfg.perception->minReports : 0;
    for (std::size_t i = 0; i < areas.wkb.size(); ++i) {
        layer.setGeometry(areas.wkb[i], "an area");
        const std::string& areaId = areas.layer.ids[i];
        layer.setText(id, areaId);
        layer.setText(areaName, areas.layer.names[i]);
        layer.setReal(km2, areas.areaKm2[i]);
        layer.setInt(incidents, areas.counts.n[i]);
        layer.setReal(perKm2, density[i]);
        if (residents) {
            layer.setReal(nResidents, areas.residents[i]);
            layer.setReal(rate, areas.ratePer1000[i]);
            layer.setReal(rateEb, areas.ratePer1000Eb[i]);
        }
        if (perceived) {
            const auto& p = *perceived;
            layer.setInt(percN, p.n[i]);
            layer.setInt(percUnsafe, p.unsafe[i]);
            layer.setReal(percShare, p.n[i] > 0 ? static_cast<double>(p.unsafe[i]) / p.n[i] : std::nan(""));
            layer.setReal(percMean, p.n[i] >= minReports ? p.mean[i] : std::nan(""));
            layer.setReal(percMeanEb, p.ebMean[i]);
            layer.setText(percReasons, p.leadingReasons[i]);
        }
        if (survey) {
            // The latest "Totalt" (or "Total") index of the area, with its change from the year before.
            const io::SurveyRow* latest = nullptr;
            for (const auto& r : survey->rows)
                if (r.area == areaId && (r.question == "Totalt" || r.question == "Total") &&
                    (!latest || r.year > latest->year))
                    latest = &r;
            if (latest) {
                layer.setReal(total, latest->index);
                layer.setInt(totalYear, latest->year);
                layer.setReal(totalChange, latest->hasChange ? latest->change : std::nan(""));
            } else {
                layer.setNull(total);
                layer.setNull(totalYear);
                layer.setNull(totalChange);
            }
        }
        layer.write("area", areaId);
    }
    layer.finish();
    writer.style("area_summary",
                 output::graduatedQml(residents ? "incidents_per_1000_eb" : "incidents_per_km2",
                                      residents ? "Incidents per 1,000 residents (smoothed)" : "Incidents per km²",
                                      residents ? areas.ratePer1000Eb : density, a.publishing()),
                 residents ? "Areas by their smoothed rate" : "Areas by incidents per km²");
}

// area_survey: the survey's indices per area, question and year.
void writeSurvey(const io::SurveyTable& survey, output::GpkgWriter& writer) {
    output::LayerWriter t =
        writer.layer("area_survey", output::GeometryType::None, "Survey indices",
                     "The survey's indices per area, question and year, with the change from the year before");
    const int id = t.add("area_id", FieldType::Text), question = t.add("question", FieldType::Text),
              year = t.add("year", FieldType::Integer), index = t.add("survey_index", FieldType::Real),
              change = t.add("change", FieldType::Real);
    for (const auto& row : survey.rows) {
        t.setText(id, row.area);
        t.setText(question, row.question);
        t.setInt(year, row.year);
        t.setReal(index, row.index);
        t.setReal(change, row.hasChange ? row.change : std::nan(""));
        t.write("a survey row");
    }
    t.finish();
    writer.style("area_survey", output::tableQml(), "Survey indices");
}

// area_reasons: per area and reason, the reports citing it and its lift.
void writeReasons(const AreaStep& areas, output::GpkgWriter& writer) {
    output::LayerWriter t =
        writer.layer("area_reasons", output::GeometryType::None, "What goes with feeling unsafe, per area",
                     "Per area and reason: reports citing it, unsafe among them, share unsafe and lift");
    const int id = t.add("area_id", FieldType::Text), reason = t.add("reason", FieldType::Text),
              reports = t.add("reports", FieldType::Integer), unsafe = t.add("unsafe_reports", FieldType::Integer),
              share = t.add("share_unsafe", FieldType::Real), shareInArea = t.add("share_unsafe_in_area", FieldType::Real),
              lift = t.add("lift", FieldType::Real);
    for (std::size_t k = 0; k < areas.reasons.size(); ++k)
        for (const auto& row : areas.reasons[k]) {
            t.setText(id, areas.layer.ids[k]);
            t.setText(reason, row.reason);
            t.setInt(reports, row.reports);
            t.setInt(unsafe, row.unsafe);
            t.setReal(share, row.shareUnsafe);
            t.setReal(shareInArea, row.shareUnsafeOverall);
            t.setReal(lift, row.lift);
            t.write("an area reason");
        }
    t.finish();
    writer.style("area_reasons", output::tableQml(), "Reasons per area");
}

class Areas final : public Step {
public:
    Areas() : Step("stats.areas", StepCost{0.05, 0, 2e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        lines.push_back(fmt::format("Areas: {} areas, {} hot at 95 % or more", a.summary.areas, a.summary.areasHot));
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        if (!cfg.areas) return;
        add("areas", cfg.areas->layer.path);
        if (cfg.areas->survey) add("survey", cfg.areas->survey->path);
    }
    const char* analysisSwitch() const override { return "areas"; }
    void switchOff(Config& cfg) const override { cfg.areas.reset(); }
    std::vector<const char*> configTables() const override { return {"areas"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("areas", "must be a table ([areas])");
        if (!t) return;
        t->onlyKnown({"path", "layer", "crs", "id_field", "name_field", "weights", "population_field", "survey_path",
                      "survey_area_field", "survey_question_field", "survey_year_field", "survey_index_field"});
        AreasConfig a;
        a.layer.path = t->path("path");
        if (a.layer.path.empty()) t->failAt("areas.path", "missing: give the polygon layer of areas, or remove [areas]");
        a.layer.layer = t->str("layer").value_or("");
        a.layer.crs = t->str("crs").value_or("");
        a.layer.idField = t->str("id_field").value_or("");
        a.layer.nameField = t->str("name_field").value_or("");
        if (auto v = t->str("weights")) {
            if (*v != "queen" && *v != "rook") t->fail("weights", "'" + *v + "' is not \"queen\" or \"rook\"");
            a.queen = *v == "queen";
        }
        a.populationField = t->str("population_field").value_or("");
        a.layer.populationField = a.populationField;
        if (t->has("survey_path")) {
            io::SurveySpec sv;
            sv.path = t->path("survey_path");
            if (auto f = t->str("survey_area_field")) sv.areaField = *f;
            if (auto f = t->str("survey_question_field")) sv.questionField = *f;
            if (auto f = t->str("survey_year_field")) sv.yearField = *f;
            if (auto f = t->str("survey_index_field")) sv.indexField = *f;
            a.survey = sv;
        }
        cfg.areas = a;
    }
    std::vector<std::string> needs() const override { return {"kde.surface", "perception"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.areas.has_value(); }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0, a.cfg.areas->layer.path);
        a.results.put(computeAreas(a.inputs, a.cfg, a.reports, a.geos, a.results.find<PerceptionStep>(),
                                   a.results.find<KdeStep>(), progress, a.summary));
    }
    // area_statistics and area_summary; the main analysis also the reasons and the survey, which
    // do not change with the reports.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const AreaStep& areas = a.results.get<AreaStep>(name());
        writeStatistics(a, areas, writer);
        writeSummary(a, areas, writer);
        if (areas.survey && a.main) writeSurvey(*areas.survey, writer);
        if (areas.perception && a.main) writeReasons(areas, writer);
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        areasMetadata(a.cfg, a.results.get<AreaStep>(name()), md);
    }
};

} // namespace

const Step& areas() {
    static const Areas step;
    return step;
}

} // namespace trygg::pipeline::steps
