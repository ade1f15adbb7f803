// From problems to measures and back. Each problem with an area (a hotspot area of incidents or
// of perceived insecurity) gets the figures the rules read:
//   dark_share        the share of its area far from street lights ([hotspot_areas] lights);
//   night_share       the share of its incidents with a clock time that happened between sunset
//                     and sunrise (the sun below -0.833°, temporal.darkness); between 18 and 06
//                     on the clock where darkness did not run;
//   peak_slots_share  the share of its incidents in its 17 busiest of the week's 168 weekday-hours
//                     (a tenth of them: 0.1 when incidents are spread evenly); 20 incidents at least;
//   reason_share      the share of the safety reports in it that name `reason`; 5 reports at least;
//   repeat_share      the share of its incidents at a point (to the metre) hit before within 365
//                     days, the repeat locations a camera or a repair answers; 10 incidents at least.
// A rule suggests its kind where its figure is at least its threshold. The links: a measure names
// a problem (its problem field), its area meets a problem's, or it targets a category that rose.
#include "Measures.hpp"

#include "../Darkness.hpp"
#include "../Perception.hpp"
#include "../Problems.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace trygg::pipeline::steps::measure {
namespace {

constexpr std::int64_t kRepeatWindow = 365 * kDay;

struct Figure {
    bool defined = false;
    double value = 0;
    std::string en, sv;
};

std::string pct(double share) { return fmt::format("{:.0f} %", 100 * share); }

// The accepted reports inside a polygon, by index.
std::vector<std::size_t> inside(const geom::Area& area, const std::vector<double>& xs, const std::vector<double>& ys) {
    std::vector<std::size_t> out;
    const auto& b = area.bounds();
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (xs[i] >= b.minX && xs[i] <= b.maxX && ys[i] >= b.minY && ys[i] <= b.maxY && area.coversPoint(xs[i], ys[i]))
            out.push_back(i);
    return out;
}

Figure repeatShare(const io::ReportSet& r, const std::vector<std::size_t>& in) {
    Figure f;
    if (in.size() < 10 || r.timeWallSeconds.empty()) return f;
    std::vector<std::size_t> byTime(in);
    std::sort(byTime.begin(), byTime.end(), [&](std::size_t p, std::size_t q) { return r.timeWallSeconds[p] < r.timeWallSeconds[q]; });
    std::map<std::pair<long long, long long>, std::int64_t> last;
    std::size_t repeats = 0, timed = 0;
    for (const auto i : byTime) {
        const std::int64_t t = r.timeWallSeconds[i];
        if (t == io::kNoTime) continue;
        ++timed;
        const std::pair<long long, long long> key{std::llround(r.x[i]), std::llround(r.y[i])};
        const auto it = last.find(key);
        if (it != last.end() && t - it->second <= kRepeatWindow) ++repeats;
        last[key] = t;
    }
    if (timed < 10) return f;
    f.defined = true;
    f.value = static_cast<double>(repeats) / static_cast<double>(timed);
    f.en = fmt::format("{} of its incidents at a point hit before within a year", pct(f.value));
    f.sv = fmt::format("{} av händelserna på en plats som drabbats inom ett år före", pct(f.value));
    return f;
}

Figure figureOf(const Analysis& a, const SuggestionRule& rule, const Problem& p, const std::vector<std::size_t>& incidents,
                const PerceptionStep* perception, const std::vector<std::size_t>& perceived) {
    Figure f;
    const HotspotAreaRow& area = *p.area;
    if (rule.indicator == "dark_share") {
        if (!a.cfg.hotspotAreas.lights || !(area.areaM2 > 0)) return f;
        f = {true, area.darkM2 / area.areaM2, "", ""};
        f.en = fmt::format("{} of the area is dark (far from street lights)", pct(f.value));
        f.sv = fmt::format("{} av området är mörkt (långt från gatlampor)", pct(f.value));
    } else if (const auto* sun = a.results.find<DarknessStep>(); rule.indicator == "night_share" && sun) {
        // From the sun: after sunset (twilight or darkness) among those with a clock time.
        std::int64_t withClock = 0, night = 0;
        for (std::size_t i : area.reports) {
            const std::int8_t light = sun->light[i];
            withClock += light >= 0;
            night += light >= static_cast<std::int8_t>(temporal::LightClass::Twilight);
        }
        if (withClock == 0) return f;
        f = {true, static_cast<double>(night) / static_cast<double>(withClock), "", ""};
        f.en = fmt::format("{} of its incidents between sunset and sunrise", pct(f.value));
        f.sv = fmt::format("{} av händelserna mellan solnedgång och soluppgång", pct(f.value));
    } else if (rule.indicator == "night_share" || rule.indicator == "peak_slots_share") {
        if (!area.hotTimes || area.hotTimes->total == 0) return f;
        const auto& t = *area.hotTimes;
        if (rule.indicator == "night_share") {
            std::int64_t night = 0;
            for (int h = 0; h < 24; ++h)
                if (h >= 18 || h < 6) night += t.hourTotal(h);
            f = {true, static_cast<double>(night) / static_cast<double>(t.total), "", ""};
            f.en = fmt::format("{} of its incidents between 18 and 06", pct(f.value));
            f.sv = fmt::format("{} av händelserna mellan 18 och 06", pct(f.value));
        } else {
            if (t.total < 20) return f;
            std::vector<std::int64_t> slots;
            for (const auto& day : t.counts) slots.insert(slots.end(), day.begin(), day.end());
            std::sort(slots.rbegin(), slots.rend());
            std::int64_t top = 0;
            for (std::size_t k = 0; k < 17; ++k) top += slots[k];
            f = {true, static_cast<double>(top) / static_cast<double>(t.total), "", ""};
            f.en = fmt::format("{} of its incidents in its 17 busiest hours of the week (a tenth of them; busiest {}, {})",
                               pct(f.value), t.peakWeekday(true), t.peakHour());
            f.sv = fmt::format("{} av händelserna under veckans 17 mest belastade timmar (en tiondel av dem; mest {}, {})",
                               pct(f.value), t.peakWeekday(), t.peakHour());
        }
    } else if (rule.indicator == "reason_share") {
        if (!perception || perceived.size() < 5) return f;
        const auto& names = perception->parsed.reasonNames;
        const auto it = std::find(names.begin(), names.end(), rule.reason);
        std::size_t naming = 0;
        if (it != names.end()) {
            const auto k = static_cast<std::int32_t>(it - names.begin());
            for (const auto i : perceived) {
                const auto& rs = perception->parsed.reasons[i];
                naming += std::find(rs.begin(), rs.end(), k) != rs.end();
            }
        }
        f = {true, static_cast<double>(naming) / static_cast<double>(perceived.size()), "", ""};
        f.en = fmt::format("{} of the {} safety reports there name '{}'", pct(f.value), perceived.size(), rule.reason);
        f.sv = fmt::format("{} av de {} trygghetsrapporterna där anger '{}'", pct(f.value), perceived.size(), rule.reason);
    } else if (rule.indicator == "repeat_share") {
        f = repeatShare(a.reports, incidents);
    }
    return f;
}

} // namespace

void linkProblems(const Analysis& a, MeasuresResult& res) {
    const ProblemsStep* problems = a.results.find<ProblemsStep>();
    if (!problems) return;
    res.hasProblems = true;
    const PerceptionStep* perception = a.results.find<PerceptionStep>();
    auto h = a.geos.handle();
    // Links, the strongest per pair: named, then area, then category.
    std::map<std::pair<std::string, std::string>, std::string> links;
    const auto rank = [](const std::string& l) { return l == "named" ? 3 : l == "area" ? 2 : 1; };
    const auto link = [&](const std::string& p, const std::string& m, const std::string& how) {
        auto& l = links[{p, m}];
        if (l.empty() || rank(how) > rank(l)) l = how;
    };
    for (const auto& m : res.measures) {
        const geom::GeomPtr mg = geom::fromWkb(a.geos, m.areaWkb);
        for (const auto& p : problems->problems) {
            if (m.row.target == p.id) link(p.id, m.row.id, "named");
            if (p.kind == "rise" && !m.targetCategory.empty() && m.targetCategory == p.category) link(p.id, m.row.id, "category");
            if (p.wkb && !p.wkb->empty()) {
                const geom::GeomPtr pg = geom::fromWkb(a.geos, *p.wkb);
                if (pg && mg && GEOSIntersects_r(h, pg.get(), mg.get()) == 1) link(p.id, m.row.id, "area");
            }
        }
    }
    std::set<std::string> linkedProblems, linkedMeasures;
    for (const auto& p : problems->problems)
        for (const auto& m : res.measures)
            if (const auto it = links.find({p.id, m.row.id}); it != links.end()) {
                res.links.push_back({p.id, m.row.id, it->second});
                linkedProblems.insert(p.id);
                linkedMeasures.insert(m.row.id);
            }
    for (const auto& p : problems->problems)
        if (!linkedProblems.count(p.id)) res.links.push_back({p.id, "", "none"});
    for (const auto& m : res.measures)
        if (!linkedMeasures.count(m.row.id)) res.links.push_back({"", m.row.id, "none"});

    // Suggestions, for the problems with an area.
    const auto& rules = a.cfg.measures->rules;
    for (const auto& p : problems->problems) {
        if (!p.area || !p.wkb || p.wkb->empty()) continue;
        const geom::Area area(a.geos, std::vector<std::vector<unsigned char>>{*p.wkb}, nullptr);
        const std::vector<std::size_t> incidents = inside(area, a.reports.x, a.reports.y);
        const std::vector<std::size_t> perceived =
            perception ? inside(area, perception->reports.x, perception->reports.y) : std::vector<std::size_t>{};
        for (const auto& rule : rules) {
            const Figure f = figureOf(a, rule, p, incidents, perception, perceived);
            if (!f.defined || f.value < rule.atLeast) continue;
            Suggestion s{p.id, p.areaId, rule.kind, rule.indicator, rule.reason, f.value, rule.atLeast, f.en, f.sv, ""};
            std::vector<std::string> by;
            for (const auto& l : res.links)
                if (l.problemId == p.id && !l.measureId.empty())
                    for (const auto& m : res.measures)
                        if (m.row.id == l.measureId && m.row.kind == rule.kind) by.push_back(m.row.id);
            s.answeredBy = fmt::format("{}", fmt::join(by, ", "));
            res.suggestions.push_back(std::move(s));
        }
    }
}

} // namespace trygg::pipeline::steps::measure
