// The report's section on darkness (part 1.5): whether incidents follow the dark, from the sun's
// light at each report (temporal.darkness): the share of incidents in darkness month by month
// against the share of the hours that are dark, the rate per dark hour against the rate per
// daylight hour in words, the after-dark hot spots, and the hotspot areas' incidents in darkness
// with those in their dark spots (far from street lights), the evidence a lighting measure needs.
#include "Charts.hpp"
#include "Palette.hpp"
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace trygg::report {
namespace {

double metaNumber(Doc& d, const std::string& key) {
    const std::string& v = d.md[key];
    if (v.empty() || v == "hidden") return std::nan("");
    try {
        return std::stod(v);
    } catch (const std::exception&) {
        return std::nan("");
    }
}

// The study area's comparison in words, with what it does and does not mean.
std::string verdict(Doc& d) {
    const double shareInc = metaNumber(d, "darkness.share_incidents"), shareHours = metaNumber(d, "darkness.share_hours");
    const double ratio = metaNumber(d, "darkness.ratio"), low = metaNumber(d, "darkness.ratio_low"),
                 high = metaNumber(d, "darkness.ratio_high");
    if (!std::isfinite(ratio) || !std::isfinite(shareInc))
        return fmt::format("<p>{}</p>", d.T("Jämförelsen mellan mörker och dagsljus visas inte: någon av räkningarna är dold "
                                            "eller saknas.",
                                            "The comparison of darkness and daylight is not shown: one of its counts is hidden "
                                            "or missing."));
    std::string s = fmt::format(
        fmt::runtime(d.T("Av händelserna med klockslag skedde {} i mörker (solen mer än 6° under horisonten), medan {} av "
                         "periodens timmar var mörka. Per mörk timme skedde {} gånger så många händelser som per timme i "
                         "dagsljus (95 % konfidensintervall {}–{}). ",
                         "Of the incidents with a clock time, {} happened in darkness (the sun more than 6° below the horizon), "
                         "while {} of the period's hours were dark. Per dark hour there were {} times as many incidents as "
                         "per hour of daylight (95 % confidence interval {}–{}). ")),
        d.pct(shareInc), d.pct(shareHours), d.decimal(ratio, 2), d.decimal(low, 2), d.decimal(high, 2));
    if (low > 1)
        s += d.T("Händelserna är fler i mörker än mörkrets andel av timmarna förklarar: belysning och annat som gör "
                 "platser mindre mörka är värda att pröva där de mörka händelserna samlas.",
                 "Incidents are more frequent in darkness than the dark hours' share explains: lighting and other ways of "
                 "making places less dark are worth trying where the dark incidents gather.");
    else if (high < 1)
        s += d.T("Händelserna är färre per mörk timme än per ljus. Det betyder inte att mörkret är ofarligt: färre är ute "
                 "när det är mörkt, så risken för den som är ute kan ändå vara högre. Se var de mörka händelserna samlas nedan.",
                 "Incidents are fewer per dark hour than per daylight hour. That does not make darkness harmless: fewer people "
                 "are out in the dark, so the risk for those who are can still be higher. See below where the dark incidents "
                 "gather.");
    else
        s += d.T("Skillnaden ligger inom slumpens marginal.", "The difference is within chance.");
    return fmt::format("<p>{}</p>", s);
}

// The hotspot areas of incidents, most incidents in darkness first: in darkness, their share,
// the ratio, and those in the dark spot far from street lights.
std::string areaTable(Doc& d) {
    OGRLayer* areas = d.layer("hotspot_areas");
    if (!areas || areas->GetLayerDefn()->GetFieldIndex("dark_incidents") < 0) return "";
    std::map<int, std::string> inSpot;
    if (OGRLayer* spots = d.layer("dark_spots"); spots && spots->GetLayerDefn()->GetFieldIndex("dark_incidents") >= 0)
        for (auto& f : *spots) inSpot[f->GetFieldAsInteger("area_id")] = d.count(*f, "dark_incidents");
    struct Row {
        double dark;
        std::string cells;
    };
    std::vector<Row> rows;
    for (auto& f : *areas) {
        if (std::string(f->GetFieldAsString("kind")) != "incidents") continue;
        const double day = d.value(*f, "daylight_incidents"), tw = d.value(*f, "twilight_incidents"),
                     dark = d.value(*f, "dark_incidents");
        const double share = dark / (day + tw + dark);
        const int id = f->GetFieldAsInteger("area_id");
        rows.push_back({std::isfinite(dark) ? dark : -1,
                        fmt::format("<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                                    id, esc(f->GetFieldAsString("place")), d.count(*f, "incidents"), d.count(*f, "dark_incidents"),
                                    std::isfinite(share) ? d.pct(share) : d.hidden, d.fixed(*f, "dark_day_ratio", 2),
                                    inSpot.count(id) ? inSpot[id] : std::string("–"))});
    }
    if (rows.empty()) return "";
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.dark > b.dark; });
    std::string s = "<table><tr>";
    for (const char* c : {"area_id", "place", "incidents", "dark_incidents"})
        s += fmt::format("<th>{}</th>", esc(output::fieldTitle("hotspot_areas", c, d.english)));
    s += fmt::format("<th>{}</th><th>{}</th><th>{}</th></tr>", d.T("Andel i mörker", "Share in darkness"),
                     esc(output::fieldTitle("hotspot_areas", "dark_day_ratio", d.english)),
                     esc(output::fieldTitle("dark_spots", "dark_incidents", d.english)));
    for (std::size_t i = 0; i < rows.size() && i < 10; ++i) s += rows[i].cells;
    return s + "</table>";
}

} // namespace

std::string darknessSection(Doc& d) {
    OGRLayer* light = d.layer("light_by_month");
    if (!light) return "";
    std::string s = fmt::format(
        "<h3 id=\"darkness\">1.5 {}</h3><p>{}</p>", d.T("Mörker", "Darkness"),
        d.T("Ljuset vid varje händelse räknas ut från solens höjd på platsen och vid tidpunkten (svensk tid med sommartid), "
            "inte från klockan: kl. 18 är det ljust i juni och mörkt i december.",
            "The light at each incident is worked out from the sun's height at its place and moment (Swedish time with "
            "daylight saving time), not from the clock: at 18:00 it is light in June and dark in December."));
    s += "<section>" + verdict(d);
    std::vector<std::string> months;
    Series incidents{d.T("Händelser i mörker (%)", "Incidents in darkness (%)"), "#3b3b98", {}};
    Series hours{d.T("Timmar i mörker (%)", "Hours of darkness (%)"), "#b0b0b0", {}};
    for (auto& f : *light) {
        months.push_back(f->GetFieldAsString("month"));
        incidents.values.push_back(100 * d.value(*f, "dark_share_incidents"));
        hours.values.push_back(100 * d.value(*f, "dark_share_hours"));
    }
    if (!months.empty())
        s += fmt::format("<h4>{}</h4>{}", d.T("Andel i mörker per månad: händelser mot timmar", "Share in darkness by month: incidents against hours"),
                         monthChart(months, {hours, incidents}, d.english));
    s += "</section>";
    // The after-dark hot spots beside the all-day ones of 1.3.
    if (OGRLayer* grid = d.layer("hotspot_grid"); grid && grid->GetLayerDefn()->GetFieldIndex("dark_Gi_Bin") >= 0) {
        SvgMap map(*d.ds, d.base);
        map.classes("hotspot_grid", "dark_Gi_Bin", binColours());
        map.numberedOutlines("hotspot_areas", "area_id", "kind", "incidents", kAreaOutline);
        std::string lg = legend(classLegend("hotspot_grid", "dark_Gi_Bin", binColours(), d.english));
        lg.insert(lg.size() - 5, outlineSwatch(kAreaOutline, d.T("Hot spot-område (alla tider)", "Hotspot area (all times)")));
        s += fmt::format("<section><h4>{}</h4><p class=\"small\">{}</p>{}{}{}</section>",
                         d.T("Hot spots efter mörkrets inbrott", "After-dark hot spots"),
                         d.T("Getis-Ord Gi* på händelserna i mörker, med samma grannskap som kartan i 1.3. Sista kolumnen i "
                             "tabellen: händelser i mörker i områdets mörka del, längre från gatlampor än gränsen.",
                             "Getis-Ord Gi* on the incidents in darkness, with the same neighbourhoods as the map of 1.3. The "
                             "table's last column: incidents in darkness in the area's dark part, farther from street lights "
                             "than the limit."),
                         map.finish(d.english), lg, areaTable(d));
    }
    return s;
}

} // namespace trygg::report
