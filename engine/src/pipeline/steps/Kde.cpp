#include "Kde.hpp"
#include "../Step.hpp"

#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

#include "trygg/io/Gdal.hpp"
#include "trygg/io/WeightedPoints.hpp"

namespace trygg::pipeline::steps {

KdeStep computeKde(Inputs& inputs, const Config& cfg, const io::ReportSet& reports, const GridStep& g, const geom::Area* area,
                   const Progress& progress, RunSummary& summary) {
    const KdeConfig& kc = cfg.kde;
    KdeStep s;
    std::vector<double> adaptive;
    switch (kc.rule) {
    case BandwidthRule::Fixed:
        s.bandwidthM = kc.bandwidthM;
        s.bandwidthRule = "given";
        break;
    case BandwidthRule::ArcGis:
        s.bandwidthM = kde::arcgisBandwidthM(reports.x, reports.y, reports.weight);
        s.bandwidthRule = "ArcGIS Pro's default: 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2";
        break;
    case BandwidthRule::NormalReference:
        s.bandwidthM = kde::normalReferenceBandwidthM(reports.x, reports.y);
        s.bandwidthRule = "normal reference (MASS::bandwidth.nrd averaged over x and y, sfhotspot's rule)";
        break;
    }
    s.bandwidthM *= kc.multiplier;
    if (kc.multiplier != 1) s.bandwidthRule += fmt::format(" x {:g}", kc.multiplier);
    kde::SurfaceSpec spec;
    spec.kernel = kc.kernel;
    spec.bandwidthM = s.bandwidthM;
    spec.normalisation = kc.normalisation;
    spec.threads = cfg.inference.threads;
    spec.checkCancelled = [&progress] { progress.checkCancelled(); };
    if (kc.adaptiveK > 0) {
        adaptive = kde::adaptiveBandwidthsM(reports.x, reports.y, kc.adaptiveK, s.bandwidthM / 10);
        spec.bandwidthsM = adaptive;
        std::vector<double> sorted = adaptive;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
        s.bandwidthM = sorted[sorted.size() / 2];
        s.bandwidthRule = fmt::format("adaptive: each report's distance to its {}th nearest report, at least a tenth of "
                                      "the fixed rule's", kc.adaptiveK);
    }
    if (cfg.grid.enabled && s.bandwidthM < g.cellSizeM)
        summary.warnings.push_back(fmt::format("kde: the bandwidth {:.0f} m is smaller than the cell size {:g} m: the "
                                               "surface will look like the counts",
                                               s.bandwidthM, g.cellSizeM));
    // Default pixels: a quarter of the grid's cells, or a sixteenth of the bandwidth without a grid.
    const double pixelM = kc.pixelM > 0            ? kc.pixelM
                          : cfg.grid.enabled ? std::max(1.0, g.cellSizeM / 4)
                                             : std::max(1.0, s.bandwidthM / 16);
    const double reachM = kde::supportRadius(kc.kernel) * (adaptive.empty() ? s.bandwidthM
                                                                            : *std::max_element(adaptive.begin(), adaptive.end()));
    if (!kc.alignTo.empty()) {
        const io::RasterLayout l = io::readRasterLayout(kc.alignTo);
        s.raster = kde::Raster{l.originX, l.originY, l.pixelM, l.cols, l.rows};
    } else if (area) {
        const auto& b = area->bounds();
        s.raster = kde::rasterCovering(b.minX, b.minY, b.maxX, b.maxY, pixelM);
    } else {
        s.raster = kde::rasterCovering(g.extent.minX - reachM, g.extent.minY - reachM, g.extent.maxX + reachM,
                                       g.extent.maxY + reachM, pixelM);
    }
    // The surface in double, its mask and its Float32 copy.
    requireMemory("kde", fmt::format("a {:g} m raster of {} x {} pixels", s.raster.pixelM, s.raster.cols, s.raster.rows),
                  static_cast<double>(s.raster.cols) * static_cast<double>(s.raster.rows) * 13.0, "Use a larger pixel_m");
    if (s.raster.cols * s.raster.rows > cfg.grid.maxCells && !cfg.grid.force)
        throw InputError(fmt::format("kde: a {:g} m raster needs {} pixels, over the limit of {}. Use a larger pixel_m",
                                     pixelM, s.raster.cols * s.raster.rows, cfg.grid.maxCells));
    if (kc.normalisation == kde::Normalisation::PerArea) spec.areaM2 = s.raster.pixelM * s.raster.pixelM;
    kde::RowSpans spans;
    if (area) {
        spans = [&](std::int64_t row) {
            std::vector<std::pair<std::int64_t, std::int64_t>> out;
            for (const auto& [x0, x1] : area->spansAt(s.raster.centreY(row))) {
                // Pixels whose centres lie inside the span.
                const double px = s.raster.pixelM;
                const auto c0 = static_cast<std::int64_t>(std::ceil((x0 - s.raster.originX) / px - 0.5));
                const auto c1 = static_cast<std::int64_t>(std::floor((x1 - s.raster.originX) / px - 0.5)) + 1;
                if (c1 > c0) out.emplace_back(c0, c1);
            }
            return out;
        };
    }
    // The edge correction divides each report's weight by the share of its kernel inside the area.
    std::vector<double> corrected;
    std::span<const double> weights = reports.weight;
    if (kc.edgeCorrection && spans) {
        const auto shares = kde::insideShares(s.raster, reports.x, reports.y, spec, spans);
        corrected.resize(shares.size());
        for (std::size_t i = 0; i < shares.size(); ++i)
            corrected[i] = (reports.weight.empty() ? 1.0 : reports.weight[i]) / std::max(shares[i], 1e-3);
        weights = corrected;
    } else if (kc.edgeCorrection) {
        summary.warnings.push_back("kde: the edge correction needs a study area; none was applied");
    }
    s.surface = kde::densitySurface(s.raster, reports.x, reports.y, weights, spec, spans);
    // The value at each grid cell's centre, per grid cell when the output is per cell.
    const std::size_t cellCount = cfg.grid.enabled ? g.cells.size() : 0;
    std::vector<double> cx(cellCount), cy(cellCount);
    for (std::size_t i = 0; i < cellCount; ++i) {
        const auto c = g.lattice.centre(g.cells.cellIndex(i));
        cx[i] = c.x;
        cy[i] = c.y;
    }
    kde::SurfaceSpec cellSpec = spec;
    if (kc.normalisation == kde::Normalisation::PerArea) cellSpec.areaM2 = g.lattice.cellAreaM2();
    // At the cells' centres: on a square grid the centres are the pixel centres of a raster laid
    // on the lattice, so the threaded surface gives them exactly; hexagons are evaluated one by one.
    auto atCells = [&](std::span<const double> px, std::span<const double> py, std::span<const double> pw,
                       const kde::SurfaceSpec& sp) {
        if (cellCount == 0) return std::vector<double>{};
        if (g.lattice.shape() != grid::Shape::Square) return kde::densityAt(cx, cy, px, py, pw, sp);
        const double cs = g.lattice.cellSizeM();
        const grid::Point c0 = g.lattice.centre({0, 0});
        const kde::Raster onCells{c0.x - cs / 2, c0.y - cs / 2 + cs * static_cast<double>(g.lattice.rows()), cs,
                                  g.lattice.cols(), g.lattice.rows()};
        const auto values = kde::densitySurfaceDouble(onCells, px, py, pw, sp);
        std::vector<double> out(cellCount);
        for (std::size_t i = 0; i < cellCount; ++i) {
            const auto c = g.cells.cellIndex(i);
            out[i] = values[static_cast<std::size_t>((g.lattice.rows() - 1 - c.row) * g.lattice.cols() + c.col)];
        }
        return out;
    };
    s.perCell = atCells(reports.x, reports.y, weights, cellSpec);
    // The risk surface: both densities in the same kernel and bandwidth, per km2, combined where the
    // smoothed population reaches the minimum (a rate over a handful of residents misleads).
    if (kc.population) {
        s.population = inputs.weightedPoints(*kc.population);
        if (s.population.skipped > 0)
            summary.warnings.push_back(fmt::format("kde.population: {} of {} feature(s) of '{}' skipped (no geometry, or "
                                                   "no usable number in '{}')",
                                                   s.population.skipped, s.population.features, kc.population->path,
                                                   kc.population->field));
        kde::SurfaceSpec perKm2 = spec;
        perKm2.normalisation = kde::Normalisation::DensityKm2;
        perKm2.bandwidthsM = {};  // residents are smoothed with the fixed bandwidth
        kde::SurfaceSpec incidentsPerKm2 = perKm2;
        incidentsPerKm2.bandwidthsM = spec.bandwidthsM;
        const auto incidents = kc.normalisation == kde::Normalisation::DensityKm2
                                   ? s.surface
                                   : kde::densitySurface(s.raster, reports.x, reports.y, weights, incidentsPerKm2, spans);
        const auto residents =
            kde::densitySurface(s.raster, s.population.x, s.population.y, s.population.weight, perKm2, spans);
        using M = KdeConfig::RiskMethod;
        auto combine = [&](double d1, double d2) -> double {
            if (!std::isfinite(d1) || !std::isfinite(d2) || d2 < kc.minPopulationKm2) return std::nan("");
            switch (kc.riskMethod) {
            case M::Rate: return d1 / d2 * 1000.0;
            case M::Ratio: return d1 / d2;
            case M::Log: return d1 > 0 ? std::log(d1 / d2) : std::nan("");
            case M::Difference: return d1 - d2;
            case M::Sum: return d1 + d2;
            }
            return std::nan("");
        };
        s.risk.resize(incidents.size());
        for (std::size_t k = 0; k < incidents.size(); ++k) s.risk[k] = static_cast<float>(combine(incidents[k], residents[k]));
        const auto cellIncidents = kc.normalisation == kde::Normalisation::DensityKm2
                                       ? s.perCell
                                       : atCells(reports.x, reports.y, weights, incidentsPerKm2);
        const auto cellResidents = atCells(s.population.x, s.population.y, s.population.weight, perKm2);
        s.riskPerCell.resize(cellCount);
        for (std::size_t i = 0; i < cellCount; ++i) s.riskPerCell[i] = combine(cellIncidents[i], cellResidents[i]);
        s.riskUnit = kc.riskMethod == M::Rate ? "reports per 1,000 residents (both smoothed)"
                     : kc.riskMethod == M::Ratio ? "ratio of the densities"
                     : kc.riskMethod == M::Log   ? "natural log of the ratio of the densities"
                     : kc.riskMethod == M::Difference ? "difference of the densities per km2"
                                                      : "sum of the densities per km2";
    }
    // The densest areas, each with the reports it holds.
    std::vector<std::int64_t> pixelOfReport(reports.acceptedCount());
    for (std::size_t i = 0; i < pixelOfReport.size(); ++i) pixelOfReport[i] = kde::pixelOf(s.raster, reports.x[i], reports.y[i]);
    for (double pct : kc.topPercent) {
        DensityAreaClass c;
        c.percent = pct;
        c.threshold = kde::topShareThreshold(s.surface, pct);
        c.labels = kde::labelRegions(s.raster, s.surface, c.threshold, c.count);
        c.incidents.assign(static_cast<std::size_t>(c.count) + 1, 0);
        c.pixels.assign(static_cast<std::size_t>(c.count) + 1, 0);
        for (auto l : c.labels) ++c.pixels[static_cast<std::size_t>(l)];
        for (auto p : pixelOfReport)
            if (p >= 0) ++c.incidents[static_cast<std::size_t>(c.labels[static_cast<std::size_t>(p)])];
        c.totalIncidents = static_cast<std::int64_t>(reports.acceptedCount());
        if (c.count > 0)
            c.polygons = io::polygonizeLabels(c.labels, s.raster.cols, s.raster.rows, s.raster.originX, s.raster.originY,
                                              s.raster.pixelM);
        s.classes.push_back(std::move(c));
    }
    return s;
}

void kdeMetadata(const Config& cfg, const KdeStep& step, bool masked, Metadata& md) {
    md.add("kde.kernel", kde::toString(cfg.kde.kernel));
    md.add("kde.kernel_formula", "K(u), u = d / h, integrating to 1 over the plane divided by h^2 (Silverman 1986)");
    md.add("kde.bandwidth_m", fmt::format("{:.1f}", step.bandwidthM));
    md.add("kde.bandwidth_rule", step.bandwidthRule);
    md.add("kde.pixel_m", fmt::format("{:g}", step.raster.pixelM));
    md.add("kde.raster", fmt::format("{} cols x {} rows, top-left {:.3f},{:.3f}", step.raster.cols,
                                     step.raster.rows, step.raster.originX, step.raster.originY));
    md.add("kde.output", cfg.kde.normalisation == kde::Normalisation::DensityKm2 ? "density_km2: reports per km2"
                         : cfg.kde.normalisation == kde::Normalisation::Raw
                             ? "raw: sums of the kernel's shape (1 at its centre), as QGIS Heatmap's raw output"
                             : "per_cell: expected reports per pixel (raster) and per grid cell (kde field)");
    md.add("kde.mask", masked ? "pixels whose centres lie outside the study area are empty (no density over the sea)"
                              : "none: the reports' extent grown by the kernel's reach");
    md.add("kde.edge_correction", cfg.kde.edgeCorrection && masked
                                      ? "Diggle (1985) / Jones (1993): each report's weight divided by the share of "
                                        "its kernel inside the study area (at least 0.001)"
                                      : "none");
    for (const auto& c : step.classes)
        md.add(fmt::format("kde.top_{:g}_percent_threshold", c.percent), fmt::format("{:.6g}", c.threshold));
    if (!step.risk.empty()) {
        md.addSource("input.population", cfg.kde.population->path, step.population.rowsSha256);
        md.add("input.population.layer", step.population.layerName);
        md.add("input.population.crs", step.population.sourceCrs);
        md.add("input.population.field", cfg.kde.population->field);
        md.add("input.population.features", std::to_string(step.population.features));
        md.add("input.population.skipped", std::to_string(step.population.skipped));
        double residents = 0;
        for (double w : step.population.weight) residents += w;
        md.add("input.population.residents", fmt::format("{:.0f}", residents));
        md.add("kde.risk", step.riskUnit);
        md.add("kde.risk_mask", fmt::format("empty where the smoothed population is below {:g} residents per km2",
                                            cfg.kde.minPopulationKm2));
    }
}

namespace {

// density_areas: the regions of each class of the densest areas, with the reports they hold.
void writeDensityAreas(const kde::Raster& raster, const std::vector<DensityAreaClass>& classes,
                       output::GpkgWriter& writer) {
    using output::FieldType;
    output::LayerWriter layer = writer.layer(
        "density_areas", output::GeometryType::MultiPolygon, "Densest areas",
        "The densest 1, 5 and 10 % of the study area by kernel density, with the reports they hold");
    const int top = layer.add("top_percent", FieldType::Real), densityMin = layer.add("density_min", FieldType::Real),
              km2 = layer.add("area_km2", FieldType::Real), incidents = layer.add("incidents", FieldType::Integer64),
              share = layer.add("share_of_incidents", FieldType::Real),
              classKm2 = layer.add("class_area_km2", FieldType::Real),
              classShare = layer.add("class_share_of_incidents", FieldType::Real);
    const double pixelKm2 = raster.pixelM * raster.pixelM / 1e6;
    for (const auto& c : classes) {
        if (c.count == 0) continue;
        std::int64_t classIncidents = 0, classPixels = 0;
        for (std::int32_t l = 1; l <= c.count; ++l) {
            classIncidents += c.incidents[static_cast<std::size_t>(l)];
            classPixels += c.pixels[static_cast<std::size_t>(l)];
        }
        for (const auto& [label, wkb] : c.polygons) {
            const auto k = static_cast<std::size_t>(label);
            layer.setGeometry(wkb, "a density area");
            layer.setReal(top, c.percent);
            layer.setReal(densityMin, c.threshold);
            layer.setReal(km2, static_cast<double>(c.pixels[k]) * pixelKm2);
            layer.setInt(incidents, c.incidents[k]);
            layer.setReal(share, static_cast<double>(c.incidents[k]) / static_cast<double>(c.totalIncidents));
            layer.setReal(classKm2, static_cast<double>(classPixels) * pixelKm2);
            layer.setReal(classShare, static_cast<double>(classIncidents) / static_cast<double>(c.totalIncidents));
            layer.write("a density area");
        }
    }
    layer.finish();
    writer.style("density_areas", output::densityAreasQml(), "The densest areas, outlined by class");
}

class Kde final : public Step {
public:
    Kde() : Step("kde.surface", StepCost{0.3, 1e-6}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        lines.push_back(fmt::format("Density: bandwidth {:.0f} m", a.summary.kdeBandwidthM));
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        add("kde align_to", cfg.kde.alignTo);
        if (cfg.kde.population) add("kde population", cfg.kde.population->path);
    }
    const char* analysisSwitch() const override { return "kde"; }
    void switchOff(Config& cfg) const override { cfg.kde.enabled = false; }
    std::vector<const char*> configTables() const override { return {"kde"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("kde", "must be a table ([kde])");
        if (!t) return;
        t->onlyKnown({"enabled", "kernel", "bandwidth_m", "multiplier", "adaptive_k", "pixel_m", "output", "top_percent",
                      "population", "edge_correction", "geotiff"});
        KdeConfig& k = cfg.kde;
        if (auto v = t->boolean("edge_correction")) k.edgeCorrection = *v;
        if (auto v = t->boolean("geotiff")) k.geotiff = *v;
        k.enabled = t->boolean("enabled").value_or(true);
        if (auto v = t->str("kernel")) {
            const auto kernel = kde::parseKernel(*v);
            if (!kernel)
                t->fail("kernel",
                        "'" + *v + "' is not \"quartic\", \"epanechnikov\", \"triangular\", \"uniform\" or \"gaussian\"");
            k.kernel = *kernel;
        }
        if (const auto v = t->textIfText("bandwidth_m")) {
            if (*v == "arcgis") k.rule = BandwidthRule::ArcGis;
            else if (*v == "nrd") k.rule = BandwidthRule::NormalReference;
            else t->fail("bandwidth_m", "must be a number of metres, \"arcgis\" or \"nrd\"");
        } else if (auto b = t->number("bandwidth_m")) {
            if (!(*b > 0)) t->fail("bandwidth_m", "must be positive");
            k.rule = BandwidthRule::Fixed;
            k.bandwidthM = *b;
        }
        if (auto v = t->number("multiplier")) {
            if (!(*v > 0)) t->fail("multiplier", "must be positive");
            k.multiplier = *v;
        }
        if (auto v = t->number("adaptive_k")) {
            if (*v < 0 || *v != std::floor(*v)) t->fail("adaptive_k", "must be a whole number >= 0");
            k.adaptiveK = static_cast<int>(*v);
        }
        if (auto v = t->number("pixel_m", {"default"})) {
            if (!(*v > 0)) t->fail("pixel_m", "must be positive");
            k.pixelM = *v;
        }
        if (auto v = t->str("output")) {
            if (*v == "density_km2") k.normalisation = kde::Normalisation::DensityKm2;
            else if (*v == "raw") k.normalisation = kde::Normalisation::Raw;
            else if (*v == "per_cell") k.normalisation = kde::Normalisation::PerArea;
            else t->fail("output", "'" + *v + "' is not \"density_km2\", \"raw\" or \"per_cell\"");
        }
        if (const auto pt = t->table("population", "must be a table ([kde.population])")) {
            pt->onlyKnown({"path", "layer", "crs", "field", "method", "min_density_km2"});
            io::WeightedPointsSpec ps;
            ps.path = pt->path("path");
            ps.layer = pt->str("layer").value_or("");
            ps.crs = pt->str("crs").value_or("");
            ps.field = pt->str("field").value_or("");
            if (ps.path.empty() || ps.field.empty())
                pt->failAt("kde.population", "needs path and field (the residents per point or grid square)");
            k.population = ps;
            if (auto v = pt->str("method")) {
                using M = KdeConfig::RiskMethod;
                if (*v == "rate") k.riskMethod = M::Rate;
                else if (*v == "ratio") k.riskMethod = M::Ratio;
                else if (*v == "log") k.riskMethod = M::Log;
                else if (*v == "diff") k.riskMethod = M::Difference;
                else if (*v == "sum") k.riskMethod = M::Sum;
                else pt->fail("method", "'" + *v + "' is not \"rate\", \"ratio\", \"log\", \"diff\" or \"sum\"");
            }
            if (auto v = pt->number("min_density_km2")) {
                if (*v < 0) pt->fail("min_density_km2", "must be >= 0");
                k.minPopulationKm2 = *v;
            }
        }
        if (const auto shares = t->numbers("top_percent", "must be a list of percentages, such as [1, 5, 10]")) {
            for (double v : *shares)
                if (!(v > 0 && v < 100)) t->fail("top_percent", "each share must lie between 0 and 100");
            k.topPercent = *shares;
        }
    }
    std::vector<std::string> needs() const override { return {"grid.build"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.kde.enabled; }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        const KdeStep& density = a.results.put(computeKde(a.inputs, a.cfg, a.reports, a.results.get<GridStep>(name()),
                                                          a.area(), progress, a.summary));
        a.summary.kdeBandwidthM = density.bandwidthM;
    }
    // The rasters (none when publishing: a surface can be read back towards its points) and the
    // densest areas.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const Config& cfg = a.cfg;
        const KdeStep& density = a.results.get<KdeStep>(name());
        const std::string unit = cfg.kde.normalisation == kde::Normalisation::DensityKm2 ? "reports per km2"
                                 : cfg.kde.normalisation == kde::Normalisation::Raw   ? "raw kernel sums"
                                                                                      : "expected reports per pixel";
        if (!a.publishing())
            writer.writeRaster("kde_density", density.raster, density.surface,
                               fmt::format("Kernel density ({} kernel, bandwidth {:.0f} m), {}",
                                           kde::toString(cfg.kde.kernel), density.bandwidthM, unit));
        if (!density.risk.empty() && !a.publishing())
            writer.writeRaster("kde_risk", density.raster, density.risk,
                               fmt::format("Risk: {}, where the smoothed population reaches {:g} per km2",
                                           density.riskUnit, cfg.kde.minPopulationKm2));
        if (!density.classes.empty()) writeDensityAreas(density.raster, density.classes, writer);
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        kdeMetadata(a.cfg, a.results.get<KdeStep>(name()), a.area() != nullptr, md);
    }
};

} // namespace

const Step& kdeSurface() {
    static const Kde step;
    return step;
}

} // namespace trygg::pipeline::steps
