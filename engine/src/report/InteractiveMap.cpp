#include "InteractiveMap.hpp"

#include "Palette.hpp"
#include "SvgMap.hpp"

#include "trygg/core/Xml.hpp"
#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string_view>

namespace trygg::report {

extern const std::string_view leafletJs;   // generated from Leaflet's npm package (engine/CMakeLists.txt)
extern const std::string_view leafletCss;

namespace {

// A JSON string literal.
std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c == '<') out += "\\u003c";  // never "</script>" inside the script
        else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
    return out + "\"";
}

// A value as the popup shows it: a class's label, a count, a share, a number.
std::string shown(OGRFeature& f, int idx, const std::string& layer, const std::string& field, const InteractiveText& t) {
    const output::LayerSpec* spec = output::layerOf(layer);
    const output::FieldSpec* fs = spec ? output::fieldOf(*spec, field) : nullptr;
    if (!f.IsFieldSetAndNotNull(idx)) {
        const bool count = fs && (fs->role == output::Role::Count || fs->role == output::Role::Derived);
        return count && !t.hidden.empty() ? t.hidden : "–";
    }
    const OGRFieldType type = f.GetFieldDefnRef(idx)->GetType();
    const std::string raw = f.GetFieldAsString(idx);
    if (fs && !fs->classes.empty()) return output::classLabel(layer, field, raw, t.english);
    if (type == OFTReal) {
        const double v = f.GetFieldAsDouble(idx);
        if (field.find("share") != std::string::npos) return fmt::format("{:.0f} %", 100 * v);
        return std::fabs(v) >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
    }
    return raw;
}

struct LayerPlan {
    std::string table, titleSv, titleEn;
    std::vector<std::string> fields;                      // shown in the popup, when present
    std::function<std::string(OGRFeature&)> colour;       // "" leaves the feature out
    std::string stroke;                                   // outline colour; "" none
    double fillOpacity = 0.75;
    bool on = false;
    std::string where;                                    // the features worth reading; "" all
};

// A grid layer of more coloured cells than this is left to the GeoPackage: the page would weigh
// tens of megabytes and the browser would draw it slowly (a national grid has 40,000 hot cells).
constexpr std::size_t kMaxCells = 20000;

// A grid layer coloured by an integer class field: the colour of its value, "" for none; only
// the coloured classes are read.
LayerPlan byClass(std::string table, std::string titleSv, std::string titleEn, std::vector<std::string> fields,
                  const std::string& field, const std::map<int, std::string>& colours, double fillOpacity, bool on) {
    LayerPlan plan{std::move(table), std::move(titleSv), std::move(titleEn), std::move(fields),
                   [field, &colours](OGRFeature& f) -> std::string {
                       const int idx = f.GetFieldIndex(field.c_str());
                       if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return "";
                       const auto it = colours.find(f.GetFieldAsInteger(idx));
                       return it == colours.end() || it->second == "none" ? "" : it->second;
                   },
                   "", fillOpacity, on, colouredClasses(field, colours)};
    if (std::find(plan.fields.begin(), plan.fields.end(), field) == plan.fields.end()) plan.fields.push_back(field);
    return plan;
}

// `tolerance`: detail finer than this (metres, about a pixel at the closest zoom worth having) is
// simplified away (GEOS, topology kept), so that a boundary of 100,000 vertices costs the page
// what can be seen of it.
std::string layerGeoJson(OGRLayer& layer, const LayerPlan& plan, const InteractiveText& text, double tolerance,
                         std::size_t& features, std::size_t limit = 0) {
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const OGRSpatialReference* source = layer.GetSpatialRef();
    if (!source) return "";
    std::unique_ptr<OGRCoordinateTransformation> toWgs84(OGRCreateCoordinateTransformation(source, &wgs84));
    if (!toWgs84) return "";
    char* options[] = {const_cast<char*>("COORDINATE_PRECISION=6"), nullptr};
    std::string out;
    const ScanOnly only(layer, plan.fields, plan.where);
    if (limit > 0 && !plan.where.empty()) {
        // A static map that drew these classes has counted them (a national grid is read once less).
        const auto known = text.drawn ? text.drawn->find(plan.table + "|" + plan.where) : std::map<std::string, std::size_t>::const_iterator();
        const std::size_t count =
            text.drawn && known != text.drawn->end() ? known->second : static_cast<std::size_t>(layer.GetFeatureCount());
        if (count > limit) {
            features = count;
            return "";
        }
    }
    for (auto& f : layer) {
        const std::string colour = plan.colour ? plan.colour(*f) : std::string("#888");
        if (colour.empty()) continue;
        OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        std::unique_ptr<OGRGeometry> copy(g->getDimension() > 0 && tolerance > 0 ? g->SimplifyPreserveTopology(tolerance) : g->clone());
        if (!copy || copy->IsEmpty()) copy.reset(g->clone());
        if (copy->transform(toWgs84.get()) != OGRERR_NONE) continue;
        char* json = OGR_G_ExportToJsonEx(OGRGeometry::ToHandle(copy.get()), options);
        if (!json) continue;
        std::string popup = fmt::format("<b>{}</b>", escapeXml(text.english ? plan.titleEn : plan.titleSv));
        for (const auto& field : plan.fields) {
            const int idx = f->GetFieldIndex(field.c_str());
            if (idx < 0) continue;
            popup += fmt::format("<br>{}: {}", escapeXml(output::fieldTitle(plan.table, field, text.english)),
                                 escapeXml(shown(*f, idx, plan.table, field, text)));
        }
        out += fmt::format("{}{{\"type\":\"Feature\",\"geometry\":{},\"properties\":{{\"c\":{},\"p\":{}}}}}",
                           out.empty() ? "" : ",", json, jsonString(colour), jsonString(popup));
        CPLFree(json);
        ++features;
    }
    return out;
}

} // namespace

std::string leafletHead() {
    return fmt::format("<style>{}</style>\n<script>{}</script>\n", leafletCss, leafletJs);
}

std::string interactiveMap(GDALDataset& ds, const InteractiveText& text) {
    const std::string& p = text.prefix;
    std::vector<LayerPlan> plans = {
        {p + "area_summary", "Områden: händelser per 1 000 invånare", "Areas: incidents per 1,000 residents",
         {"area_name", "incidents", "residents", "incidents_per_1000", "incidents_per_1000_eb", "perc_share_unsafe", "survey_total"},
         [](OGRFeature& f) -> std::string {
             const int idx = f.GetFieldIndex("incidents_per_1000_eb");
             if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return "#dddddd";
             const double v = f.GetFieldAsDouble(idx);
             const auto& ramp = rampColours();
             const std::size_t k = v < 25 ? 0 : v < 50 ? 1 : v < 100 ? 2 : v < 200 ? 3 : 4;
             return ramp[k];
         },
         "#777", 0.55, false, ""},
        byClass(p + "hotspot_grid", "Hot spot-ruta", "Hot spot cell", {"cell_id", "n", "Gi_Bin", "GiZScore", "GiPseudoP", "COType"},
                "Gi_Bin", binColours(), 0.8, true),
        byClass(p + "perception_grid", "Otrygghet mot brott", "Fear versus crime",
                {"cell_id", "perc_n", "perc_share_unsafe", "fear_crime_class"}, "fear_crime_class", fearCrimeColours(), 0.75, false),
        byClass(p + "change_grid", "Förändring", "Change", {"cell_id", "n_before", "n_after", "rate_ratio", "change_bin"},
                "change_bin", binColours(), 0.8, false),
        byClass(p + "emerging_hotspots", "Framväxande hot spot", "Emerging hot spot", {"cell_id", "n", "pattern"}, "pattern",
                emergingColours(), 0.8, false),
        {p + "density_areas", "Tätaste områden", "Densest areas", {"top_percent", "area_km2", "incidents", "share_of_incidents"},
         [](OGRFeature&) { return std::string("#f0a000"); }, "#a06000", 0.25, false, ""},
        {p + "hotspot_areas", "Hot spot-område", "Hotspot area",
         {"area_id", "kind", "place", "incidents", "share_of_incidents", "leading_categories", "peak_hour", "peak_weekday", "dark_share"},
         [](OGRFeature& f) -> std::string {
             const std::string kind = f.GetFieldAsString("kind");
             return kind == "incidents" ? kAreaOutline : kind == "perception" ? kPerceptionOutline : "";
         },
         "use-colour", 0.05, true, ""},
    };
    // A tenth of a pixel of the static maps' width: finer than any zoom a municipality needs.
    double tolerance = 0;
    if (OGRLayer* study = ds.GetLayerByName("study_area")) {
        OGREnvelope e;
        if (study->GetExtent(&e, TRUE) == OGRERR_NONE) tolerance = (e.MaxX - e.MinX) / 10000;
    }
    std::string data, left;
    std::size_t total = 0;
    for (const auto& plan : plans) {
        OGRLayer* l = ds.GetLayerByName(plan.table.c_str());
        if (!l) continue;
        std::size_t n = 0;
        const std::string features = layerGeoJson(*l, plan, text, tolerance, n, kMaxCells);
        if (n > 0 && features.empty()) {
            // The count in groups of three, as the report writes numbers (a no-break space in Swedish).
            std::string digits = std::to_string(n), count;
            for (std::size_t k = 0; k < digits.size(); ++k) {
                if (k > 0 && (digits.size() - k) % 3 == 0) count += text.english ? "," : "\u00a0";
                count += digits[k];
            }
            left += fmt::format(fmt::runtime(text.english ? "{}{}: {} cells, more than a page carries"
                                                          : "{}{}: {} rutor, fler än en sida bär"),
                                left.empty() ? "" : "; ", escapeXml(text.english ? plan.titleEn : plan.titleSv), count);
            continue;
        }
        if (n == 0) continue;
        total += n;
        data += fmt::format("{}{{\"name\":{},\"on\":{},\"stroke\":{},\"fill\":{},\"features\":[{}]}}", data.empty() ? "" : ",",
                            jsonString(text.english ? plan.titleEn : plan.titleSv), plan.on ? "true" : "false",
                            jsonString(plan.stroke), plan.fillOpacity, features);
    }
    if (total == 0 && left.empty()) return "";
    // The study area and the context layers, always on, grey, beneath.
    std::string base;
    for (OGRLayer* l : ds.GetLayers()) {
        const std::string name = l->GetName();
        if (name != "study_area" && name.rfind("context_", 0) != 0) continue;
        LayerPlan plan{name, "", "", {"label"}, nullptr, "#666", 0.0, true, ""};
        plan.titleSv = plan.titleEn = name == "study_area" ? (text.english ? "Study area" : "Undersökningsområde") : name.substr(8);
        std::size_t n = 0;
        const std::string features = layerGeoJson(*l, plan, text, tolerance, n);
        if (n) base += fmt::format("{}{{\"name\":{},\"features\":[{}]}}", base.empty() ? "" : ",", jsonString(plan.titleSv), features);
    }
    std::string id = "imap";
    if (!p.empty()) id.append("_").append(p, 0, p.size() - 1);
    if (!left.empty())
        left = fmt::format("<p class=\"note\">{} {}.</p>\n",
                           text.english ? "Not on this map, but in the GeoPackage (open it in QGIS):"
                                        : "Inte på den här kartan, men i GeoPackage-filen (öppna den i QGIS):",
                           left);
    return left + fmt::format(R"(<div id="{0}" class="imap" role="application"></div>
<script>
(function () {{
  var base = [{1}], layers = [{2}];
  var map = L.map('{0}', {{zoomSnap: 0.25, attributionControl: false, preferCanvas: false}});
  var bounds = null, overlays = {{}};
  base.forEach(function (b) {{
    var g = L.geoJSON({{type: 'FeatureCollection', features: b.features}}, {{
      style: {{color: '#777', weight: 1, fill: false}},
      pointToLayer: function (f, ll) {{ return L.circleMarker(ll, {{radius: 3, color: '#333', weight: 1, fillOpacity: 1}}); }},
      onEachFeature: function (f, l) {{ l.bindPopup(f.properties.p); }}
    }}).addTo(map);
    bounds = bounds ? bounds.extend(g.getBounds()) : g.getBounds();
  }});
  layers.forEach(function (d) {{
    var g = L.geoJSON({{type: 'FeatureCollection', features: d.features}}, {{
      style: function (f) {{
        var c = f.properties.c;
        return {{color: d.stroke === 'use-colour' ? c : (d.stroke || c), weight: d.stroke ? 2 : 0.3,
                fillColor: c, fillOpacity: d.fill}};
      }},
      onEachFeature: function (f, l) {{ l.bindPopup(f.properties.p); }}
    }});
    if (d.on) g.addTo(map);
    overlays[d.name] = g;
    if (!bounds) bounds = g.getBounds();
  }});
  L.control.layers(null, overlays, {{collapsed: false}}).addTo(map);
  L.control.scale({{imperial: false}}).addTo(map);
  map.fitBounds(bounds);
  (window.tryggMaps = window.tryggMaps || {{}})['{0}'] = {{map: map, overlays: overlays}};
}})();
</script>
)",
                       id, base, data);
}

} // namespace trygg::report
