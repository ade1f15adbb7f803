// The report's section on how far to trust the map (part 1.7): the training period's map tested
// on the next period's incidents, in plain words and as a table, and the scale that predicted
// best (stats.map_accuracy).
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

namespace trygg::report {
namespace {

// "2023" for a whole year, as the report names periods; a named period as named.
std::string period(const Doc& d, const std::string& from, const std::string& to) {
    if (to.empty()) return from;
    return d.period(from + "/" + to);
}

std::string mapName(const Doc& d, const std::string& method) {
    if (method.rfind("gistar_", 0) == 0)
        return fmt::format(fmt::runtime(d.T("hot spots med {} % säkerhet", "hot spots at {} % confidence")), method.substr(7));
    if (method.rfind("density_top_", 0) == 0)
        return fmt::format(fmt::runtime(d.T("tätaste {} % (täthet)", "densest {} % (density)")), method.substr(12));
    return method;
}

} // namespace

std::string mapAccuracySection(Doc& d) {
    OGRLayer* layer = d.layer("map_accuracy");
    if (!layer) return "";
    std::string s = fmt::format(
        "<h3 id=\"map-accuracy\">1.7 {}</h3><p>{}</p>", d.T("Hur väl kartan förutsäger", "How well the map predicts"),
        d.T("En karta gjord på den första perioden prövas mot den andra periodens händelser: hur stor del av dem hade "
            "den täckt, och på hur stor del av ytan? PAI är träffandelen genom ytandelen (Chainey m.fl. 2008): 10 betyder "
            "tio gånger fler händelser per km² än i genomsnitt. PEI jämför med det bästa en lika stor yta hade kunnat "
            "täcka (Hunt 2016), RRI med hur stor del av de tidigare händelserna ytan hade (Levine 2008).",
            "A map made on the first period is tested on the second period's incidents: how many of them would it have "
            "covered, on how much of the area? PAI is the hit rate over the area share (Chainey et al. 2008): 10 means ten "
            "times as many incidents per km² as on average. PEI compares with the most an area of that size could have "
            "covered (Hunt 2016), RRI with the share of the earlier incidents the area held (Levine 2008)."));
    std::string table = "<table><tr>";
    for (const char* c : {"method", "cells", "area_share", "hit_rate", "pai", "pei", "rri"})
        table += fmt::format("<th>{}</th>", esc(output::fieldTitle("map_accuracy", c, d.english)));
    table += "</tr>";
    std::string words, best;
    for (auto& f : *layer) {
        const std::string method = f->GetFieldAsString("method");
        const bool scale = f->GetFieldAsInteger("scale") == 1;
        const double hit = d.value(*f, "hit_rate"), area = d.value(*f, "area_share"), pai = d.value(*f, "pai");
        if (!scale) {
            table += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                                 "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                                 esc(mapName(d, method)), f->GetFieldAsInteger("cells"), d.pct(area, 1), d.pct(hit),
                                 d.decimal(pai, 1), d.decimal(d.value(*f, "pei"), 2), d.decimal(d.value(*f, "rri"), 2));
            if (method == "gistar_95" && std::isfinite(hit) && std::isfinite(pai))
                words = fmt::format(
                    fmt::runtime(d.T("Kartan över {} ({}) hade täckt {} av händelserna {} på {} av ytan, PAI {}.",
                                     "The map of {} ({}) would have covered {} of the incidents of {} on {} of the area, "
                                     "PAI {}.")),
                    period(d, f->GetFieldAsString("train_from"), f->GetFieldAsString("train_to")), mapName(d, method), d.pct(hit),
                    period(d, f->GetFieldAsString("test_from"), f->GetFieldAsString("test_to")), d.pct(area, 1), d.decimal(pai, 1));
        } else if (f->GetFieldAsInteger("best_scale") == 1) {
            const std::string what = method == "gistar_95"
                                         ? fmt::format(fmt::runtime(d.T("rutstorleken {} m", "the cell size {} m")),
                                                       d.decimal(d.value(*f, "cell_size_m"), 0))
                                         : fmt::format(fmt::runtime(d.T("bandbredden {} m", "the bandwidth {} m")),
                                                       d.decimal(d.value(*f, "bandwidth_m"), 0));
            best += fmt::format(fmt::runtime(d.T(" För {} förutsade {} bäst (PEI {}).", " For {}, {} predicted best (PEI {}).")),
                                mapName(d, method), what, d.decimal(d.value(*f, "pei"), 2));
        }
    }
    table += "</table>";
    return s + fmt::format("<section><p>{}{}</p>{}<p class=\"small\">{}</p></section>", esc(words), esc(best), table,
                           d.T("Alla skalor som jämförts finns i tabellen map_accuracy.", "Every scale compared is in the table map_accuracy."));
}

} // namespace trygg::report
