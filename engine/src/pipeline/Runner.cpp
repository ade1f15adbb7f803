#include "trygg/pipeline/Runner.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Sha256.hpp"
#include "trygg/core/Version.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/grid/Grid.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/stats/GetisOrd.hpp"
#include "trygg/stats/MultipleTesting.hpp"
#include "trygg/stats/Weights.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <filesystem>

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

std::string fileChecksum(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return "(virtual file, not checksummed)";
    return sha256OfFile(path);
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

std::string shapeName(grid::Shape s) { return s == grid::Shape::Square ? "square" : "hex"; }

// io.reports: the incidents, with nothing-usable turned into a clear stop.
io::ReportSet readIncidents(const Config& cfg, const crs::Crs& analysisCrs, const geom::Area* area,
                            const Progress& progress, RunSummary& summary) {
    io::ReportSet reports = io::readReports(cfg.incidents, analysisCrs, area, progress);
    summary.rowsRead = reports.rowsRead;
    summary.accepted = static_cast<std::int64_t>(reports.acceptedCount());
    summary.rejected = static_cast<std::int64_t>(reports.rejected.size());
    for (const auto& r : reports.rejected) ++summary.rejectedByReason[static_cast<std::size_t>(r.reason)];
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

struct GridStep {
    double cellSizeM = 0;
    bool automatic = false;
    grid::Extent extent;
    grid::Lattice lattice;
    grid::Grid cells;
    std::vector<std::int64_t> pointCells;  // lattice cell of each accepted report
    grid::CellCounts counts;               // filled by countCells
};

// grid.build: the lattice over the study area (or the reports' extent) and the cells that take part.
GridStep buildGrid(const Config& cfg, const io::ReportSet& reports, const geom::Area* area, const Progress& progress) {
    const grid::Extent pointsExtent{*std::min_element(reports.x.begin(), reports.x.end()),
                                    *std::min_element(reports.y.begin(), reports.y.end()),
                                    *std::max_element(reports.x.begin(), reports.x.end()),
                                    *std::max_element(reports.y.begin(), reports.y.end())};
    double cellSizeM = cfg.grid.cellSizeM.value_or(0.0);
    if (!cfg.grid.cellSizeM) {
        cellSizeM = grid::autoCellSizeM(pointsExtent);
        if (!(cellSizeM > 0))
            throw InputError("grid.build: cannot choose a cell size automatically: the accepted reports lie on a "
                             "line or a single point. Give cell_size_m (--cell-size)");
    }
    const grid::Extent extent =
        area ? grid::Extent{area->bounds().minX, area->bounds().minY, area->bounds().maxX, area->bounds().maxY}
             : pointsExtent;
    const grid::Lattice lattice = grid::Lattice::cover(cfg.grid.shape, cellSizeM, extent, cfg.grid.alignment);
    if (lattice.cellCount() > cfg.grid.maxCells && !cfg.grid.force) {
        throw InputError(fmt::format(
            "grid.build: a {:g} m {} grid over {:.1f} x {:.1f} km needs {} cells, over the limit of {}. Use a larger "
            "cell size, or raise grid.max_cells (or pass --force) if the machine has the memory",
            cellSizeM, shapeName(cfg.grid.shape), extent.width() / 1000, extent.height() / 1000, lattice.cellCount(),
            cfg.grid.maxCells));
    }
    const std::vector<std::int64_t> pointCells = grid::cellsOfPoints(lattice, reports.x, reports.y);
    auto tick = [&](double f) { progress.update(f); };
    grid::Grid cells = [&] {
        if (area) {
            return grid::Grid::overlapping(
                lattice, [&](std::span<const double> xs, std::span<const double> ys) { return area->coveredShare(xs, ys); },
                pointCells, tick, true);
        }
        if (cfg.grid.shape == grid::Shape::Square) return grid::Grid::allCells(lattice);
        // Hexagons over the reports' extent: the cells whose bounding box overlaps it.
        return grid::Grid::overlapping(
            lattice,
            [&](std::span<const double> xs, std::span<const double> ys) {
                const auto [x0, x1] = std::minmax_element(xs.begin(), xs.end());
                const auto [y0, y1] = std::minmax_element(ys.begin(), ys.end());
                const bool overlaps = *x1 >= extent.minX && *x0 <= extent.maxX && *y1 >= extent.minY && *y0 <= extent.maxY;
                return overlaps ? 1.0 : 0.0;
            },
            pointCells, tick, false);
    }();
    return GridStep{cellSizeM, !cfg.grid.cellSizeM, extent, lattice, std::move(cells), pointCells, {}};
}

// grid.count: incidents per cell, per category, and weight sums.
void countCells(GridStep& g, const io::ReportSet& reports) {
    g.counts = grid::countByCell(g.cells, g.pointCells, reports.category, reports.categories.size(), reports.weight);
    if (g.counts.unbinned > 0)
        throw Error(fmt::format("grid.count: {} accepted reports fell in no grid cell; this is a bug, please report it",
                                g.counts.unbinned));
}

struct GiStarStep {
    double bandM = 0;
    bool weighted = false;
    stats::Weights neighbours;
    std::vector<double> z, p;
    std::vector<std::int8_t> bins;
    std::size_t undefined = 0;
};

// stats.gistar: Gi* (or Gi) on the counts, or on the weight sums when there are weights.
GiStarStep computeGiStar(const GiStarConfig& cfg, const GridStep& g, RunSummary& summary) {
    GiStarStep s;
    s.bandM = cfg.distanceBandM.value_or(stats::defaultBandM(g.lattice));
    const double nearestM = g.lattice.offsetDistanceM(0, 1, 0);
    if (s.bandM < nearestM * (1 - 1e-9))
        summary.warnings.push_back(fmt::format(
            "stats.gistar: the distance band {:g} m is shorter than the distance between neighbouring cells ({:g} m): "
            "each cell is compared with itself only",
            s.bandM, nearestM));
    s.neighbours = stats::distanceBand(g.cells, s.bandM, cfg.includeSelf);
    s.weighted = !g.counts.weightSum.empty();
    std::vector<double> values(g.cells.size());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = s.weighted ? g.counts.weightSum[i] : g.counts.n[i];
    s.z = stats::getisOrdZ(values, s.neighbours);
    s.p.resize(s.z.size());
    std::transform(s.z.begin(), s.z.end(), s.p.begin(), stats::twoSidedP);
    s.bins = stats::confidenceBins(s.z, s.p, cfg.correction);
    for (std::size_t i = 0; i < s.bins.size(); ++i) {
        ++summary.cellsByBin[static_cast<std::size_t>(s.bins[i] + 3)];
        s.undefined += std::isfinite(s.z[i]) ? 0 : 1;
    }
    if (s.undefined > 0) {
        const bool flat = std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) == values.end();
        summary.warnings.push_back(fmt::format(
            "stats.gistar: Gi* is undefined on {} of {} cell(s), left empty: {}", s.undefined, g.cells.size(),
            flat ? "every cell holds the same value"
                 : "their neighbourhood covers the whole grid; use a smaller distance band or cell size"));
    }
    return s;
}


// run_metadata: everything needed to tell how the file was made.
std::vector<output::MetadataEntry> runMetadata(const Config& cfg, const crs::Crs& analysisCrs, const io::StudyArea& study,
                                               const io::ReportSet& reports, const GridStep& g, const GiStarStep& gi,
                                               const RunSummary& summary, const std::string& startedUtc) {
    std::vector<output::MetadataEntry> md;
    auto add = [&](std::string k, std::string v) { md.push_back({std::move(k), std::move(v)}); };
    add("trygg.version", kVersion);
    add("run.name", cfg.name);
    add("run.started_utc", startedUtc);
    add("config.path", cfg.sourcePath.empty() ? "(command line)" : cfg.sourcePath);
    add("config.text", cfg.sourceText);
    add("analysis.crs", analysisCrs.authorityCode().empty() ? cfg.analysisCrs : analysisCrs.authorityCode());
    add("analysis.crs_name", analysisCrs.name());
    if (cfg.studyArea) {
        add("input.study_area.path", cfg.studyArea->path);
        add("input.study_area.layer", cfg.studyArea->layer);
        add("input.study_area.sha256", fileChecksum(cfg.studyArea->path));
        add("input.study_area.crs", study.sourceCrs);
        add("input.study_area.features", std::to_string(study.features));
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
                    reports.used.time.empty() ? "-" : reports.used.time,
                    reports.used.category.empty() ? "-" : reports.used.category,
                    reports.used.id.empty() ? "-" : reports.used.id,
                    reports.used.weight.empty() ? "-" : reports.used.weight));
    add("input.incidents.rows_read", std::to_string(reports.rowsRead));
    add("input.incidents.rows_accepted", std::to_string(reports.acceptedCount()));
    add("input.incidents.rows_rejected", std::to_string(reports.rejected.size()));
    for (int k = 0; k < io::kRejectReasonCount; ++k)
        add("input.incidents.rejected." + std::string(io::reasonCode(static_cast<io::RejectReason>(k))),
            std::to_string(summary.rejectedByReason[k]));
    if (!reports.used.time.empty()) {
        add("input.incidents.time_first", reports.firstTime);
        add("input.incidents.time_last", reports.lastTime);
        add("input.incidents.rows_without_time", std::to_string(reports.withoutTime));
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
    add("grid.extent", fmt::format("{:.3f},{:.3f},{:.3f},{:.3f}", g.extent.minX, g.extent.minY, g.extent.maxX, g.extent.maxY));
    add("grid.lattice", fmt::format("{} cols x {} rows", g.lattice.cols(), g.lattice.rows()));
    add("grid.cells", std::to_string(g.cells.size()));
    add("grid.point_on_edge_rule", "half-open cells: a report on a shared edge counts in the cell to its right/above");
    add("gistar.statistic", cfg.gistar.includeSelf ? "Getis-Ord Gi* z-score (Ord & Getis 1995), as spdep::localG and ArcGIS Pro"
                                                   : "Getis-Ord Gi z-score, cell itself excluded");
    add("gistar.value", gi.weighted ? "weight_sum" : "n");
    add("gistar.weights", "binary, distance band between cell centres");
    add("gistar.distance_band_m", fmt::format("{:.6g}", gi.bandM));
    add("gistar.distance_band_rule", cfg.gistar.distanceBandM ? "given"
                                     : cfg.grid.shape == grid::Shape::Square ? "default: cell size x sqrt(2), the 3x3 block"
                                                                             : "default: the cell size, the six touching hexagons");
    add("gistar.include_self", cfg.gistar.includeSelf ? "true" : "false");
    add("gistar.neighbour_links", std::to_string(gi.neighbours.linkCount()));
    add("gistar.p_value", "two-sided, standard normal: p = 2 (1 - Phi(|z|))");
    add("gistar.correction",
        cfg.gistar.correction == stats::Correction::FdrBenjaminiHochberg
            ? "fdr: Benjamini-Hochberg at 0.10, 0.05, 0.01, as ArcGIS Pro applies it (z and p unchanged; Gi_Bin uses the "
              "FDR cut-offs)"
            : "none: Gi_Bin uses p < 0.10, 0.05, 0.01");
    if (cfg.gistar.correction == stats::Correction::FdrBenjaminiHochberg)
        add("gistar.fdr_cutoffs", fmt::format("p90={:.6g} p95={:.6g} p99={:.6g}", stats::benjaminiHochbergCutoff(gi.p, 0.10),
                                              stats::benjaminiHochbergCutoff(gi.p, 0.05),
                                              stats::benjaminiHochbergCutoff(gi.p, 0.01)));
    add("gistar.undefined_cells", std::to_string(gi.undefined));
    for (int b = -3; b <= 3; ++b)
        add(fmt::format("gistar.cells_bin_{}", b), std::to_string(summary.cellsByBin[static_cast<std::size_t>(b + 3)]));
    for (const auto& w : summary.warnings) add("warning", w);
    add("run.finished_utc", utcNow());
    return md;
}

} // namespace

RunSummary run(const Config& cfg, const Progress& progress) {
    validate(cfg);
    RunSummary summary;
    summary.outputPath = cfg.output.path;
    const std::string startedUtc = utcNow();
    StageTimer timer(summary);
    output::GpkgWriter::checkWritable(cfg.output.path, cfg.output.overwrite);  // fail before any work

    const crs::Crs analysisCrs = crs::Crs::fromUserInput(cfg.analysisCrs);
    analysisCrs.requireMetricProjected("the analysis CRS");

    geom::GeosContext geos;
    io::StudyArea study;
    if (cfg.studyArea) {
        progress.slice(0.0, 0.05, "io.study_area").update(0.0, cfg.studyArea->path);
        study = io::readStudyArea(*cfg.studyArea, analysisCrs, geos);
        summary.warnings.insert(summary.warnings.end(), study.warnings.begin(), study.warnings.end());
    }
    summary.hasStudyArea = static_cast<bool>(study.area);
    timer.lap("io.study_area");

    const io::ReportSet reports =
        readIncidents(cfg, analysisCrs, study.area.get(), progress.slice(0.05, 0.45, "io.reports"), summary);
    timer.lap("io.reports");

    GridStep g = buildGrid(cfg, reports, study.area.get(), progress.slice(0.45, 0.55, "grid.build"));
    summary.cellSizeM = g.cellSizeM;
    summary.cellSizeAutomatic = g.automatic;
    summary.cells = g.cells.size();
    timer.lap("grid.build");
    countCells(g, reports);
    timer.lap("grid.count");

    progress.slice(0.55, 0.6, "stats.gistar").update(0.0);
    const GiStarStep gi = computeGiStar(cfg.gistar, g, summary);
    summary.distanceBandM = gi.bandM;
    timer.lap("stats.gistar");

    const Progress outProgress = progress.slice(0.6, 1.0, "output.gpkg");
    output::GpkgWriter writer(cfg.output.path, cfg.output.overwrite, analysisCrs);
    output::HotspotGridData grid;
    grid.grid = &g.cells;
    grid.counts = &g.counts;
    grid.categoryFields = output::categoryFieldNames(reports.categories);
    grid.z = &gi.z;
    grid.p = &gi.p;
    grid.bin = &gi.bins;
    grid.neighbours = &gi.neighbours;
    writer.writeHotspotGrid(grid, outProgress.slice(0.0, 0.9, "output.gpkg"));
    if (study.area) {
        writer.writeStudyArea(study.area->toWkb(), "The study area: " + cfg.studyArea->path);
    } else {
        // Without a study area the analysed area is the reports' extent; written so the map shows it.
        writer.writeStudyArea(geom::rectangleWkb(geos, g.extent.minX, g.extent.minY, g.extent.maxX, g.extent.maxY),
                              "No study area was given: the extent of the accepted reports, which the grid covers");
    }
    writer.writeRejected(reports, "rejected_reports");
    writer.writeMetadata(runMetadata(cfg, analysisCrs, study, reports, g, gi, summary, startedUtc));
    writer.commit();
    timer.lap("output.gpkg");
    progress.update(1.0, "done");
    return summary;
}

} // namespace trygg::pipeline
