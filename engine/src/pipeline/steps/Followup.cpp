#include "Followup.hpp"
#include "../Step.hpp"

#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"
#include "trygg/overlay/HotspotAreas.hpp"
#include "trygg/stats/Displacement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace trygg::pipeline::steps {

FollowupData computeFollowup(Inputs& inputs, const Config& cfg, const geom::GeosContext& geos,
                                     const io::ReportSet& reports, RunSummary& summary) {
    const FollowupConfig& fc = *cfg.followup;
    if (reports.timeWallSeconds.empty())
        throw InputError(fmt::format("followup: '{}' has no time field, so before and after cannot be told apart",
                                     cfg.incidents.path));
    // One area from the features of a layer named `name` (all when no name), unioned.
    auto readArea = [&](const FollowupArea& a, const char* role) {
        const io::NamedFeatures nf = inputs.namedFeatures(a.layer);
        std::vector<std::vector<unsigned char>> wkbs;
        for (const auto& f : nf.features)
            if (a.name.empty() || f.name == a.name) wkbs.push_back(geom::toWkb(geos, f.geom.get()));
        if (wkbs.empty())
            throw InputError(fmt::format("followup: no feature named '{}' in field '{}' of layer '{}' in '{}' for the {} "
                                         "area. Check the name and its spelling",
                                         a.name, a.layer.nameField, nf.layerName, a.layer.path, role));
        geom::Area area(geos, wkbs, nullptr);
        if (area.areaM2() <= 0)
            throw InputError(fmt::format("followup: the {} area ('{}' in '{}') has no polygon", role, a.name, a.layer.path));
        return area;
    };
    const geom::Area measure = readArea(fc.measure, "measure");
    const geom::Area control = readArea(fc.control, "control");
    std::optional<geom::Area> givenBuffer;
    if (fc.buffer) givenBuffer.emplace(readArea(*fc.buffer, "buffer"));
    std::vector<unsigned char> bufferWkb;
    if (givenBuffer) {
        bufferWkb = givenBuffer->toWkb();
    } else {
        const geom::GeomPtr m = geom::fromWkb(geos, measure.toWkb());
        bufferWkb = geom::toWkb(geos, overlay::ringAround(geos, m.get(), fc.bufferM).get());
    }
    const geom::Area buffer(geos, {bufferWkb}, nullptr);

    const std::int64_t day = 86400;
    const std::int64_t start = fc.date - static_cast<std::int64_t>(std::llround(fc.beforeDays * day));
    const std::int64_t end = fc.date + static_cast<std::int64_t>(std::llround(fc.afterDays * day));
    // Counts [area][period][category + 1], category 0 for all.
    const std::size_t nc = reports.categories.size() + 1;
    std::array<std::array<std::vector<std::int64_t>, 2>, 3> n;
    for (auto& area : n)
        for (auto& period : area) period.assign(nc, 0);
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    std::int64_t inBoth = 0;
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
        const std::int64_t t = reports.timeWallSeconds[i];
        if (t == io::kNoTime) continue;
        first = std::min(first, t);
        last = std::max(last, t);
        if (t < start || t >= end) continue;
        const std::size_t period = t < fc.date ? 0 : 1;
        const double x = reports.x[i], y = reports.y[i];
        int area = -1;
        if (measure.coversPoint(x, y)) area = 0;
        else if (buffer.coversPoint(x, y)) area = 1;
        if (control.coversPoint(x, y)) {
            if (area >= 0) ++inBoth;
            else area = 2;
        }
        if (area < 0) continue;
        auto& counts = n[static_cast<std::size_t>(area)][period];
        ++counts[0];
        if (!reports.category.empty() && reports.category[i] >= 0) ++counts[static_cast<std::size_t>(reports.category[i]) + 1];
    }
    if (inBoth > 0)
        summary.warnings.push_back(fmt::format("followup: the control area overlaps the measure or buffer area; {} "
                                               "incidents there were counted in the measure or buffer only. A control "
                                               "area should lie apart",
                                               inBoth));
    if (start < first || end > last + day)
        summary.warnings.push_back(fmt::format("followup: the windows ({} days before and {} after {}) reach beyond the "
                                               "reports, which run from {} to {}; the WDQ compares with the control "
                                               "area, but shorter windows would be fairer",
                                               fc.beforeDays, fc.afterDays, fc.dateText, reports.firstTime,
                                               reports.lastTime));
    FollowupData d;
    d.title = fc.title;
    d.window = fmt::format("{:g} days before and {:g} days after {}", fc.beforeDays, fc.afterDays, fc.dateText);
    const std::array<const geom::Area*, 3> areas = {&measure, &buffer, &control};
    const std::array<const FollowupArea*, 3> specs = {&fc.measure, fc.buffer ? &*fc.buffer : nullptr, &fc.control};
    const char* roles[3] = {"measure", "buffer", "control"};
    for (std::size_t k = 0; k < 3; ++k) {
        FollowupPart a;
        a.role = roles[k];
        a.name = specs[k] ? specs[k]->name : fmt::format("{:g} m around {}", fc.bufferM, fc.measure.name);
        a.wkb = areas[k]->toWkb();
        a.areaM2 = areas[k]->areaM2();
        a.before = n[k][0][0];
        a.after = n[k][1][0];
        d.areas.push_back(std::move(a));
    }
    for (std::size_t c = 0; c < nc; ++c) {
        stats::WdqCounts w{n[0][0][c], n[0][1][c], n[1][0][c], n[1][1][c], n[2][0][c], n[2][1][c]};
        if (c > 0 && w.a0 + w.a1 + w.b0 + w.b1 == 0) continue;  // a category that never occurs here
        d.rows.push_back({c == 0 ? "all" : reports.categories[c - 1], w, stats::weightedDisplacement(w)});
    }
    summary.followupVerdict = d.rows.front().result.verdict;
    summary.followupVerdictSv = d.rows.front().result.verdictSv;
    summary.followupWdq = d.rows.front().result.wdq;
    summary.followupSuccess = d.rows.front().result.successMeasure;
    summary.followupTitle = fc.title;
    return d;
}

void followupMetadata(const Config& cfg, const RunSummary& summary, Metadata& md) {
    const auto& f = *cfg.followup;
    md.add("followup.name", f.title);
    md.add("followup.date", f.dateText);
    md.add("followup.windows_days", fmt::format("{:g} before / {:g} after", f.beforeDays, f.afterDays));
    md.add("followup.measure_area", fmt::format("'{}' in {} ({})", f.measure.name, f.measure.layer.path, f.measure.layer.layer));
    md.add("followup.buffer_area", f.buffer ? fmt::format("'{}' in {} ({})", f.buffer->name, f.buffer->layer.path, f.buffer->layer.layer)
                                            : fmt::format("a ring of {:g} m around the measure area", f.bufferM));
    md.add("followup.control_area", fmt::format("'{}' in {} ({})", f.control.name, f.control.layer.path, f.control.layer.layer));
    md.add("followup.method", "Weighted Displacement Quotient (Bowers & Johnson 2003): SM = A1/C1 - A0/C0, "
                              "WDQ = (B1/C1 - B0/C0) / SM; total net effect (Guerette 2009) = (A0 C1/C0 - A1) + "
                              "(B0 C1/C0 - B1); a report in two areas counts in the first of measure, buffer, control");
    md.add("followup.method_sv", "Viktad förskjutningskvot (WDQ, Bowers & Johnson 2003): SM = A1/C1 - A0/C0, "
                                 "WDQ = (B1/C1 - B0/C0) / SM; total nettoeffekt (Guerette 2009) = (A0 C1/C0 - A1) + "
                                 "(B0 C1/C0 - B1); en anmälan i två områden räknas i det första av åtgärds-, buffert- "
                                 "och kontrollområdet");
    md.add("followup.wdq", fmt::format("{:.4g}", summary.followupWdq));
    md.add("followup.verdict", summary.followupVerdict);
    md.add("followup.verdict_sv", summary.followupVerdictSv);
}

namespace {

struct FollowupResult {
    FollowupData data;
};

class Followup final : public Step {
public:
    Followup() : Step("stats.followup", StepCost{0.05, 0, 1e-6}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        lines.push_back(fmt::format("Follow-up, {}: success measure {:.4f}, WDQ {:.3f}. {}", s.followupTitle,
                                    s.followupSuccess, s.followupWdq, s.followupVerdict));
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        if (!cfg.followup) return;
        add("followup measure", cfg.followup->measure.layer.path);
        add("followup control", cfg.followup->control.layer.path);
        if (cfg.followup->buffer) add("followup buffer", cfg.followup->buffer->layer.path);
    }
    const char* analysisSwitch() const override { return "followup"; }
    void switchOff(Config& cfg) const override { cfg.followup.reset(); }
    std::vector<const char*> configTables() const override { return {"followup"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("followup", "must be a table ([followup])");
        if (!t) return;
        t->onlyKnown({"name", "date", "before_days", "after_days", "measure_area", "buffer_area", "buffer_m",
                      "control_area"});
        FollowupConfig f;
        f.title = t->str("name").value_or("measure");
        const auto date = t->str("date");
        if (!date) t->failAt("followup.date", "missing: the day the measure took effect, such as \"2024-03-01\"");
        try {
            f.date = temporal::parseDateBound(*date, false);
        } catch (const InputError& e) {
            t->fail("date", e.what());
        }
        f.dateText = *date;
        for (auto [key, days] : {std::pair{"before_days", &f.beforeDays}, std::pair{"after_days", &f.afterDays}}) {
            if (auto v = t->number(key)) {
                if (!(*v >= 1 && *v <= kMaxWindowDays))
                    t->fail(key, fmt::format("must be at least 1 day and at most {:g}", kMaxWindowDays));
                *days = *v;
            }
        }
        if (auto v = t->number("buffer_m")) {
            if (!(*v > 0 && *v <= kMaxMeasureMetres))
                t->fail("buffer_m", fmt::format("must be above 0 and at most {:g} metres", kMaxMeasureMetres));
            f.bufferM = *v;
        }
        const auto area = [&](const char* key, bool required) -> std::optional<FollowupArea> {
            const auto at = t->table(key, "must be a table with path, layer, name_field, name");
            if (!at) {
                if (required)
                    t->failAt(std::string("followup.") + key,
                              "missing: { path = \"...\", layer = \"...\", name_field = \"...\", name = \"...\" }");
                return std::nullopt;
            }
            at->onlyKnown({"path", "layer", "name_field", "name", "crs"});
            FollowupArea a;
            a.layer.path = at->path("path");
            if (a.layer.path.empty()) t->fail(key, "missing: the file holding the area");
            a.layer.layer = at->str("layer").value_or("");
            a.layer.nameField = at->str("name_field").value_or("");
            a.layer.crs = at->str("crs").value_or("");
            a.name = at->str("name").value_or("");
            if (!a.name.empty() && a.layer.nameField.empty())
                t->fail(key, "missing: the field in which to look for '" + a.name + "'");
            return a;
        };
        f.measure = *area("measure_area", true);
        f.control = *area("control_area", true);
        f.buffer = area("buffer_area", false);
        cfg.followup = f;
    }
    bool enabled(const Analysis& a) const override { return a.cfg.followup.has_value(); }
    void run(Analysis& a, const Progress&) const override {
        a.results.put(FollowupResult{computeFollowup(a.inputs, a.cfg, a.geos, a.reports, a.summary)});
    }
    // followup_areas (the measure, buffer and control areas) and followup (the WDQ per category).
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const FollowupData& d = a.results.get<FollowupResult>(name()).data;
        using output::FieldType;
        output::LayerWriter areas =
            writer.layer("followup_areas", output::GeometryType::MultiPolygon, "Follow-up areas: " + d.title,
                         "The measure area, its buffer and the control area, with incidents " + d.window);
        const int role = areas.add("role", FieldType::Text), areaName = areas.add("name", FieldType::Text),
                  km2 = areas.add("area_km2", FieldType::Real), before = areas.add("n_before", FieldType::Integer),
                  after = areas.add("n_after", FieldType::Integer);
        for (const auto& area : d.areas) {
            areas.setGeometry(area.wkb, "a follow-up area");
            areas.setText(role, area.role);
            areas.setText(areaName, area.name);
            areas.setReal(km2, area.areaM2 / 1e6);
            areas.setInt(before, area.before);
            areas.setInt(after, area.after);
            areas.write("a follow-up area");
        }
        areas.finish();
        writer.style("followup_areas", output::outlineQml("40,40,40,255", 0.6, "255,255,255,0"),
                     "Follow-up areas, outlined");

        output::LayerWriter t =
            writer.layer("followup", output::GeometryType::None, "Follow-up: " + d.title,
                         "Weighted Displacement Quotient (Bowers & Johnson 2003) per category, " + d.window);
        const int category = t.add("category", FieldType::Text);
        const int first = t.add("measure_before", FieldType::Integer);
        for (const char* field : {"measure_after", "buffer_before", "buffer_after", "control_before", "control_after"})
            t.add(field, FieldType::Integer);
        const int success = t.add("success_measure", FieldType::Real), buffer = t.add("buffer_measure", FieldType::Real),
                  wdq = t.add("wdq", FieldType::Real), net = t.add("total_net_effect", FieldType::Real),
                  verdict = t.add("verdict", FieldType::Text), verdictSv = t.add("verdict_sv", FieldType::Text);
        for (const auto& r : d.rows) {
            t.setText(category, r.category);
            const auto& c = r.counts;
            int k = first;
            for (auto v : {c.a0, c.a1, c.b0, c.b1, c.c0, c.c1}) t.setInt(k++, static_cast<std::int64_t>(v));
            t.setReal(success, r.result.successMeasure);
            t.setReal(buffer, r.result.bufferMeasure);
            t.setReal(wdq, r.result.wdq);
            t.setReal(net, r.result.totalNetEffect);
            t.setText(verdict, r.result.verdict);
            t.setText(verdictSv, r.result.verdictSv);
            t.write("a follow-up row");
        }
        t.finish();
        writer.style("followup", output::tableQml(), "Follow-up");
    }
    void metadata(const Analysis& a, Metadata& md) const override { followupMetadata(a.cfg, a.summary, md); }
};

} // namespace

const Step& followup() {
    static const Followup step;
    return step;
}

} // namespace trygg::pipeline::steps
