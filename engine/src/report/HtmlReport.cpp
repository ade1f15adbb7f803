#include "trygg/report/HtmlReport.hpp"

#include "trygg/output/Layers.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Xml.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

namespace trygg::report {
namespace {

// The report's words, Swedish first.
struct Words {
    const char *title, *intro, *hotspotMap, *areas, *changeMap,
        *emergingMap, *followup, *parameters, *noAreas, *generated;
};

const Words kSv = {
    "Trygghetsanalys",
    "Analysen visar var anmälda händelser klustrar sig mer än slumpen förklarar (Getis-Ord Gi*), och vad som "
    "finns där. Kartorna visar rutor, inte enskilda händelser.",
    "Brottskoncentrationer (hot spots)",
    "De största koncentrationsområdena",
    "Förändring mellan perioderna",
    "Framväxande hot spots",
    "Uppföljning av åtgärd",
    "Körningens parametrar",
    "Inga koncentrationsområden.",
    "Skapad av Trygg",
};

const Words kEn = {
    "Safety analysis",
    "The analysis shows where reported incidents cluster more than chance explains (Getis-Ord Gi*), and what is "
    "there. The maps show grid cells, never single incidents.",
    "Hot spots",
    "The leading hotspot areas",
    "Change between the periods",
    "Emerging hot spots",
    "Follow-up of a measure",
    "The run's parameters",
    "No hotspot areas.",
    "Made by Trygg",
};

// ArcGIS Pro's hot spot colours, bin 3 .. -3, as in the GeoPackage's styles.
constexpr const char* kBinColours[7] = {"#d73027", "#f46d43", "#fdae61", "none", "#abd9e9", "#74add1", "#4575b4"};

std::string esc(const std::string& s) { return escapeXml(s); }

// Map frame: analysis-CRS metres to SVG pixels, north up.
struct Frame {
    double minX = 0, maxY = 0, scale = 1, width = 0, height = 0;
    std::string x(double v) const { return fmt::format("{:.1f}", (v - minX) * scale); }
    std::string y(double v) const { return fmt::format("{:.1f}", (maxY - v) * scale); }
};

// Appends the points of a line or ring in pixels, leaving out a point that rounds to the pixel
// position of the one before it (a detailed boundary has many per pixel).
void linePath(const OGRSimpleCurve* line, const Frame& f, bool close, std::string& d) {
    std::string last;
    const int n = line->getNumPoints();
    for (int i = 0; i < n; ++i) {
        std::string xy = f.x(line->getX(i)) + " " + f.y(line->getY(i));
        if (xy == last && i + 1 < n) continue;
        d += (i == 0 ? "M" : "L") + xy;
        last = std::move(xy);
    }
    if (close) d += "Z";
}

std::string rawPathOf(const OGRGeometry* g, const Frame& f) {
    std::string d;
    if (!g) return d;
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPolygon) {
        for (const auto* ring : *g->toPolygon()) linePath(ring, f, true, d);
    } else if (type == wkbLineString) {
        linePath(g->toLineString(), f, false, d);
    } else if (type == wkbMultiPolygon || type == wkbMultiLineString || type == wkbGeometryCollection) {
        for (const auto* part : *g->toGeometryCollection()) d += rawPathOf(part, f);
    }
    return d;
}

std::size_t pointCount(const OGRGeometry* g) {
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPolygon) {
        std::size_t n = 0;
        for (const auto* ring : *g->toPolygon()) n += static_cast<std::size_t>(ring->getNumPoints());
        return n;
    }
    if (type == wkbLineString) return static_cast<std::size_t>(g->toLineString()->getNumPoints());
    if (type == wkbMultiPolygon || type == wkbMultiLineString || type == wkbGeometryCollection) {
        std::size_t n = 0;
        for (const auto* part : *g->toGeometryCollection()) n += pointCount(part);
        return n;
    }
    return 0;
}

// The SVG path of a geometry, simplified to half a pixel (GEOS's topology-preserving
// Douglas-Peucker) when it has more points than a grid cell, so that a boundary of 100,000
// vertices costs the report what the map can show of it.
std::string pathOf(const OGRGeometry* g, const Frame& f) {
    if (!g) return {};
    if (pointCount(g) > 64) {
        std::unique_ptr<OGRGeometry> simple(g->SimplifyPreserveTopology(0.5 / f.scale));
        if (simple && !simple->IsEmpty()) return rawPathOf(simple.get(), f);
    }
    return rawPathOf(g, f);
}

// The context map layers (context_*): every layer whose name starts so, in the file's order.
std::vector<OGRLayer*> contextLayers(GDALDataset& ds) {
    std::vector<OGRLayer*> out;
    for (OGRLayer* l : ds.GetLayers())
        if (std::string(l->GetName()).rfind("context_", 0) == 0) out.push_back(l);
    return out;
}

// What every map of a report shares, drawn once: the frame, the study area's fill and the
// context layers below the classes, and the study area's outline on top.
struct Basemap {
    Frame frame;
    std::string below;
    std::string studyOutline;
};

Basemap makeBasemap(GDALDataset& ds, double widthPx) {
    Basemap b;
    OGREnvelope env;
    OGRLayer* study = ds.GetLayerByName("study_area");
    if (!study || study->GetExtent(&env, TRUE) != OGRERR_NONE) throw IoError("report: no study_area layer to frame the maps");
    const double w = env.MaxX - env.MinX, h = env.MaxY - env.MinY;
    Frame& frame = b.frame;
    frame.minX = env.MinX - 0.02 * w;
    frame.maxY = env.MaxY + 0.02 * h;
    frame.scale = widthPx / (1.04 * w);
    frame.width = widthPx;
    frame.height = 1.04 * h * frame.scale;
    std::string studyPath;
    for (auto& f : *study) studyPath += pathOf(f->GetGeometryRef(), frame);
    b.below = fmt::format("<path d=\"{}\" fill=\"#f4f4f4\" stroke=\"none\"/>", studyPath);
    // Roads and other context below the classes; their names go on top in Map::finish().
    for (OGRLayer* l : contextLayers(ds)) {
        std::string lines, areas;
        for (auto& f : *l) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g) continue;
            if (g->getDimension() == 1) lines += pathOf(g, frame);
            if (g->getDimension() == 2) areas += pathOf(g, frame);
        }
        if (!areas.empty())
            b.below += fmt::format("<path d=\"{}\" fill=\"#e6e6e6\" stroke=\"#bbb\" stroke-width=\"0.6\"/>", areas);
        if (!lines.empty())
            b.below += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#b4b4b4\" stroke-width=\"0.6\"/>", lines);
    }
    b.studyOutline = fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1\"/>", studyPath);
    return b;
}

// One map: the basemap, then a polygon layer coloured by an integer field, then outlines.
class Map {
public:
    Map(GDALDataset& ds, const Basemap& base) : m_ds(ds), m_base(base), m_frame(base.frame) {
        m_svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0f} {:.0f}\" class=\"map\">",
                            m_frame.width, m_frame.height) +
                base.below;
    }

    void classes(const char* layerName, const char* field, const std::map<int, std::string>& colours) {
        OGRLayer* l = m_ds.GetLayerByName(layerName);
        if (!l) return;
        const int idx = l->GetLayerDefn()->GetFieldIndex(field);
        if (idx < 0) return;
        std::map<int, std::string> paths;
        for (auto& f : *l) {
            const int v = f->GetFieldAsInteger(idx);
            const auto c = colours.find(v);
            if (c == colours.end() || c->second == "none") continue;
            paths[v] += pathOf(f->GetGeometryRef(), m_frame);
        }
        for (const auto& [v, d] : paths)
            m_svg += fmt::format("<path d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.3\"/>", d, colours.at(v));
    }

    void outlines(const char* layerName, const char* labelField, const char* onlyKind) {
        OGRLayer* l = m_ds.GetLayerByName(layerName);
        if (!l) return;
        for (auto& f : *l) {
            if (onlyKind && std::string(f->GetFieldAsString("kind")) != onlyKind) continue;
            const OGRGeometry* g = f->GetGeometryRef();
            m_svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#78001e\" stroke-width=\"1.2\"/>", pathOf(g, m_frame));
            if (!labelField || !g) continue;
            OGREnvelope e;
            g->getEnvelope(&e);
            // "3 Kävlinge station": the number, and the first place it lies in ("i ...") or near.
            std::string place = f->GetFieldIndex("place") >= 0 ? f->GetFieldAsString("place") : "";
            for (const char* prefix : {"i ", "nära "})
                if (place.rfind(prefix, 0) == 0) place = place.substr(std::string(prefix).size());
            place = place.substr(0, place.find_first_of(",("));
            while (!place.empty() && place.back() == ' ') place.pop_back();
            m_svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{} {}</text>", m_frame.x(e.MaxX),
                                 m_frame.y(e.MaxY), esc(f->GetFieldAsString(labelField)), esc(place));
        }
    }

    std::string finish() {
        // Place names: towns at their middle, stations and other points beside their dot.
        for (OGRLayer* l : contextLayers(m_ds)) {
            const int idx = l->GetLayerDefn()->GetFieldIndex("label");
            if (idx < 0) continue;
            for (auto& f : *l) {
                const OGRGeometry* g = f->GetGeometryRef();
                if (!g || !f->IsFieldSetAndNotNull(idx)) continue;
                OGREnvelope e;
                g->getEnvelope(&e);
                const std::string name = esc(f->GetFieldAsString(idx));
                if (g->getDimension() == 0) {
                    m_svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#333\" stroke=\"#fff\"/>"
                                         "<text x=\"{}\" y=\"{}\" class=\"place small-place\">{}</text>",
                                         m_frame.x(e.MinX), m_frame.y(e.MinY), m_frame.x(e.MinX + 6 / m_frame.scale),
                                         m_frame.y(e.MinY - 12 / m_frame.scale), name);
                } else if (g->getDimension() == 2) {
                    m_svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"place\" text-anchor=\"middle\">{}</text>",
                                         m_frame.x((e.MinX + e.MaxX) / 2), m_frame.y(e.MinY) , name);
                }
            }
        }
        return m_svg + m_base.studyOutline + "</svg>";
    }

private:
    GDALDataset& m_ds;
    const Basemap& m_base;
    Frame m_frame;
    std::string m_svg;
};

std::string legend(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string s = "<ul class=\"legend\">";
    for (const auto& [colour, label] : items)
        s += fmt::format("<li><span style=\"background:{}\"></span>{}</li>", colour == "none" ? "#f4f4f4" : colour, esc(label));
    return s + "</ul>";
}

std::map<int, std::string> binColours() {
    std::map<int, std::string> m;
    for (int i = 0; i < 7; ++i) m[3 - i] = kBinColours[i];
    return m;
}

// A bin field's legend, 3 .. -3, with the labels its layer declares (output/Layers.cpp).
std::vector<std::pair<std::string, std::string>> binLegend(const char* layer, const char* field, bool english) {
    std::vector<std::pair<std::string, std::string>> items;
    for (int i = 0; i < 7; ++i)
        items.emplace_back(kBinColours[i], output::classLabel(layer, field, std::to_string(3 - i), english));
    return items;
}

} // namespace

void writeHtmlReport(const std::string& gpkgPath, const std::string& htmlPath, const ReportOptions& options) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkgPath.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) throw IoError("report: cannot open '" + gpkgPath + "'");
    const bool english = options.language == "en";
    const Words& w = english ? kEn : kSv;
    std::map<std::string, std::string> md;
    if (OGRLayer* m = ds->GetLayerByName("run_metadata"))
        for (auto& f : *m) md.emplace(f->GetFieldAsString("key"), f->GetFieldAsString("value"));

    std::string html = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} – {}</title><style>\n"
        "body{{font-family:sans-serif;max-width:180mm;margin:auto;color:#222}} h1{{font-size:20pt}} h2{{font-size:14pt;"
        "margin-top:1.5em;break-after:avoid}} .map{{width:100%;height:auto;border:1px solid #ccc}} .label{{font-size:18px;paint-order:stroke;stroke:#fff;stroke-width:3px;"
        "fill:#78001e;font-weight:bold}} .place{{font-size:15px;paint-order:stroke;stroke:#fff;stroke-width:3px;fill:#333}} "
        ".small-place{{font-size:12px}} h2.analysis{{font-size:17pt;border-top:2px solid #78001e;padding-top:8px;"
        "margin-top:2em}} .notice{{border-left:4px solid #78001e;padding:4px 8px;background:#f8f0f2}} .legend{{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;"
        "font-size:9pt}} .legend span{{display:inline-block;width:12px;height:12px;margin-right:4px;border:1px solid #999;"
        "vertical-align:middle}} table{{border-collapse:collapse;font-size:9pt;width:100%}} td,th{{border-bottom:1px solid "
        "#ddd;padding:3px 4px;text-align:left;vertical-align:top}} .num{{text-align:right}} section{{break-inside:avoid}}"
        " @page{{size:A4;margin:15mm}} .small{{font-size:8pt;color:#555}}\n</style></head><body>\n",
        options.language == "en" ? "en" : "sv", esc(w.title), esc(md["run.name"]), esc(md["run.name"]));
    html += fmt::format("<h1>{} – {}</h1><p>{}</p>\n", esc(w.title), esc(md["run.name"]), esc(w.intro));
    // Publishing mode: say so, and show hidden counts as "dold" ("hidden"): not "≤3", since a
    // count hidden beside a small one (so that a total does not give it back) may be larger.
    const bool published = md.count("publish.min_count") > 0;
    const std::string hiddenCount = published ? (options.language == "en" ? "hidden" : "dold") : "";
    if (published)
        html += fmt::format(
            "<p class=\"notice\">{}</p>\n",
            options.language == "en"
                ? fmt::format("Version for publishing: counts from 1 to {0} are hidden, and so are further counts "
                              "where a total would give them back; a hidden count reads \"hidden\". The file holds no "
                              "single incidents.",
                              esc(md["publish.min_count"]))
                : fmt::format("Version för publicering: antal från 1 till {0} är dolda, liksom fler antal där en summa "
                              "annars skulle avslöja dem; ett dolt antal visas som \"dold\". Filen innehåller inga "
                              "enskilda händelser.",
                              esc(md["publish.min_count"])));
    // A count, or "dold" where publishing mode hid it.
    const auto count = [&](OGRFeature& f, const char* field) {
        const int idx = f.GetFieldIndex(field);
        return idx >= 0 && f.IsFieldSetAndNotNull(idx) ? std::to_string(f.GetFieldAsInteger64(idx)) : hiddenCount;
    };

    const Basemap base = makeBasemap(*ds, 1000);
    // The hot spots of an analysis: the grid with its areas, and the leading areas in a table.
    const auto hotspotSection = [&](const std::string& prefix, const std::string& heading) {
        {
            Map map(*ds, base);
            map.classes((prefix + "hotspot_grid").c_str(), "Gi_Bin", binColours());
            map.outlines((prefix + "hotspot_areas").c_str(), "area_id", "incidents");
            html += fmt::format("<section><h2>{}</h2>{}{}</section>\n", esc(heading), map.finish(),
                                legend(binLegend("hotspot_grid", "Gi_Bin", options.language == "en")));
        }
        OGRLayer* areas = ds->GetLayerByName((prefix + "hotspot_areas").c_str());
        if (!areas) return;
        struct Row {
            long long incidents;
            std::string cells;
        };
        // The kind in the report's language; the densest areas are left to the maps, as they
        // overlap the hot spots.
        // The columns and the kinds as the hotspot_areas layer declares them (output/Layers.cpp).
        const auto kindText = [&](const std::string& kind) { return output::classLabel("hotspot_areas", "kind", kind, english); };
        std::vector<Row> rows;
        for (auto& f : *areas) {
            const std::string kind = f->GetFieldAsString("kind");
            if (kind != "incidents" && kind != "perception") continue;
            rows.push_back({f->GetFieldAsInteger64("incidents"),
                            fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">"
                                        "{}</td><td>{}</td><td>{}</td></tr>",
                                        f->GetFieldAsInteger("area_id"), esc(kindText(kind)),
                                        esc(f->GetFieldAsString("place")), count(*f, "incidents"),
                                        f->IsFieldSetAndNotNull(f->GetFieldIndex("share_of_incidents"))
                                            ? fmt::format("{:.0f} %", 100 * f->GetFieldAsDouble("share_of_incidents"))
                                            : std::string(),
                                        esc(f->GetFieldAsString("peak_hour")), esc(f->GetFieldAsString("peak_weekday")))});
        }
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.incidents > b.incidents; });
        html += fmt::format("<section><h2>{}</h2>", esc(w.areas));
        if (rows.empty()) {
            html += fmt::format("<p>{}</p>", esc(w.noAreas));
        } else {
            html += "<table><tr>";
            for (const char* c : {"area_id", "kind", "place", "incidents", "share_of_incidents", "peak_hour", "peak_weekday"})
                html += fmt::format("<th>{}</th>", esc(output::fieldTitle("hotspot_areas", c, english)));
            html += "</tr>";
            for (std::size_t i = 0; i < rows.size() && i < 10; ++i) html += rows[i].cells;
            html += "</table>";
        }
        html += "</section>\n";
    };
    hotspotSection("", w.hotspotMap);
    // Change between periods.
    if (ds->GetLayerByName("change_grid")) {
        Map map(*ds, base);
        map.classes("change_grid", "change_bin", binColours());
        html += fmt::format("<section><h2>{}</h2><p class=\"small\">{} → {}</p>{}{}</section>\n", esc(w.changeMap),
                            esc(md[english ? "change.before" : "change.before_sv"]),
                            esc(md[english ? "change.after" : "change.after_sv"]), map.finish(),
                            legend(binLegend("change_grid", "change_bin", options.language == "en")));
    }
    // Emerging hot spots.
    if (OGRLayer* em = ds->GetLayerByName("emerging_hotspots")) {
        static const std::map<int, std::string> colours = {
            {1, "#ffcdaa"}, {2, "#faa06e"}, {3, "#a00000"}, {4, "#d73027"}, {5, "#f46d43"}, {6, "#ff8c00"},
            {7, "#c85aa0"}, {8, "#966e5a"}, {-1, "#c8e1f5"}, {-2, "#96c8eb"}, {-3, "#0a3282"}, {-4, "#4575b4"},
            {-5, "#74add1"}, {-6, "#0096c8"}, {-7, "#786ec8"}, {-8, "#6e828c"}};
        // The patterns that occur, labelled as the layer declares them (output/Layers.cpp).
        std::map<int, std::string> names;
        for (auto& f : *em)
            if (const int code = f->GetFieldAsInteger("pattern"); code != 0)
                names[code] = output::classLabel("emerging_hotspots", "pattern", std::to_string(code), options.language == "en");
        Map map(*ds, base);
        map.classes("emerging_hotspots", "pattern", colours);
        std::vector<std::pair<std::string, std::string>> items;
        for (auto it = names.rbegin(); it != names.rend(); ++it) items.emplace_back(colours.at(it->first), it->second);
        html += fmt::format("<section><h2>{}</h2><p class=\"small\">{}</p>{}{}</section>\n", esc(w.emergingMap),
                            esc(md[english ? "emerging.slices" : "emerging.slices_sv"]), map.finish(), legend(items));
    }
    // The follow-up's verdict.
    if (OGRLayer* fu = ds->GetLayerByName("followup")) {
        html += fmt::format("<section><h2>{}: {}</h2><p>{}</p><table><tr><th></th><th>A0</th><th>A1</th><th>B0</th>"
                            "<th>B1</th><th>C0</th><th>C1</th><th>SM</th><th>WDQ</th><th>{}</th></tr>",
                            esc(w.followup), esc(md["followup.name"]),
                            esc(md[english ? "followup.verdict" : "followup.verdict_sv"]),
                            esc(english ? output::fieldTitle("followup", "verdict", true)
                                        : output::fieldTitle("followup", "verdict_sv", false)));
        for (auto& f : *fu) {
            const std::string category = f->GetFieldAsString("category");
            html += fmt::format("<tr><td>{}</td>", esc(category == "all" && !english ? "alla" : category));
            for (const char* c : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"})
                html += fmt::format("<td class=\"num\">{}</td>", count(*f, c));
            for (const char* c : {"success_measure", "wdq"})
                html += f->IsFieldSetAndNotNull(f->GetFieldIndex(c)) ? fmt::format("<td class=\"num\">{:.3f}</td>", f->GetFieldAsDouble(c))
                                                                     : std::string("<td></td>");
            // The verdict per category, with its caution when there are few incidents.
            html += fmt::format("<td class=\"small\">{}</td></tr>", esc(f->GetFieldAsString(english ? "verdict" : "verdict_sv")));
        }
        html += fmt::format("</table><p class=\"small\">{}</p></section>\n", esc(md[english ? "followup.method" : "followup.method_sv"]));
    }
    // The further analyses ([analyses.NAME]): their hot spots and areas, each under its title.
    for (std::size_t at = 0; at <= md["analyses"].size() && !md["analyses"].empty();) {
        const std::string list = md["analyses"];
        const std::size_t comma = std::min(list.find(',', at), list.size());
        const std::string name = list.substr(at, comma - at);
        at = comma + 1;
        if (name.empty()) continue;
        html += fmt::format("<h2 class=\"analysis\">{}</h2><p class=\"small\">{}</p>\n", esc(md["analyses." + name + ".title"]),
                            esc(md["analyses." + name + ".filter"]));
        hotspotSection(name + "_", w.hotspotMap);
    }
    // The run's parameters: what a reader needs to know how the maps were made.
    html += fmt::format("<section><h2>{}</h2><table>", esc(w.parameters));
    for (const auto& [key, value] : md) {
        const bool wanted = key.rfind("run.", 0) == 0 || key == "trygg.version" || key == "analysis.crs" || key == "filter" ||
                            key.rfind("grid.cell_size", 0) == 0 || key == "gistar.weights" || key == "gistar.p_value" ||
                            key == "inference.correction" || key == "inference.permutations" ||
                            (key.rfind("input.", 0) == 0 && (key.find(".path") != std::string::npos ||
                                                             key.find("rows_") != std::string::npos));
        if (wanted) html += fmt::format("<tr><td>{}</td><td>{}</td></tr>", esc(key), esc(value));
    }
    html += fmt::format("</table><p class=\"small\">{} {}</p></section>\n</body></html>\n", esc(w.generated),
                        esc(md["trygg.version"]));

    const std::string tmp = htmlPath + ".part";
    {
        std::ofstream out(tmp, std::ios::binary);
        if (!out) throw IoError("report: cannot write '" + htmlPath + "'");
        out << html;
        if (!out) throw IoError("report: writing '" + htmlPath + "' failed");
    }
    if (std::rename(tmp.c_str(), htmlPath.c_str()) != 0) throw IoError("report: cannot move the report into place at '" + htmlPath + "'");
}

} // namespace trygg::report
