// stats.measures: the register of measures ([measures]), every measure followed up. Each row is
// used or rejected with its reason; each measure gets its area (its own geometry, or a named
// feature of a map layer; a point or line covers radius_m around it), a buffer ring, and the
// rest of the study area outside every measure and buffer as its control. Its effect, for all
// incidents and per category, is stats/MeasureEffect's rate ratio with its interval, the
// buffer's, the minimum detectable fall and the WDQ; measures that overlap in place and time are
// named on each other, their effects read as joint.
#include "../Step.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/MeasureRegister.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/overlay/HotspotAreas.hpp"
#include "trygg/stats/MeasureEffect.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace trygg::pipeline::steps {
namespace {

constexpr std::int64_t kDay = 86400;

struct Rejected {
    std::int64_t sourceRow = 0;
    std::string id, field, reason, detail;
};

struct Effect {
    std::string category;  // "all" for every category
    stats::WdqCounts counts;
    stats::MeasureEffect effect;
};

struct Measure {
    io::MeasureRow row;
    std::int64_t start = 0, end = 0;  // wall seconds; end = 0 when open
    std::int64_t beforeFrom = 0, afterTo = 0;  // the windows [beforeFrom, start) and [start, afterTo)
    std::string placeLayer;  // the map layer whose feature it is, "" for its own geometry
    std::unique_ptr<geom::Area> area, zone;  // zone: the area and its buffer ring
    std::vector<unsigned char> areaWkb;
    double areaM2 = 0;
    std::string targetCategory;  // the category its target names, or ""
    std::vector<Effect> effects;  // "all" first
    std::vector<std::string> overlaps;
    std::string notEvaluable;     // why there is no follow-up ("" when there is one)
    std::string notEvaluableSv;
};

struct MeasuresResult {
    std::vector<Measure> measures;
    std::vector<Rejected> rejected;
    std::string layerName;
};

std::string lower(std::string s) {
    // ASCII and the Swedish capitals Å Ä Ö É in UTF-8.
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 128) s[i] = static_cast<char>(std::tolower(c));
        else if (c == 0xC3 && i + 1 < s.size()) {
            const unsigned char d = static_cast<unsigned char>(s[i + 1]);
            if (d >= 0x80 && d <= 0x9E && d != 0x97) s[i + 1] = static_cast<char>(d + 0x20);
            ++i;
        }
    }
    return s;
}

std::string dayText(std::int64_t wallSeconds) {
    int y = 0, m = 0, d = 0;
    io::civilFromDays(wallSeconds >= 0 ? wallSeconds / kDay : (wallSeconds - kDay + 1) / kDay, y, m, d);
    return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

// The measure's area from its geometry: polygons as they are, points and lines buffered.
geom::GeomPtr areaOf(const geom::GeosContext& geos, const GEOSGeometry* g, double radiusM) {
    auto h = geos.handle();
    geom::GeomPtr poly = geom::polygonalPart(geos, geom::GeomPtr(GEOSGeom_clone_r(h, g)));
    double a = 0;
    if (poly && GEOSArea_r(h, poly.get(), &a) == 1 && a > 0) return poly;
    return geom::GeomPtr(GEOSBuffer_r(h, g, radiusM, 16));
}

MeasuresResult readMeasures(const Analysis& a) {
    const MeasuresConfig& mc = *a.cfg.measures;
    io::MeasureRegister reg = io::readMeasureRegister(mc.register_, a.analysisCrs, a.geos);
    MeasuresResult out;
    out.layerName = reg.layerName;
    std::vector<io::NamedFeatures> places;
    for (const auto& spec : mc.places) places.push_back(a.inputs.namedFeatures(spec));
    std::set<std::string> kinds, ids;
    for (const auto& k : mc.kinds) kinds.insert(lower(k));
    const auto reject = [&](const io::MeasureRow& r, const char* field, const char* reason, std::string detail) {
        out.rejected.push_back({r.sourceRow, r.id, field, reason, std::move(detail)});
    };
    for (auto& r : reg.rows) {
        if (r.id.empty()) {
            reject(r, "id", "missing_id", "a measure needs an id, which the report and the åtgärdsplan name it by");
            continue;
        }
        if (!ids.insert(r.id).second) {
            reject(r, "id", "duplicate_id", "the id '" + r.id + "' is taken by an earlier row");
            continue;
        }
        if (r.name.empty()) {
            reject(r, "name", "missing_name", "a measure needs a name");
            continue;
        }
        if (!kinds.count(lower(r.kind))) {
            reject(r, "kind", "unknown_kind",
                   fmt::format("'{}' is not one of the kinds: {} ([measures] kinds)", r.kind, fmt::join(mc.kinds, ", ")));
            continue;
        }
        const auto start = io::parseDateTime(r.start);
        if (!start) {
            reject(r, "start", "bad_date", "'" + r.start + "' is not a date such as 2024-03-01");
            continue;
        }
        Measure m;
        m.start = start->wallSeconds() / kDay * kDay;
        if (!r.end.empty()) {
            const auto end = io::parseDateTime(r.end);
            if (!end) {
                reject(r, "end", "bad_date", "'" + r.end + "' is not a date such as 2024-06-30");
                continue;
            }
            m.end = end->wallSeconds() / kDay * kDay + kDay;  // through that day
            if (m.end <= m.start) {
                reject(r, "end", "end_before_start", fmt::format("it ends ({}) before it starts ({})", r.end, r.start));
                continue;
            }
        }
        geom::GeomPtr g;
        if (r.geom) {
            g = std::move(r.geom);
        } else if (!r.place.empty()) {
            for (std::size_t k = 0; k < places.size() && !g; ++k)
                for (const auto& f : places[k].features)
                    if (f.name == r.place) {
                        g.reset(GEOSGeom_clone_r(a.geos.handle(), f.geom.get()));
                        m.placeLayer = places[k].layerName;
                        break;
                    }
            if (!g) {
                reject(r, "place", "place_not_found",
                       fmt::format("no feature named '{}' in the [[measures.places]] layers", r.place));
                continue;
            }
        } else {
            reject(r, "place", "no_place", "the row has no geometry and no place naming a feature of a map layer");
            continue;
        }
        geom::GeomPtr area = areaOf(a.geos, g.get(), mc.radiusM);
        if (a.area()) area = a.area()->clip(area.get());
        m.areaWkb = geom::toWkb(a.geos, area.get());
        m.area = std::make_unique<geom::Area>(a.geos, std::vector<std::vector<unsigned char>>{m.areaWkb}, nullptr);
        m.areaM2 = m.area->areaM2();
        if (!(m.areaM2 > 0)) {
            reject(r, "place", "outside_study_area", "its area lies outside the study area");
            continue;
        }
        geom::GeomPtr zone(GEOSBuffer_r(a.geos.handle(), area.get(), mc.bufferM, 16));
        m.zone = std::make_unique<geom::Area>(a.geos, std::vector<std::vector<unsigned char>>{geom::toWkb(a.geos, zone.get())},
                                              nullptr);
        m.row = std::move(r);
        out.measures.push_back(std::move(m));
    }
    return out;
}

// The windows, the counts in the measure area (A), its buffer (B) and the control (C, outside
// every measure's zone), and the effects.
void followUp(const Analysis& a, MeasuresResult& res) {
    const MeasuresConfig& mc = *a.cfg.measures;
    const io::ReportSet& reports = a.reports;
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    for (const auto t : reports.timeWallSeconds)
        if (t != io::kNoTime) first = std::min(first, t), last = std::max(last, t);
    const std::int64_t dataFrom = first / kDay * kDay, dataTo = last / kDay * kDay + kDay;
    std::set<std::string> categories(reports.categories.begin(), reports.categories.end());
    for (auto& m : res.measures) {
        m.beforeFrom = std::max(dataFrom, m.start - static_cast<std::int64_t>(std::llround(mc.beforeDays * kDay)));
        m.afterTo = m.start + static_cast<std::int64_t>(std::llround(mc.afterDays * kDay));
        if (m.end) m.afterTo = std::min(m.afterTo, m.end);
        m.afterTo = std::min(m.afterTo, dataTo);
        if (categories.count(m.row.target)) m.targetCategory = m.row.target;
        if (m.start >= dataTo) {
            m.notEvaluable = "It starts after the last report: nothing to follow up yet.";
            m.notEvaluableSv = "Den börjar efter den sista anmälan: inget att följa upp ännu.";
        } else if (m.start <= dataFrom) {
            m.notEvaluable = "It started before the first report: there is no period before it.";
            m.notEvaluableSv = "Den började före den första anmälan: det finns ingen period före den.";
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
            m.effects.push_back({category, w, stats::measureEffect(w, options)});
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
        en += fmt::format(" It overlaps {} in place and time: this is the effect of them together.", ids);
        sv += fmt::format(" Den överlappar {} i rum och tid: detta är deras gemensamma effekt.", ids);
    }
    return {en, sv};
}

class Measures final : public Step {
public:
    Measures() : Step("stats.measures", 0.56, 0.58) {}
    std::vector<const char*> configTables() const override { return {"measures"}; }
    const char* analysisSwitch() const override { return "measures"; }
    void switchOff(Config& cfg) const override { cfg.measures.reset(); }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        if (!cfg.measures) return;
        add("measures", cfg.measures->register_.path);
        for (const auto& p : cfg.measures->places) add("measures places", p.path);
    }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("measures", "must be a table ([measures])");
        if (!t) return;
        t->onlyKnown({"path", "layer", "crs", "fields", "places", "kinds", "radius_m", "buffer_m", "before_days",
                      "after_days", "too_few_pct"});
        MeasuresConfig m;
        m.register_.path = t->path("path");
        if (m.register_.path.empty()) t->failAt("measures.path", "missing: the register of measures (CSV, XLSX or a layer)");
        m.register_.layer = t->str("layer").value_or("");
        m.register_.crs = t->str("crs").value_or("");
        if (const auto f = t->table("fields", "must be a table such as { id = \"nr\", start = \"startdatum\" }")) {
            f->onlyKnown({"id", "name", "kind", "place", "start", "end", "responsible", "target", "status"});
            auto& mf = m.register_.fields;
            for (auto [key, list] : {std::pair{"id", &mf.id}, {"name", &mf.name}, {"kind", &mf.kind}, {"place", &mf.place},
                                     {"start", &mf.start}, {"end", &mf.end}, {"responsible", &mf.responsible},
                                     {"target", &mf.target}, {"status", &mf.status}})
                if (auto v = f->str(key)) *list = {*v};
        }
        for (const auto& pt : t->tables("places", "must be a list of [[measures.places]] tables",
                                        "must be a table with path, layer and name_field")) {
            pt.onlyKnown({"path", "layer", "name_field", "crs"});
            io::NamedFeaturesSpec p{pt.path("path"), pt.str("layer").value_or(""), pt.str("name_field").value_or(""),
                                    pt.str("crs").value_or("")};
            if (p.path.empty() || p.nameField.empty()) pt.failAt("measures.places", "needs path and name_field");
            m.places.push_back(p);
        }
        if (auto k = t->texts("kinds", "must be a list of texts, such as [\"belysning\", \"röjning\"]")) {
            if (k->empty()) t->fail("kinds", "must name at least one kind");
            m.kinds = *k;
        }
        for (auto [key, v, min] : {std::tuple{"radius_m", &m.radiusM, 0.0}, {"buffer_m", &m.bufferM, 0.0},
                                   {"before_days", &m.beforeDays, 1.0}, {"after_days", &m.afterDays, 1.0}})
            if (auto x = t->number(key)) {
                if (!(*x > min || (min >= 1 && *x >= min))) t->fail(key, fmt::format("must be above {:g}", min));
                *v = *x;
            }
        if (auto x = t->number("too_few_pct")) {
            if (!(*x > 0 && *x <= 100)) t->fail("too_few_pct", "must be a per cent above 0 and at most 100");
            m.tooFewPct = *x;
        }
        cfg.measures = m;
    }
    bool enabled(const Analysis& a) const override { return a.cfg.measures.has_value(); }
    void run(Analysis& a, const Progress&) const override {
        if (a.reports.timeWallSeconds.empty())
            throw InputError(fmt::format("measures: '{}' has no time field, so before and after cannot be told apart",
                                         a.cfg.incidents.path));
        MeasuresResult r = readMeasures(a);
        followUp(a, r);
        if (a.publishing() && a.main)
            a.summary.warnings.push_back("measures: the follow-up of the register is not written in publishing mode yet "
                                         "(its per-category counts are not protected); publish [followup] instead");
        a.results.put(std::move(r));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        if (a.publishing()) return;
        const MeasuresResult& r = a.results.get<MeasuresResult>(name());
        writeMeasures(r, writer);
        writeEffects(r, writer);
        if (a.main) writeRejected(r, writer);  // the register's rows are the run's, as rejected_reports
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const MeasuresConfig& mc = *a.cfg.measures;
        const MeasuresResult& r = a.results.get<MeasuresResult>(name());
        md.add("measures.register", fmt::format("{} ({})", mc.register_.path, r.layerName));
        md.add("measures.rows", fmt::format("{} read, {} used, {} rejected", r.measures.size() + r.rejected.size(),
                                            r.measures.size(), r.rejected.size()));
        md.add("measures.windows_days", fmt::format("{:g} before / {:g} after the start (to its end when sooner), "
                                                    "within the reports",
                                                    mc.beforeDays, mc.afterDays));
        md.add("measures.areas", fmt::format("polygons as given; points and lines {:g} m around; a buffer ring of {:g} m; "
                                             "the control is the study area outside every measure and its buffer",
                                             mc.radiusM, mc.bufferM));
        md.add("measures.method",
               "rate ratio (A1/A0)/(C1/C0) with a 95 % Wald interval on its log, variance 1/A0+1/A1+1/C0+1/C1 (the "
               "relative effect size of Farrington & Welsh, inverted; 0.5 added to each count for a zero); the same "
               "for the buffer; minimum detectable fall at 80 % power; WDQ (Bowers & Johnson 2003). Counts taken as "
               "Poisson: with overdispersion the intervals are too narrow");
        md.add("measures.too_few_pct", fmt::format("{:g}", mc.tooFewPct));
    }
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const MeasuresResult& r = a.results.get<MeasuresResult>(name());
        std::map<std::string, int> by;
        for (const auto& m : r.measures) {
            const Effect* e = headline(m);
            ++by[e ? stats::toString(e->effect.verdict) : "not_evaluable"];
        }
        std::vector<std::string> parts;
        for (const auto& [k, v] : by) parts.push_back(fmt::format("{} {}", v, k));
        lines.push_back(fmt::format("Measures: {} followed up ({}), {} rejected", r.measures.size(), fmt::join(parts, ", "),
                                    r.rejected.size()));
    }

private:
    static void effectFields(output::LayerWriter& l, std::vector<int>& f) {
        using output::FieldType;
        for (const char* name : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before",
                                 "control_after"})
            f.push_back(l.add(name, FieldType::Integer));
        for (const char* name : {"rate_ratio", "ci_low", "ci_high", "p_value", "change_pct", "mde_pct", "buffer_ratio",
                                 "buffer_ci_low", "buffer_ci_high", "wdq", "total_net_effect"})
            f.push_back(l.add(name, FieldType::Real));
        for (const char* name : {"verdict_code", "verdict", "verdict_sv"}) f.push_back(l.add(name, FieldType::Text));
    }
    static void setEffect(output::LayerWriter& l, const std::vector<int>& f, const Measure& m, const Effect* e) {
        const auto [en, sv] = verdictOf(m, e);
        if (!e) {
            for (std::size_t k = 0; k + 3 < f.size(); ++k) l.setNull(f[k]);
            l.setText(f[f.size() - 3], stats::toString(stats::EffectVerdict::NotEvaluable));
        } else {
            const auto& c = e->counts;
            std::size_t k = 0;
            for (auto v : {c.a0, c.a1, c.b0, c.b1, c.c0, c.c1}) l.setInt(f[k++], v);
            const auto& x = e->effect;
            const double nan = std::numeric_limits<double>::quiet_NaN();
            const auto or_ = [&](bool ok, double v) { return ok ? v : nan; };
            for (double v : {or_(x.measure.defined, x.measure.ratio), or_(x.measure.defined, x.measure.low),
                             or_(x.measure.defined, x.measure.high), or_(x.measure.defined, x.measure.p),
                             or_(x.measure.defined, x.changePct), x.mdePct, or_(x.buffer.defined, x.buffer.ratio),
                             or_(x.buffer.defined, x.buffer.low), or_(x.buffer.defined, x.buffer.high), x.wdq.wdq,
                             x.wdq.totalNetEffect})
                l.setReal(f[k++], v);
            l.setText(f[k], stats::toString(x.verdict));
        }
        l.setText(f[f.size() - 2], en);
        l.setText(f[f.size() - 1], sv);
    }
    static void writeMeasures(const MeasuresResult& r, output::GpkgWriter& writer) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("measures", output::GeometryType::MultiPolygon, "Measures",
                                             "The register's measures, each with its area and its effect");
        std::vector<int> own;
        for (const char* name : {"measure_id", "name", "kind", "place", "start", "end", "responsible", "target",
                                 "status", "effect_category", "before_from", "after_to", "overlaps"})
            own.push_back(l.add(name, FieldType::Text));
        const int km2 = l.add("area_km2", FieldType::Real);
        std::vector<int> f;
        effectFields(l, f);
        for (const auto& m : r.measures) {
            l.setGeometry(m.areaWkb, "a measure's area");
            const Effect* e = headline(m);
            const std::string values[] = {m.row.id, m.row.name, m.row.kind, m.row.place, dayText(m.start),
                                          m.end ? dayText(m.end - kDay) : std::string(), m.row.responsible,
                                          m.row.target, m.row.status, e ? e->category : std::string(),
                                          dayText(m.beforeFrom), dayText(m.afterTo - kDay),
                                          fmt::format("{}", fmt::join(m.overlaps, ", "))};
            for (std::size_t k = 0; k < own.size(); ++k) l.setText(own[k], values[k]);
            l.setReal(km2, m.areaM2 / 1e6);
            setEffect(l, f, m, e);
            l.write("a measure", m.row.id);
        }
        l.finish();
        writer.style("measures", output::outlineQml("20,90,160,255", 0.8, "20,90,160,60"), "Measures, outlined");
    }
    static void writeEffects(const MeasuresResult& r, output::GpkgWriter& writer) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("measure_effects", output::GeometryType::None, "Measure effects",
                                             "Each measure's effect for all incidents and per category");
        const int id = l.add("measure_id", FieldType::Text), category = l.add("category", FieldType::Text);
        std::vector<int> f;
        effectFields(l, f);
        for (const auto& m : r.measures)
            for (const auto& e : m.effects) {
                l.setText(id, m.row.id);
                l.setText(category, e.category);
                setEffect(l, f, m, &e);
                l.write("a measure effect", m.row.id + " " + e.category);
            }
        l.finish();
        writer.style("measure_effects", output::tableQml(), "Measure effects");
    }
    static void writeRejected(const MeasuresResult& r, output::GpkgWriter& writer) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("rejected_measures", output::GeometryType::None, "Rejected measures",
                                             "Rows of the register that were not used, with their reason");
        const int row = l.add("source_row", FieldType::Integer64), id = l.add("measure_id", FieldType::Text),
                  reason = l.add("reject_reason", FieldType::Text), field = l.add("reject_field", FieldType::Text),
                  detail = l.add("reject_detail", FieldType::Text);
        for (const auto& x : r.rejected) {
            l.setInt(row, x.sourceRow);
            l.setText(id, x.id);
            l.setText(reason, x.reason);
            l.setText(field, x.field);
            l.setText(detail, x.detail);
            l.write("a rejected measure", std::to_string(x.sourceRow));
        }
        l.finish();
        writer.style("rejected_measures", output::tableQml(), "Rejected measures");
    }
};

} // namespace

const Step& measures() {
    static const Measures step;
    return step;
}

} // namespace trygg::pipeline::steps
