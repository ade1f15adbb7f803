// The matched comparison of a measure: its own shape moved over the study area on a lattice of
// its bounding box (so the places do not overlap each other), each place kept when its centre is
// inside the study area and it meets no measure's zone (area and buffer) of the register; incident
// rates per period (about a month: the window before and after the start each cut into whole
// periods of equal length, rates per 30.44 days) in the measure area and in every place; then
// stats::matchedDifferenceInDifferences and its placebo test.
#include "Measures.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trygg::pipeline::steps::measure {
namespace {

constexpr double kMonthDays = 30.4375;

struct Periods {
    std::int64_t from = 0, start = 0, to = 0;
    std::size_t pre = 0, post = 0;
    bool ok() const { return pre >= 2 && post >= 1; }
    std::size_t count() const { return pre + post; }
    double preLength() const { return static_cast<double>(start - from) / static_cast<double>(pre); }
    double postLength() const { return static_cast<double>(to - start) / static_cast<double>(post); }
    // The period of a moment in [from, to).
    std::size_t of(std::int64_t t) const {
        if (t < start) return std::min(pre - 1, static_cast<std::size_t>(static_cast<double>(t - from) / preLength()));
        return pre + std::min(post - 1, static_cast<std::size_t>(static_cast<double>(t - start) / postLength()));
    }
    double toRate(std::size_t k) const { return kMonthDays * kDay / (k < pre ? preLength() : postLength()); }
};

Periods periodsOf(const Measure& m) {
    Periods p{m.beforeFrom, m.start, m.afterTo, 0, 0};
    const auto months = [](std::int64_t seconds) {
        return static_cast<std::size_t>(std::max(0.0, std::floor(static_cast<double>(seconds) / (kMonthDays * kDay) + 0.5)));
    };
    p.pre = months(m.start - m.beforeFrom);
    p.post = months(m.afterTo - m.start);
    return p;
}

struct Offset {
    double dx, dy;
};

int shift(double* x, double* y, void* userdata) {
    const auto* o = static_cast<const Offset*>(userdata);
    *x += o->dx;
    *y += o->dy;
    return 1;
}

// The offsets that move the measure's area onto each candidate place.
std::vector<Offset> candidatePlaces(const Analysis& a, const Measure& m, const std::vector<Measure>& all,
                                    const geom::Bounds& extent) {
    auto h = a.geos.handle();
    const geom::GeomPtr area = geom::fromWkb(a.geos, m.areaWkb);
    const geom::Bounds b = m.area->bounds();
    const double w = std::max(b.width(), 1.0), hgt = std::max(b.height(), 1.0);
    const double cx = (b.minX + b.maxX) / 2, cy = (b.minY + b.maxY) / 2;
    std::vector<geom::GeomPtr> zones;
    for (const auto& other : all) zones.push_back(geom::fromWkb(a.geos, other.zone->toWkb()));
    std::vector<Offset> out;
    for (double py = extent.minY + hgt / 2; py < extent.maxY; py += hgt)
        for (double px = extent.minX + w / 2; px < extent.maxX; px += w) {
            if (a.area() && !a.area()->coversPoint(px, py)) continue;
            Offset o{px - cx, py - cy};
            bool meets = false;
            geom::GeomPtr moved;
            for (std::size_t k = 0; k < all.size() && !meets; ++k) {
                const auto& z = all[k].zone->bounds();
                if (b.maxX + o.dx < z.minX || b.minX + o.dx > z.maxX || b.maxY + o.dy < z.minY || b.minY + o.dy > z.maxY)
                    continue;
                if (!moved) moved.reset(GEOSGeom_transformXY_r(h, area.get(), &shift, &o));
                meets = moved && GEOSIntersects_r(h, moved.get(), zones[k].get()) == 1;
            }
            if (!meets) out.push_back(o);
        }
    return out;
}

} // namespace

void matchedFollowUp(const Analysis& a, MeasuresResult& res) {
    const MeasuresConfig& mc = *a.cfg.measures;
    const io::ReportSet& reports = a.reports;
    geom::Bounds extent;
    if (a.area()) {
        extent = a.area()->bounds();
    } else if (reports.acceptedCount() > 0) {
        const auto [x0, x1] = std::minmax_element(reports.x.begin(), reports.x.end());
        const auto [y0, y1] = std::minmax_element(reports.y.begin(), reports.y.end());
        extent = {*x0, *y0, *x1, *y1};
    }
    stats::EffectOptions options;
    options.tooFewPct = mc.tooFewPct;
    const stats::DidOptions didOptions{static_cast<std::size_t>(mc.controls), static_cast<std::size_t>(mc.placebos),
                                       options.confidence};
    // Reports with a time, by x, for the strips of the places.
    std::vector<std::size_t> byX;
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i)
        if (reports.timeWallSeconds[i] != io::kNoTime) byX.push_back(i);
    std::sort(byX.begin(), byX.end(), [&](std::size_t p, std::size_t q) { return reports.x[p] < reports.x[q]; });
    std::vector<double> xs(byX.size());
    for (std::size_t k = 0; k < byX.size(); ++k) xs[k] = reports.x[byX[k]];

    for (auto& m : res.measures) {
        if (!m.notEvaluable.empty() || m.effects.empty()) continue;
        const Periods per = periodsOf(m);
        m.periodsBefore = per.pre;
        m.periodsAfter = per.post;
        std::vector<Effect*> targets{&m.effects.front()};  // all, and the target category
        int targetIndex = -1;
        for (auto& e : m.effects)
            if (!m.targetCategory.empty() && e.category == m.targetCategory) {
                targets.push_back(&e);
                targetIndex = static_cast<int>(std::find(reports.categories.begin(), reports.categories.end(),
                                                         m.targetCategory) -
                                               reports.categories.begin());
            }
        for (auto* e : targets) e->matched = true;
        if (!per.ok()) {
            for (auto* e : targets) stats::checkAgainstPlacebo(e->effect, e->did, options);
            continue;
        }
        const std::vector<Offset> places = candidatePlaces(a, m, res.measures, extent);
        m.places = places.size();
        const std::size_t T = per.count(), S = targets.size();
        // series[s]: the measure area first, then every place.
        std::vector<std::vector<double>> series(S, std::vector<double>((places.size() + 1) * T, 0.0));
        const geom::Bounds b = m.area->bounds();
        const auto countAt = [&](std::size_t unit, double dx, double dy) {
            const auto lo = std::lower_bound(xs.begin(), xs.end(), b.minX + dx);
            const auto hi = std::upper_bound(lo, xs.end(), b.maxX + dx);
            for (auto it = lo; it != hi; ++it) {
                const std::size_t i = byX[static_cast<std::size_t>(it - xs.begin())];
                const std::int64_t t = reports.timeWallSeconds[i];
                if (t < per.from || t >= per.to) continue;
                const double x = reports.x[i] - dx, y = reports.y[i] - dy;
                if (y < b.minY || y > b.maxY || !m.area->coversPoint(x, y)) continue;
                const std::size_t k = per.of(t);
                series[0][unit * T + k] += 1;
                if (S > 1 && !reports.category.empty() && reports.category[i] == targetIndex) series[1][unit * T + k] += 1;
            }
        };
        countAt(0, 0, 0);
        for (std::size_t c = 0; c < places.size(); ++c) countAt(c + 1, places[c].dx, places[c].dy);
        for (std::size_t s = 0; s < S; ++s) {
            auto& y = series[s];
            for (std::size_t u = 0; u < places.size() + 1; ++u)
                for (std::size_t k = 0; k < T; ++k) y[u * T + k] *= per.toRate(k);
            const stats::PanelSeries candidates{T, per.pre, std::vector<double>(y.begin() + static_cast<std::ptrdiff_t>(T), y.end())};
            Effect& e = *targets[s];
            e.did = stats::matchedDifferenceInDifferences(std::span<const double>(y.data(), T), candidates, didOptions);
            stats::checkAgainstPlacebo(e.effect, e.did, options);
        }
    }
}

} // namespace trygg::pipeline::steps::measure
