// The report's part 2, other relevant information: perceived safety (residents' reports, their
// hot spots, fear against crime, the reasons they give), the safety survey's indices per area and
// their change, and the map layers the analysis used.
#include "Palette.hpp"
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

namespace trygg::report {
namespace {

// A section whose data the run was not given: its heading and what would fill it, so that the
// lägesbild says what it lacks rather than leave it out unseen.
std::string notGiven(const std::string& heading, const std::string& what) {
    return fmt::format("{}<p class=\"missing\">{}</p>", heading, what);
}

std::string perceived(Doc& d) {
    const std::string heading = fmt::format("<h3>2.1 {}</h3>", d.T("Upplevd trygghet", "Perceived safety"));
    if (!d.layer("perception_grid"))
        return notGiven(heading, d.T("Körningen hade inga rapporter om upplevd trygghet (trygghetsvandringar, kartenkät: "
                                     "[perception] i konfigurationen), så lägesbilden saknar jämförelsen mellan otrygghet och brott.",
                                     "The run was given no perceived-safety reports (safety walks, map survey: [perception] in the "
                                     "config), so the situation picture lacks the comparison of insecurity with crime."));
    std::string s = heading + fmt::format("<p>{}</p>",
                                d.T("Invånarnas rapporter om otrygghet (trygghetsvandringar, kartenkät) per ruta, jämförda med de "
                                    "anmälda brotten: där båda är koncentrerade, bara otryggheten, eller bara brotten.",
                                    "Residents' reports of feeling unsafe (safety walks, map survey) per cell, against the reported "
                                    "incidents: where both are concentrated, only the insecurity, or only the incidents."));
    SvgMap map(*d.ds, d.base);
    d.drawn[drawnKey("perception_grid", "fear_crime_class", fearCrimeColours())] =
        map.classes("perception_grid", "fear_crime_class", fearCrimeColours(), 0.85);
    map.numberedOutlines("hotspot_areas", "area_id", "kind", "perception", kPerceptionOutline, true);
    std::map<int, std::string> shown;
    for (const auto& [k, c] : fearCrimeColours())
        if (c != "none") shown[k] = c;
    std::string lg = legend(classLegend("perception_grid", "fear_crime_class", shown, d.english));
    lg.insert(lg.size() - 5, outlineSwatch(kPerceptionOutline, d.T("Område med upplevd otrygghet (nummer i tabellen)",
                                                                   "Area of perceived insecurity (number in the table)")));
    s += "<section><h4>" + std::string(d.T("Otrygghet mot brott", "Fear versus crime")) + "</h4>" + map.finish(d.english) + lg +
         areaTable(d, "hotspot_areas", "perception", 10) + "</section>";
    if (OGRLayer* r = d.layer("perception_reasons")) {
        s += fmt::format("<section><h4>{}</h4><p class=\"small\">{}</p><table><tr>", d.T("Vad som går ihop med otrygghet", "What goes with feeling unsafe"),
                         d.T("Lyft: andelen otrygga bland rapporterna som nämner skälet, mot andelen otrygga bland alla. Över 1 "
                             "går skälet ihop med otrygghet.",
                             "Lift: the share unsafe among the reports citing the reason, against the share unsafe among all. "
                             "Above 1, the reason goes with feeling unsafe."));
        for (const char* c : {"reason", "reports", "unsafe_reports", "share_unsafe", "lift"})
            s += fmt::format("<th>{}</th>", esc(output::fieldTitle("perception_reasons", c, d.english)));
        s += "</tr>";
        for (auto& f : *r)
            s += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                             "<td class=\"num\">{}</td></tr>",
                             esc(f->GetFieldAsString("reason")), d.count(*f, "reports"), d.count(*f, "unsafe_reports"),
                             d.share(*f, "share_unsafe"), d.fixed(*f, "lift", 2));
        s += "</table></section>";
    }
    return s;
}

std::string survey(Doc& d) {
    OGRLayer* areas = d.layer("area_summary");
    const std::string heading = fmt::format("<h3>2.2 {}</h3>", d.T("Trygghetsundersökningen per område", "The safety survey per area"));
    const std::string missing = d.T("Körningen hade inga index från en trygghetsundersökning per område ([areas] survey_path).",
                                    "The run was given no safety-survey indices per area ([areas] survey_path).");
    if (!areas || areas->GetLayerDefn()->GetFieldIndex("survey_total") < 0) return notGiven(heading, missing);
    struct Row {
        double change;
        std::string html;
    };
    std::vector<Row> rows;
    for (auto& f : *areas) {
        if (!f->IsFieldSetAndNotNull(f->GetFieldIndex("survey_total"))) continue;
        rows.push_back({d.value(*f, "survey_total_change"),
                        fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                                    "<td class=\"num\">{}</td></tr>",
                                    esc(f->GetFieldAsString("area_name")), std::to_string(f->GetFieldAsInteger("survey_total_year")),
                                    d.fixed(*f, "survey_total", 2), d.fixed(*f, "survey_total_change", 2),
                                    d.share(*f, "perc_share_unsafe"))});
    }
    if (rows.empty()) return notGiven(heading, missing);
    // The largest rise in the index first: where it grew worse (a higher index is more problems).
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return (std::isfinite(a.change) ? a.change : -1e9) > (std::isfinite(b.change) ? b.change : -1e9);
    });
    std::string s = heading + fmt::format("<section><p class=\"small\">{}</p><table><tr>",
                                d.T("Områdenas samlade index det senaste året och förändringen mot året före; störst ökning först.",
                                    "The areas' total index in the latest year and its change from the year before; the largest "
                                    "rise first."));
    for (const char* c : {"area_name", "survey_total_year", "survey_total", "survey_total_change", "perc_share_unsafe"})
        s += fmt::format("<th>{}</th>", esc(output::fieldTitle("area_summary", c, d.english)));
    s += "</tr>";
    for (const auto& r : rows) s += r.html;
    return s + "</table></section>";
}

std::string mapLayers(Doc& d) {
    std::string items;
    for (OGRLayer* l : contextLayers(*d.ds))
        items += fmt::format("<li>{} ({} {})</li>",
                             esc(l->GetMetadataItem("IDENTIFIER") ? l->GetMetadataItem("IDENTIFIER")
                                                                  : std::string(l->GetName()).substr(8)),
                             l->GetFeatureCount(),
                             d.T("objekt", "features"));
    for (const auto& [key, unused] : d.md)
        if (key.rfind("overlays.", 0) == 0 && key.find('.', 9) == std::string::npos)
            items += fmt::format("<li>{} ({})</li>", esc(key.substr(9)), d.T("mått i rutor och områden", "measured in cells and areas"));
    const std::string heading = fmt::format("<h3>2.3 {}</h3>", d.T("Kartunderlag", "Map layers"));
    if (items.empty())
        return notGiven(heading, d.T("Körningen hade inga kartlager ([[context]], [[overlays]]).",
                                     "The run was given no map layers ([[context]], [[overlays]])."));
    return heading + fmt::format("<section><p>{}</p><ul>{}</ul></section>",
                       d.T("Kartlagren som analysen beskriver platserna med (avsnitt 3.1):",
                           "The map layers the analysis describes the places with (section 3.1):"),
                       items);
}

} // namespace

std::string partInformation(Doc& d) {
    // Always there: the law's second part, with what the run lacked said in it.
    const std::string body = perceived(d) + survey(d) + mapLayers(d);
    return fmt::format("<h2 id=\"part2\" class=\"part\">2 {}</h2>", d.T("Annan relevant information", "Other relevant information")) + body;
}

} // namespace trygg::report
