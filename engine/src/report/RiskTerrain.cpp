// The report's section on contributing factors (part 3.2): which features of the place go with
// more incidents, each held against the others (stats.risk_model), as a ranked chart of their
// relative risk values with intervals, a sentence per leading factor, and the risk terrain map.
#include "Charts.hpp"
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

namespace trygg::report {
namespace {

struct Factor {
    std::string name, title, op;
    double influence = 0, rrv = 1, low = 1, high = 1, p = 1;
    int rank = 0;
};

// "within 100 m", "where they are dense (within 300 m)", "covering the cell".
std::string how(const Doc& d, const Factor& f) {
    const std::string m = fmt::format("{:g} m", f.influence);
    if (f.op == "proximity") return fmt::format(fmt::runtime(d.T("inom {}", "within {}")), m);
    if (f.op == "density") return fmt::format(fmt::runtime(d.T("där de ligger tätt (inom {})", "where they are dense (within {})")), m);
    return d.T("där de täcker rutan", "where they cover the cell");
}

// The risk terrain: the chosen factors' chart, a sentence each, the terrain's map.
std::string riskTerrainPart(Doc& d) {
    OGRLayer* layer = d.layer("risk_factors");
    if (!layer) return "";
    std::vector<Factor> chosen;
    std::vector<std::string> notChosen;
    for (auto& f : *layer) {
        const std::string role = f->GetFieldAsString("role");
        if (role == "not_chosen") notChosen.push_back(f->GetFieldAsString("title"));
        if (role != "chosen") continue;
        Factor x{f->GetFieldAsString("factor"), f->GetFieldAsString("title"), f->GetFieldAsString("operationalisation"),
                 d.value(*f, "influence_m"), d.value(*f, "rrv"), d.value(*f, "rrv_low"), d.value(*f, "rrv_high"),
                 d.value(*f, "p_value"), f->GetFieldAsInteger("rank")};
        if (!std::isfinite(x.influence)) x.influence = 0;
        chosen.push_back(x);
    }
    std::sort(chosen.begin(), chosen.end(), [](const Factor& a, const Factor& b) { return a.rrv > b.rrv; });
    std::string s = fmt::format(
        "<section><h4>{}</h4><p>{}</p>", d.T("Faktorer i miljön som följer med fler händelser",
                                                           "Factors of the place that go with more incidents"),
        d.T("Vilka platser i kartlagren har fler händelser omkring sig, när de andra faktorerna och hur många som bor där "
            "hålls lika? En modell för antalet händelser per ruta (risk terrain modelling, som RTMDx) prövar varje faktor på "
            "flera avstånd och behåller de som förklarar händelserna bäst (BIC). Den relativa risken säger hur många gånger "
            "fler händelser en ruta med faktorn har än en likadan ruta utan. Ett samband är inte en orsak: en faktor kan stå "
            "för något som följer med den.",
            "Which places of the map layers have more incidents around them, the other factors and the residents held the "
            "same? A model of the incidents per cell (risk terrain modelling, as RTMDx) tries each factor at several "
            "distances and keeps those that explain the incidents best (BIC). The relative risk value says how many times "
            "the incidents of a cell with the factor, against a cell like it without. An association is not a cause: a "
            "factor may stand for something that goes with it."));
    if (chosen.empty())
        return s + fmt::format("<p>{}</p></section>", d.T("Ingen av faktorerna följer med fler eller färre händelser.",
                                                          "None of the factors goes with more or fewer incidents."));
    std::vector<RiskRow> rows;
    for (const auto& f : chosen) rows.push_back({f.title, f.rrv, f.low, f.high});
    s += riskBars(rows, d.english);
    // A sentence per factor, the strongest first.
    s += "<ul>";
    for (const auto& f : chosen) {
        const std::string value = d.decimal(f.rrv, 1), lo = d.decimal(f.low, 1), hi = d.decimal(f.high, 1);
        if (f.rrv >= 1)
            s += fmt::format(fmt::runtime(d.T("<li><b>{}</b>: rutor {} har {} gånger så många händelser som rutor utan (95 % "
                                              "intervall {} till {}).</li>",
                                              "<li><b>{}</b>: cells {} have {} times the incidents of cells without (95 % "
                                              "interval {} to {}).</li>")),
                             esc(f.title), esc(how(d, f)), value, lo, hi);
        else
            s += fmt::format(fmt::runtime(d.T("<li><b>{}</b>: rutor {} har färre händelser, {} gånger så många som rutor utan "
                                              "(95 % intervall {} till {}).</li>",
                                              "<li><b>{}</b>: cells {} have fewer incidents, {} times those of cells without "
                                              "(95 % interval {} to {}).</li>")),
                             esc(f.title), esc(how(d, f)), value, lo, hi);
    }
    s += "</ul>";
    if (!notChosen.empty()) {
        std::string list;
        for (const auto& n : notChosen) list += (list.empty() ? "" : ", ") + esc(n);
        s += fmt::format("<p>{} {}.</p>", d.T("Prövade men inte med i modellen:", "Tried but not in the model:"), list);
    }
    if (d.layer("risk_terrain")) {
        SvgMap map(*d.ds, d.base);
        const std::map<int, std::string> colours{{4, "#7f0000"}, {3, "#d7301f"}, {2, "#fc8d59"}, {1, "#fdd49e"},
                                                 {0, "none"},    {-1, "#91bfdb"}};
        map.classes("risk_terrain", "risk_class", colours);
        map.numberedOutlines("hotspot_areas", "area_id", "kind", "incidents", "#222");
        s += fmt::format("<h4>{}</h4><p>{}</p>{}", d.T("Riskterrängen", "The risk terrain"),
                         d.T("Varje ruta efter sin relativa riskpoäng: de relativa riskerna för faktorerna i rutan "
                             "multiplicerade. Numrerade: hot spot-områdena (avsnitt 1.3). Där riskterrängen är hög men "
                             "händelserna få kan nästa hot spot uppstå.",
                             "Each cell by its relative risk score: the relative risk values of the factors in the cell "
                             "multiplied. Numbered: the hotspot areas (section 1.3). Where the terrain is high but incidents "
                             "few, the next hot spot may come."),
                         map.finish(d.english));
        std::map<int, std::string> legendColours = colours;
        legendColours.erase(0);
        s += legend(classLegend("risk_terrain", "risk_class", legendColours, d.english));
    }
    s += fmt::format("<p class=\"note\">{}{}</p>",
                     d.T("Modellens anpassning (familj, devians, AIC, BIC, spridning) och varje steg i valet av faktorer står i "
                         "run_metadata (risk_model.fit, risk_model.selection).",
                         "The model's fit (family, deviance, AIC, BIC, dispersion) and every step of the choice of factors are "
                         "in run_metadata (risk_model.fit, risk_model.selection)."),
                     d.layer("risk_design") ? d.T(" Tabellen risk_design har modellens designmatris, så att den kan skattas om i R.",
                                                  " The design matrix is in risk_design, so that the model can be refitted in R.")
                                            : "");
    return s + "</section>";
}

} // namespace

std::string riskSection(Doc& d) {
    const std::string parts = riskTerrainPart(d) + colocationPart(d) + comparisonPart(d);
    if (parts.empty()) return "";
    return fmt::format("<h3 id=\"risk\">3.2 {}</h3>{}", d.T("Bidragande faktorer", "Contributing factors"), parts);
}

} // namespace trygg::report
