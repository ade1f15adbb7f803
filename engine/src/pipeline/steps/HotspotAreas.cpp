#include "HotspotAreas.hpp"
#include "../Step.hpp"
#include "Kde.hpp"
#include "Overlays.hpp"
#include "Perception.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

#include "trygg/temporal/HotTimes.hpp"

namespace trygg::pipeline::steps {

AreaContext readAreaContext(Inputs& inputs, const HotspotAreasConfig& hc, RunSummary& summary) {
    AreaContext ctx;
    for (const auto& spec : hc.places) {
        auto named = inputs.namedFeatures(spec);
        if (named.repaired > 0)
            summary.warnings.push_back(fmt::format("places: {} invalid polygon(s) in '{}' repaired with GEOS make-valid",
                                                   named.repaired, spec.path));
        for (auto& f : named.features) ctx.places.push_back({f.name, named.layerName, std::move(f.geom)});
    }
    if (hc.lights) {
        ctx.lights = inputs.weightedPoints(*hc.lights);
        ctx.hasLights = true;
    }
    return ctx;
}

output::HotspotAreaRow describeArea(const geom::GeosContext& geos, const GEOSGeometry* poly,
                                    std::span<const std::size_t> incidents, const io::ReportSet& reports,
                                    const AreaContext& ctx, const HotspotAreasConfig& hc, double studyAreaM2) {
    output::HotspotAreaRow row;
    row.areaM2 = overlay::areaM2(geos, poly);
    row.shareOfArea = studyAreaM2 > 0 ? row.areaM2 / studyAreaM2 : 0.0;
    row.incidents = static_cast<std::int64_t>(incidents.size());
    row.shareOfIncidents = reports.acceptedCount() > 0
                               ? static_cast<double>(incidents.size()) / static_cast<double>(reports.acceptedCount())
                               : 0.0;
    std::vector<std::int64_t> byCat(reports.categories.size(), 0);
    for (std::size_t i : incidents)
        if (!reports.category.empty() && reports.category[i] >= 0) ++byCat[static_cast<std::size_t>(reports.category[i])];
    std::vector<std::size_t> order(byCat.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return byCat[x] != byCat[y] ? byCat[x] > byCat[y] : reports.categories[x] < reports.categories[y];
    });
    for (std::size_t k = 0; k < order.size() && k < 3 && byCat[order[k]] > 0; ++k)
        row.leadingCategories += (k ? "; " : "") + reports.categories[order[k]] + " (" + std::to_string(byCat[order[k]]) + ")";
    if (!reports.timeWallSeconds.empty()) {
        row.hotTimes = temporal::hourWeekdayTable(reports.timeWallSeconds, reports.hasClock, incidents);
        row.peakHour = row.hotTimes->peakHour();
        row.peakWeekday = row.hotTimes->peakWeekday();
    }
    if (!ctx.places.empty()) {
        // The places it touches (a station, a park, the town), else the nearest.
        const auto in = overlay::placesIn(geos, poly, ctx.places, 3);
        if (!in.empty()) {
            for (const auto* p : in) {
                row.place += (row.place.empty() ? "i " : ", ") + p->name;
                row.placeKind += (row.placeKind.empty() ? "" : ", ") + p->kind;
            }
        } else {
            const auto near = overlay::nearestPlace(geos, poly, ctx.places);
            row.place = fmt::format("nära {} ({:.0f} m)", near.name, near.distanceM);
            row.placeKind = near.kind;
            row.placeDistanceM = near.distanceM;
        }
    }
    if (ctx.hasLights) {
        row.lights = static_cast<std::int64_t>(overlay::countPointsIn(geos, poly, ctx.lights.x, ctx.lights.y));
        auto dark = overlay::farFromPoints(geos, poly, ctx.lights.x, ctx.lights.y, hc.darkDistanceM);
        row.darkM2 = overlay::areaM2(geos, dark.get());
        if (row.darkM2 > 0) row.darkWkb = geom::toWkb(geos, dark.get());
    }
    row.wkb = geom::toWkb(geos, poly);
    return row;
}

HotspotAreasStep computeHotspotAreas(const Config& cfg, const AreaContext& ctx, const geom::GeosContext& geos,
                                     const geom::Area* area, const GridStep& g, const std::vector<std::int8_t>& bins,
                                     const std::string& kind, int firstId, const io::ReportSet& reports) {
    const HotspotAreasConfig& hc = cfg.hotspotAreas;
    HotspotAreasStep s;
    std::vector<std::size_t> hot;
    for (std::size_t i = 0; i < bins.size(); ++i)
        if (bins[i] >= hc.minBin) hot.push_back(i);
    auto parts = overlay::dissolveCells(geos, g.cells, hot, area);
    std::vector<std::int32_t> areaOfCell(g.cells.size(), -1);
    for (std::size_t a = 0; a < parts.size(); ++a)
        for (auto c : parts[a].cells) areaOfCell[c] = static_cast<std::int32_t>(a);
    std::vector<std::vector<std::size_t>> incidents(parts.size());
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
        const std::int32_t c = g.cells.activeOf(g.pointCells[i]);
        if (c >= 0 && areaOfCell[static_cast<std::size_t>(c)] >= 0)
            incidents[static_cast<std::size_t>(areaOfCell[static_cast<std::size_t>(c)])].push_back(i);
    }
    const double studyAreaM2 = area ? area->areaM2() : g.extent.width() * g.extent.height();
    for (std::size_t a = 0; a < parts.size(); ++a) {
        output::HotspotAreaRow row = describeArea(geos, parts[a].geom.get(), incidents[a], reports, ctx, hc, studyAreaM2);
        row.id = firstId + static_cast<int>(a);
        row.kind = kind;
        row.cells = parts[a].cells.size();
        s.rows.push_back(std::move(row));
    }
    return s;
}

void hotspotAreasMetadata(const Config& cfg, const RunSummary& summary, bool clipped, Metadata& md) {
    md.add("hotspot_areas.rule", fmt::format("cells with Gi_Bin >= {} that share an edge, dissolved with GEOS{}",
                                             cfg.hotspotAreas.minBin, clipped ? ", clipped to the study area" : ""));
    md.add("hotspot_areas.count", std::to_string(summary.hotspotAreas));
    if (cfg.hotspotAreas.lights) {
        md.add("hotspot_areas.lights", cfg.hotspotAreas.lights->path + " (" + cfg.hotspotAreas.lights->layer + ")");
        md.add("hotspot_areas.dark_rule", fmt::format("dark: farther than {:g} m from every light", cfg.hotspotAreas.darkDistanceM));
    }
    for (const auto& p : cfg.hotspotAreas.places)
        md.add("hotspot_areas.places", p.path + " (" + p.layer + ", " + p.nameField + ")");
}

namespace {

// The densest areas of the density surface, class by class, described as hotspot areas are;
// ids continue from those already in `s`.
void appendDensityAreas(HotspotAreasStep& s, const Analysis& a, const AreaContext& ctx, const KdeStep& density) {
    const GridStep& g = a.results.get<GridStep>("overlay.hotspot_areas");
    const io::ReportSet& reports = a.reports;
    const double studyAreaM2 = a.area() ? a.area()->areaM2() : g.extent.width() * g.extent.height();
    for (const auto& c : density.classes) {
        std::vector<std::vector<std::size_t>> inRegion(c.polygons.size());
        std::vector<std::int32_t> regionIndex(static_cast<std::size_t>(c.count) + 1, -1);
        for (std::size_t k = 0; k < c.polygons.size(); ++k)
            regionIndex[static_cast<std::size_t>(c.polygons[k].first)] = static_cast<std::int32_t>(k);
        for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
            const auto p = kde::pixelOf(density.raster, reports.x[i], reports.y[i]);
            if (p < 0) continue;
            const auto label = c.labels[static_cast<std::size_t>(p)];
            if (label > 0 && regionIndex[static_cast<std::size_t>(label)] >= 0)
                inRegion[static_cast<std::size_t>(regionIndex[static_cast<std::size_t>(label)])].push_back(i);
        }
        for (std::size_t k = 0; k < c.polygons.size(); ++k) {
            const geom::GeomPtr poly = geom::fromWkb(a.geos, c.polygons[k].second);
            output::HotspotAreaRow row =
                describeArea(a.geos, poly.get(), inRegion[k], reports, ctx, a.cfg.hotspotAreas, studyAreaM2);
            row.id = static_cast<int>(s.rows.size()) + 1;
            row.kind = fmt::format("density_top_{:g}", c.percent);
            s.rows.push_back(std::move(row));
        }
    }
}

class HotspotAreas final : public Step {
public:
    HotspotAreas() : Step("overlay.hotspot_areas", 0.84, 0.845) {}
    std::vector<std::string> needs() const override {
        return {"grid.count", "stats.gistar", "kde.surface", "perception"};
    }
    bool enabled(const Analysis& a) const override {
        return a.cfg.hotspotAreas.enabled && a.results.find<GiStarStep>() != nullptr;
    }
    void run(Analysis& a, const Progress& progress) const override {
        progress.update(0.0);
        const Config& cfg = a.cfg;
        const GridStep& g = a.results.get<GridStep>(name());
        const AreaContext ctx = readAreaContext(a.inputs, cfg.hotspotAreas, a.summary);
        HotspotAreasStep& s = a.results.put(computeHotspotAreas(cfg, ctx, a.geos, a.area(), g,
                                                                a.results.get<GiStarStep>(name()).bins, "incidents", 1,
                                                                a.reports));
        // The same for perceived insecurity, when there are perception reports.
        if (const auto* perceived = a.results.find<PerceptionStep>())
            for (auto& r : computeHotspotAreas(cfg, ctx, a.geos, a.area(), g, perceived->gi.bins, "perception",
                                               static_cast<int>(s.rows.size()) + 1, a.reports)
                               .rows)
                s.rows.push_back(std::move(r));
        // And for the densest areas of the density surface.
        if (const auto* density = a.results.find<KdeStep>()) appendDensityAreas(s, a, ctx, *density);
        for (auto& r : s.rows)
            if (r.hotTimes) r.hotTimes->scopeTo(cfg.filter);
        a.summary.hotspotAreas = s.rows.size();
    }
    // hotspot_areas, and dark_spots with street lights; the overlays' columns too.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto* overlays = a.results.find<OverlayStep>();
        writer.writeHotspotAreas(a.results.get<HotspotAreasStep>(name()).rows, a.cfg.hotspotAreas.lights.has_value(),
                                 overlays ? overlays->names : std::vector<std::string>{});
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        hotspotAreasMetadata(a.cfg, a.summary, a.area() != nullptr, md);
    }
};

} // namespace

const Step& hotspotAreas() {
    static const HotspotAreas step;
    return step;
}

} // namespace trygg::pipeline::steps
