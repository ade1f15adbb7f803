// analysis.problems: the problems the lägesbild points out, each with an id that the åtgärdsplan
// (the measures register) can name: every hotspot area of incidents, every area of perceived
// insecurity, and every category that rose beyond chance in the latest period (table problems).
// The layer holds no counts: they are in the layers it points to (hotspot_areas by area_id,
// period_change by category), so publishing hides them in one place.
#include "Problems.hpp"
#include "Trend.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>

namespace trygg::pipeline::steps {
namespace {

// "stöld (337); skadegörelse (265)" -> "stöld, skadegörelse"; "19-20 (94)" -> "19-20".
std::string withoutCounts(const std::string& text) { return output::dropTextCounts(text, ", "); }

class Problems final : public Step {
public:
    Problems() : Step("analysis.problems", StepCost{0.01}) {}
    std::vector<std::string> needs() const override { return {"overlay.hotspot_areas", "temporal.trend"}; }
    bool enabled(const Analysis& a) const override {
        return a.results.find<HotspotAreasStep>() != nullptr || a.results.find<TrendStep>() != nullptr;
    }
    void run(Analysis& a, const Progress&) const override {
        const bool en = a.cfg.output.language == "en";
        ProblemsStep s;
        const auto next = [&] { return fmt::format("P{}", s.problems.size() + 1); };
        if (const auto* areas = a.results.find<HotspotAreasStep>()) {
            // Incidents first, then perceived insecurity; within each, by incidents, as the report lists them.
            for (const char* kind : {"incidents", "perception"}) {
                std::vector<const HotspotAreaRow*> rows;
                for (const auto& r : areas->rows)
                    if (r.kind == kind) rows.push_back(&r);
                std::stable_sort(rows.begin(), rows.end(), [](auto* x, auto* y) { return x->incidents > y->incidents; });
                for (const auto* r : rows) {
                    Problem p;
                    p.id = next();
                    p.kind = r->kind == "incidents" ? "hotspot" : "perceived";
                    p.areaId = r->id;
                    p.place = r->place;
                    p.title = r->kind == "incidents"
                                  ? fmt::format(fmt::runtime(en ? "Hot spot of reported incidents {}" : "Koncentration av anmälda brott {}"), r->place)
                                  : fmt::format(fmt::runtime(en ? "Perceived insecurity {}" : "Upplevd otrygghet {}"), r->place);
                    if (!r->peakWeekday.empty())
                        p.when = fmt::format("{}, {}", withoutCounts(r->peakWeekday), withoutCounts(r->peakHour));
                    std::string evidence;
                    if (!r->leadingCategories.empty())
                        evidence = fmt::format(fmt::runtime(r->kind == "incidents" ? (en ? "mostly {}" : "främst {}")
                                                                                   : (en ? "incidents there mostly {}" : "anmälda brott där främst {}")),
                                               withoutCounts(r->leadingCategories));
                    if (r->darkM2 > 0 && r->areaM2 > 0)
                        evidence += fmt::format(fmt::runtime(en ? "{}{:.0f} % of it dark (far from street lights)" : "{}{:.0f} % mörkt (långt från gatlampor)"),
                                                evidence.empty() ? "" : "; ", 100 * r->darkM2 / r->areaM2);
                    p.evidence = evidence;
                    p.wkb = &r->wkb;
                    p.area = r;
                    s.problems.push_back(std::move(p));
                }
            }
        }
        if (const auto* trend = a.results.find<TrendStep>(); trend && trend->periods.size() > 1) {
            for (std::size_t c = 0; c + 1 < trend->change.size(); ++c) {
                if (trend->change[c].direction(kTrendAlpha) <= 0) continue;
                Problem p;
                p.id = next();
                p.kind = "rise";
                p.category = a.reports.categories[c];
                p.title = fmt::format(fmt::runtime(en ? "Rise in {}" : "Ökning av {}"), p.category);
                p.when = trend->periods[0].label();
                p.evidence = fmt::format(fmt::runtime(en ? "{:+.0f} % against the period before (p = {:.3f})" : "{:+.0f} % mot perioden före (p = {:.3f})"),
                                         100 * (trend->change[c].ratioBefore - 1), trend->change[c].pBefore);
                if (a.publishing()) p.evidence = en ? "a rise beyond chance against the period before" : "en ökning utöver slumpen mot perioden före";
                s.problems.push_back(std::move(p));
            }
        }
        a.results.put(std::move(s));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto& s = a.results.get<ProblemsStep>(name());
        using output::FieldType;
        output::LayerWriter t = writer.layer(
            "problems", output::GeometryType::MultiPolygon, "Problems",
            "The problems the lägesbild points out, with the ids an åtgärdsplan names: hotspot areas, areas of "
            "perceived insecurity, categories that rose beyond chance");
        const int id = t.add("problem_id", FieldType::Text), kind = t.add("kind", FieldType::Text),
                  areaId = t.add("area_id", FieldType::Integer), category = t.add("category", FieldType::Text),
                  title = t.add("title", FieldType::Text), place = t.add("place", FieldType::Text),
                  when = t.add("peak_time", FieldType::Text), evidence = t.add("evidence", FieldType::Text);
        for (const auto& p : s.problems) {
            t.setText(id, p.id);
            t.setText(kind, p.kind);
            if (p.areaId) t.setInt(areaId, p.areaId);
            else t.setNull(areaId);
            t.setText(category, p.category);
            t.setText(title, p.title);
            t.setText(place, p.place);
            t.setText(when, p.when);
            t.setText(evidence, p.evidence);
            if (p.wkb && !p.wkb->empty()) t.setGeometry(*p.wkb, "a problem's area");
            t.write("a problem");
        }
        t.finish();
        // Outlined in orange and labelled with the id the åtgärdsplan uses.
        writer.style("problems", output::withLabels(output::outlineQml("230,120,0,255", 0.8, ""), "\"problem_id\"", 9, true, 8),
                     "Problems, outlined and labelled with their ids");
    }
    void metadata(const Analysis&, Metadata& md) const override {
        md.add("problems.rule", "one problem per hotspot area of incidents (by incidents), per area of perceived "
                                "insecurity, and per category that rose beyond chance against the period before "
                                "(period_change.change = 1); ids P1 .. in that order, per analysis");
    }
};

} // namespace

const Step& problems() {
    static const Problems step;
    return step;
}

} // namespace trygg::pipeline::steps
