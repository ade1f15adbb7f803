#include "HotspotAreas.hpp"
#include "Darkness.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"
#include "Kde.hpp"
#include "Overlays.hpp"
#include "Perception.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <optional>

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
        if (named.unusable > 0)
            summary.warnings.push_back(fmt::format("places: {} feature(s) in '{}' left out: a coordinate not a finite "
                                                   "number of a map's size, or outside the analysis CRS",
                                                   named.unusable, spec.path));
        for (auto& f : named.features) ctx.places.push_back({f.name, named.layerName, std::move(f.geom)});
    }
    if (hc.lights) {
        ctx.lights = inputs.weightedPoints(*hc.lights);
        ctx.hasLights = true;
    }
    return ctx;
}

HotspotAreaRow describeArea(const geom::GeosContext& geos, const GEOSGeometry* poly,
                                    std::span<const std::size_t> incidents, const io::ReportSet& reports,
                                    const AreaContext& ctx, const HotspotAreasConfig& hc, double studyAreaM2) {
    HotspotAreaRow row;
    row.areaM2 = overlay::areaM2(geos, poly);
    row.shareOfArea = studyAreaM2 > 0 ? row.areaM2 / studyAreaM2 : 0.0;
    row.incidents = static_cast<std::int64_t>(incidents.size());
    row.reports.assign(incidents.begin(), incidents.end());
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
                row.place += (row.place.empty() ? "" : ", ") + p->name;
                row.placeKind += (row.placeKind.empty() ? "" : ", ") + p->kind;
            }
        } else {
            const auto near = overlay::nearestPlace(geos, poly, ctx.places);
            row.place = near.name;
            row.placeInside = false;
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
        HotspotAreaRow row = describeArea(geos, parts[a].geom.get(), incidents[a], reports, ctx, hc, studyAreaM2);
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
            HotspotAreaRow row =
                describeArea(a.geos, poly.get(), inRegion[k], reports, ctx, a.cfg.hotspotAreas, studyAreaM2);
            row.id = static_cast<int>(s.rows.size()) + 1;
            row.kind = fmt::format("density_top_{:g}", c.percent);
            s.rows.push_back(std::move(row));
        }
    }
}

class HotspotAreas final : public Step {
public:
    HotspotAreas() : Step("overlay.hotspot_areas", StepCost{0.3, 0, 3e-7}) {}
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        for (const auto& p : cfg.hotspotAreas.places) add("hotspot_areas places", p.path);
        if (cfg.hotspotAreas.lights) add("hotspot_areas lights", cfg.hotspotAreas.lights->path);
    }
    const char* analysisSwitch() const override { return "hotspot_areas"; }
    void switchOff(Config& cfg) const override { cfg.hotspotAreas.enabled = false; }
    std::vector<const char*> configTables() const override { return {"hotspot_areas"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("hotspot_areas", "must be a table ([hotspot_areas])");
        if (!t) return;
        t->onlyKnown({"enabled", "min_bin", "dark_distance_m", "lights", "places"});
        HotspotAreasConfig& h = cfg.hotspotAreas;
        if (auto v = t->boolean("enabled")) h.enabled = *v;
        if (auto v = t->number("min_bin")) {
            if (*v < 1 || *v > 3) t->fail("min_bin", "must be 1, 2 or 3");
            h.minBin = static_cast<int>(*v);
        }
        if (auto v = t->number("dark_distance_m")) {
            if (!(*v > 0)) t->fail("dark_distance_m", "must be positive");
            h.darkDistanceM = *v;
        }
        if (const auto lt = t->table("lights", "must be a table {path = \"...\", layer = \"...\"}")) {
            io::WeightedPointsSpec l;
            l.path = lt->path("path");
            l.layer = lt->str("layer").value_or("");
            if (l.path.empty()) t->fail("lights", "needs path");
            h.lights = l;
        }
        for (const auto& pt : t->tables("places", "must be a list of [[hotspot_areas.places]] tables",
                                        "each entry must be a table with path and name_field")) {
            io::NamedFeaturesSpec p;
            p.path = pt.path("path");
            p.layer = pt.str("layer").value_or("");
            p.nameField = pt.str("name_field").value_or("");
            p.crs = pt.str("crs").value_or("");
            if (p.path.empty() || p.nameField.empty()) pt.failAt("hotspot_areas.places", "needs path and name_field");
            h.places.push_back(p);
        }
    }
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
        // Weekdays and places in the output's language: "i Folkets park" / "in Folkets park",
        // "nära Kävlinge station (120 m)" / "near Kävlinge station (120 m)".
        const bool english = cfg.output.language == "en";
        for (auto& r : s.rows) {
            if (english && r.hotTimes) r.peakWeekday = r.hotTimes->peakWeekday(true);
            if (r.place.empty()) continue;
            r.place = r.placeInside ? fmt::format("{} {}", english ? "in" : "i", r.place)
                                    : fmt::format("{} {} ({:.0f} m)", english ? "near" : "nära", r.place, r.placeDistanceM);
        }
        for (auto& r : s.rows)
            if (r.hotTimes) r.hotTimes->scopeTo(cfg.filter);
        a.summary.hotspotAreas = s.rows.size();
    }
    // hotspot_areas, and dark_spots with street lights; the overlays' columns too.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto& rows = a.results.get<HotspotAreasStep>(name()).rows;
        const bool withLights = a.cfg.hotspotAreas.lights.has_value();
        const auto* overlays = a.results.find<OverlayStep>();
        const std::vector<std::string> extraColumns = overlays ? overlays->names : std::vector<std::string>{};
        using output::FieldType;
        output::LayerWriter layer = writer.layer(
            "hotspot_areas", output::GeometryType::MultiPolygon, "Hotspot areas",
            "Adjacent hot cells dissolved: incidents, categories, peak times, place, lights, dark share");
        const int id = layer.add("area_id", FieldType::Integer), kind = layer.add("kind", FieldType::Text),
                  cells = layer.add("cells", FieldType::Integer), km2 = layer.add("area_km2", FieldType::Real),
                  shareOfArea = layer.add("share_of_study_area", FieldType::Real),
                  incidents = layer.add("incidents", FieldType::Integer64),
                  shareOfIncidents = layer.add("share_of_incidents", FieldType::Real),
                  leading = layer.add("leading_categories", FieldType::Text),
                  peakHour = layer.add("peak_hour", FieldType::Text), peakWeekday = layer.add("peak_weekday", FieldType::Text),
                  place = layer.add("place", FieldType::Text), placeLayer = layer.add("place_layer", FieldType::Text),
                  placeDistance = layer.add("place_distance_m", FieldType::Real);
        int lights = -1, darkM2 = -1, darkShare = -1;
        if (withLights) {
            lights = layer.add("lights", FieldType::Integer64);
            darkM2 = layer.add("dark_m2", FieldType::Real);
            darkShare = layer.add("dark_share", FieldType::Real);
        }
        std::vector<int> extra;
        for (const auto& column : extraColumns) extra.push_back(layer.add(column, FieldType::Real));
        const DarknessStep* sun = a.results.find<DarknessStep>();
        std::optional<DarkAreaColumns> sunColumns;
        if (sun && sun->areas.size() == rows.size()) sunColumns.emplace(layer, *sun);
        for (std::size_t rowIndex = 0; rowIndex < rows.size(); ++rowIndex) {
            const HotspotAreaRow& r = rows[rowIndex];
            if (sunColumns) sunColumns->set(layer, rowIndex);
            layer.setGeometry(r.wkb, "a hotspot area");
            layer.setInt(id, r.id);
            layer.setText(kind, r.kind);
            if (r.cells > 0)
                layer.setInt(cells, static_cast<std::int64_t>(r.cells));
            else
                layer.setNull(cells);  // density areas are traced, not made of grid cells
            layer.setReal(km2, r.areaM2 / 1e6);
            layer.setReal(shareOfArea, r.shareOfArea);
            layer.setInt(incidents, r.incidents);
            layer.setReal(shareOfIncidents, r.shareOfIncidents);
            layer.setText(leading, r.leadingCategories);
            layer.setText(peakHour, r.peakHour);
            layer.setText(peakWeekday, r.peakWeekday);
            layer.setText(place, r.place);
            layer.setText(placeLayer, r.placeKind);
            layer.setReal(placeDistance, r.placeDistanceM);
            if (withLights) {
                layer.setInt(lights, r.lights);
                layer.setReal(darkM2, r.darkM2);
                layer.setReal(darkShare, r.areaM2 > 0 ? r.darkM2 / r.areaM2 : 0.0);
            }
            for (std::size_t k = 0; k < extra.size() && k < r.extras.size(); ++k) layer.setReal(extra[k], r.extras[k]);
            layer.write("a hotspot area");
        }
        layer.finish();
        // Incident and perceived-insecurity areas outlined and labelled with their number and
        // place; the densest-KDE areas are listed in the legend but not drawn (density_areas
        // shows them).
        std::vector<output::Category> kinds = {
            {"incidents", "Hot spots: incidents", "200,30,40,50", "120,0,30,255", 0.8},
            {"perception", "Hot spots: perceived insecurity", "120,60,170,50", "80,20,120,255", 0.8},
        };
        for (const char* top : {"density_top_1", "density_top_5", "density_top_10"})
            kinds.push_back({top, std::string("Densest areas (") + top + ")", "", "120,0,30,255", 0.4, false});
        writer.style("hotspot_areas",
                     output::withLabels(output::categorizedQml("kind", kinds),
                                        // "3 Kävlinge station": the number and the first place, as in the report.
                                        "CASE WHEN \"kind\" IN ('incidents', 'perception') THEN \"area_id\" || "
                                        "CASE WHEN \"place\" IS NULL THEN '' ELSE ' ' || "
                                        "regexp_replace(regexp_replace(\"place\", '^(i|nära|in|near) ', ''), ',.*$', '') END END",
                                        9, true, 10),
                     "Hotspot areas, outlined and labelled");
        if (!withLights) return;
        output::LayerWriter dark =
            writer.layer("dark_spots", output::GeometryType::MultiPolygon, "Dark spots",
                         "The parts of hotspot areas farther than the dark distance from every street light");
        const int darkId = dark.add("area_id", FieldType::Integer), darkArea = dark.add("dark_m2", FieldType::Real);
        // With the sun: the incidents that happened in darkness in the dark spot, the evidence a
        // lighting measure needs.
        const int darkIncidents = sunColumns ? dark.add("dark_incidents", FieldType::Integer64) : -1;
        for (std::size_t rowIndex = 0; rowIndex < rows.size(); ++rowIndex) {
            const HotspotAreaRow& r = rows[rowIndex];
            if (r.darkWkb.empty()) continue;
            dark.setGeometry(r.darkWkb, "a dark spot");
            dark.setInt(darkId, r.id);
            dark.setReal(darkArea, r.darkM2);
            if (darkIncidents >= 0) dark.setInt(darkIncidents, sun->darkSpotIncidents[rowIndex]);
            dark.write("a dark spot");
        }
        dark.finish();
        writer.style("dark_spots", output::outlineQml("20,20,60,255", 0.4, "20,20,60,150"), "Dark spots, dark fill");
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
