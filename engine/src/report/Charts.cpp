#include "Charts.hpp"

#include "trygg/core/Xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace trygg::report {
namespace {

std::string esc(const std::string& s) { return escapeXml(s); }

// A round step for about `ticks` intervals up to `max`.
double niceStep(double max, int ticks) {
    const double raw = std::max(max, 1.0) / ticks, p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

constexpr const char* kMonthsSv[12] = {"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"};
constexpr const char* kMonthsEn[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

} // namespace

std::string monthChart(const std::vector<std::string>& months, const std::vector<Series>& series, bool english) {
    const double W = 720, H = 240, left = 46, right = 12, top = 14, bottom = 40;
    double max = 0;
    for (const auto& s : series)
        for (double v : s.values)
            if (std::isfinite(v)) max = std::max(max, v);
    const double step = niceStep(max, 4), ymax = step * std::ceil(std::max(max, 1.0) / step);
    const std::size_t n = months.size();
    const auto x = [&](std::size_t i) { return left + (n <= 1 ? 0.0 : (W - left - right) * static_cast<double>(i) / static_cast<double>(n - 1)); };
    const auto y = [&](double v) { return top + (H - top - bottom) * (1 - v / ymax); };
    std::string s = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"chart\" role=\"img\">", W, H);
    for (double v = 0; v <= ymax + 1e-9; v += step)
        s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1f}\" "
                         "text-anchor=\"end\" class=\"tick\">{:g}</text>",
                         left, W - right, y(v), y(v), left - 6, y(v) + 4, v);
    // Month names every 1, 3 or 6 months, as often as 28 px apart allows; beyond that years alone,
    // every 1, 2, 5 or 10 years, 36 px apart. Ticks every month while 3 px apart, else at January.
    const double perMonth = n <= 1 ? W : (W - left - right) / static_cast<double>(n - 1);
    int namedEvery = 0;  // months between names; 0: no month names
    for (const int k : {1, 3, 6})
        if (namedEvery == 0 && (k * perMonth >= 28 || (k == 1 && n <= 12))) namedEvery = k;
    int yearsEvery = 1;
    for (const int k : {1, 2, 5, 10})
        if (12 * k * perMonth >= 36) {
            yearsEvery = k;
            break;
        }
    for (std::size_t i = 0; i < n; ++i) {
        const int month = std::stoi(months[i].substr(5, 2)), year = std::stoi(months[i].substr(0, 4));
        if (perMonth >= 3 || month == 1)
            s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#999\"/>", x(i), H - bottom,
                             H - bottom + 4);
        if (namedEvery > 0 && (month - 1) % namedEvery == 0)
            s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>", x(i), H - bottom + 16,
                             (english ? kMonthsEn : kMonthsSv)[month - 1]);
        // The year under its January, on the months' row when they are not named.
        // The first month's year too, where the next January's is far enough off.
        if ((month == 1 && year % yearsEvery == 0) || (i == 0 && month > 1 && (13 - month) * perMonth >= 36))
            s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"tick year\">{}</text>", x(i),
                             H - bottom + (namedEvery > 0 ? 30 : 16), year);
    }
    for (const auto& ser : series) {
        std::string d;
        bool pen = false;
        for (std::size_t i = 0; i < n && i < ser.values.size(); ++i) {
            if (!std::isfinite(ser.values[i])) {
                pen = false;
                continue;
            }
            d += fmt::format("{}{:.1f} {:.1f}", pen ? "L" : "M", x(i), y(ser.values[i]));
            pen = true;
        }
        s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", d, ser.colour);
    }
    // The legend, top left inside the plot.
    double lx = left + 8;
    for (const auto& ser : series) {
        s += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"14\" height=\"3\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{}\" "
                         "class=\"tick\">{}</text>",
                         lx, top + 2, ser.colour, lx + 18, top + 6, esc(ser.name));
        lx += 30 + 6.5 * static_cast<double>(ser.name.size());
    }
    return s + "</svg>";
}

std::string pairedBars(const std::vector<BarRow>& rows, const std::string& beforeName, const std::string& latestName,
                       const std::string& hiddenText) {
    const double W = 720, rowH = 26, left = 130, right = 150, top = 24;
    const double H = top + rowH * static_cast<double>(rows.size()) + 8;
    double max = 1;
    for (const auto& r : rows)
        for (double v : {r.before, r.latest})
            if (std::isfinite(v)) max = std::max(max, v);
    const auto len = [&](double v) { return (W - left - right) * v / max; };
    std::string s = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {:.0f}\" class=\"chart\" role=\"img\">", W, H);
    s += fmt::format("<rect x=\"{}\" y=\"4\" width=\"12\" height=\"8\" fill=\"#bbb\"/><text x=\"{}\" y=\"12\" class=\"tick\">{}</text>"
                     "<rect x=\"{}\" y=\"4\" width=\"12\" height=\"8\" fill=\"#78001e\"/><text x=\"{}\" y=\"12\" class=\"tick\">{}</text>",
                     left, left + 16, esc(beforeName), left + 40 + 6.5 * static_cast<double>(beforeName.size()),
                     left + 56 + 6.5 * static_cast<double>(beforeName.size()), esc(latestName));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double y = top + rowH * static_cast<double>(i);
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"tick\">{}</text>", left - 6, y + 15, esc(r.label));
        std::string values;
        int k = 0;
        for (const auto& [v, colour] : {std::pair{r.before, "#bbb"}, std::pair{r.latest, "#78001e"}}) {
            const double by = y + 3 + 10 * k++;
            if (std::isfinite(v)) s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"9\" fill=\"{}\"/>", left, by, len(v), colour);
            values += (values.empty() ? "" : " → ") + (std::isfinite(v) ? fmt::format("{:.0f}", v) : hiddenText);
        }
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\">{}  {}</text>", W - right + 6, y + 15, esc(values), esc(r.note));
    }
    return s + "</svg>";
}

std::string riskBars(const std::vector<RiskRow>& rows, bool english) {
    const double W = 720, rowH = 26, left = 270, right = 110, top = 26;
    const double H = top + rowH * static_cast<double>(rows.size()) + 22;
    // The axis: powers of 2 around 1, wide enough for every interval.
    double lo = 0.5, hi = 2;
    for (const auto& r : rows) lo = std::min(lo, r.low), hi = std::max(hi, r.high);
    const double l0 = std::floor(std::log2(lo)), l1 = std::ceil(std::log2(hi));
    const auto x = [&](double v) { return left + (W - left - right) * (std::log2(v) - l0) / (l1 - l0); };
    const auto tick = [&](double v) {
        std::string t = fmt::format("{:g}", v);
        if (!english) std::replace(t.begin(), t.end(), '.', ',');
        return t;
    };
    std::string s = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {:.0f}\" class=\"chart\" role=\"img\">", W, H);
    for (double e = l0; e <= l1; e += 1) {
        const double v = std::exp2(e);
        s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.0f}\" stroke=\"{3}\" stroke-width=\"{4}\"/>"
                         "<text x=\"{0:.1f}\" y=\"{5:.0f}\" text-anchor=\"middle\" class=\"tick\">{6}</text>",
                         x(v), top - 6, H - 20, e == 0 ? "#333" : "#ddd", e == 0 ? 1.2 : 0.8, H - 6,
                         tick(v));
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"14\" class=\"tick\">{}</text>", left,
                     english ? "relative risk value (times the incidents), 95 % interval" : "relativ risk (gånger fler händelser), 95 % intervall");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double y = top + rowH * static_cast<double>(i);
        const char* colour = r.rrv >= 1 ? "#b2182b" : "#2166ac";
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"tick\">{}</text>", left - 8, y + 15, esc(r.label));
        const double x1 = x(1), xv = x(r.rrv);
        s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" fill=\"{}\" opacity=\"0.8\"/>",
                         std::min(x1, xv), y + 5, std::abs(xv - x1), colour);
        s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#222\" stroke-width=\"1.2\"/>",
                         x(r.low), x(r.high), y + 11, y + 11);
        for (double v : {r.low, r.high})
            s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#222\"/>", x(v), y + 7, y + 15);
        std::string shown = fmt::format("{:.2f} ({:.2f}–{:.2f})", r.rrv, r.low, r.high);
        if (!english) std::replace(shown.begin(), shown.end(), '.', ',');
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\">{}</text>", W - right + 6, y + 15, esc(shown));
    }
    return s + "</svg>";
}

std::string weekHourHeatmap(const std::array<std::array<std::optional<double>, 24>, 7>& counts,
                            const std::array<std::string, 7>& weekdays, bool english) {
    const double W = 720, left = 70, top = 18, cw = (W - left - 8) / 24, ch = 22;
    double max = 0;
    for (const auto& row : counts)
        for (const auto& v : row)
            if (v) max = std::max(max, *v);
    std::string s = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {:.0f}\" class=\"chart\" role=\"img\">",
                                W, top + 7 * ch + 8);
    for (int h = 0; h < 24; h += 2)
        s += fmt::format("<text x=\"{:.1f}\" y=\"12\" text-anchor=\"middle\" class=\"tick\">{:02d}</text>", left + cw * (h + 0.5), h);
    for (int d = 0; d < 7; ++d) {
        const double y = top + ch * d;
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"tick\">{}</text>", left - 6, y + 15,
                         esc(weekdays[static_cast<std::size_t>(d)]));
        for (int h = 0; h < 24; ++h) {
            const auto& v = counts[static_cast<std::size_t>(d)][static_cast<std::size_t>(h)];
            // White to dark red by the count's share of the largest; not counted or hidden: hatched grey.
            std::string fill = "#eee";
            std::string title = english ? "not counted or hidden" : "räknas inte eller dold";
            if (v) {
                const double t = max > 0 ? *v / max : 0;
                fill = fmt::format("rgb({:.0f},{:.0f},{:.0f})", 255 - t * (255 - 120), 255 - t * 255, 255 - t * (255 - 30));
                title = fmt::format("{} {:02d}-{:02d}: {:.0f}", weekdays[static_cast<std::size_t>(d)], h, (h + 1) % 24, *v);
            }
            s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"#fff\">"
                             "<title>{}</title></rect>",
                             left + cw * h, y, cw, ch, fill, esc(title));
        }
    }
    return s + "</svg>";
}

} // namespace trygg::report
