// stats.measures: the step (its config, layers, metadata and summary); see Measures.hpp.
#include "Measures.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace trygg::pipeline::steps {
namespace {

using namespace measure;

class Measures final : public Step {
public:
    Measures() : Step("stats.measures", StepCost{1.0}) {}
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
                      "after_days", "too_few_pct", "controls", "placebos", "rules"});
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
        // Upper limits too: a buffer of 1e300 m, or a window of 1e300 days in seconds, overflows.
        for (auto [key, v, min, max] : {std::tuple{"radius_m", &m.radiusM, 0.0, kMaxMeasureMetres},
                                        {"buffer_m", &m.bufferM, 0.0, kMaxMeasureMetres},
                                        {"before_days", &m.beforeDays, 1.0, kMaxWindowDays},
                                        {"after_days", &m.afterDays, 1.0, kMaxWindowDays}})
            if (auto x = t->number(key)) {
                if (!(*x > min || (min >= 1 && *x >= min))) t->fail(key, fmt::format("must be above {:g}", min));
                if (*x > max) t->fail(key, fmt::format("must be at most {:g}", max));
                *v = *x;
            }
        if (auto x = t->number("too_few_pct")) {
            if (!(*x > 0 && *x <= 100)) t->fail("too_few_pct", "must be a per cent above 0 and at most 100");
            m.tooFewPct = *x;
        }
        for (auto [key, v, min] : {std::tuple{"controls", &m.controls, 1}, {"placebos", &m.placebos, 19}})
            if (auto x = t->number(key)) {
                if (!(*x >= min && *x <= 100000 && *x == std::floor(*x)))
                    t->fail(key, fmt::format("must be a whole number from {} to 100000", min));
                *v = static_cast<int>(*x);
            }
        const auto rules = t->tables("rules", "must be a list of [[measures.rules]] tables",
                                     "must be a table with kind, indicator and at_least");
        if (!rules.empty()) m.rules.clear();  // the config's rules replace the defaults
        static const std::set<std::string> indicators{"dark_share", "night_share", "peak_slots_share", "reason_share",
                                                      "repeat_share"};
        for (const auto& rt : rules) {
            rt.onlyKnown({"kind", "indicator", "at_least", "reason"});
            SuggestionRule rule{rt.str("kind").value_or(""), rt.str("indicator").value_or(""), rt.str("reason").value_or(""),
                                rt.number("at_least").value_or(-1)};
            if (rule.kind.empty()) rt.failAt("measures.rules", "needs kind, the kind of measure it suggests");
            if (!indicators.count(rule.indicator))
                rt.failAt("measures.rules", fmt::format("indicator '{}' is not one of dark_share, night_share, "
                                                        "peak_slots_share, reason_share, repeat_share",
                                                        rule.indicator));
            if (rule.indicator == "reason_share" && rule.reason.empty())
                rt.failAt("measures.rules", "reason_share needs reason, the reason as the safety reports give it");
            if (!(rule.atLeast >= 0 && rule.atLeast <= 1)) rt.failAt("measures.rules", "needs at_least, a share from 0 to 1");
            m.rules.push_back(rule);
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
        matchedFollowUp(a, r);
        perceivedFollowUp(a, r);
        linkProblems(a, r);
        a.results.put(std::move(r));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        // Publishing hides their small counts afterwards (output/Publish.cpp). Rejected rows are
        // not published, as no input's are (a register names the people responsible).
        const MeasuresResult& r = a.results.get<MeasuresResult>(name());
        // Published, an analysis of one category has its row "all" only: the category's would be the
        // same, which a reader knows from the filter, and hiding could take one and leave the other.
        const bool allOnly = a.publishing() && a.reports.categories.size() <= 1;
        writeMeasures(r, writer, a.publishing(), allOnly);
        writeEffects(r, writer, a.publishing(), allOnly);
        if (a.main && !a.publishing()) writeRejected(r, writer);  // the register's rows are the run's, as rejected_reports
        if (r.hasProblems) {
            writeLinks(r, writer);
            writeSuggestions(r, writer, a.publishing());
        }
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const MeasuresConfig& mc = *a.cfg.measures;
        const MeasuresResult& r = a.results.get<MeasuresResult>(name());
        md.add("measures.register", fmt::format("{} ({})", mc.register_.path, r.layerName));
        md.add("measures.rows", fmt::format("{} read, {} used, {} rejected", r.measures.size() + r.rejected.size(),
                                            r.measures.size(), r.rejected.size()));
        md.add("measures.windows_days", fmt::format("{:g} before / {:g} after the start (to its end when sooner), "
                                                    "within the reports' whole months",
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
        md.add("measures.matched",
               fmt::format("difference in differences against the {} places most like the measure area before (its own "
                           "shape moved on a lattice of its bounding box, centre inside the study area, meeting no "
                           "measure's zone; matched on mean rate and least-squares trend over the periods before, each "
                           "standardised by its spread), rates per 30.44 days in whole periods of about a month, fitted as "
                           "the two-way fixed-effects regression (unit and period effects; t interval); placebo test in "
                           "space over the {} most comparable places, each against its own matched places, comparing "
                           "t = delta / (s sqrt(1/pre + 1/post)) with s the spread of the gap before (Abadie, Diamond & "
                           "Hainmueller 2010); for all incidents and the target category",
                           mc.controls, mc.placebos));
        md.add("measures.perceived", "perception reports in each measure's zone (area and buffer) in its windows: Welch's "
                                     "t test of the mean score after against before; against the rest of the study area "
                                     "outside every zone, a normal test; at least 5 reports a side");
        std::vector<std::string> rules;
        for (const auto& rule : mc.rules)
            rules.push_back(fmt::format("{} where {}{} >= {:g}", rule.kind, rule.indicator,
                                        rule.reason.empty() ? "" : " '" + rule.reason + "'", rule.atLeast));
        md.add("measures.rules", fmt::format("{}", fmt::join(rules, "; ")));
        md.add("measures.links", "a measure answers a problem it names (problem field), whose area its area meets, or "
                                 "whose rising category it targets");
        if (a.publishing())
            md.add("measures.publishing",
                   "the effects for all incidents and for the category a measure targets are published, not those of "
                   "every category; their counts as every count (small ones hidden, with what would give them back), the "
                   "area, buffer and control of a window taken to add up to a known number; values and verdicts computed "
                   "from a hidden count are hidden; suggestions from shares of reports (night_share, "
                   "peak_slots_share, reason_share, repeat_share) are left out, as a share of a known total gives its "
                   "count back, and only those from the map (dark_share) are published");
        md.add("measures.verdict", "worked, displaced or worse only when the rate ratio is beyond chance against the rest "
                                   "of the study area and the placebo test agrees in direction at the same level (0.05); "
                                   "otherwise no effect, or too few to tell when the minimum detectable fall is above "
                                   "too_few_pct");
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
        std::vector<std::string> groups;
        for (const auto& [g, members] : r.groups) groups.push_back(fmt::format("{} ({})", g, fmt::join(members, ", ")));
        lines.push_back(fmt::format("Measures: {} followed up ({}), {} rejected{}", r.measures.size(), fmt::join(parts, ", "),
                                    r.rejected.size(),
                                    groups.empty() ? std::string()
                                                   : fmt::format("; overlapping, one joint effect each: {}", fmt::join(groups, ", "))));
    }

private:
    static void effectFields(output::LayerWriter& l, std::vector<int>& f) {
        using output::FieldType;
        for (const char* name : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before",
                                 "control_after"})
            f.push_back(l.add(name, FieldType::Integer));
        for (const char* name : {"rate_ratio", "ci_low", "ci_high", "p_value", "change_pct", "mde_pct", "buffer_ratio",
                                 "buffer_ci_low", "buffer_ci_high", "wdq", "total_net_effect", "did_per_month",
                                 "did_ci_low", "did_ci_high", "did_change_pct", "placebo_p"})
            f.push_back(l.add(name, FieldType::Real));
        for (const char* name : {"control_places", "placebo_places"}) f.push_back(l.add(name, FieldType::Integer));
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
            const auto& d = e->did;
            const bool did = d.defined();
            for (double v : {or_(did, d.estimate.effect), or_(did, d.estimate.low), or_(did, d.estimate.high),
                             or_(did, d.estimate.changePct), or_(did, d.placeboP)})
                l.setReal(f[k++], v);
            for (std::size_t v : {d.controls.size(), d.placebos}) {
                if (did) l.setInt(f[k], static_cast<std::int64_t>(v));
                else l.setNull(f[k]);
                ++k;
            }
            l.setText(f[k], stats::toString(x.verdict));
        }
        l.setText(f[f.size() - 2], en);
        l.setText(f[f.size() - 1], sv);
    }
    static void writeMeasures(const MeasuresResult& r, output::GpkgWriter& writer, bool publishing, bool allOnly) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("measures", output::GeometryType::MultiPolygon, "Measures",
                                             "The register's measures, each with its area and its effect");
        std::vector<int> own;
        for (const char* name : {"measure_id", "name", "kind", "place", "start", "end", "responsible", "target",
                                 "status", "effect_category", "before_from", "after_to", "overlaps", "joint_group"})
            own.push_back(l.add(name, FieldType::Text));
        const int km2 = l.add("area_km2", FieldType::Real);
        std::vector<int> f;
        effectFields(l, f);
        std::vector<int> pf;
        for (const char* name : {"perceived_before_n", "perceived_after_n", "perceived_before_unsafe", "perceived_after_unsafe"})
            pf.push_back(l.add(name, FieldType::Integer));
        for (const char* name : {"perceived_before", "perceived_after", "perceived_change", "perceived_p",
                                 "unsafe_share_before", "unsafe_share_after", "perceived_vs_rest", "perceived_vs_rest_p"})
            pf.push_back(l.add(name, FieldType::Real));
        for (const char* name : {"perceived", "perceived_sv"}) pf.push_back(l.add(name, FieldType::Text));
        const int surveyArea = l.add("survey_area", FieldType::Text), surveyQuestion = l.add("survey_question", FieldType::Text),
                  surveyBeforeYear = l.add("survey_before_year", FieldType::Integer),
                  surveyBefore = l.add("survey_before", FieldType::Real),
                  surveyAfterYear = l.add("survey_after_year", FieldType::Integer),
                  surveyAfter = l.add("survey_after", FieldType::Real), survey = l.add("survey", FieldType::Text),
                  surveySv = l.add("survey_sv", FieldType::Text);
        for (const auto& m : r.measures) {
            l.setGeometry(m.areaWkb, "a measure's area");
            const Effect* e = allOnly && !m.effects.empty() ? &m.effects.front() : headline(m);
            const std::string values[] = {m.row.id, m.row.name, m.row.kind, m.row.place, dayText(m.start),
                                          m.end ? dayText(m.end - kDay) : std::string(), m.row.responsible,
                                          m.row.target, m.row.status, e ? e->category : std::string(),
                                          dayText(m.beforeFrom), dayText(m.afterTo - kDay),
                                          fmt::format("{}", fmt::join(m.overlaps, ", ")), m.jointGroup};
            for (std::size_t k = 0; k < own.size(); ++k) l.setText(own[k], values[k]);
            l.setReal(km2, m.areaM2 / 1e6);
            setEffect(l, f, m, e);
            setPerceived(l, pf, m);
            const auto text = [&](int f, const std::string& v) { v.empty() ? l.setNull(f) : l.setText(f, v); };
            text(surveyArea, m.surveyArea);
            text(surveyQuestion, m.surveyQuestion);
            m.surveyBeforeYear ? l.setInt(surveyBeforeYear, m.surveyBeforeYear) : l.setNull(surveyBeforeYear);
            m.surveyBeforeYear ? l.setReal(surveyBefore, m.surveyBefore) : l.setNull(surveyBefore);
            m.surveyAfterYear ? l.setInt(surveyAfterYear, m.surveyAfterYear) : l.setNull(surveyAfterYear);
            m.surveyAfterYear ? l.setReal(surveyAfter, m.surveyAfter) : l.setNull(surveyAfter);
            text(survey, m.surveyEn);
            text(surveySv, m.surveySv);
            l.write("a measure", m.row.id);
        }
        l.finish();
        std::vector<std::string> labels;
        for (const auto& c : output::measureVerdictColours())
            labels.push_back(output::classLabel("measures", "verdict_code", c.code, true));
        // A published result may be hidden (NULL): drawn in a class of its own, not left out.
        if (publishing) labels.push_back("Hidden (publishing: too few incidents to show)");
        writer.style("measures", output::measuresQml(labels, publishing), "Measures, by result");
    }
    static void setPerceived(output::LayerWriter& l, const std::vector<int>& f, const Measure& m) {
        const auto& c = m.perceived;
        if (!m.perceivedTried) {
            for (const int k : f) l.setNull(k);
            return;
        }
        l.setInt(f[0], static_cast<std::int64_t>(c.before.n));
        l.setInt(f[1], static_cast<std::int64_t>(c.after.n));
        // The unsafe reports, a count of their own (the share times n gives it back).
        l.setInt(f[2], std::llround(c.before.unsafeShare * static_cast<double>(c.before.n)));
        l.setInt(f[3], std::llround(c.after.unsafeShare * static_cast<double>(c.after.n)));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const auto or_ = [&](bool ok, double v) { return ok ? v : nan; };
        std::size_t k = 4;
        for (double v : {or_(c.before.n > 0, c.before.mean), or_(c.after.n > 0, c.after.mean), or_(c.defined, c.change),
                         or_(c.defined, c.p), or_(c.before.n > 0, c.before.unsafeShare),
                         or_(c.after.n > 0, c.after.unsafeShare), or_(c.againstRest, c.relative),
                         or_(c.againstRest, c.relativeP)})
            l.setReal(f[k++], v);
        l.setText(f[k++], m.perceivedEn);
        l.setText(f[k], m.perceivedSv);
    }
    static void writeEffects(const MeasuresResult& r, output::GpkgWriter& writer, bool publishing, bool allOnly) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("measure_effects", output::GeometryType::None, "Measure effects",
                                             "Each measure's effect for all incidents and per category");
        const int id = l.add("measure_id", FieldType::Text), category = l.add("category", FieldType::Text);
        std::vector<int> f;
        effectFields(l, f);
        for (const auto& m : r.measures)
            for (const auto& e : m.effects) {
                // Published: all incidents and the category the measure targets. Every category's
                // row besides would make a table whose rows and columns both add up to known
                // totals, and hiding its small counts would take the headline rows with them.
                if (publishing && e.category != "all" && (allOnly || e.category != m.targetCategory)) continue;
                l.setText(id, m.row.id);
                l.setText(category, e.category);
                setEffect(l, f, m, &e);
                l.write("a measure effect", m.row.id + " " + e.category);
            }
        l.finish();
        writer.style("measure_effects", output::tableQml(), "Measure effects");
    }
    static void writeLinks(const MeasuresResult& r, output::GpkgWriter& writer) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("problem_measures", output::GeometryType::None, "Problems and measures",
                                             "Which measure answers which problem of the lägesbild, problems with no "
                                             "measure and measures with no problem");
        const int problem = l.add("problem_id", FieldType::Text), measure = l.add("measure_id", FieldType::Text),
                  link = l.add("link", FieldType::Text), verdict = l.add("verdict_code", FieldType::Text);
        std::map<std::string, std::string> verdicts;
        for (const auto& m : r.measures) {
            const Effect* e = headline(m);
            verdicts[m.row.id] = stats::toString(e ? e->effect.verdict : stats::EffectVerdict::NotEvaluable);
        }
        for (const auto& x : r.links) {
            x.problemId.empty() ? l.setNull(problem) : l.setText(problem, x.problemId);
            x.measureId.empty() ? l.setNull(measure) : l.setText(measure, x.measureId);
            l.setText(link, x.link);
            x.measureId.empty() ? l.setNull(verdict) : l.setText(verdict, verdicts[x.measureId]);
            l.write("a problem's measure", x.problemId + " " + x.measureId);
        }
        l.finish();
        writer.style("problem_measures", output::tableQml(), "Problems and measures");
    }
    static void writeSuggestions(const MeasuresResult& r, output::GpkgWriter& writer, bool publishing) {
        using output::FieldType;
        output::LayerWriter l = writer.layer("measure_suggestions", output::GeometryType::None, "Suggested measures",
                                             "The kinds of measure a problem's figures point to, by the rules of "
                                             "[[measures.rules]], and whether a measure of that kind answers it");
        const int problem = l.add("problem_id", FieldType::Text), area = l.add("area_id", FieldType::Integer),
                  kind = l.add("suggested_kind", FieldType::Text), indicator = l.add("indicator", FieldType::Text),
                  reason = l.add("reason", FieldType::Text), value = l.add("value", FieldType::Real),
                  threshold = l.add("threshold", FieldType::Real), en = l.add("evidence", FieldType::Text),
                  sv = l.add("evidence_sv", FieldType::Text), by = l.add("answered_by", FieldType::Text);
        for (const auto& s : r.suggestions) {
            // A share of an area's incidents or safety reports, whose totals are published, gives
            // its count back (and the suggestion's existence bounds it): only the map's are published.
            if (publishing && s.indicator != "dark_share") continue;
            l.setText(problem, s.problemId);
            l.setInt(area, s.areaId);
            l.setText(kind, s.kind);
            l.setText(indicator, s.indicator);
            l.setText(reason, s.reason);
            l.setReal(value, s.value);
            l.setReal(threshold, s.threshold);
            l.setText(en, s.en);
            l.setText(sv, s.sv);
            s.answeredBy.empty() ? l.setNull(by) : l.setText(by, s.answeredBy);
            l.write("a suggested measure", s.problemId + " " + s.kind);
        }
        l.finish();
        writer.style("measure_suggestions", output::tableQml(), "Suggested measures");
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
