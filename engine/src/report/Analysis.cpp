// The report's part 3, the analysis: what the hot spots have in common (places, street lights and
// dark parts, the map layers' measures), the problems the lägesbild points out with their ids
// (problems), and the follow-up of a measure; then each further analysis ([analyses.NAME]).
#include "Palette.hpp"
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace trygg::report {
namespace {

// The hotspot areas of incidents beside what is in them: lights, dark share, and the overlays'
// measures (the columns after dark_share).
std::string inCommon(Doc& d) {
    OGRLayer* areas = d.layer("hotspot_areas");
    if (!areas) return "";
    OGRFeatureDefn* defn = areas->GetLayerDefn();
    std::vector<std::string> extra;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string name = defn->GetFieldDefn(i)->GetNameRef();
        const output::LayerSpec* spec = output::layerOf("hotspot_areas");
        const output::FieldSpec* f = spec ? output::fieldOf(*spec, name) : nullptr;
        // The overlays' columns are declared by pattern (the exact fields have their own names).
        if (f && f->name.find('*') != std::string::npos) extra.push_back(name);
    }
    const std::string heading = fmt::format("<h3>3.1 {}</h3>", d.T("Vad hot spot-områdena har gemensamt", "What the hotspot areas have in common"));
    if (defn->GetFieldIndex("lights") < 0 && extra.empty())
        // Nothing measured in the areas: say what would be, rather than a table of their places again.
        return heading + fmt::format("<p>{}</p>", d.T("Inga gatlampor ([hotspot_areas] lights) eller kartlager att mäta "
                                                      "([[overlays]]) fanns i körningen, så områdena beskrivs bara av sin plats "
                                                      "(avsnitt 1.3). Med dem visar avsnittet vad som finns i varje område.",
                                                      "No street lights ([hotspot_areas] lights) or map layers to measure "
                                                      "([[overlays]]) were given, so the areas are described by their place alone "
                                                      "(section 1.3). With them this section shows what is in each area."));
    std::string s = heading + fmt::format("<p>{}</p>",
                                d.T("Varje område med vad som finns där: gatlampor och mörk andel (längre från en gatlampa än "
                                    "regeln i run_metadata), och kartlagrens mått. Jämför områdena med varandra och med "
                                    "kommunen i stort innan en åtgärd väljs.",
                                    "Each area with what is there: street lights and the dark share (farther from a street light "
                                    "than the rule in run_metadata), and the map layers' measures. Compare the areas with each "
                                    "other and with the municipality at large before a measure is chosen."));
    s += "<section><table class=\"wide\"><tr>";
    std::vector<std::string> columns = {"area_id", "place", "lights", "dark_share"};
    columns.insert(columns.end(), extra.begin(), extra.end());
    for (const auto& c : columns)
        if (defn->GetFieldIndex(c.c_str()) >= 0) {
            std::string title = output::fieldTitle("hotspot_areas", c, d.english);
            std::string th = esc(title);
            if (std::find(extra.begin(), extra.end(), c) != extra.end()) {
                // An overlay's own name (vag_length_huvudgata), breakable after its underscores.
                th.clear();
                for (char ch : esc(c)) th += ch == '_' ? std::string("_<wbr>") : std::string(1, ch);
            }
            s += fmt::format("<th>{}</th>", th);
        }
    s += "</tr>";
    for (auto& f : *areas) {
        if (std::string(f->GetFieldAsString("kind")) != "incidents") continue;
        s += "<tr>";
        for (const auto& c : columns) {
            const int idx = f->GetFieldIndex(c.c_str());
            if (idx < 0) continue;
            if (c == "place") s += fmt::format("<td>{}</td>", esc(f->GetFieldAsString(idx)));
            else if (c == "dark_share" || c.find("share") != std::string::npos) s += fmt::format("<td class=\"num\">{}</td>", d.share(*f, c.c_str()));
            else if (c == "area_id" || c == "lights") s += fmt::format("<td class=\"num\">{}</td>", d.count(*f, c.c_str()));
            else s += fmt::format("<td class=\"num\">{}</td>", d.fixed(*f, c.c_str(), 0));
        }
        s += "</tr>";
    }
    s += "</table>";
    if (d.layer("dark_spots")) {
        SvgMap map(*d.ds, d.base);
        // The dark parts of the areas of incidents (the densest areas have theirs in dark_spots too).
        std::set<int> ids;
        for (auto& f : *d.layer("hotspot_areas"))
            if (std::string(f->GetFieldAsString("kind")) == "incidents") ids.insert(f->GetFieldAsInteger("area_id"));
        map.fill("dark_spots", "#222", 0.6, [&](OGRFeature& f) { return ids.count(f.GetFieldAsInteger("area_id")) > 0; });
        map.numberedOutlines("hotspot_areas", "area_id", "kind", "incidents", kAreaOutline);
        const std::string svg = map.finish(d.english);
        s += fmt::format("<h4>{}</h4>{}{}", d.T("Mörka delar av hot spot-områdena", "Dark parts of the hotspot areas"), svg,
                         legend({{"#555", d.T("Mörkt: långt från gatlampor", "Dark: far from street lights")}}));
    }
    return s + "</section>";
}

std::string followup(Doc& d) {
    OGRLayer* fu = d.layer("followup");
    if (!fu) return "";
    std::string s = fmt::format("<h3>3.4 {}: {}</h3><section><p>{}</p><table><tr><th>{}</th>", d.T("Uppföljning av åtgärd", "Follow-up of a measure"),
                                esc(d.md["followup.name"]), esc(d.meta(d.english ? "followup.verdict" : "followup.verdict_sv")),
                                esc(output::fieldTitle("followup", "category", d.english)));
    for (const char* c : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after", "wdq"})
        s += fmt::format("<th>{}</th>", esc(output::fieldTitle("followup", c, d.english)));
    s += fmt::format("<th>{}</th></tr>", esc(output::fieldTitle("followup", d.english ? "verdict" : "verdict_sv", d.english)));
    for (auto& f : *fu) {
        const std::string category = f->GetFieldAsString("category");
        s += fmt::format("<tr><td>{}</td>", esc(category == "all" ? d.T("alla", "all") : category));
        for (const char* c : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"})
            s += fmt::format("<td class=\"num\">{}</td>", d.count(*f, c));
        s += fmt::format("<td class=\"num\">{}</td><td class=\"small\">{}</td></tr>", d.fixed(*f, "wdq", 2),
                         esc(f->GetFieldAsString(d.english ? "verdict" : "verdict_sv")));
    }
    return s + fmt::format("</table><p class=\"small\">{}</p></section>", esc(d.md[d.english ? "followup.method" : "followup.method_sv"]));
}

// The register's measures ([measures]): a map coloured by result, each numbered with its id, and a
// verdict per measure in the report's language, with its perceived safety.
std::string measures(Doc& d) {
    OGRLayer* ms = d.layer("measures");
    if (!ms) return "";
    std::string s = fmt::format("<h3 id=\"measures\">3.5 {}</h3><section><p>{}</p>", d.T("Uppföljning av åtgärder", "Follow-up of the measures"),
                                d.T("Varje åtgärd i åtgärdsregistret, följd upp för sig: händelserna i åtgärdsområdet före och efter "
                                    "starten jämfört med resten av kommunen och med de platser som mest liknade det före, och de "
                                    "boendes upplevda trygghet i och runt det. Ett resultat som säger att åtgärden fungerat kräver "
                                    "att båda jämförelserna visar det. Metoden står i avsnitt 4.",
                                    "Each measure of the register, followed up on its own: the incidents in its area before and after "
                                    "its start against the rest of the municipality and against the places most like it before, and "
                                    "residents' perceived safety in and around it. A result saying that it worked needs both "
                                    "comparisons to show it. The method is in part 4."));
    // Framed on the measures: at the municipality's scale a park is a few pixels.
    OGREnvelope env;
    Basemap base = d.base;
    if (ms->GetExtent(&env, TRUE) == OGRERR_NONE) {
        const std::array<double, 4> focus{env.MinX, env.MinY, env.MaxX, env.MaxY};
        base = makeBasemap(*d.ds, 1000, &focus);
    }
    SvgMap map(*d.ds, base);
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& c : output::measureVerdictColours()) {
        const std::string code = c.code;
        map.fill("measures", c.hex, 0.9, [&](OGRFeature& f) { return code == f.GetFieldAsString("verdict_code"); }, 5);
        items.push_back({c.hex, output::classLabel("measures", "verdict_code", code, d.english)});
    }
    // Published: a result computed from a hidden count is hidden too (NULL).
    const auto resultHidden = [&](OGRFeature& f) { return !d.hidden.empty() && !f.IsFieldSetAndNotNull(f.GetFieldIndex("verdict_code")); };
    if (!d.hidden.empty()) {
        map.fill("measures", output::kHiddenVerdictColour, 0.9, resultHidden, 5);
        items.push_back({output::kHiddenVerdictColour, d.T("Dolt vid publicering", "Hidden for publishing")});
    }
    map.outlines("measures", "#282828", 0.8);
    map.numberedOutlines("measures", [](OGRFeature& f) { return std::string(f.GetFieldAsString("measure_id")); }, "#282828",
                         false, true);
    s += map.finish(d.english) + legend(items);
    s += "<table class=\"wide\"><tr>";
    for (const char* c : {"measure_id", "name", "kind", "start", "verdict_code", "change_pct", "did_change_pct", "placebo_p"}) {
        const std::string unit = std::string(c).find("pct") != std::string::npos ? " (%)" : "";
        s += fmt::format("<th>{}{}</th>", esc(output::fieldTitle("measures", c, d.english)), unit);
    }
    s += fmt::format("<th>{}</th></tr>", esc(output::fieldTitle("measures", d.english ? "verdict" : "verdict_sv", d.english)));
    for (auto& f : *ms) {
        const std::string code = f->GetFieldAsString("verdict_code");
        std::string colour = "#ffffff";
        for (const auto& c : output::measureVerdictColours())
            if (code == c.code) colour = c.hex;
        const bool hidden = resultHidden(*f);
        if (hidden) colour = output::kHiddenVerdictColour;
        // With the result shown, every count it rests on is: an empty value is one not defined.
        const auto figure = [&](const char* c, int decimals) {
            return !hidden && !f->IsFieldSetAndNotNull(f->GetFieldIndex(c)) ? std::string("–") : d.fixed(*f, c, decimals);
        };
        std::string verdict = hidden ? esc(d.T("Dold: ett av antalen den bygger på är för litet för att publiceras.",
                                               "Hidden: one of the counts it rests on is too small to publish."))
                                     : esc(f->GetFieldAsString(d.english ? "verdict" : "verdict_sv"));
        const int perceived = f->GetFieldIndex(d.english ? "perceived" : "perceived_sv");
        if (perceived >= 0 && f->IsFieldSetAndNotNull(perceived)) verdict += "<br>" + esc(f->GetFieldAsString(perceived));
        const int survey = f->GetFieldIndex(d.english ? "survey" : "survey_sv");
        if (survey >= 0 && f->IsFieldSetAndNotNull(survey)) verdict += "<br>" + esc(f->GetFieldAsString(survey));
        s += fmt::format("<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td>"
                         "<td><span class=\"swatch\" style=\"background:{}\"></span> {}</td>"
                         "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"small\">{}</td></tr>",
                         esc(f->GetFieldAsString("measure_id")), esc(f->GetFieldAsString("name")), esc(f->GetFieldAsString("kind")),
                         esc(f->GetFieldAsString("start")), colour,
                         hidden ? esc(d.hidden) : esc(output::classLabel("measures", "verdict_code", code, d.english)),
                         figure("change_pct", 0), figure("did_change_pct", 0), figure("placebo_p", 2), verdict);
    }
    s += "</table>";
    // Overlapping measures share one effect: each group is one claim, however many of its
    // measures read as having worked.
    std::map<std::string, std::vector<std::string>> groups;
    ms->ResetReading();
    for (auto& f : *ms)
        if (const std::string g = f->GetFieldAsString("joint_group"); !g.empty()) groups[g].push_back(f->GetFieldAsString("measure_id"));
    if (!groups.empty()) {
        std::string list;
        for (const auto& [g, members] : groups) {
            std::string m;
            for (const auto& x : members) m += (m.empty() ? "" : ", ") + esc(x);
            list += fmt::format("{}<b>{}</b> ({})", list.empty() ? "" : "; ", esc(g), m);
        }
        s += fmt::format("<p>{} {}.</p>",
                         d.T("Åtgärder som överlappar i rum och tid har en gemensam effekt; redovisa den en gång per grupp:",
                             "Measures that overlap in place and time have one joint effect; claim it once per group:"),
                         list);
    }
    // From problems to measures: what each problem's figures point to, and what answers it.
    if (OGRLayer* sg = d.layer("measure_suggestions"); sg) {
        std::map<std::string, std::vector<std::string>> measuresOf;
        std::vector<std::string> unanswered, noProblem;
        if (OGRLayer* pm = d.layer("problem_measures"))
            for (auto& f : *pm) {
                const std::string p = f->GetFieldAsString("problem_id"), m = f->GetFieldAsString("measure_id");
                if (p.empty()) noProblem.push_back(m);
                else if (m.empty()) unanswered.push_back(p);
                else measuresOf[p].push_back(m);
            }
        s += fmt::format("<h4>{}</h4><p>{}{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                         d.T("Från problem till åtgärd", "From problems to measures"),
                         d.T("Vad varje problems siffror pekar på, enligt reglerna i [[measures.rules]] (metoden i avsnitt 4), "
                             "och vilka åtgärder i registret som redan gäller problemet.",
                             "What each problem's figures point to, by the rules of [[measures.rules]] (the method is in part 4), "
                             "and which measures of the register already answer the problem."),
                         d.hidden.empty() ? ""
                                          : d.T(" I versionen för publicering visas bara förslagen från kartan (mörk andel): de "
                                                "som bygger på andelar av anmälningar eller rapporter skulle ge antal tillbaka.",
                                                " The version for publishing shows only the suggestions from the map (the dark "
                                                "share): those from shares of reports would give counts back."),
                         esc(output::fieldTitle("measure_suggestions", "problem_id", d.english)),
                         esc(output::fieldTitle("measure_suggestions", "suggested_kind", d.english)),
                         esc(output::fieldTitle("measure_suggestions", d.english ? "evidence" : "evidence_sv", d.english)),
                         esc(output::fieldTitle("measure_suggestions", "answered_by", d.english)));
        for (auto& f : *sg)
            s += fmt::format("<tr><td><a href=\"#{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td></tr>",
                             esc(f->GetFieldAsString("problem_id")), esc(f->GetFieldAsString("suggested_kind")),
                             esc(f->GetFieldAsString(d.english ? "evidence" : "evidence_sv")),
                             f->IsFieldSetAndNotNull(f->GetFieldIndex("answered_by"))
                                 ? esc(f->GetFieldAsString("answered_by"))
                                 : d.T("ingen åtgärd av den typen", "no measure of that kind"));
        s += "</table>";
        const auto list = [](const std::vector<std::string>& v) {
            std::string out;
            for (const auto& x : v) out += (out.empty() ? "" : ", ") + esc(x);
            return out;
        };
        if (!unanswered.empty())
            s += fmt::format("<p>{} {}.</p>", d.T("Problem som ingen åtgärd i registret gäller:", "Problems no measure of the register answers:"),
                             list(unanswered));
        if (!noProblem.empty())
            s += fmt::format("<p>{} {}.</p>", d.T("Åtgärder som inte gäller något problem i lägesbilden:",
                                                  "Measures that answer no problem of the situation picture:"),
                             list(noProblem));
    }
    if (OGRLayer* rj = d.layer("rejected_measures"); rj && rj->GetFeatureCount() > 0) {
        s += fmt::format("<p>{}</p><ul>", d.T("Rader i registret som inte användes:", "Rows of the register that were not used:"));
        for (auto& f : *rj)
            s += fmt::format("<li>{} {} ({}): {}</li>", d.T("Rad", "Row"), f->GetFieldAsInteger64("source_row"),
                             esc(f->GetFieldAsString("measure_id")),
                             esc(output::classLabel("rejected_measures", "reject_reason", f->GetFieldAsString("reject_reason"),
                                                    d.english)));
        s += "</ul>";
    }
    return s + "</section>";
}

// The problems of an analysis, as a table.
std::string problemTable(Doc& d, const std::string& prefix) {
    OGRLayer* pr = d.layer(prefix + "problems");
    if (!pr) return "";
    std::string s = "<table class=\"problems\"><tr>";
    // The area's number is the one on the maps of 1.3 and 2.1.
    for (const char* c : {"problem_id", "kind", "area_id", "title", "peak_time", "evidence"})
        s += fmt::format("<th>{}</th>", esc(output::fieldTitle("problems", c, d.english)));
    s += "</tr>";
    std::size_t n = 0;
    for (auto& f : *pr) {
        ++n;
        const int area = f->GetFieldIndex("area_id");
        s += fmt::format("<tr id=\"{}{}\"><td><b>{}</b></td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                         esc(prefix), esc(f->GetFieldAsString("problem_id")), esc(f->GetFieldAsString("problem_id")),
                         esc(output::classLabel("problems", "kind", f->GetFieldAsString("kind"), d.english)),
                         area >= 0 && f->IsFieldSetAndNotNull(area) ? std::to_string(f->GetFieldAsInteger(area)) : std::string(),
                         esc(f->GetFieldAsString("title")), esc(f->GetFieldAsString("peak_time")),
                         esc(f->GetFieldAsString("evidence")));
    }
    if (n == 0) return fmt::format("<p>{}</p>", d.T("Inga problem utöver slumpen.", "No problem beyond chance."));
    return s + "</table>";
}

} // namespace

std::string partAnalysis(Doc& d) {
    std::string s = fmt::format("<h2 id=\"part3\" class=\"part\">3 {}</h2>", d.T("Analys", "Analysis"));
    s += inCommon(d);
    s += riskSection(d);
    s += fmt::format("<h3>3.3 {}</h3><section><p>{}</p>{}</section>", d.T("Problem som lägesbilden pekar ut", "Problems the situation picture points out"),
                     d.T("Varje problem har ett id (P1, P2 ...) som åtgärdsplanen kan hänvisa till; samma id finns i lagret "
                         "problems i GeoPackage-filen, med områdets yta.",
                         "Each problem has an id (P1, P2 ...) the action plan can refer to; the same id is in the layer problems "
                         "of the GeoPackage, with the area's shape."),
                     problemTable(d, ""));
    s += followup(d);
    s += measures(d);
    return s;
}

std::string furtherAnalysis(Doc& d, const std::string& name) {
    const std::string p = name + "_";
    std::string s = fmt::format("<h3 id=\"analysis-{}\">{}</h3><p class=\"small\">{}</p>", esc(name), esc(d.md["analyses." + name + ".title"]),
                                esc(d.md["analyses." + name + (d.english ? ".filter" : ".filter_sv")]));
    s += "<section>" + hotspotMap(d, p) + areaTable(d, p + "hotspot_areas", "incidents", 10) + "</section>";
    s += fmt::format("<h4>{}</h4>", d.T("Problem", "Problems")) + problemTable(d, p);
    return s;
}

} // namespace trygg::report
