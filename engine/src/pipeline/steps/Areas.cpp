#include "Areas.hpp"
#include "../Step.hpp"

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
    gi.z = stats::getisOrdZ(gi.values, gi.weights);
    gi.p.resize(n);
    std::transform(gi.z.begin(), gi.z.end(), gi.p.begin(), stats::twoSidedP);
    if (cfg.inference.permutations > 0)
        gi.pseudoP = stats::conditionalPermutationP(gi.values, gi.weights, permutationSpec(cfg.inference),
                                                    [&] { progress.checkCancelled(); });
    const bool pseudo = !gi.pseudoP.empty() && cfg.inference.classesFrom == ClassesFrom::Pseudo;
    gi.bins = stats::confidenceBins(gi.z, pseudo ? gi.pseudoP : gi.p, cfg.inference.correction);
    for (double z : gi.z) gi.undefined += std::isfinite(z) ? 0 : 1;
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
    md.add("input.areas.path", cfg.areas->layer.path);
    md.add("input.areas.layer", step.layer.layerName);
    md.add("input.areas.sha256", fileChecksum(cfg.areas->layer.path));
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
        md.add("input.survey.path", cfg.areas->survey->path);
        md.add("input.survey.sha256", fileChecksum(cfg.areas->survey->path));
        md.add("input.survey.rows_read", std::to_string(step.survey->read));
        md.add("input.survey.rows_rejected", std::to_string(step.survey->rejected.size()));
    }
    for (int b = -3; b <= 3; ++b) {
        const auto count = std::count(step.gi.bins.begin(), step.gi.bins.end(), static_cast<std::int8_t>(b));
        md.add(fmt::format("areas.gistar.areas_bin_{}", b), std::to_string(count));
    }
}

namespace {

class Areas final : public Step {
public:
    Areas() : Step("stats.areas", 0.848, 0.85) {}
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
        const Config& cfg = a.cfg;
        const AreaStep& areas = a.results.get<AreaStep>(name());
        output::AreaStatisticsData ad;
        ad.wkb = &areas.wkb;
        ad.ids = &areas.layer.ids;
        ad.names = &areas.layer.names;
        ad.areaKm2 = &areas.areaKm2;
        ad.counts = &areas.counts;
        ad.categoryFields = output::categoryFieldNames(a.reports.categories);
        ad.stats = localStatsData(areas.gi, areas.lisa ? &*areas.lisa : nullptr);
        ad.description = "Incidents per area of " + cfg.areas->layer.path + " and local statistics over " +
                         areas.gi.weights.description;
        writer.writeAreaStatistics(ad);
        output::AreaSummaryData sd;
        sd.wkb = &areas.wkb;
        sd.ids = &areas.layer.ids;
        sd.names = &areas.layer.names;
        sd.areaKm2 = &areas.areaKm2;
        sd.incidents = &areas.counts.n;
        if (!areas.residentsSource.empty()) {
            sd.residents = &areas.residents;
            sd.rate = &areas.ratePer1000;
            sd.rateEb = &areas.ratePer1000Eb;
        }
        if (areas.perception) {
            sd.perception = &*areas.perception;
            sd.minReports = cfg.perception->minReports;
            if (a.main) sd.reasons = &areas.reasons;
        }
        if (areas.survey && a.main) sd.survey = &*areas.survey;
        writer.writeAreaSummary(sd);
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
