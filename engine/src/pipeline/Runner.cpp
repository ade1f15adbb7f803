#include "trygg/pipeline/Runner.hpp"
#include "trygg/io/Source.hpp"
#include "trygg/output/Postgis.hpp"

#include "Inputs.hpp"
#include "Step.hpp"
#include "steps/Grid.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Version.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/report/HtmlReport.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace trygg::pipeline {
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
    for (const auto t : reports.timeWallSeconds) {
        if (t == io::kNoTime) continue;
        if (summary.firstWall == io::kNoTime || t < summary.firstWall) summary.firstWall = t;
        if (summary.lastWall == io::kNoTime || t > summary.lastWall) summary.lastWall = t;
    }
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
        summary.filterSv = cfg.filter.describe(true);
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
        summary.filterSv += (summary.filterSv.empty() ? "" : "; ") + std::string("kategorier: ") + list;
    }
    if (reports.acceptedCount() == 0)
        throw InputError(fmt::format("filter: no accepted report in '{}' falls within {} ({} outside the times, {} "
                                     "without a time, {} with a date but no clock time, {} of other categories; the "
                                     "reports run from {} to {})",
                                     cfg.incidents.path, summary.filter, summary.filteredOut, summary.filteredNoTime,
                                     summary.filteredNoClock, summary.filteredCategory, firstTime, lastTime));
    return reports;
}

// run_metadata: everything needed to tell how the file was made.
std::vector<output::MetadataEntry> runMetadata(const Analysis& an, const std::vector<const Step*>& ran,
                                               const std::string& startedUtc) {
    const Config& cfg = an.cfg;
    const crs::Crs& analysisCrs = an.analysisCrs;
    const io::StudyArea& study = an.study;
    const io::ReportSet& reports = an.reports;
    const RunSummary& summary = an.summary;
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
        meta.addSource("input.study_area", cfg.studyArea->path, study.rowsSha256);
        add("input.study_area.layer", cfg.studyArea->layer);
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
    // A database has no file to checksum: where the rows came from, without the password, and a
    // checksum of the rows read.
    meta.addSource("input.incidents", reports.path, reports.rowsSha256);
    add("input.incidents.layer", reports.layer);
    add("input.incidents.driver", reports.driver);
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
    add("filter_sv", summary.filterSv.empty() ? cfg.filter.describe(true) : summary.filterSv);  // for a Swedish report
    if (cfg.filter.active() || !cfg.categories.empty()) {
        add("filter.rows_used", std::to_string(reports.acceptedCount()));
        add("filter.rows_outside", std::to_string(summary.filteredOut));
        add("filter.rows_without_time", std::to_string(summary.filteredNoTime));
        add("filter.rows_without_clock", std::to_string(summary.filteredNoClock));
        add("filter.rows_other_categories", std::to_string(summary.filteredCategory));
    }
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
    for (const Step* step : ran) step->metadata(an, meta);
    for (const auto& w : summary.warnings) add("warning", w);
    add("run.finished_utc", utcNow());
    return md;
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
    for (const Step* step : steps::pipeline())
        if (step->analysisSwitch() && !a.runs(step->analysisSwitch())) step->switchOff(sub);
    return sub;
}

// What every analysis of a run shares, read once.
struct Shared {
    const crs::Crs& analysisCrs;
    const geom::GeosContext& geos;
    const io::StudyArea& study;
    Inputs& inputs;
    // With further analyses, the main analysis's results that its steps keep for them
    // (Step::keepForFurther: stats.hotspot_comparison keeps the grid and the Gi* classes).
    bool keepMain = false;
    Results mainResults = {};
};

// One analysis, from its reports to its layers (written under the writer's current prefix): the
// pipeline's steps that apply, run in order, then their layers written, then their
namespace {

// The analysis's size as known now: the grid's cells once it is built, an estimate before.
RunSize runSize(const Analysis& a) {
    RunSize s;
    s.reports = static_cast<double>(a.reports.acceptedCount());
    s.permutations = static_cast<double>(std::max(0, a.cfg.inference.permutations));
    if (const auto* g = a.results.find<steps::GridStep>()) {
        s.cells = static_cast<double>(g->cells.size());
    } else if (a.cfg.grid.cellSizeM && *a.cfg.grid.cellSizeM > 0) {
        double areaM2 = a.area() ? a.area()->areaM2() : 0;
        if (!(areaM2 > 0) && !a.reports.x.empty()) {
            const auto [x0, x1] = std::minmax_element(a.reports.x.begin(), a.reports.x.end());
            const auto [y0, y1] = std::minmax_element(a.reports.y.begin(), a.reports.y.end());
            areaM2 = (*x1 - *x0) * (*y1 - *y0);
        }
        s.cells = areaM2 / (*a.cfg.grid.cellSizeM * *a.cfg.grid.cellSizeM);
    } else {
        s.cells = s.reports;  // sfhotspot's rule gives a grid of the order of the reports
    }
    if (!a.cfg.grid.enabled) s.cells = 0;
    return s;
}

// The layers, the metadata, the report and the spatial indexes, in seconds as StepCost counts
// them: the grid layers' rows dominate (a national grid's 7 million cells take half a minute).
double outputCost(const Analysis& a, const RunSize& size, std::size_t steps) {
    return 0.5 + 0.2 * static_cast<double>(steps) + 5e-6 * size.cells +
           1.5e-6 * static_cast<double>(a.main ? a.reports.rejected.size() : 0);
}

// Where reading the reports ends on the bar (it starts at 0.05): its cost, from the file's size
// (a CSV of 15 million reports, 540 MB, takes some 16 s), against an estimate of the rest from the
// same size. A database, whose size is not known, keeps 0.45.
double readingEnds(const Config& cfg, const geom::Area* area) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(cfg.incidents.path, ec);
    if (ec || bytes == 0) return 0.45;
    const double read = 0.05 + 3e-8 * static_cast<double>(bytes);
    const double reports = static_cast<double>(bytes) / 50.0;
    double cells = reports;
    if (cfg.grid.cellSizeM && *cfg.grid.cellSizeM > 0 && area) cells = area->areaM2() / (*cfg.grid.cellSizeM * *cfg.grid.cellSizeM);
    if (!cfg.grid.enabled) cells = 0;
    const double rest = 1.0 + 5e-6 * cells + 2e-6 * reports;
    return std::clamp(0.05 + 0.95 * read / (read + rest), 0.1, 0.8);
}

} // namespace

// run_metadata entries returned. `main` writes the layers the run shares too (the study area,
// the context map, the rejected rows).
std::vector<output::MetadataEntry> analyse(const Config& cfg, Shared& sh, io::ReportSet incidents,
                                           output::GpkgWriter& writer, bool main, const Progress& progress,
                                           RunSummary& summary, StageTimer& timer, const std::string& startedUtc,
                                           Progress* finishing = nullptr) {
    const io::ReportSet reports = filterIncidents(cfg, std::move(incidents), summary);
    timer.lap("filter");
    Analysis a{cfg, sh.analysisCrs, sh.geos, sh.study, sh.inputs, reports, summary, main, {},
               !main && sh.keepMain ? &sh.mainResults : nullptr};
    std::vector<const Step*> ran;
    // Each step's share of the bar: its estimated cost over that of the steps still to run and of
    // the output, planned again before each step as the sizes become known (the grid's cells once
    // it is built). Which steps will run is a first guess here; each step's own test decides when
    // its turn comes.
    const std::vector<const Step*>& pipeline = steps::pipeline();
    std::vector<char> planned(pipeline.size());
    for (std::size_t k = 0; k < pipeline.size(); ++k) planned[k] = pipeline[k]->enabled(a) ? 1 : 0;
    double at = 0;
    // A further analysis's steps carry its name on the progress ("after_dark: stats.gistar").
    const std::string stepLabel = main || summary.analysisName.empty() ? "" : summary.analysisName + ": ";
    for (std::size_t k = 0; k < pipeline.size(); ++k) {
        const Step* step = pipeline[k];
        if (!step->enabled(a)) continue;
        const RunSize size = runSize(a);
        double rest = outputCost(a, size, ran.size() + 1);
        for (std::size_t j = k + 1; j < pipeline.size(); ++j)
            if (planned[j]) rest += pipeline[j]->cost(size);
        const double mine = step->cost(size);
        const double share = mine + rest > 0 ? (1.0 - at) * mine / (mine + rest) : 0.0;
        step->run(a, progress.slice(at, at + share, stepLabel + step->name()));
        at += share;
        ran.push_back(step);
        if (step->timed()) timer.lap(step->name());
    }
    // The output takes the rest: the layers its first 60 %, the spatial indexes and the report
    // after them (`finishing`, when the run's file is finished after this analysis) the others.
    const Progress output = progress.slice(at, 1.0, stepLabel + "output.gpkg");
    const Progress outProgress = output.slice(0.0, finishing ? 0.6 : 1.0, stepLabel + "output.gpkg");
    if (finishing) *finishing = output.slice(0.6, 1.0, "output.gpkg");
    for (const Step* step : ran) step->write(a, writer, outProgress);
    if (main && sh.keepMain)
        for (const Step* step : ran) step->keepForFurther(a.results, sh.mainResults);
    for (const Step* step : ran) step->summary(a, summary.lines);
    return runMetadata(a, ran, startedUtc);
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

namespace {
// `last`: the run ends with the file (plain progress says "done"); false when more follows.
RunSummary runToFile(const Config& cfg, const Progress& progress, bool last = true);
}

RunSummary run(const Config& cfg, const Progress& progress) {
    namespace fs = std::filesystem;
    if (!io::isConnectionString(cfg.output.path)) return runToFile(cfg, progress);
    validate(cfg);
    // Into a database: the GeoPackage first, in a folder of its own, then its layers into a fresh
    // schema that replaces the old in one transaction with the QGIS project (output/Postgis.hpp),
    // the density surfaces as PostGIS rasters. The report and the GeoTIFFs beside a file have no
    // place there: not written.
    std::string folder = (fs::temp_directory_path() / "trygg-XXXXXX").string();
    if (!mkdtemp(folder.data())) throw IoError("output: cannot make a temporary folder for the GeoPackage");
    struct Remove {
        std::string path;
        ~Remove() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } remove{folder};
    Config c = cfg;
    c.output.path = (fs::path(folder) / (cfg.output.schema + ".gpkg")).string();
    c.output.schema.clear();
    c.output.report = false;
    c.kde.geotiff = false;
    RunSummary summary = runToFile(c, progress.slice(0, 0.9, ""), false);
    const output::QgisProjectOptions project{cfg.name, cfg.name, "", cfg.output.language, {}};
    const std::vector<std::string> warnings = output::copyToPostgis(c.output.path, cfg.output.path, cfg.output.schema, cfg.output.qgisProject ? &project : nullptr,
                          progress.slice(0.9, 1.0, "output.postgis"));
    summary.warnings.insert(summary.warnings.end(), warnings.begin(), warnings.end());
    progress.show(1.0, "done");
    summary.outputPath = io::describeConnection(cfg.output.path) + " schema " + cfg.output.schema;
    return summary;
}

namespace {
RunSummary runToFile(const Config& cfg, const Progress& progress, bool last) {
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
    const double readEnd = readingEnds(cfg, study.area.get());
    io::ReportSet incidents =
        readIncidents(cfg, analysisCrs, study.area.get(), progress.slice(0.05, readEnd, "io.reports"), summary);
    timer.lap("io.reports");
    Inputs inputs(analysisCrs, geos);
    Shared shared{analysisCrs, geos, study, inputs};
    shared.keepMain = !cfg.analyses.empty();
    const RunSummary afterReading = summary;  // what every analysis starts from

    output::GpkgWriter writer(cfg.output.path, cfg.output.overwrite, analysisCrs);
    // Publishing mode: no rejected rows (they hold the input's own values), no density rasters
    // (a surface can be read back towards its points), and every count checked on commit.
    const bool publishing = cfg.publish.enabled;
    writer.setGeoTiffBeside(cfg.kde.enabled && cfg.kde.geotiff && !publishing);
    if (publishing) writer.setPublish(publishOptions(cfg));
    if (cfg.output.qgisProject) writer.setQgisProject(output::QgisProjectOptions{cfg.name, cfg.name, "", cfg.output.language, {}});

    // The main analysis runs from the end of reading to 1; with further analyses, each analysis
    // takes an equal part of the bar up to 0.95 and the spatial indexes and the report the rest.
    const double perAnalysis = (0.95 - readEnd) / static_cast<double>(cfg.analyses.size() + 1);
    const Progress mainProgress = progress.slice(readEnd, cfg.analyses.empty() ? 1.0 : readEnd + perAnalysis, "");
    Progress finishing = progress.slice(0.95, 1.0, "output.gpkg");  // after further analyses; else the main one's
    std::vector<output::MetadataEntry> md =
        analyse(cfg, shared, cfg.analyses.empty() ? std::move(incidents) : io::ReportSet(incidents), writer, true,
                mainProgress, summary, timer, startedUtc, cfg.analyses.empty() ? &finishing : nullptr);
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
        const double from = readEnd + perAnalysis * static_cast<double>(k + 1);
        const bool last = k + 1 == cfg.analyses.size();
        // A further analysis that cannot run on its reports (none left after its filter, too few
        // cells ...) is skipped with a warning: the batch goes on. It fails while computing, before
        // it writes a layer, so nothing of it is in the file.
        std::vector<output::MetadataEntry> entries;
        try {
            entries = analyse(sub, shared, last ? std::move(incidents) : io::ReportSet(incidents), writer, false,
                              progress.slice(from, from + perAnalysis, a.name), s,
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

    finishing.update(0.0, "spatial indexes");
    writer.finish();
    finishing.update(0.5, "report");
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
    if (last) progress.show(1.0, "done");  // the output is in place: a late interrupt no longer stops anything
    return summary;
}

} // namespace

} // namespace trygg::pipeline
