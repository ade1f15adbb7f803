#include "trygg/pipeline/Runner.hpp"

#include "Inputs.hpp"
#include "steps/Areas.hpp"
#include "steps/Change.hpp"
#include "steps/Emerging.hpp"
#include "steps/Followup.hpp"
#include "steps/GiStar.hpp"
#include "steps/Global.hpp"
#include "steps/Grid.hpp"
#include "steps/HotspotAreas.hpp"
#include "steps/Kde.hpp"
#include "steps/LocalMoran.hpp"
#include "steps/Overlays.hpp"
#include "steps/Perception.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"
#include "trygg/core/Sha256.hpp"
#include "trygg/core/Version.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/geom/PolygonSet.hpp"
#include "trygg/io/AreaLayer.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/kde/Bandwidth.hpp"
#include "trygg/kde/Regions.hpp"
#include "trygg/kde/Surface.hpp"
#include "trygg/overlay/HotspotAreas.hpp"
#include "trygg/overlay/Measures.hpp"
#include "trygg/perception/Perception.hpp"
#include "trygg/report/HtmlReport.hpp"
#include "trygg/grid/Grid.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/io/NamedFeatures.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/stats/Change.hpp"
#include "trygg/stats/Concentration.hpp"
#include "trygg/stats/Displacement.hpp"
#include "trygg/stats/Emerging.hpp"
#include "trygg/stats/GetisOrd.hpp"
#include "trygg/stats/Global.hpp"
#include "trygg/stats/Incremental.hpp"
#include "trygg/stats/LocalMoran.hpp"
#include "trygg/stats/Permutation.hpp"
#include "trygg/stats/Rates.hpp"
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/stats/Weights.hpp"
#include "trygg/temporal/HotTimes.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <optional>
#include <filesystem>

namespace trygg::pipeline {
using namespace steps;
namespace {

using Clock = std::chrono::steady_clock;

std::string utcNow() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}


class StageTimer {
public:
    explicit StageTimer(RunSummary& s) : m_summary(s), m_start(Clock::now()) {}
    void lap(const char* step) {
        const auto now = Clock::now();
        m_summary.stageSeconds.emplace_back(step, std::chrono::duration<double>(now - m_start).count());
        m_start = now;
    }

private:
    RunSummary& m_summary;
    Clock::time_point m_start;
};


// io.reports: the incidents, with nothing-usable turned into a clear stop.
io::ReportSet readIncidents(const Config& cfg, const crs::Crs& analysisCrs, const geom::Area* area,
                            const Progress& progress, RunSummary& summary) {
    io::ReportSet reports = io::readReports(cfg.incidents, analysisCrs, area, progress);
    summary.rowsRead = reports.rowsRead;
    summary.accepted = static_cast<std::int64_t>(reports.acceptedCount());
    summary.rejected = static_cast<std::int64_t>(reports.rejected.size());
    for (const auto& r : reports.rejected) ++summary.rejectedByReason[static_cast<std::size_t>(r.reason)];
    summary.warnings.insert(summary.warnings.end(), reports.warnings.begin(), reports.warnings.end());
    if (reports.acceptedCount() > 0) return reports;
    std::string reasons;
    for (int k = 0; k < io::kRejectReasonCount; ++k) {
        if (summary.rejectedByReason[k] == 0) continue;
        reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", summary.rejectedByReason[k],
                               io::reasonText(static_cast<io::RejectReason>(k)));
    }
    throw InputError(fmt::format(
        "io.reports: nothing usable in '{}': {} rows read, none accepted{}. Check the coordinate fields and their "
        "CRS{}",
        cfg.incidents.path, reports.rowsRead, reasons.empty() ? "" : " (" + reasons + ")",
        area ? ", and that the reports lie inside the study area" : ""));
}

// The accepted reports the time filter and the categories keep ([filter]); every one without them.
io::ReportSet filterIncidents(const Config& cfg, io::ReportSet reports, RunSummary& summary) {
    const std::string firstTime = reports.firstTime, lastTime = reports.lastTime;
    if (cfg.filter.active()) {
        if (reports.timeWallSeconds.empty())
            throw InputError(fmt::format("filter: '{}' has no time field, so the filter ({}) cannot be applied. Name "
                                         "the time field under [incidents] (time = \"...\"), or remove the filter",
                                         cfg.incidents.path, cfg.filter.describe()));
        temporal::FilterCounts counts;
        reports = temporal::applyFilter(std::move(reports), cfg.filter, counts);
        summary.filter = cfg.filter.describe();
        summary.filteredOut = static_cast<std::int64_t>(counts.outside);
        summary.filteredNoTime = static_cast<std::int64_t>(counts.noTime);
        summary.filteredNoClock = static_cast<std::int64_t>(counts.noClock);
    }
    if (!cfg.categories.empty()) {
        if (reports.category.empty())
            throw InputError(fmt::format("filter: '{}' has no category field, so categories cannot be chosen. Name it "
                                         "under [incidents] (category_field = \"...\")",
                                         cfg.incidents.path));
        std::vector<char> wanted(reports.categories.size(), 0);
        for (const auto& name : cfg.categories) {
            const auto it = std::find(reports.categories.begin(), reports.categories.end(), name);
            if (it == reports.categories.end()) {
                std::string known;
                for (const auto& c : reports.categories) known += (known.empty() ? "" : ", ") + c;
                throw InputError(fmt::format("filter: no category '{}' in '{}'. Its categories are: {}", name,
                                             cfg.incidents.path, known));
            }
            wanted[static_cast<std::size_t>(it - reports.categories.begin())] = 1;
        }
        std::vector<char> keep(reports.acceptedCount(), 0);
        for (std::size_t i = 0; i < keep.size(); ++i)
            keep[i] = reports.category[i] >= 0 && wanted[static_cast<std::size_t>(reports.category[i])];
        const auto before = static_cast<std::int64_t>(reports.acceptedCount());
        io::keepReports(reports, keep);
        // Only the chosen categories are left, each with its n_<category> field: no field that is
        // zero by the analysis's own choice.
        std::vector<std::int32_t> newIndex(reports.categories.size(), -1);
        std::vector<std::string> chosen;
        for (std::size_t c = 0; c < reports.categories.size(); ++c)
            if (wanted[c]) {
                newIndex[c] = static_cast<std::int32_t>(chosen.size());
                chosen.push_back(reports.categories[c]);
            }
        for (auto& c : reports.category) c = newIndex[static_cast<std::size_t>(c)];
        reports.categories = std::move(chosen);
        summary.filteredCategory = before - static_cast<std::int64_t>(reports.acceptedCount());
        std::string list;
        for (const auto& c : cfg.categories) list += (list.empty() ? "" : ", ") + c;
        summary.filter += (summary.filter.empty() ? "" : "; ") + std::string("categories: ") + list;
    }
    if (reports.acceptedCount() == 0)
        throw InputError(fmt::format("filter: no accepted report in '{}' falls within {} ({} outside the times, {} "
                                     "without a time, {} with a date but no clock time, {} of other categories; the "
                                     "reports run from {} to {})",
                                     cfg.incidents.path, summary.filter, summary.filteredOut, summary.filteredNoTime,
                                     summary.filteredNoClock, summary.filteredCategory, firstTime, lastTime));
    return reports;
}

output::LocalStatsData localStatsData(const GiStarStep& gi, const LisaStep* lisa) {
    output::LocalStatsData d;
    d.z = &gi.z;
    d.p = &gi.p;
    d.bin = &gi.bins;
    d.neighbours = &gi.weights;
    if (!gi.pseudoP.empty()) d.pseudoP = &gi.pseudoP;
    if (lisa) {
        d.lisa = &lisa->lm;
        d.coType = &lisa->coType;
        if (!lisa->pseudoP.empty()) d.lisaPseudoP = &lisa->pseudoP;
    }
    return d;
}

// run_metadata: everything needed to tell how the file was made.
std::vector<output::MetadataEntry> runMetadata(const Config& cfg, const crs::Crs& analysisCrs, const io::StudyArea& study,
                                               const io::ReportSet& reports, const GridStep& g, const GiStarStep* gi,
                                               const LisaStep* lisa, const GlobalStep* global,
                                               const IncrementalStep* inc, const AreaStep* areas,
                                               const KdeStep* density, const PerceptionStep* perceived,
                                               const RunSummary& summary,
                                               const std::string& startedUtc) {
    std::vector<output::MetadataEntry> md;
    steps::Metadata meta(md);
    auto add = [&](std::string k, std::string v) { meta.add(std::move(k), std::move(v)); };
    add("trygg.version", kVersion);
    add("run.name", cfg.name);
    add("run.started_utc", startedUtc);
    add("config.path", cfg.sourcePath.empty() ? "(command line)" : cfg.sourcePath);
    add("config.text", cfg.sourceText);
    add("analysis.crs", analysisCrs.authorityCode().empty() ? cfg.analysisCrs : analysisCrs.authorityCode());
    add("analysis.crs_name", analysisCrs.name());
    add("analysis.crs_rule", summary.analysisCrsRule);
    if (cfg.studyArea) {
        add("input.study_area.path", cfg.studyArea->path);
        add("input.study_area.layer", cfg.studyArea->layer);
        add("input.study_area.sha256", fileChecksum(cfg.studyArea->path));
        add("input.study_area.crs", study.sourceCrs);
        add("input.study_area.features", std::to_string(study.features));
        if (!cfg.studyArea->where.empty()) {
            add("input.study_area.where", cfg.studyArea->where);
            add("input.study_area.features_in_layer", std::to_string(study.featuresInLayer));
        }
        add("input.study_area.area_km2", fmt::format("{:.3f}", study.area->areaM2() / 1e6));
    } else {
        add("input.study_area", "none: the grid covers the extent of the accepted reports, as sfhotspot does");
    }
    add("input.incidents.path", reports.path);
    add("input.incidents.layer", reports.layer);
    add("input.incidents.driver", reports.driver);
    add("input.incidents.sha256", fileChecksum(reports.path));
    add("input.incidents.crs", reports.sourceCrs);
    add("input.incidents.fields",
        fmt::format("x={} y={} time={} category={} id={} weight={}", reports.used.x, reports.used.y,
                    reports.used.time.empty() ? "-" : reports.used.timeText(),
                    reports.used.category.empty() ? "-" : reports.used.category,
                    reports.used.id.empty() ? "-" : reports.used.id,
                    reports.used.weight.empty() ? "-" : reports.used.weight));
    add("input.incidents.rows_read", std::to_string(reports.rowsRead));
    add("input.incidents.rows_accepted", std::to_string(summary.accepted));
    add("filter", summary.filter.empty() ? cfg.filter.describe() : summary.filter);
    if (cfg.filter.active() || !cfg.categories.empty()) {
        add("filter.rows_used", std::to_string(reports.acceptedCount()));
        add("filter.rows_outside", std::to_string(summary.filteredOut));
        add("filter.rows_without_time", std::to_string(summary.filteredNoTime));
        add("filter.rows_without_clock", std::to_string(summary.filteredNoClock));
        add("filter.rows_other_categories", std::to_string(summary.filteredCategory));
    }
    if (cfg.followup) followupMetadata(cfg, summary, meta);
    if (cfg.emerging) emergingMetadata(cfg, summary, meta);
    if (cfg.change) changeMetadata(cfg, summary, meta);
    add("input.incidents.rows_rejected", std::to_string(reports.rejected.size()));
    for (int k = 0; k < io::kRejectReasonCount; ++k)
        add("input.incidents.rejected." + std::string(io::reasonCode(static_cast<io::RejectReason>(k))),
            std::to_string(summary.rejectedByReason[k]));
    if (!reports.used.time.empty()) {
        add("input.incidents.time_first", reports.firstTime);
        add("input.incidents.time_last", reports.lastTime);
        add("input.incidents.rows_without_time", std::to_string(reports.withoutTime));
        add("input.incidents.rows_without_clock", std::to_string(reports.withoutClock));
        add("input.incidents.rows_at_midnight", std::to_string(reports.atMidnight));
        add("input.incidents.plausible_dates", reports.dates.fromText + " to " + reports.dates.toText + " (exclusive)");
    }
    add("input.incidents.categories", std::to_string(reports.categories.size()));
    add("grid.shape", shapeName(cfg.grid.shape));
    add("grid.cell_size_m", fmt::format("{:g}", g.cellSizeM));
    add("grid.cell_size_rule",
        g.automatic ? "automatic: 1/50 of the shorter side of the reports' extent, floored to 100 m "
                                    "(sfhotspot's rule)"
                                  : "given");
    add("grid.alignment", cfg.grid.alignment == grid::Alignment::Snapped
                              ? "snapped: cell edges at whole multiples of the cell size"
                              : "extent: origin at the lower-left corner of the extent (as sf::st_make_grid)");
    if (cfg.publish.enabled) {
        const grid::Extent b = latticeBounds(g.lattice);  // never the extreme reports' coordinates
        add("grid.extent", fmt::format("{:.0f},{:.0f},{:.0f},{:.0f} (the grid's cells; publishing mode)", b.minX, b.minY,
                                       b.maxX, b.maxY));
    } else {
        add("grid.extent", fmt::format("{:.3f},{:.3f},{:.3f},{:.3f}", g.extent.minX, g.extent.minY, g.extent.maxX, g.extent.maxY));
    }
    add("grid.lattice", fmt::format("{} cols x {} rows", g.lattice.cols(), g.lattice.rows()));
    add("grid.cells", std::to_string(g.cells.size()));
    add("grid.point_on_edge_rule", "half-open cells: a report on a shared edge counts in the cell to its right/above");
    if (gi) {
        add("gistar.statistic", cfg.gistar.weights.includeSelf ? "Getis-Ord Gi* z-score (Ord & Getis 1995), as spdep::localG and ArcGIS Pro"
                                                       : "Getis-Ord Gi z-score, cell itself excluded");
        add("gistar.value", gi->weighted ? "weight_sum" : "n");
        add("gistar.weights", gi->weights.description);
        if (gi->bandM > 0) {
            add("gistar.distance_band_m", fmt::format("{:.6g}", gi->bandM));
            add("gistar.distance_band_rule", cfg.gistar.autoBand && inc && inc->result.firstPeak
                                                 ? "auto: the first peak of incremental spatial autocorrelation"
                                             : cfg.gistar.weights.distanceM > 0 ? "given"
                                             : cfg.grid.shape == grid::Shape::Square
                                                 ? "default: cell size x sqrt(2), the 3x3 block"
                                                 : "default: the cell size, the six touching hexagons");
        }
        add("gistar.include_self", cfg.gistar.weights.includeSelf ? "true" : "false");
        add("gistar.neighbour_links", std::to_string(gi->weights.linkCount()));
        add("gistar.islands", std::to_string(gi->islands));
        add("gistar.p_value", "GiPValue: two-sided, standard normal: p = 2 (1 - Phi(|z|))");
        add("inference.correction",
            cfg.inference.correction == stats::Correction::FdrBenjaminiHochberg
                ? "fdr: Benjamini-Hochberg, as ArcGIS Pro applies it (z and p unchanged; Gi_Bin and COType use the FDR "
                  "cut-offs)"
            : cfg.inference.correction == stats::Correction::Bonferroni
                ? "bonferroni: each level divided by the number of cells tested"
                : "none: Gi_Bin uses p < 0.10, 0.05, 0.01");
        add("inference.permutations", std::to_string(cfg.inference.permutations));
        if (cfg.inference.permutations > 0) {
            add("inference.method", "conditional randomisation (x_i fixed, neighbours drawn without replacement from the "
                                    "other n - 1 cells); one SplitMix64 stream per cell from the seed, so results do not "
                                    "depend on the number of threads");
            add("inference.seed", std::to_string(cfg.inference.seed));
            add("inference.pseudo_p", "(min(M_ge, M_le) + 1) / (R + 1): the smaller tail, ties counted in both (folded)");
        }
        const bool giPseudo = !gi->pseudoP.empty() && cfg.inference.classesFrom == ClassesFrom::Pseudo;
        const bool lisaPseudo = cfg.inference.permutations > 0 && cfg.inference.classesFrom != ClassesFrom::Analytic;
        add("inference.gi_bin_from", giPseudo ? "pseudo p-values (GiPseudoP)" : "analytic p-values (GiPValue)");
        if (lisa) add("inference.cotype_from", lisaPseudo ? "pseudo p-values (LMiPseudoP)" : "analytic p-values (LMiPValue)");
        const std::vector<double>& giP = giPseudo ? gi->pseudoP : gi->p;
        add("gistar.cutoffs", fmt::format("p90={:.6g} p95={:.6g} p99={:.6g}",
                                          stats::significanceCutoff(giP, 0.10, cfg.inference.correction),
                                          stats::significanceCutoff(giP, 0.05, cfg.inference.correction),
                                          stats::significanceCutoff(giP, 0.01, cfg.inference.correction)));
        add("gistar.undefined_cells", std::to_string(gi->undefined));
        for (int b = -3; b <= 3; ++b)
            add(fmt::format("gistar.cells_bin_{}", b), std::to_string(summary.cellsByBin[static_cast<std::size_t>(b + 3)]));
    }
    if (lisa) {
        add("local_moran.statistic", "local Moran's I (Anselin 1995), moments of conditional randomisation (Sokal, "
                                     "Oden & Thomson 1998), as spdep::localmoran");
        add("local_moran.weights", lisa->weights.description);
        add("local_moran.neighbour_links", std::to_string(lisa->weights.linkCount()));
        add("local_moran.alpha", fmt::format("{:g}", cfg.inference.alpha));
        add("local_moran.cutoff", fmt::format("{:.6g}", lisa->cutoff));
        for (auto q : {stats::Quadrant::HighHigh, stats::Quadrant::LowLow, stats::Quadrant::HighLow, stats::Quadrant::LowHigh})
            add(fmt::format("local_moran.cells_{}", stats::toString(q)),
                std::to_string(summary.cellsByCoType[static_cast<std::size_t>(q)]));
    }
    if (gi) {
        const auto& c = summary.concentration;
        for (std::size_t k = 0; k < c.topPercent.size(); ++k)
            add(fmt::format("concentration.top_{:g}_percent_of_cells", c.topPercent[k]),
                fmt::format("{:.4f} of incidents", c.shareOfIncidents[k]));
        add("concentration.least_area_for_half", fmt::format("{:.4f} of the study area holds half the incidents "
                                                             "(cells ranked by density, whole cells)",
                                                             c.areaShareForHalf));
    }
    if (gi && cfg.hotspotAreas.enabled) hotspotAreasMetadata(cfg, summary, study.area != nullptr, meta);
    overlaysMetadata(cfg, meta);
    if (inc) incrementalMetadata(*inc, meta);
    if (density) kdeMetadata(cfg, *density, study.area != nullptr, meta);
    if (perceived) perceptionMetadata(cfg, *perceived, meta);
    if (areas) areasMetadata(cfg, *areas, meta);
    if (global) globalMetadata(*global, meta);
    for (const auto& w : summary.warnings) add("warning", w);
    add("run.finished_utc", utcNow());
    return md;
}

// The context map layers, clipped to the grid's extent grown by 1 km (whole features kept).
std::vector<output::ContextLayerData> readContext(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                                                  const grid::Extent& extent) {
    std::vector<output::ContextLayerData> out;
    constexpr double kMarginM = 1000;
    for (const auto& c : cfg.context) {
        const io::NamedFeatures nf = inputs.namedFeatures(c.layer);
        output::ContextLayerData d;
        d.name = c.name;
        d.title = nf.layerName;
        for (const auto& f : nf.features) {
            const geom::Bounds b = geom::boundsOf(geos, f.geom.get());
            if (b.maxX < extent.minX - kMarginM || b.minX > extent.maxX + kMarginM || b.maxY < extent.minY - kMarginM ||
                b.minY > extent.maxY + kMarginM)
                continue;
            d.wkb.push_back(geom::toWkb(geos, f.geom.get()));
            if (!c.layer.nameField.empty()) d.labels.push_back(f.name);
        }
        out.push_back(std::move(d));
    }
    return out;
}

// True when every report `a` keeps, `main` keeps too.
bool narrower(const temporal::TimeFilter& a, const temporal::TimeFilter& main) {
    const auto within = [](const auto& mine, const auto& theirs) {
        return theirs.none() || (mine.any() && (mine & ~theirs).none());
    };
    return (!main.from || (a.from && *a.from >= *main.from)) && (!main.to || (a.to && *a.to <= *main.to)) &&
           within(a.hours, main.hours) && within(a.weekdays, main.weekdays) && within(a.months, main.months);
}

// Publishing mode's view of the run: how each further analysis's reports relate to the main
// analysis's, so the counts of both are protected as the parts and totals they are.
output::PublishOptions publishOptions(const Config& cfg) {
    output::PublishOptions options{cfg.publish.minCount};
    for (const auto& a : cfg.analyses) {
        const bool categoriesWithin =
            cfg.categories.empty() ||
            (!a.categories.empty() && std::all_of(a.categories.begin(), a.categories.end(), [&](const std::string& c) {
                 return std::find(cfg.categories.begin(), cfg.categories.end(), c) != cfg.categories.end();
             }));
        const auto& f = a.filter;
        const auto& m = cfg.filter;
        const bool sameTime = f.from == m.from && f.to == m.to && f.hours == m.hours && f.weekdays == m.weekdays && f.months == m.months;
        options.analyses.push_back({a.name + "_", categoriesWithin && narrower(a.filter, cfg.filter), sameTime,
                                    !a.categories.empty()});
    }
    return options;
}

// The config of a further analysis: the main one's, with its own reports (its filter and
// categories replace [filter]) and without the parts it switches off. The context map, the
// QGIS project and publishing belong to the whole run.
Config analysisConfig(const Config& cfg, const AnalysisConfig& a) {
    Config sub = cfg;
    sub.name = cfg.name + " / " + a.title;
    sub.filter = a.filter;
    sub.categories = a.categories;
    sub.analyses.clear();
    sub.context.clear();
    if (!a.kde) sub.kde.enabled = false;
    if (!a.perception) sub.perception.reset();
    if (!a.change) sub.change.reset();
    if (!a.emerging) sub.emerging.reset();
    if (!a.followup) sub.followup.reset();
    if (!a.areas) sub.areas.reset();
    if (!a.localMoran) sub.localMoran.enabled = false;
    if (!a.hotspotAreas) sub.hotspotAreas.enabled = false;
    return sub;
}

// What every analysis of a run shares, read once.
struct Shared {
    const crs::Crs& analysisCrs;
    const geom::GeosContext& geos;
    const io::StudyArea& study;
    Inputs& inputs;
};

// One analysis, from its reports to its layers (written under the writer's current prefix):
// returns its run_metadata entries. `main` writes the shared layers too (the study area, the
// context map, the rejected rows).
std::vector<output::MetadataEntry> analyse(const Config& cfg, Shared& sh, io::ReportSet incidents,
                                           output::GpkgWriter& writer, bool main, const Progress& progress,
                                           RunSummary& summary, StageTimer& timer, const std::string& startedUtc) {
    const crs::Crs& analysisCrs = sh.analysisCrs;
    const geom::GeosContext& geos = sh.geos;
    const io::ReportSet reports = filterIncidents(cfg, std::move(incidents), summary);
    timer.lap("filter");

    GridStep g = buildGrid(cfg, reports, sh.study.area.get(), progress.slice(0.45, 0.55, "grid.build"));
    summary.cellSizeM = g.cellSizeM;
    summary.cellSizeAutomatic = g.automatic;
    summary.cells = g.cells.size();
    summary.hasGrid = cfg.grid.enabled;
    timer.lap("grid.build");
    countCells(g, reports);
    timer.lap("grid.count");

    std::vector<output::ContextLayerData> context;
    if (main && !cfg.context.empty()) {
        context = readContext(sh.inputs, cfg, geos, g.extent);
        timer.lap("io.context");
    }

    std::optional<output::FollowupData> followup;
    if (cfg.followup) {
        followup = computeFollowup(sh.inputs, cfg, geos, reports, summary);
        timer.lap("stats.followup");
    }

    std::optional<EmergingStep> emerging;
    if (cfg.emerging) {
        const Progress emergingProgress = progress.slice(0.55, 0.55, "stats.emerging");
        emergingProgress.update(0.0);
        emerging = computeEmerging(cfg, reports, g, emergingProgress, summary);
        timer.lap("stats.emerging");
    }

    std::optional<ChangeStep> change;
    if (cfg.change) {
        change = computeChange(cfg, reports, g, summary);
        timer.lap("stats.change");
    }

    // The hotspot statistics on the grid; `trygg kde` runs without them ([grid] enabled = false).
    std::optional<IncrementalStep> inc;
    std::optional<GiStarStep> gi;
    std::optional<LisaStep> lisa;
    std::optional<GlobalStep> global;
    if (cfg.grid.enabled) {
        double autoBandM = 0;
        if (cfg.gistar.autoBand || cfg.incremental.enabled) {
            const Progress incProgress = progress.slice(0.55, 0.6, "stats.incremental");
            incProgress.update(0.0);
            inc = computeIncremental(cfg, g, incProgress);
            timer.lap("stats.incremental");
            if (cfg.gistar.autoBand) {
                if (inc->result.firstPeak) {
                    autoBandM = inc->result.steps[*inc->result.firstPeak].distanceM;
                } else {
                    summary.warnings.push_back(
                        "stats.incremental: global Moran's z has no peak over the bands tried; Gi* uses the default "
                        "band. Widen the series with [global] incremental_start_m, incremental_step_m, "
                        "incremental_count");
                }
            }
        }
        const Progress giProgress = progress.slice(0.6, 0.7, "stats.gistar");
        giProgress.update(0.0);
        gi = computeGiStar(cfg, g, autoBandM, giProgress, summary);
        summary.distanceBandM = gi->bandM;
        timer.lap("stats.gistar");
        if (cfg.localMoran.enabled) {
            const Progress lisaProgress = progress.slice(0.7, 0.8, "stats.local_moran");
            lisaProgress.update(0.0);
            lisa = computeLocalMoran(cfg, g, *gi, lisaProgress, summary);
            timer.lap("stats.local_moran");
        }
        {
            // How concentrated the incidents are (the share in the busiest cells, the least area for half).
            std::vector<double> counts(g.cells.size()), areas(g.cells.size());
            const auto& share = g.cells.shareInside();
            for (std::size_t i = 0; i < counts.size(); ++i) {
                counts[i] = g.counts.n[i];
                areas[i] = g.lattice.cellAreaM2() * (share.empty() ? 1.0 : share[i]);
            }
            summary.concentration = stats::concentration(counts, areas);
        }
        // Hot spot statistics from a handful of reports describe those reports, not a pattern.
        constexpr std::size_t kMinReports = 30;
        if (reports.acceptedCount() < kMinReports)
            summary.warnings.push_back(fmt::format(
                "stats.gistar: only {} report(s): hot spots from fewer than {} are not meaningful (ArcGIS Pro asks at "
                "least 30 features for Hot Spot Analysis); read the classes as a description, not as evidence",
                reports.acceptedCount(), kMinReports));
        if (cfg.globalTests && g.cells.size() < 4)
            summary.warnings.push_back(fmt::format("stats.global: the global tests need at least 4 cells; the grid "
                                                   "has {}, so none was computed",
                                                   g.cells.size()));
        if (cfg.globalTests && g.cells.size() >= 4) {
            const Progress globalProgress = progress.slice(0.8, 0.82, "stats.global");
            globalProgress.update(0.0);
            const double areaM2 = sh.study.area ? sh.study.area->areaM2() : g.extent.width() * g.extent.height();
            global = computeGlobal(g, *gi, lisa ? &*lisa : nullptr, reports, areaM2, globalProgress);
            summary.moranI = global->moran;
            summary.generalG = global->generalG;
            summary.clarkEvans = global->clarkEvans;
            summary.hasGlobal = true;
            timer.lap("stats.global");
        }
    }

    std::optional<KdeStep> density;
    if (cfg.kde.enabled) {
        const Progress kdeProgress = progress.slice(0.8, 0.82, "kde.surface");
        kdeProgress.update(0.0);
        density = computeKde(sh.inputs, cfg, reports, g, sh.study.area.get(), kdeProgress, summary);
        summary.kdeBandwidthM = density->bandwidthM;
        timer.lap("kde.surface");
    }

    std::optional<PerceptionStep> perceived;
    if (cfg.perception) {
        if (!gi) throw InputError("perception: needs the hotspot grid ([grid] enabled = true)");
        const Progress perceptionProgress = progress.slice(0.82, 0.84, "perception");
        perceptionProgress.update(0.0, cfg.perception->reports.path);
        perceived = computePerception(sh.inputs, cfg, sh.study.area.get(), g, reports, *gi, perceptionProgress, summary);
        timer.lap("perception");
    }

    std::optional<HotspotAreasStep> hotAreas;
    if (gi && cfg.hotspotAreas.enabled) {
        progress.slice(0.84, 0.845, "overlay.hotspot_areas").update(0.0);
        const AreaContext ctx = readAreaContext(sh.inputs, cfg.hotspotAreas, summary);
        hotAreas = computeHotspotAreas(cfg, ctx, geos, sh.study.area.get(), g, gi->bins, "incidents", 1, reports);
        auto append = [&](HotspotAreasStep more) {
            for (auto& r : more.rows) hotAreas->rows.push_back(std::move(r));
        };
        // The same for perceived insecurity, when there are perception reports.
        if (perceived)
            append(computeHotspotAreas(cfg, ctx, geos, sh.study.area.get(), g, perceived->gi.bins, "perception",
                                       static_cast<int>(hotAreas->rows.size()) + 1, reports));
        // And for the densest areas of the density surface, class by class.
        if (density)
            for (const auto& c : density->classes) {
                const double studyAreaM2 = sh.study.area ? sh.study.area->areaM2() : g.extent.width() * g.extent.height();
                std::vector<std::vector<std::size_t>> inRegion(c.polygons.size());
                std::vector<std::int32_t> regionIndex(static_cast<std::size_t>(c.count) + 1, -1);
                for (std::size_t k = 0; k < c.polygons.size(); ++k) regionIndex[static_cast<std::size_t>(c.polygons[k].first)] = static_cast<std::int32_t>(k);
                for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
                    const auto p = kde::pixelOf(density->raster, reports.x[i], reports.y[i]);
                    if (p < 0) continue;
                    const auto label = c.labels[static_cast<std::size_t>(p)];
                    if (label > 0 && regionIndex[static_cast<std::size_t>(label)] >= 0)
                        inRegion[static_cast<std::size_t>(regionIndex[static_cast<std::size_t>(label)])].push_back(i);
                }
                for (std::size_t k = 0; k < c.polygons.size(); ++k) {
                    const geom::GeomPtr poly = geom::fromWkb(geos, c.polygons[k].second);
                    output::HotspotAreaRow row =
                        describeArea(geos, poly.get(), inRegion[k], reports, ctx, cfg.hotspotAreas, studyAreaM2);
                    row.id = static_cast<int>(hotAreas->rows.size()) + 1;
                    row.kind = fmt::format("density_top_{:g}", c.percent);
                    hotAreas->rows.push_back(std::move(row));
                }
            }
        for (auto& r : hotAreas->rows)
            if (r.hotTimes) r.hotTimes->scopeTo(cfg.filter);
        summary.hotspotAreas = hotAreas->rows.size();
        timer.lap("overlay.hotspot_areas");
    }

    std::optional<OverlayStep> overlays;
    if (gi && !cfg.overlays.empty()) {
        progress.slice(0.845, 0.848, "overlay.measures").update(0.0);
        overlays = computeOverlays(sh.inputs, cfg, geos, sh.study.area.get(), g, hotAreas ? &*hotAreas : nullptr, summary);
        timer.lap("overlay.measures");
    }

    std::optional<AreaStep> areas;
    if (cfg.areas) {
        const Progress areaProgress = progress.slice(0.848, 0.85, "stats.areas");
        areaProgress.update(0.0, cfg.areas->layer.path);
        areas = computeAreas(sh.inputs, cfg, reports, geos, perceived ? &*perceived : nullptr,
                             density ? &*density : nullptr, areaProgress, summary);
        timer.lap("stats.areas");
    }

    const Progress outProgress = progress.slice(0.85, 1.0, "output.gpkg");
    const bool publishing = cfg.publish.enabled;
    const std::vector<std::string> categoryFields = output::categoryFieldNames(reports.categories);
    if (gi) {
        output::HotspotGridData grid;
        grid.grid = &g.cells;
        grid.counts = &g.counts;
        grid.categoryFields = categoryFields;
        grid.stats = localStatsData(*gi, lisa ? &*lisa : nullptr);
        if (density) grid.kde = &density->perCell;
        if (density && !density->riskPerCell.empty()) grid.kdeRisk = &density->riskPerCell;
        if (overlays)
            for (std::size_t k = 0; k < overlays->names.size(); ++k)
                grid.extraColumns.emplace_back(overlays->names[k], &overlays->cellValues[k]);
        writer.writeHotspotGrid(grid, outProgress.slice(0.0, 0.9, "output.gpkg"));
    }
    if (main && sh.study.area) {
        writer.writeStudyArea(sh.study.area->toWkb(), "The study area: " + cfg.studyArea->path);
    } else if (main && publishing) {
        // The reports' extent is the extreme reports' exact coordinates: published, the rectangle
        // is the grid's own (whole cells at multiples of the cell size) instead.
        const grid::Extent b = latticeBounds(g.lattice);
        writer.writeStudyArea(geom::rectangleWkb(geos, b.minX, b.minY, b.maxX, b.maxY),
                              "No study area was given: the grid's cells around the accepted reports");
    } else if (main) {
        // Without a study area the analysed area is the reports' extent; written so the map shows it.
        // One report, or reports on a line, have an extent without area: it is grown to a cell.
        const double padX = std::max(0.0, g.cellSizeM - g.extent.width()) / 2;
        const double padY = std::max(0.0, g.cellSizeM - g.extent.height()) / 2;
        writer.writeStudyArea(geom::rectangleWkb(geos, g.extent.minX - padX, g.extent.minY - padY, g.extent.maxX + padX,
                                                 g.extent.maxY + padY),
                              "No study area was given: the extent of the accepted reports, which the grid covers");
    }
    for (const auto& c : context) writer.writeContextLayer(c);
    if (main && !publishing) writer.writeRejected(reports, "rejected_reports");
    if (areas) {
        output::AreaStatisticsData ad;
        ad.wkb = &areas->wkb;
        ad.ids = &areas->layer.ids;
        ad.names = &areas->layer.names;
        ad.areaKm2 = &areas->areaKm2;
        ad.counts = &areas->counts;
        ad.categoryFields = categoryFields;
        ad.stats = localStatsData(areas->gi, areas->lisa ? &*areas->lisa : nullptr);
        ad.description = "Incidents per area of " + cfg.areas->layer.path + " and local statistics over " +
                         areas->gi.weights.description;
        writer.writeAreaStatistics(ad);
        output::AreaSummaryData sd;
        sd.wkb = &areas->wkb;
        sd.ids = &areas->layer.ids;
        sd.names = &areas->layer.names;
        sd.areaKm2 = &areas->areaKm2;
        sd.incidents = &areas->counts.n;
        if (!areas->residentsSource.empty()) {
            sd.residents = &areas->residents;
            sd.rate = &areas->ratePer1000;
            sd.rateEb = &areas->ratePer1000Eb;
        }
        if (areas->perception) {
            sd.perception = &*areas->perception;
            sd.minReports = cfg.perception->minReports;
            if (main) sd.reasons = &areas->reasons;  // residents' reports: the same in every analysis
        }
        if (areas->survey && main) sd.survey = &*areas->survey;  // the survey does not change with the reports
        writer.writeAreaSummary(sd);
    }
    if (inc) writer.writeIncremental(inc->result);
    if (followup) writer.writeFollowup(*followup);
    if (emerging) {
        output::EmergingGridData ed;
        ed.grid = &g.cells;
        ed.result = &emerging->result;
        ed.n = &g.counts.n;
        ed.stepsText = emerging->stepsText;
        writer.writeEmerging(ed);
    }
    if (change) {
        output::ChangeGridData cd;
        cd.grid = &g.cells;
        cd.before = &change->before;
        cd.after = &change->after;
        cd.rateRatio = &change->result.rateRatio;
        cd.p = &change->result.p;
        cd.bins = &change->result.bins;
        cd.beforeName = cfg.change->before;
        cd.afterName = cfg.change->after;
        writer.writeChangeGrid(cd);
    }
    if (hotAreas)
        writer.writeHotspotAreas(hotAreas->rows, cfg.hotspotAreas.lights.has_value(),
                                 overlays ? overlays->names : std::vector<std::string>{});
    if (!reports.timeWallSeconds.empty()) {
        temporal::HourWeekdayTable whole = temporal::hourWeekdayTable(reports.timeWallSeconds, reports.hasClock);
        whole.scopeTo(cfg.filter);
        writer.writeHotTimes(whole, hotAreas ? hotAreas->rows : std::vector<output::HotspotAreaRow>{});
    }
    if (perceived) {
        output::PerceptionGridData pd;
        pd.grid = &g.cells;
        pd.summary = &perceived->cells;
        pd.minReports = cfg.perception->minReports;
        pd.stats.z = &perceived->gi.z;
        pd.stats.p = &perceived->gi.p;
        pd.stats.bin = &perceived->gi.bins;
        pd.stats.neighbours = &perceived->gi.weights;
        if (!perceived->gi.pseudoP.empty()) pd.stats.pseudoP = &perceived->gi.pseudoP;
        pd.incidentBins = &gi->bins;
        pd.scoreZ = &perceived->giScore.z;
        pd.scoreP = &perceived->giScore.p;
        pd.scoreBins = &perceived->giScore.bins;
        pd.around = &perceived->around;
        pd.classes = &perceived->classes;
        if (!perceived->classesAtTimes.empty()) {
            pd.classesAtTimes = &perceived->classesAtTimes;
            for (auto t : cfg.perception->classesFor) pd.timesLabel += (pd.timesLabel.empty() ? "" : "_") + std::string(perception::toString(t));
        }
        writer.writePerceptionGrid(pd);
        if (main) writer.writePerceptionReasons(perceived->reasons);  // the same residents' reports in every analysis
        if (main && !publishing) writer.writeRejected(perceived->reports, "rejected_perception");
    }
    if (density) {
        const std::string unit = cfg.kde.normalisation == kde::Normalisation::DensityKm2 ? "reports per km2"
                                 : cfg.kde.normalisation == kde::Normalisation::Raw   ? "raw kernel sums"
                                                                                      : "expected reports per pixel";
        if (!publishing) writer.writeRaster("kde_density", density->raster, density->surface,
                           fmt::format("Kernel density ({} kernel, bandwidth {:.0f} m), {}", kde::toString(cfg.kde.kernel),
                                       density->bandwidthM, unit));
        if (!density->risk.empty() && !publishing)
            writer.writeRaster("kde_risk", density->raster, density->risk,
                               fmt::format("Risk: {}, where the smoothed population reaches {:g} per km2", density->riskUnit,
                                           cfg.kde.minPopulationKm2));
        if (!density->classes.empty()) writer.writeDensityAreas(density->raster, density->classes);
    }
    return runMetadata(cfg, analysisCrs, sh.study, reports, g, gi ? &*gi : nullptr, lisa ? &*lisa : nullptr,
                                     global ? &*global : nullptr, inc ? &*inc : nullptr, areas ? &*areas : nullptr,
                                     density ? &*density : nullptr, perceived ? &*perceived : nullptr,
                                     summary, startedUtc);
}

} // namespace

// The analysis CRS: the one given, checked against where the data lie, or one chosen for them
// (SWEREF 99 TM in Sweden, else the UTM zone of the data's centre). The centre is the study
// area's, else the median longitude and latitude of the reports.
crs::Crs chooseAnalysisCrs(const Config& cfg, const io::StudyAreaSource* studySource, RunSummary& summary) {
    const bool given = !cfg.analysisCrs.empty() && cfg.analysisCrs != "auto";
    std::optional<crs::LonLatBounds> box;
    double lon = 0, lat = 0;
    if (studySource) {
        box = studySource->lonLat;
        lon = (box->west + box->east) / 2;
        lat = (box->south + box->north) / 2;
    } else if (!given) {
        const io::ReportSet r = io::readReports(cfg.incidents, crs::Crs::fromUserInput("OGC:CRS84"), nullptr, Progress());
        if (r.acceptedCount() == 0)
            throw InputError(fmt::format("io.reports: no report of '{}' has a readable position, so no analysis CRS can "
                                         "be chosen for them ({} rows read)",
                                         cfg.incidents.path, r.rowsRead));
        auto median = [](std::vector<double> v) {
            const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
            std::nth_element(v.begin(), mid, v.end());
            return *mid;
        };
        lon = median(r.x);
        lat = median(r.y);
    }
    if (!given) {
        const crs::CrsChoice choice = crs::chooseAnalysisCrs(lon, lat);
        summary.analysisCrsRule = choice.rule;
        crs::Crs c = crs::Crs::fromUserInput(choice.code);
        summary.analysisCrs = choice.code;
        return c;
    }
    crs::Crs c = crs::Crs::fromUserInput(cfg.analysisCrs);
    c.requireMetricProjected("the analysis CRS");
    summary.analysisCrs = c.authorityCode().empty() ? cfg.analysisCrs : c.authorityCode();
    summary.analysisCrsRule = "given";
    // A study area outside the CRS's area of use would be measured with distorted metres (NYC in
    // SWEREF 99 TM: its area 2.3 times too large): never silently.
    if (box) {
        if (const auto use = c.areaOfUse()) {
            constexpr double kMarginDeg = 1.0;
            const bool inside = lon >= use->west - kMarginDeg && lon <= use->east + kMarginDeg &&
                                lat >= use->south - kMarginDeg && lat <= use->north + kMarginDeg;
            if (!inside)
                throw CrsError(fmt::format(
                    "crs: the study area's centre ({:.3f}, {:.3f}) lies outside the area of use of the analysis CRS {} "
                    "({}: longitude {:.1f} to {:.1f}, latitude {:.1f} to {:.1f}), where its metres are distorted. Use "
                    "{} (the UTM zone there), or leave the analysis CRS out to have it chosen",
                    lon, lat, summary.analysisCrs, c.name(), use->west, use->east, use->south, use->north,
                    crs::utmZoneCode(lon, lat)));
        }
    }
    return c;
}

RunSummary run(const Config& cfg, const Progress& progress) {
    validate(cfg);
    RunSummary summary;
    summary.outputPath = cfg.output.path;
    const std::string startedUtc = utcNow();
    StageTimer timer(summary);
    refuseOutputOverInput(cfg);  // before anything is read or written
    output::GpkgWriter::checkWritable(cfg.output.path, cfg.output.overwrite);  // fail before any work

    // The study area is read once: its extent chooses or checks the analysis CRS, then its
    // polygons are dissolved in that CRS.
    std::optional<io::StudyAreaSource> studySource;
    if (cfg.studyArea) {
        progress.slice(0.0, 0.05, "io.study_area").update(0.0, cfg.studyArea->path);
        studySource = io::readStudyAreaSource(*cfg.studyArea);
    }
    const crs::Crs analysisCrs = chooseAnalysisCrs(cfg, studySource ? &*studySource : nullptr, summary);

    geom::GeosContext geos;
    io::StudyArea study;
    if (studySource) {
        study = io::buildStudyArea(*cfg.studyArea, *studySource, analysisCrs, geos);
        studySource.reset();
        summary.warnings.insert(summary.warnings.end(), study.warnings.begin(), study.warnings.end());
    }
    summary.hasStudyArea = static_cast<bool>(study.area);
    timer.lap("io.study_area");

    // The incidents as read, before [filter] and categories: each analysis filters its own copy;
    // the last one to run takes them over.
    io::ReportSet incidents =
        readIncidents(cfg, analysisCrs, study.area.get(), progress.slice(0.05, 0.45, "io.reports"), summary);
    timer.lap("io.reports");
    Inputs inputs(analysisCrs, geos);
    Shared shared{analysisCrs, geos, study, inputs};
    const RunSummary afterReading = summary;  // what every analysis starts from

    output::GpkgWriter writer(cfg.output.path, cfg.output.overwrite, analysisCrs);
    // Publishing mode: no rejected rows (they hold the input's own values), no density rasters
    // (a surface can be read back towards its points), and every count checked on commit.
    const bool publishing = cfg.publish.enabled;
    writer.setGeoTiffBeside(cfg.kde.enabled && cfg.kde.geotiff && !publishing);
    if (publishing) writer.setPublish(publishOptions(cfg));
    if (cfg.output.qgisProject) writer.setQgisProject(output::QgisProjectOptions{cfg.name, cfg.name, "", cfg.output.language});

    // The main analysis's steps run from 0.45 (after reading) to 1; with further analyses, they end
    // at 0.85 instead and the others share 0.85 to 0.95, so the progress never goes back.
    const Progress mainProgress = cfg.analyses.empty() ? progress : progress.slice(0.45 - 0.45 * 0.4 / 0.55, 0.85, "");
    std::vector<output::MetadataEntry> md =
        analyse(cfg, shared, cfg.analyses.empty() ? std::move(incidents) : io::ReportSet(incidents), writer, true,
                mainProgress, summary, timer, startedUtc);
    // The further analyses: the same inputs, their own reports, their layers under their names.
    std::string names;
    for (std::size_t k = 0; k < cfg.analyses.size(); ++k) {
        const AnalysisConfig& a = cfg.analyses[k];
        const Config sub = analysisConfig(cfg, a);
        RunSummary s = afterReading;
        s.analysisName = a.name;
        s.analysisTitle = a.title;
        s.warnings.clear();
        StageTimer subTimer(s);
        writer.setLayerPrefix(a.name + "_", a.title);
        const double from = 0.85 + 0.1 * static_cast<double>(k) / static_cast<double>(cfg.analyses.size());
        const bool last = k + 1 == cfg.analyses.size();
        // A further analysis that cannot run on its reports (none left after its filter, too few
        // cells ...) is skipped with a warning: the batch goes on. It fails while computing, before
        // it writes a layer, so nothing of it is in the file.
        std::vector<output::MetadataEntry> entries;
        try {
            entries = analyse(sub, shared, last ? std::move(incidents) : io::ReportSet(incidents), writer, false,
                              progress.slice(from, from + 0.1 / static_cast<double>(cfg.analyses.size()), a.name), s,
                              subTimer, startedUtc);
        } catch (const InputError& e) {
            summary.warnings.push_back("analyses." + a.name + ": skipped: " + e.what());
            md.push_back({"analyses." + a.name + ".skipped", e.what()});
            continue;
        }
        // Its own entries; what the whole run shares (the run, the inputs, the config) is there once.
        const auto runWide = [](const std::string& key) {
            for (const char* prefix : {"run.", "trygg.", "input.", "config.", "analysis."})
                if (key.rfind(prefix, 0) == 0) return true;
            return false;
        };
        for (const auto& e : entries)
            if (!runWide(e.key)) md.push_back({"analyses." + a.name + "." + e.key, e.value});
        md.push_back({"analyses." + a.name + ".title", a.title});
        for (const auto& w : s.warnings) summary.warnings.push_back("analyses." + a.name + ": " + w);
        names += (names.empty() ? "" : ",") + a.name;
        summary.analyses.push_back(std::move(s));
    }
    writer.setLayerPrefix("");
    if (!cfg.analyses.empty()) md.push_back({"analyses", names});
    for (auto& e : md)
        if (e.key == "run.finished_utc") e.value = utcNow();  // after the further analyses too
    md.push_back({"input.files_read_once",
                  fmt::format("{} map and survey file(s) read, {} further use(s) served from memory",
                              inputs.filesRead(), inputs.servedFromMemory())});
    writer.writeMetadata(md);

    writer.finish();
    // The report is made from the finished file before anything is moved into place, so that the
    // GeoPackage, the report and the GeoTIFFs are replaced together. A report that cannot be
    // written is a warning, not a failed run; the old report is then removed, as it would
    // describe the old results.
    std::vector<std::pair<std::string, std::string>> extra;
    std::vector<std::string> remove;
    const std::string html = std::filesystem::path(cfg.output.path).replace_extension(".html").string();
    if (cfg.output.report) {
        const std::string tmpHtml = output::GpkgWriter::partialPath(html);
        try {
            report::writeHtmlReport(writer.temporaryPath(), tmpHtml, report::ReportOptions{cfg.output.language});
            extra.emplace_back(tmpHtml, html);
        } catch (const Error& e) {
            summary.warnings.push_back(e.what());
            remove.push_back(html);
        }
    }
    writer.install(extra, remove);
    summary.filesBeside = writer.filesBeside();
    for (const auto& [tmp, final] : extra) summary.filesBeside.push_back(final);
    if (publishing) {
        summary.publishHidden = writer.publishSummary().hidden;
        summary.publishComplementary = writer.publishSummary().complementary;
    }
    summary.warnings.insert(summary.warnings.begin(), writer.recovered().begin(), writer.recovered().end());
    timer.lap("output.gpkg");
    progress.show(1.0, "done");  // the output is in place: a late interrupt no longer stops anything
    return summary;
}

} // namespace trygg::pipeline
