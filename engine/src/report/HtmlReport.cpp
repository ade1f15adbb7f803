// The lägesbild report: one self-contained HTML file, made from the finished GeoPackage, in the
// three parts Lag (2023:196) asks of a lägesbild: the mapping of crime (Mapping.cpp), other
// relevant information (Information.cpp) and the analysis (Analysis.cpp), after a summary for the
// kommunstyrelse and an interactive map, with the run's parameters last. No request leaves the
// page: its Content Security Policy allows nothing but its own inline script and styles.
#include "trygg/report/HtmlReport.hpp"

#include "InteractiveMap.hpp"
#include "ReportDoc.hpp"

#include "trygg/core/Error.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

namespace trygg::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The summary for the kommunstyrelse: the extent and its change, what rose and fell, how
// concentrated, the problems, the largest hot spot, the follow-up.
std::string summary(Doc& d) {
    std::vector<std::string> points;
    const std::string latest = d.md["trend.latest"], before = d.md["trend.before"];
    if (OGRLayer* pc = d.layer("period_counts"); pc && !before.empty()) {
        double now = kNaN, prev = kNaN;
        for (auto& f : *pc) {  // the latest period and the one before it; the longer baseline is in 1.2
            const int back = f->GetFieldAsInteger("periods_back");
            if (back == 0) now = d.value(*f, "n");
            if (back == 1) prev = d.value(*f, "n");
        }
        int direction = 0;
        if (OGRLayer* ch = d.layer("period_change"))
            for (auto& f : *ch)
                if (std::string(f->GetFieldAsString("category")) == "all") direction = f->GetFieldAsInteger("change");
        points.push_back(fmt::format(fmt::runtime(d.T("<b>{}</b> anmälda händelser under {}, mot {} perioden före ({}).",
                                                      "<b>{}</b> reported incidents in {}, against {} the period before ({}).")),
                                     d.num(now), esc(d.period(latest)), d.num(prev),
                                     direction > 0   ? d.T("en ökning utöver slumpen", "a rise beyond chance")
                                     : direction < 0 ? d.T("en minskning utöver slumpen", "a fall beyond chance")
                                                     : d.T("ingen förändring utöver slumpen", "no change beyond chance")));
        std::vector<std::string> rose, fell;
        if (OGRLayer* ch = d.layer("period_change"))
            for (auto& f : *ch) {
                const std::string c = f->GetFieldAsString("category");
                if (c == "all") continue;
                if (f->GetFieldAsInteger("change") > 0) rose.push_back(c);
                if (f->GetFieldAsInteger("change") < 0) fell.push_back(c);
            }
        const auto list = [&](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ", ") + esc(x);
            return s.empty() ? std::string(d.T("inga", "none")) : s;
        };
        points.push_back(fmt::format(fmt::runtime(d.T("Ökade utöver slumpen: {}. Minskade: {}.", "Rose beyond chance: {}. Fell: {}.")),
                                     list(rose), list(fell)));
    }
    if (!d.md["concentration.least_area_for_half"].empty()) {
        const double half = std::atof(d.md["concentration.least_area_for_half"].c_str());
        points.push_back(fmt::format(fmt::runtime(d.T("Hälften av händelserna sker på {} av ytan.", "Half of the incidents happen on {} of the area.")),
                                     d.pct(half, 1)));
    }
    if (OGRLayer* pr = d.layer("problems")) {
        std::size_t hot = 0, perceived = 0, rise = 0;
        for (auto& f : *pr) {
            const std::string k = f->GetFieldAsString("kind");
            hot += k == "hotspot", perceived += k == "perceived", rise += k == "rise";
        }
        points.push_back(fmt::format(
            fmt::runtime(d.T("Lägesbilden pekar ut <b>{} problem</b> (avsnitt 3.3): {} koncentrationer av brott, {} områden med upplevd "
                             "otrygghet och {} ökningar.",
                             "The situation picture points out <b>{} problems</b> (section 3.3): {} hot spots of incidents, {} areas "
                             "of perceived insecurity and {} rises.")),
            hot + perceived + rise, hot, perceived, rise));
    }
    if (OGRLayer* areas = d.layer("hotspot_areas")) {
        // The area with most incidents (publishing may hide its count: then the first listed).
        long long best = -1;
        std::string text;
        for (auto& f : *areas)
            if (std::string(f->GetFieldAsString("kind")) == "incidents" && f->GetFieldAsInteger64("incidents") > best) {
                best = f->GetFieldAsInteger64("incidents");
                text = fmt::format(fmt::runtime(d.T("Störst är område {} {} med {} händelser ({} av alla).",
                                                    "The largest is area {} {} with {} incidents ({} of all).")),
                                   f->GetFieldAsInteger("area_id"), esc(f->GetFieldAsString("place")), d.count(*f, "incidents"),
                                   d.share(*f, "share_of_incidents"));
            }
        if (!text.empty()) points.push_back(text);
    }
    if (!d.md["followup.name"].empty())
        points.push_back(fmt::format(fmt::runtime(d.T("Uppföljning av {}: {}", "Follow-up of {}: {}")), esc(d.md["followup.name"]),
                                     esc(d.meta(d.english ? "followup.verdict" : "followup.verdict_sv"))));
    std::string s = fmt::format("<section id=\"summary\" class=\"summary\"><h2>{}</h2><ul>", d.T("Sammanfattning", "Summary"));
    for (const auto& p : points) s += "<li>" + p + "</li>";
    return s + "</ul></section>\n";
}


// The run's parameters a reader needs to know how the maps were made, named in the language.
std::string parameters(Doc& d) {
    struct Item {
        const char *key, *sv, *en;
    };
    static const Item kItems[] = {
        {"run.name", "Körning", "Run"},
        {"run.started_utc", "Körd (UTC)", "Run at (UTC)"},
        {"input.incidents.path", "Anmälda händelser, fil", "Incidents, file"},
        {"input.incidents.rows_read", "Rader lästa", "Rows read"},
        {"input.incidents.rows_accepted", "Rader använda", "Rows used"},
        {"input.incidents.rows_rejected", "Rader avvisade (se rejected_reports)", "Rows rejected (see rejected_reports)"},
        {"input.incidents.time_first", "Första händelsen", "First incident"},
        {"input.incidents.time_last", "Sista händelsen", "Last incident"},
        {"input.perception.path", "Trygghetsrapporter, fil", "Perception reports, file"},
        {"input.survey.path", "Trygghetsundersökning, fil", "Safety survey, file"},
        {"input.areas.path", "Områden, fil", "Areas, file"},
        {"analysis.crs_name", "Koordinatsystem", "Coordinate system"},
        {"grid.cell_size_m", "Rutstorlek (m)", "Cell size (m)"},
        {"gistar.distance_band_m", "Grannskapets avstånd för Gi* (m)", "Gi* neighbourhood distance (m)"},
        {"inference.permutations", "Permutationer", "Permutations"},
        {"inference.seed", "Slumpfrö", "Seed"},
        {"kde.bandwidth_m", "Bandbredd för tätheten (m)", "Density bandwidth (m)"},
        {"trend.latest", "Lägesbildens period", "The situation picture's period"},
        {"trend.before", "Perioden före", "The period before"},
        {"publish.min_count", "Publicering: dolda antal upp till", "Publishing: counts hidden up to"},
        {"trygg.version", "Trygg, version", "Trygg, version"},
    };
    std::string s = fmt::format("<h2 id=\"about\">{}</h2><section><table>", d.T("Om analysen", "About the analysis"));
    s += fmt::format("<tr><td>{}</td><td>{}</td></tr>", d.T("Tidsfilter", "Time filter"), esc(d.md[d.english ? "filter" : "filter_sv"]));
    for (const Item& it : kItems)
        if (const auto v = d.md.find(it.key); v != d.md.end() && !v->second.empty())
            s += fmt::format("<tr><td>{}</td><td>{}</td></tr>", d.T(it.sv, it.en),
                             esc(std::string(it.key).rfind("trend.", 0) == 0 ? d.period(v->second) : v->second));
    return s + fmt::format("</table><p class=\"small\">{}</p></section>",
                           d.T("Hur varje tal togs fram står i tabellen run_metadata i GeoPackage-filen; metoderna i README.",
                               "How every figure was made is in the table run_metadata of the GeoPackage; the methods in the README."));
}

const char* kStyle =
    "body{font-family:sans-serif;max-width:190mm;margin:auto;color:#222;line-height:1.35}"
    "h1{font-size:20pt;margin-bottom:4px}h2{font-size:15pt;margin-top:1.6em;break-after:avoid}"
    "h2.part{font-size:17pt;border-top:3px solid #78001e;padding-top:8px;margin-top:2.2em}"
    "h3{font-size:13pt;margin-top:1.4em;break-after:avoid}h4{font-size:11pt;margin:1em 0 4px;break-after:avoid}"
    ".map,.chart{width:100%;height:auto}.map{border:1px solid #ccc}"
    ".map text{font-family:sans-serif}.place{font-size:13px;paint-order:stroke;stroke:#fff;stroke-width:3px;fill:#333}"
    ".small-place{font-size:11px}.badge text{font-size:15px;font-weight:bold;text-anchor:middle}"
    ".scalebar text,.north text{font-size:12px;fill:#222}.tick{font-size:11px;fill:#444}.year{font-weight:bold}"
    ".notice{border-left:4px solid #78001e;padding:4px 8px;background:#f8f0f2}"
    ".summary{background:#f6f6f6;padding:4px 14px;border-radius:4px}.summary li{margin:4px 0}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:9pt}"
    ".legend span{display:inline-block;width:12px;height:12px;margin-right:4px;border:1px solid #999;vertical-align:middle}"
    ".swatch{display:inline-block;width:10px;height:10px;border:1px solid #999;vertical-align:middle}"
    "table{border-collapse:collapse;font-size:9pt;width:100%;margin-top:6px}td,th{border-bottom:1px solid #ddd;"
    "padding:3px 4px;text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}"
    "table.wide{font-size:8pt}"
    "section{break-inside:avoid}nav ol{columns:2;font-size:10pt}.small{font-size:8pt;color:#555}.missing{color:#555;font-style:italic}"
    ".imap{height:520px;border:1px solid #ccc;background:#fafafa}"
    "@media print{.interactive{display:none}}@page{size:A4;margin:15mm}";

} // namespace

void writeHtmlReport(const std::string& gpkgPath, const std::string& htmlPath, const ReportOptions& options) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkgPath.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) throw IoError("report: cannot open '" + gpkgPath + "'");
    Doc d;
    d.ds = ds.get();
    d.english = options.language == "en";
    if (OGRLayer* m = ds->GetLayerByName("run_metadata"))
        for (auto& f : *m) d.md.emplace(f->GetFieldAsString("key"), f->GetFieldAsString("value"));
    const bool published = d.md.count("publish.min_count") > 0;
    if (published) d.hidden = d.T("dold", "hidden");
    d.base = makeBasemap(*ds, 1000);

    const std::string title = d.T("Lägesbild: brott och trygghet i offentlig miljö", "Situation picture: crime and safety in public space");
    std::string html = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>{} – {}</title>\n<style>{}</style>\n{}</head><body>\n",
        d.english ? "en" : "sv", esc(title), esc(d.md["run.name"]), kStyle, leafletHead());
    html += fmt::format("<h1>{}</h1><p class=\"small\">{} · {} {} · Trygg {}</p>\n", esc(title), esc(d.md["run.name"]),
                        d.T("Skapad", "Made"), esc(d.md["run.started_utc"].substr(0, 10)), esc(d.md["trygg.version"]));
    if (published)
        html += fmt::format(
            "<p class=\"notice\">{}</p>\n",
            fmt::format(fmt::runtime(d.T("Version för publicering: antal från 1 till {0} är dolda, liksom fler antal där en summa "
                                         "annars skulle avslöja dem; ett dolt antal visas som \"dold\". Filen innehåller inga "
                                         "enskilda händelser.",
                                         "Version for publishing: counts from 1 to {0} are hidden, and so are further counts "
                                         "where a total would give them back; a hidden count reads \"hidden\". The file holds no "
                                         "single incidents.")),
                        esc(d.md["publish.min_count"])));
    // The further analyses ([analyses.NAME]), in the order of run_metadata's list.
    std::vector<std::string> analyses;
    for (std::size_t at = 0; at < d.md["analyses"].size();) {
        const std::string& list = d.md["analyses"];
        const std::size_t comma = std::min(list.find(',', at), list.size());
        if (comma > at) analyses.push_back(list.substr(at, comma - at));
        at = comma + 1;
    }
    const std::string part2 = partInformation(d);
    html += fmt::format("<nav><ol><li><a href=\"#summary\">{}</a></li><li><a href=\"#map\">{}</a></li>"
                        "<li><a href=\"#part1\">1 {}</a></li>{}<li><a href=\"#part3\">3 {}</a></li>{}"
                        "<li><a href=\"#about\">{}</a></li></ol></nav>\n",
                        d.T("Sammanfattning", "Summary"), d.T("Karta att utforska", "Map to explore"),
                        d.T("Kartläggning av brottsligheten", "Mapping of crime"),
                        part2.empty() ? "" : fmt::format("<li><a href=\"#part2\">2 {}</a></li>", d.T("Annan relevant information", "Other relevant information")),
                        d.T("Analys", "Analysis"),
                        analyses.empty() ? "" : fmt::format("<li><a href=\"#further\">{}</a></li>", d.T("Fördjupningar", "Further analyses")),
                        d.T("Om analysen", "About the analysis"));
    html += summary(d);
    const std::string part1 = partMapping(d);  // before the interactive map, which reads its counts
    const std::string imap = interactiveMap(*ds, {d.hidden, d.english, "", &d.drawn});
    if (!imap.empty())
        html += fmt::format("<section id=\"map\" class=\"interactive\"><h2>{}</h2><p class=\"small\">{}</p>{}</section>\n",
                            d.T("Karta att utforska", "Map to explore"),
                            d.T("Zooma, välj lager till höger och klicka på en ruta eller ett område för dess siffror. Rutorna "
                                "visas där de är hot eller cold spots; alla rutor finns i GeoPackage-filen.",
                                "Zoom, choose layers on the right and click a cell or an area for its figures. Cells are shown "
                                "where they are hot or cold spots; every cell is in the GeoPackage."),
                            imap);
    html += part1 + part2 + partAnalysis(d);
    if (!analyses.empty()) {
        html += fmt::format("<h2 id=\"further\" class=\"part\">{}</h2>", d.T("Fördjupningar", "Further analyses"));
        for (const auto& name : analyses) html += furtherAnalysis(d, name);
    }
    html += parameters(d) + "</body></html>\n";

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
