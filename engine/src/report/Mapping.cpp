// The report's part 1, the mapping of crime: its extent (per category and per area, rates per
// 1,000 residents), its trend (per month, change and emerging hot spots), where (hot spots,
// hotspot areas, the densest areas) and when (weekday by hour).
#include "Charts.hpp"
#include "Palette.hpp"
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The largest of 1, 2, 2.5 and 5 times a power of ten that is not above `v` (25 when v is not a
// positive number: no rate to span).
double roundStepBelow(double v) {
    if (!(v > 0) || !std::isfinite(v)) return 25;
    const double power = std::pow(10.0, std::floor(std::log10(v)));
    double step = power;
    for (const double m : {2.0, 2.5, 5.0})
        if (m * power <= v * (1 + 1e-12)) step = m * power;
    return step;
}

// --- Part 1: the mapping of crime -----------------------------------------------------------

std::string extent(Doc& d) {
    std::string s = fmt::format("<h3>1.1 {}</h3>", d.T("Omfattning", "Extent"));
    if (OGRLayer* pc = d.layer("period_counts"); pc && !d.md["trend.before"].empty()) {
        std::map<std::string, std::pair<double, double>> byField;  // n_<category>: before, latest
        std::vector<std::string> fields;
        for (auto& f : *pc) {
            const bool latest = f->GetFieldAsInteger("periods_back") == 0;
            if (!latest && f->GetFieldAsInteger("periods_back") != 1) continue;
            for (int i = 0; i < f->GetFieldCount(); ++i) {
                const std::string name = f->GetFieldDefnRef(i)->GetNameRef();
                if (name.rfind("n_", 0) != 0) continue;
                if (!byField.count(name)) fields.push_back(name), byField[name] = {kNaN, kNaN};
                (latest ? byField[name].second : byField[name].first) = d.value(*f, name.c_str());
            }
        }
        // The categories' own names and their changes, from period_change (in the same order).
        std::vector<std::string> names;
        std::vector<int> changes;
        if (OGRLayer* ch = d.layer("period_change"))
            for (auto& f : *ch)
                if (std::string(f->GetFieldAsString("category")) != "all")
                    names.push_back(f->GetFieldAsString("category")), changes.push_back(f->GetFieldAsInteger("change"));
        std::vector<BarRow> rows;
        for (std::size_t k = 0; k < fields.size(); ++k) {
            const auto [b, l] = byField[fields[k]];
            const int change = k < changes.size() ? changes[k] : 0;
            std::string note = std::isfinite(b) && std::isfinite(l) && b > 0 ? fmt::format("{:+.0f} %", 100 * (l / b - 1)) : "";
            if (change) note += change > 0 ? d.T(" ökning", " rise") : d.T(" minskning", " fall");
            rows.push_back({k < names.size() ? names[k] : fields[k], b, l, note});
        }
        std::stable_sort(rows.begin(), rows.end(), [](const BarRow& x, const BarRow& y) {
            return (std::isfinite(x.latest) ? x.latest : 0) > (std::isfinite(y.latest) ? y.latest : 0);
        });
        s += fmt::format("<p>{}</p>", fmt::format(fmt::runtime(d.T("Anmälda händelser per kategori, {} mot {}. \"Ökning\" och \"minskning\" "
                                                                   "står där förändringen är större än slumpen förklarar (p < 0,05).",
                                                                   "Reported incidents per category, {} against {}. \"Rise\" and \"fall\" "
                                                                   "mark a change larger than chance explains (p < 0.05).")),
                                                  esc(d.period(d.md["trend.latest"])), esc(d.period(d.md["trend.before"]))));
        s += pairedBars(rows, d.period(d.md["trend.before"]), d.period(d.md["trend.latest"]), d.hidden.empty() ? "–" : d.hidden);
    }
    if (OGRLayer* areas = d.layer("area_summary")) {
        // Rates per 1,000 residents by area: the ten highest (smoothed, EB) in a table, numbered 1 to
        // 10 on the map. Without residents, incidents per km² (areas differ in size; a count alone
        // would colour the largest).
        const bool residents = areas->GetLayerDefn()->GetFieldIndex("incidents_per_1000_eb") >= 0;
        const char* measure = residents ? "incidents_per_1000_eb" : "incidents_per_km2";
        const std::vector<const char*> columns =
            residents ? std::vector<const char*>{"area_name", "incidents", "residents", "incidents_per_1000", "incidents_per_1000_eb"}
                      : std::vector<const char*>{"area_name", "incidents", "area_km2", "incidents_per_km2"};
        struct Row {
            double rate;
            std::string id, html;
        };
        std::vector<Row> rows;
        for (auto& f : *areas) {
            std::string html;
            for (const char* c : columns) {
                const std::string field = c;
                html += field == "area_name"   ? fmt::format("<td>{}</td>", esc(f->GetFieldAsString(c)))
                        : field == "incidents" ? fmt::format("<td class=\"num\">{}</td>", d.count(*f, c))
                        : field == "residents" ? fmt::format("<td class=\"num\">{}</td>", d.num(d.value(*f, c)))
                                               : fmt::format("<td class=\"num\">{}</td>", d.fixed(*f, c, 1));
            }
            rows.push_back({d.value(*f, measure), f->GetFieldAsString("area_id"), html + "</tr>"});
        }
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
            return (std::isfinite(a.rate) ? a.rate : -1) > (std::isfinite(b.rate) ? b.rate : -1);
        });
        if (rows.size() > 10) rows.resize(10);
        std::map<std::string, std::string> rank;
        for (std::size_t i = 0; i < rows.size(); ++i) rank[rows[i].id] = std::to_string(i + 1);
        // Classes doubling from a round step b: < b, b-2b, 2b-4b, 4b-8b, >= 8b, with 8b the largest
        // round value not above the highest rate, so that the map's colours span what the data holds
        // (Kävlinge: 25 ... 200; a city with 1 to 6 per 1,000: 0.5 ... 4).
        double highest = 0;
        for (const Row& r : rows) highest = std::isfinite(r.rate) ? std::max(highest, r.rate) : highest;
        const double b = roundStepBelow(highest / 8);
        const std::vector<double> breaks = {b, 2 * b, 4 * b, 8 * b};
        const auto n = [&](double v) {
            std::string t = fmt::format("{:g}", v);
            if (!d.english) std::replace(t.begin(), t.end(), '.', ',');
            return t;
        };
        SvgMap map(*d.ds, d.base);
        map.graduated("area_summary", measure, breaks, rampColours());
        map.numberedOutlines(
            "area_summary",
            [&](OGRFeature& f) {
                const auto it = rank.find(f.GetFieldAsString("area_id"));
                return it == rank.end() ? std::string() : it->second;
            },
            "#333");
        const auto& r = rampColours();
        s += fmt::format("<section><h4>{}</h4>{}{}",
                         residents ? d.T("Händelser per 1 000 invånare, per område (utjämnat, EB)",
                                         "Incidents per 1,000 residents, per area (smoothed, EB)")
                                   : d.T("Händelser per km², per område", "Incidents per km², per area"),
                         map.finish(d.english),
                         legend({{r[0], "< " + n(breaks[0])},
                                 {r[1], n(breaks[0]) + "–" + n(breaks[1])},
                                 {r[2], n(breaks[1]) + "–" + n(breaks[2])},
                                 {r[3], n(breaks[2]) + "–" + n(breaks[3])},
                                 {r[4], "≥ " + n(breaks[3])}}));
        s += fmt::format("<table><tr><th>{}</th>", d.T("Nr på kartan", "No. on the map"));
        for (const char* c : columns) {
            std::string title = output::fieldTitle("area_summary", c, d.english);
            if (std::string(c) == "area_km2") title += " (km²)";  // "Area" beside the area's number needs its unit
            s += fmt::format("<th>{}</th>", esc(title));
        }
        s += "</tr>";
        for (std::size_t i = 0; i < rows.size(); ++i) s += fmt::format("<tr><td class=\"num\">{}</td>{}", i + 1, rows[i].html);
        s += fmt::format("</table><p class=\"small\">{}</p></section>",
                         residents ? d.T("De tio områdena med högst utjämnad takt. Utjämningen (empirisk Bayes) drar områden med få "
                                         "invånare mot kommunens genomsnitt, så att ett litet område inte toppar listan av en slump.",
                                         "The ten areas with the highest smoothed rate. Smoothing (empirical Bayes) pulls areas with few "
                                         "residents towards the municipality's mean, so that a small area does not top the list by chance.")
                                   : d.T("De tio områdena med flest händelser per km². Utan invånare ([kde.population] eller "
                                         "[areas] population_field) finns ingen takt per invånare.",
                                         "The ten areas with the most incidents per km². Without residents ([kde.population] or "
                                         "[areas] population_field) there is no rate per resident."));
    }
    return s;
}

std::string trend(Doc& d) {
    std::string s = fmt::format("<h3>1.2 {}</h3>", d.T("Utveckling över tid", "Trend over time"));
    if (OGRLayer* mc = d.layer("monthly_counts")) {
        std::vector<std::string> months;
        Series total{d.T("Alla händelser", "All incidents"), "#78001e", {}};
        for (auto& f : *mc) {
            months.push_back(f->GetFieldAsString("month"));
            total.values.push_back(d.value(*f, "n"));
        }
        if (!months.empty())
            s += fmt::format("<section><h4>{}</h4>{}</section>", d.T("Anmälda händelser per månad", "Reported incidents per month"),
                             monthChart(months, {total}, d.english));
    }
    if (OGRLayer* cg = d.layer("change_grid")) {
        std::size_t changed = 0;
        for (auto& f : *cg) changed += f->GetFieldAsInteger("change_bin") != 0;
        SvgMap map(*d.ds, d.base);
        d.drawn[drawnKey("change_grid", "change_bin", binColours())] = map.classes("change_grid", "change_bin", binColours());
        s += fmt::format("<section><h4>{}</h4><p class=\"small\">{} → {}</p>{}{}{}</section>",
                         d.T("Förändring per ruta mellan perioderna", "Change per cell between the periods"),
                         esc(d.md[d.english ? "change.before" : "change.before_sv"]),
                         esc(d.md[d.english ? "change.after" : "change.after_sv"]),
                         changed ? std::string()
                                 : fmt::format("<p>{}</p>", d.T("Ingen ruta ändrades mer än slumpen förklarar.",
                                                                "No cell changed more than chance explains.")),
                         map.finish(d.english), legend(classLegend("change_grid", "change_bin", binColours(), d.english)));
    }
    if (OGRLayer* em = d.layer("emerging_hotspots")) {
        std::map<int, std::string> present;
        for (auto& f : *em)
            if (const int code = f->GetFieldAsInteger("pattern"); code != 0) present[code] = emergingColours().at(code);
        SvgMap map(*d.ds, d.base);
        map.classes("emerging_hotspots", "pattern", emergingColours());
        s += fmt::format("<section><h4>{}</h4><p class=\"small\">{}</p>{}{}</section>", d.T("Framväxande hot spots", "Emerging hot spots"),
                         esc(d.md[d.english ? "emerging.slices" : "emerging.slices_sv"]), map.finish(d.english),
                         legend(classLegend("emerging_hotspots", "pattern", present, d.english)));
    }
    return s;
}

std::string where(Doc& d) {
    std::string s = fmt::format("<h3>1.3 {}</h3><p>{}</p>", d.T("Var: brottskoncentrationer", "Where: hot spots"),
                                d.T("Rutor där anmälda händelser klustrar sig mer än slumpen förklarar (Getis-Ord Gi*). Kartorna visar "
                                    "rutor och områden, aldrig enskilda händelser.",
                                    "Cells where reported incidents cluster more than chance explains (Getis-Ord Gi*). The maps show "
                                    "cells and areas, never single incidents."));
    s += "<section>" + hotspotMap(d, "") + areaTable(d, "hotspot_areas", "incidents", 10) + "</section>";
    if (d.layer("density_areas")) {
        SvgMap map(*d.ds, d.base);
        // The widest class first, so that the densest lies on top.
        for (const auto& [percent, colour] : {std::pair{10, "#fcbba1"}, {5, "#fb6a4a"}, {1, "#a50f15"}})
            map.classes("density_areas", "top_percent", {{percent, colour}}, 0.9);
        s += fmt::format("<section><h4>{}</h4><p class=\"small\">{}</p>{}{}</section>",
                         d.T("Tätaste områdena (kernel density)", "The densest areas (kernel density)"),
                         esc(fmt::format(fmt::runtime(d.T("Bandbredd {} m.", "Bandwidth {} m.")), d.md["kde.bandwidth_m"])),
                         map.finish(d.english),
                         legend({{"#a50f15", d.T("Tätaste 1 %", "Densest 1 %")}, {"#fb6a4a", d.T("Tätaste 5 %", "Densest 5 %")},
                                 {"#fcbba1", d.T("Tätaste 10 %", "Densest 10 %")}}));
    }
    return s;
}

std::string when(Doc& d) {
    OGRLayer* ht = d.layer("hot_times");
    if (!ht) return "";
    std::array<std::array<std::optional<double>, 24>, 7> cells{};
    std::array<std::string, 7> days;
    for (auto& f : *ht) {
        if (std::string(f->GetFieldAsString("scope")) != "study_area") continue;
        const int w = f->GetFieldAsInteger("weekday") - 1;
        if (w < 0 || w > 6) continue;
        days[static_cast<std::size_t>(w)] = f->GetFieldAsString("weekday_name");
        for (int h = 0; h < 24; ++h) {
            const std::string field = fmt::format("h{:02d}", h);
            const double v = d.value(*f, field.c_str());
            if (std::isfinite(v)) cells[static_cast<std::size_t>(w)][static_cast<std::size_t>(h)] = v;
        }
    }
    return fmt::format("<h3>1.4 {}</h3><section><p>{}</p>{}</section>", d.T("När", "When"),
                       d.T("Anmälda händelser per veckodag och timme (med klockslag). Mörkare är fler; säsongen syns i diagrammet "
                           "per månad ovan.",
                           "Reported incidents by weekday and hour (those with a clock time). Darker is more; the seasons show in "
                           "the chart per month above."),
                       weekHourHeatmap(cells, days, d.english));
}

} // namespace

std::string partMapping(Doc& d) {
    return fmt::format("<h2 id=\"part1\" class=\"part\">1 {}</h2>", d.T("Kartläggning av brottsligheten", "Mapping of crime")) +
           extent(d) + trend(d) + where(d) + when(d) + darknessSection(d) + nearRepeatSection(d) + mapAccuracySection(d);
}

} // namespace trygg::report
