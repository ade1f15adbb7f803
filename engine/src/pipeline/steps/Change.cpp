#include "Change.hpp"
#include "../Step.hpp"

#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace trygg::pipeline::steps {

ChangeStep computeChange(const Config& cfg, const io::ReportSet& reports, const GridStep& g, RunSummary& summary) {
    const temporal::TimeFilter& before = cfg.periods.at(cfg.change->before);
    const temporal::TimeFilter& after = cfg.periods.at(cfg.change->after);
    if (reports.timeWallSeconds.empty())
        throw InputError(fmt::format("change: '{}' has no time field, so the periods cannot be told apart. Name the time "
                                     "field under [incidents] (time = \"...\"), or remove [change]",
                                     cfg.incidents.path));
    ChangeStep c;
    c.before.assign(g.cells.size(), 0);
    c.after.assign(g.cells.size(), 0);
    c.daysBefore = static_cast<double>(*before.to - *before.from) / 86400.0;
    c.daysAfter = static_cast<double>(*after.to - *after.from) / 86400.0;
    std::int64_t inBefore = 0, inAfter = 0;
    for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
        const std::int64_t t = reports.timeWallSeconds[i];
        if (t == io::kNoTime) continue;
        const std::int32_t cell = g.cells.activeOf(g.pointCells[i]);
        if (cell < 0) continue;
        if (before.keeps(t)) ++c.before[static_cast<std::size_t>(cell)], ++inBefore;
        if (after.keeps(t)) ++c.after[static_cast<std::size_t>(cell)], ++inAfter;
    }
    for (const auto& [name, n] : {std::pair{cfg.change->before, inBefore}, std::pair{cfg.change->after, inAfter}})
        if (n == 0)
            summary.warnings.push_back(fmt::format("change: no report falls in period '{}' ({}); every cell compares "
                                                   "against zero. Check the period and [filter]",
                                                   name, cfg.periods.at(name).describe()));
    c.result = stats::comparePeriods(c.before, c.after, c.daysBefore, c.daysAfter, cfg.inference.correction);
    summary.changeBefore = inBefore;
    summary.changeAfter = inAfter;
    for (auto b : c.result.bins) ++summary.cellsByChangeBin[static_cast<std::size_t>(b + 3)];
    return c;
}

void changeMetadata(const Config& cfg, const RunSummary& summary, Metadata& md) {
    const auto& b = cfg.periods.at(cfg.change->before);
    const auto& a = cfg.periods.at(cfg.change->after);
    md.add("change.before", cfg.change->before + ": " + b.describe());
    md.add("change.after", cfg.change->after + ": " + a.describe());
    md.add("change.before_sv", cfg.change->before + ": " + b.describe(true));  // for a Swedish report
    md.add("change.after_sv", cfg.change->after + ": " + a.describe(true));
    md.add("change.days", fmt::format("{:g} / {:g}", static_cast<double>(*b.to - *b.from) / 86400.0,
                                      static_cast<double>(*a.to - *a.from) / 86400.0));
    md.add("change.reports", fmt::format("{} / {}", summary.changeBefore, summary.changeAfter));
    md.add("change.method",
           "conditional binomial test per cell (Przyborowski & Wilenski 1940): n_after given n_before + n_after is "
           "Binomial(n, days_after / (days_before + days_after)) under an unchanged rate; exact two-sided p as R's "
           "binom.test; rate_ratio = (n_after / days_after) / (n_before / days_before); period lengths from their "
           "dates only");
    md.add("change.correction", stats::toString(cfg.inference.correction));
    for (int k = -3; k <= 3; ++k)
        md.add(fmt::format("change.cells_bin_{}", k), std::to_string(summary.cellsByChangeBin[static_cast<std::size_t>(k + 3)]));
}

namespace {

class Change final : public Step {
public:
    Change() : Step("stats.change", StepCost{0.05, 0, 1e-6}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        lines.push_back(fmt::format("Change: {} / {} reports in the two periods; increase {} / {} / {} cells at 99 / 95 / "
                                    "90 %, decrease {} / {} / {}",
                                    s.changeBefore, s.changeAfter, s.cellsByChangeBin[6], s.cellsByChangeBin[5],
                                    s.cellsByChangeBin[4], s.cellsByChangeBin[0], s.cellsByChangeBin[1],
                                    s.cellsByChangeBin[2]));
    }
    const char* analysisSwitch() const override { return "change"; }
    void switchOff(Config& cfg) const override { cfg.change.reset(); }
    // The two periods, by their names in [periods] (read with the run's tables, before the steps').
    std::vector<const char*> configTables() const override { return {"change"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("change", "must be a table ([change])");
        if (!t) return;
        t->onlyKnown({"before", "after"});
        ChangeConfig c;
        for (auto [key, name] : {std::pair{"before", &c.before}, std::pair{"after", &c.after}}) {
            const auto v = t->str(key);
            if (!v) t->failAt(std::string("change.") + key, "missing: name a period from [periods]");
            const auto it = cfg.periods.find(*v);
            if (it == cfg.periods.end()) t->fail(key, "no period named '" + *v + "' in [periods]");
            if (!it->second.from || !it->second.to)
                t->fail(key, "period '" + *v + "' needs both from and to, so that its length is known");
            *name = *v;
        }
        if (c.before == c.after) t->failAt("change", "before and after are the same period");
        cfg.change = c;
    }
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.change.has_value(); }
    void run(Analysis& a, const Progress&) const override {
        a.results.put(computeChange(a.cfg, a.reports, a.results.get<GridStep>(name()), a.summary));
    }
    // change_grid: per cell, the incidents of both periods and the change class.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const ChangeStep& change = a.results.get<ChangeStep>(name());
        const grid::Grid& g = a.results.get<GridStep>(name()).cells;
        const std::string& before = a.cfg.change->before;
        const std::string& after = a.cfg.change->after;
        using output::FieldType;
        output::LayerWriter layer =
            writer.layer("change_grid", output::GeometryType::Polygon, "Change between periods",
                         "Incidents per cell in " + before + " and " + after +
                             ", and whether the change is larger than chance (conditional binomial test)");
        const int cellId = layer.add("cell_id", FieldType::Text), periodBefore = layer.add("period_before", FieldType::Text),
                  periodAfter = layer.add("period_after", FieldType::Text), nBefore = layer.add("n_before", FieldType::Integer),
                  nAfter = layer.add("n_after", FieldType::Integer), delta = layer.add("change", FieldType::Integer),
                  ratio = layer.add("rate_ratio", FieldType::Real), p = layer.add("change_p", FieldType::Real),
                  bin = layer.add("change_bin", FieldType::Int16);
        for (std::size_t i = 0; i < g.size(); ++i) {
            layer.setText(cellId, layer.setCell(g, i));
            layer.setText(periodBefore, before);
            layer.setText(periodAfter, after);
            const auto n0 = change.before[i], n1 = change.after[i];
            layer.setInt(nBefore, n0);
            layer.setInt(nAfter, n1);
            layer.setInt(delta, static_cast<std::int64_t>(n1) - static_cast<std::int64_t>(n0));
            layer.setReal(ratio, change.result.rateRatio[i]);
            layer.setReal(p, change.result.p[i]);
            layer.setInt(bin, change.result.bins[i]);
            layer.write("a change cell");
        }
        layer.finish();
        writer.style("change_grid",
                     output::binClassesQml("change_bin",
                                           {"Increase, 99 % confidence", "Increase, 95 % confidence",
                                            "Increase, 90 % confidence", "No significant change",
                                            "Decrease, 90 % confidence", "Decrease, 95 % confidence",
                                            "Decrease, 99 % confidence"}),
                     "Change between " + before + " and " + after + ", by significance");
    }
    void metadata(const Analysis& a, Metadata& md) const override { changeMetadata(a.cfg, a.summary, md); }
};

} // namespace

const Step& change() {
    static const Change step;
    return step;
}

} // namespace trygg::pipeline::steps
