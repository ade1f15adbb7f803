#include "Measures.hpp"

#include "trygg/io/Values.hpp"
#include "trygg/temporal/Trend.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace trygg::pipeline::steps::measure {

// The windows, the counts in the measure area (A), its buffer (B) and the control (C, outside
// every measure's zone), and the effects.
void followUp(const Analysis& a, MeasuresResult& res) {
    const MeasuresConfig& mc = *a.cfg.measures;
    const io::ReportSet& reports = a.reports;
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    for (const auto t : reports.timeWallSeconds)
        if (t != io::kNoTime) first = std::min(first, t), last = std::max(last, t);
    // The data's whole months, as run_metadata gives them (time_first, time_last): a window cut at
    // the first or last report's day would publish that report's date.
    const auto monthStart = [](std::int64_t wallSeconds, int add) {
        int y = 0, m = 0, d = 0;
        io::civilFromDays(temporal::dayOf(wallSeconds), y, m, d);
        m += add;
        if (m > 12) m -= 12, ++y;
        return io::daysFromCivil(y, m, 1) * kDay;
    };
    const std::int64_t dataFrom = monthStart(first, 0), dataTo = monthStart(last, 1);
    std::set<std::string> categories(reports.categories.begin(), reports.categories.end());
    for (auto& m : res.measures) {
        m.beforeFrom = std::max(dataFrom, m.start - static_cast<std::int64_t>(std::llround(mc.beforeDays * kDay)));
        m.afterTo = m.start + static_cast<std::int64_t>(std::llround(mc.afterDays * kDay));
        if (m.end) m.afterTo = std::min(m.afterTo, m.end);
        m.afterTo = std::min(m.afterTo, dataTo);
        if (categories.count(m.row.target)) m.targetCategory = m.row.target;
        if (m.start >= dataTo) {
            m.notEvaluable = "It starts after the last report's month: nothing to follow up yet.";
            m.notEvaluableSv = "Den börjar efter den sista anmälans månad: inget att följa upp ännu.";
        } else if (m.start <= dataFrom) {
            m.notEvaluable = "It started before the first report's month: there is no period before it.";
            m.notEvaluableSv = "Den började före den första anmälans månad: det finns ingen period före den.";
        }
    }
    const std::size_t nc = reports.categories.size() + 1, nm = res.measures.size();
    // counts[m][role][period][category + 1]
    std::vector<std::array<std::array<std::vector<std::int64_t>, 2>, 3>> n(nm);
    for (auto& byRole : n)
        for (auto& byPeriod : byRole)
            for (auto& v : byPeriod) v.assign(nc, 0);
    std::vector<int> where(nm);  // per report: 0 area, 1 buffer, -1 neither
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
        const std::int64_t t = reports.timeWallSeconds[i];
        if (t == io::kNoTime) continue;
        const double x = reports.x[i], y = reports.y[i];
        bool inAnyZone = false;
        for (std::size_t k = 0; k < nm; ++k) {
            const Measure& m = res.measures[k];
            const auto& b = m.zone->bounds();
            where[k] = -1;
            if (x < b.minX || x > b.maxX || y < b.minY || y > b.maxY || !m.zone->coversPoint(x, y)) continue;
            inAnyZone = true;
            where[k] = m.area->coversPoint(x, y) ? 0 : 1;
        }
        const std::size_t c = !reports.category.empty() && reports.category[i] >= 0
                                  ? static_cast<std::size_t>(reports.category[i]) + 1
                                  : 0;
        for (std::size_t k = 0; k < nm; ++k) {
            const Measure& m = res.measures[k];
            if (t < m.beforeFrom || t >= m.afterTo) continue;
            const int role = where[k] >= 0 ? where[k] : inAnyZone ? -1 : 2;
            if (role < 0) continue;
            auto& v = n[k][static_cast<std::size_t>(role)][t < m.start ? 0 : 1];
            ++v[0];
            if (c > 0) ++v[c];
        }
    }
    stats::EffectOptions options;
    options.tooFewPct = mc.tooFewPct;
    for (std::size_t k = 0; k < nm; ++k) {
        Measure& m = res.measures[k];
        if (!m.notEvaluable.empty()) continue;
        for (std::size_t c = 0; c < nc; ++c) {
            const auto& v = n[k];
            const stats::WdqCounts w{v[0][0][c], v[0][1][c], v[1][0][c], v[1][1][c], v[2][0][c], v[2][1][c]};
            const std::string category = c == 0 ? "all" : reports.categories[c - 1];
            if (c > 0 && w.a0 + w.a1 + w.b0 + w.b1 == 0 && category != m.targetCategory) continue;
            m.effects.push_back({category, w, stats::measureEffect(w, options), {}, false});
        }
    }
    // Overlaps: zones that meet while both are in force (open measures through their window).
    for (std::size_t i = 0; i < nm; ++i)
        for (std::size_t j = i + 1; j < nm; ++j) {
            Measure &p = res.measures[i], &q = res.measures[j];
            const std::int64_t pTo = p.end ? p.end : std::max(p.afterTo, p.start + kDay);
            const std::int64_t qTo = q.end ? q.end : std::max(q.afterTo, q.start + kDay);
            if (p.start >= qTo || q.start >= pTo) continue;
            const geom::GeomPtr pz = geom::fromWkb(a.geos, p.zone->toWkb());
            const geom::GeomPtr qz = geom::fromWkb(a.geos, q.zone->toWkb());
            if (GEOSIntersects_r(a.geos.handle(), pz.get(), qz.get()) != 1) continue;
            p.overlaps.push_back(q.row.id);
            q.overlaps.push_back(p.row.id);
        }
    // Joint groups: measures linked by overlaps, directly or through others, share one effect.
    std::vector<std::size_t> root(nm);
    for (std::size_t i = 0; i < nm; ++i) root[i] = i;
    const auto find = [&](std::size_t i) {
        while (root[i] != i) i = root[i] = root[root[i]];
        return i;
    };
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < nm; ++i) index[res.measures[i].row.id] = i;
    for (std::size_t i = 0; i < nm; ++i)
        for (const auto& other : res.measures[i].overlaps) root[find(index.at(other))] = find(i);
    std::map<std::size_t, std::string> names;
    for (std::size_t i = 0; i < nm; ++i) {
        if (res.measures[i].overlaps.empty()) continue;
        auto [it, added] = names.emplace(find(i), "");
        if (added) it->second = fmt::format("G{}", names.size());
        res.measures[i].jointGroup = it->second;
        auto& members = res.groups[it->second];
        members.push_back(res.measures[i].row.id);
    }
}

// The effect a measure is read by: of the category it targets, else of all incidents.
const Effect* headline(const Measure& m) {
    for (const auto& e : m.effects)
        if (e.category == (m.targetCategory.empty() ? "all" : m.targetCategory)) return &e;
    return nullptr;
}

std::pair<std::string, std::string> verdictOf(const Measure& m, const Effect* e) {
    std::string en = e ? e->effect.verdictEn : m.notEvaluable, sv = e ? e->effect.verdictSv : m.notEvaluableSv;
    if (!m.overlaps.empty()) {
        const std::string ids = fmt::format("{}", fmt::join(m.overlaps, ", "));
        en += fmt::format(" It overlaps {} in place and time: this is the effect of them together (group {}, one effect "
                          "to claim for the group).",
                          ids, m.jointGroup);
        sv += fmt::format(" Den överlappar {} i rum och tid: detta är deras gemensamma effekt (grupp {}, en effekt att "
                          "redovisa för gruppen).",
                          ids, m.jointGroup);
    }
    return {en, sv};
}

} // namespace trygg::pipeline::steps::measure
