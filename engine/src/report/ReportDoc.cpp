#include "ReportDoc.hpp"

#include "Palette.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::report {
namespace {

constexpr const char* kMonthsSv[12] = {"januari", "februari", "mars",      "april",   "maj",      "juni",
                                       "juli",    "augusti",  "september", "oktober", "november", "december"};
constexpr const char* kMonthsEn[12] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

// Digits in groups of three with `sep` between them.
std::string grouped(long long v, const char* sep) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
        out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
}

} // namespace

OGRLayer* Doc::layer(const std::string& name) const {
    OGRLayer* l = ds->GetLayerByName(name.c_str());
    if (l) l->ResetReading();
    return l;
}

double Doc::value(OGRFeature& f, const char* field) const {
    const int idx = f.GetFieldIndex(field);
    return idx >= 0 && f.IsFieldSetAndNotNull(idx) ? f.GetFieldAsDouble(idx) : std::numeric_limits<double>::quiet_NaN();
}

std::string Doc::num(double v) const {
    if (!std::isfinite(v)) return hidden.empty() ? "–" : hidden;
    // Swedish groups with a no-break space, English with a comma.
    return grouped(std::llround(v), english ? "," : "\u00a0");
}

std::string Doc::pct(double share, int decimals) const {
    if (!std::isfinite(share)) return "";
    std::string s = fmt::format("{:.{}f}", 100 * share, decimals);
    if (!english) std::replace(s.begin(), s.end(), '.', ',');
    return s + "\u00a0%";
}

std::string Doc::count(OGRFeature& f, const char* field) const { return num(value(f, field)); }

std::string Doc::share(OGRFeature& f, const char* field) const { return pct(value(f, field)); }

std::string Doc::fixed(OGRFeature& f, const char* field, int decimals) const { return decimal(value(f, field), decimals); }

std::string Doc::decimal(double v, int places) const {
    if (!std::isfinite(v)) return hidden.empty() ? "–" : hidden;
    std::string s = fmt::format("{:.{}f}", v, places);
    if (!english) std::replace(s.begin(), s.end(), '.', ',');
    return s;
}

std::string Doc::withoutCounts(OGRFeature& f, const char* field) const {
    const int idx = f.GetFieldIndex(field);
    if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return "";
    return output::dropTextCounts(f.GetFieldAsString(idx), ", ");
}

std::string Doc::period(const std::string& iso) const {
    if (iso.size() != 21) return iso;
    const int y0 = std::atoi(iso.substr(0, 4).c_str()), m0 = std::atoi(iso.substr(5, 2).c_str()),
              d0 = std::atoi(iso.substr(8, 2).c_str()), m1 = std::atoi(iso.substr(16, 2).c_str()),
              d1 = std::atoi(iso.substr(19, 2).c_str());
    if (m0 == 1 && d0 == 1 && m1 == 12 && d1 == 31) return std::to_string(y0);
    if (d0 == 1 && m1 == m0 + 2 && (m0 - 1) % 3 == 0)
        return fmt::format(fmt::runtime(english ? "Q{} {}" : "kv. {} {}"), (m0 - 1) / 3 + 1, y0);
    if (d0 == 1 && m1 == m0 && m0 >= 1 && m0 <= 12) return fmt::format("{} {}", (english ? kMonthsEn : kMonthsSv)[m0 - 1], y0);
    return fmt::format(fmt::runtime(english ? "{} to {}" : "{} till {}"), iso.substr(0, 10), iso.substr(11));
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string s = "<ul class=\"legend\">";
    for (const auto& [colour, label] : items)
        s += fmt::format("<li><span style=\"background:{}\"></span>{}</li>", colour == "none" ? "#f4f4f4" : colour, esc(label));
    return s + "</ul>";
}

std::vector<std::pair<std::string, std::string>> classLegend(const std::string& layer, const std::string& field,
                                                             const std::map<int, std::string>& colours, bool english) {
    std::vector<std::pair<std::string, std::string>> items;
    for (auto it = colours.rbegin(); it != colours.rend(); ++it)
        items.emplace_back(it->second, output::classLabel(layer, field, std::to_string(it->first), english));
    return items;
}

std::string outlineSwatch(const std::string& colour, const std::string& label) {
    return fmt::format("<li><span style=\"background:transparent;border:2px solid {}\"></span>{}</li>", colour, esc(label));
}

// The hotspot areas of one kind, most incidents first: the table beside a map.
std::string areaTable(Doc& d, const std::string& table, const std::string& kind, std::size_t limit) {
    OGRLayer* areas = d.layer(table);
    if (!areas) return "";
    struct Row {
        long long incidents;
        std::string cells;
    };
    std::vector<Row> rows;
    for (auto& f : *areas) {
        if (f->GetFieldAsString("kind") != kind) continue;
        rows.push_back({f->GetFieldAsInteger64("incidents"),
                        fmt::format("<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                                    "<td>{}</td><td>{}</td><td>{}</td></tr>",
                                    f->GetFieldAsInteger("area_id"), esc(f->GetFieldAsString("place")), d.count(*f, "incidents"),
                                    d.share(*f, "share_of_incidents"), esc(d.withoutCounts(*f, "leading_categories")),
                                    esc(d.withoutCounts(*f, "peak_weekday")), esc(d.withoutCounts(*f, "peak_hour")))});
    }
    if (rows.empty()) return fmt::format("<p>{}</p>", d.T("Inga områden.", "No areas."));
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.incidents > b.incidents; });
    std::string s = "<table><tr>";
    for (const char* c : {"area_id", "place", "incidents", "share_of_incidents", "leading_categories", "peak_weekday", "peak_hour"})
        s += fmt::format("<th>{}</th>", esc(output::fieldTitle("hotspot_areas", c, d.english)));
    s += "</tr>";
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) s += rows[i].cells;
    s += "</table>";
    if (rows.size() > limit)
        s += fmt::format("<p class=\"small\">{}</p>", fmt::format(fmt::runtime(d.T("{} områden till finns i lagret hotspot_areas.",
                                                                                   "{} more areas are in the layer hotspot_areas.")),
                                                                 rows.size() - limit));
    return s;
}

// The hot spot map of an analysis: Gi_Bin, its areas of incidents numbered.
std::string hotspotMap(Doc& d, const std::string& p) {
    SvgMap map(*d.ds, d.base);
    d.drawn[drawnKey(p + "hotspot_grid", "Gi_Bin", binColours())] = map.classes(p + "hotspot_grid", "Gi_Bin", binColours());
    map.numberedOutlines(p + "hotspot_areas", "area_id", "kind", "incidents", kAreaOutline);
    std::string lg = legend(classLegend("hotspot_grid", "Gi_Bin", binColours(), d.english));
    lg.insert(lg.size() - 5, outlineSwatch(kAreaOutline, d.T("Hot spot-område (nummer i tabellen)", "Hotspot area (number in the table)")));
    return map.finish(d.english) + lg;
}

} // namespace trygg::report
