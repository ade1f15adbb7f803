// The report's section on near repeats (part 1.6): the Knox table of all incidents, and of each
// category where a near repeat stands out, as a matrix of distance by time coloured by its
// significance, with the Knox ratio in each cell (stats.near_repeat).
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

struct Cell {
    std::string distance, time;
    int distanceBand = 0, timeBand = 0;
    double ratio = 0, p = 0, observed = 0, expected = 0;
    int near = -1;  // 1 near repeat, 0 not, -1 an open band
};

// A p-value to three significant digits, in the language's decimal sign.
std::string decimalP(const Doc& d, double p) {
    std::string s = fmt::format("{:.3g}", p);
    if (!d.english) std::replace(s.begin(), s.end(), '.', ',');
    return s;
}

std::string matrix(Doc& d, const std::vector<Cell>& cells) {
    int rows = 0, cols = 0;
    for (const auto& c : cells) rows = std::max(rows, c.distanceBand + 1), cols = std::max(cols, c.timeBand + 1);
    std::vector<const Cell*> at(static_cast<std::size_t>(rows * cols), nullptr);
    for (const auto& c : cells) at[static_cast<std::size_t>(c.distanceBand * cols + c.timeBand)] = &c;
    std::string s = fmt::format("<table class=\"knox\"><tr><th>{}</th>", d.T("Avstånd \\ tid emellan", "Distance \\ time apart"));
    for (int t = 0; t < cols; ++t)
        if (const Cell* c = at[static_cast<std::size_t>(t)]) s += fmt::format("<th>{}</th>", esc(c->time));
    s += "</tr>";
    for (int r = 0; r < rows; ++r) {
        const Cell* first = at[static_cast<std::size_t>(r * cols)];
        s += fmt::format("<tr><th>{}</th>", first ? esc(first->distance) : "");
        for (int t = 0; t < cols; ++t) {
            const Cell* c = at[static_cast<std::size_t>(r * cols + t)];
            if (!c) {
                s += "<td></td>";
                continue;
            }
            // Significant after the correction: dark; p under 0.05 alone: light; open bands grey.
            const char* bg = c->near == 1 ? "#b2182b" : c->near == 0 && c->p < 0.05 && c->ratio > 1 ? "#f4a582"
                             : c->near < 0                                                      ? "#f0f0f0"
                                                                                                : "#ffffff";
            const char* fg = c->near == 1 ? "#ffffff" : "#222222";
            const std::string ratio = std::isfinite(c->ratio) ? d.decimal(c->ratio, 2) : std::string("–");
            s += fmt::format("<td class=\"num\" style=\"background:{};color:{}\">{}</td>", bg, fg,
                             std::isfinite(c->ratio) || d.hidden.empty() ? ratio : std::string(c->near == 1 ? "●" : ""));
        }
        s += "</tr>";
    }
    return s + "</table>";
}

} // namespace

std::string nearRepeatSection(Doc& d) {
    OGRLayer* nr = d.layer("near_repeat");
    if (!nr) return "";
    std::map<std::string, std::vector<Cell>> byCategory;
    std::vector<std::string> order;
    for (auto& f : *nr) {
        const std::string category = f->GetFieldAsString("category");
        if (!byCategory.count(category)) order.push_back(category);
        Cell c;
        c.distance = f->GetFieldAsString("distance");
        c.time = f->GetFieldAsString("time");
        c.distanceBand = f->GetFieldAsInteger("distance_band");
        c.timeBand = f->GetFieldAsInteger("time_band");
        c.ratio = d.value(*f, "knox_ratio");
        c.p = d.value(*f, "p_value");
        c.observed = d.value(*f, "observed_pairs");
        c.expected = d.value(*f, "expected_pairs");
        const int k = f->GetFieldIndex("near_repeat");
        c.near = f->IsFieldSetAndNotNull(k) ? f->GetFieldAsInteger(k) : -1;
        byCategory[category].push_back(c);
    }
    std::string s = fmt::format(
        "<h3 id=\"near-repeat\">1.6 {}</h3><p>{}</p>", d.T("Upprepningar nära i tid och rum", "Near repeats"),
        d.T("Följer en händelse ofta en annan nära den, kort därefter? Knox-testet räknar par av händelser efter avstånd och tid "
            "emellan och jämför med samma händelser när tiderna blandas slumpvis (999 gånger): platserna och tiderna är "
            "desamma, bara kopplingen mellan dem bryts. Talen är Knox-kvoten, par mot väntat; mörkröd är fler än slumpen "
            "ger (95 %, korrigerat för antalet rutor), ljusröd p under 0,05 utan korrigering, grå de öppna banden längst ut.",
            "Does one incident often follow another close to it, soon after? The Knox test counts pairs of incidents by "
            "distance and time apart and compares them with the same incidents when their times are shuffled (999 times): "
            "the places and times stay, only the link between them is broken. The numbers are the Knox ratio, pairs "
            "against expected; dark red is more than chance gives (95 %, corrected for the number of cells), light red p "
            "below 0.05 uncorrected, grey the open bands farthest out."));
    const auto& all = byCategory["all"];
    for (const auto& c : all)
        if (c.distanceBand == 1 && c.timeBand == 0) {
            const std::string ratio = d.decimal(c.ratio, 2);
            if (std::isfinite(c.observed) && std::isfinite(c.expected))
                s += fmt::format(
                    fmt::runtime(d.T("<p>Inom {} och {} från varandra fanns {} par av händelser, mot {} om tid och plats vore "
                                     "oberoende (Knox-kvot {}, p = {}).</p>",
                                     "<p>Within {} and {} of each other there were {} pairs of incidents, against {} if time "
                                     "and place were independent (Knox ratio {}, p = {}).</p>")),
                    esc(c.distance), esc(c.time), d.num(c.observed), d.num(c.expected), ratio, decimalP(d, c.p));
        }
    s += fmt::format("<section><h4>{}</h4>{}</section>", d.T("Alla händelser", "All incidents"), matrix(d, all));
    // The categories where a near repeat stands out, near (the first distance bands) and soon.
    std::vector<std::string> quiet;
    for (const auto& name : order) {
        if (name == "all") continue;
        const auto& cells = byCategory[name];
        const bool stands = std::any_of(cells.begin(), cells.end(), [](const Cell& c) { return c.near == 1; });
        if (stands) s += fmt::format("<section><h4>{}</h4>{}</section>", esc(name), matrix(d, cells));
        else quiet.push_back(name);
    }
    if (!quiet.empty())
        s += fmt::format("<p class=\"small\">{} {}.</p>", d.T("Ingen upprepning utöver slumpen för:", "No repeat beyond chance for:"),
                         esc(fmt::format("{}", fmt::join(quiet, ", "))));
    return s;
}

} // namespace trygg::report
