// temporal.trend: the lägesbild's trend. Incidents month by month (monthly_counts), the latest
// complete period of [lagesbild] period (or --since-last) and the periods before it
// (period_counts), and per category whether the latest period rose or fell beyond chance
// against the period before and against the baseline (period_change; temporal/Trend.hpp).
#include "Trend.hpp"
#include "../ConfigTable.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"
#include "trygg/temporal/Trend.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace trygg::pipeline::steps {
namespace {



using temporal::dayOf;

class Trend final : public Step {
public:
    Trend() : Step("temporal.trend", StepCost{0.01, 3e-8}) {}
    std::vector<const char*> configTables() const override { return {"lagesbild"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("lagesbild", "must be a table ([lagesbild])");
        if (!t) return;
        t->onlyKnown({"period", "until"});
        if (auto v = t->str("period")) {
            if (!temporal::periodKind(*v)) t->fail("period", "'" + *v + "' is not \"week\", \"month\", \"quarter\" or \"year\"");
            cfg.lagesbild.period = *v;
        }
        if (auto v = t->str("until")) {
            const auto d = io::parseDateTime(*v);
            if (!d || d->hasTime) t->fail("until", "'" + *v + "' is not a date such as \"2024-12-31\"");
            cfg.lagesbild.until = io::daysFromCivil(d->year, d->month, d->day);
        }
    }
    bool enabled(const Analysis& a) const override { return !a.reports.timeWallSeconds.empty(); }
    void run(Analysis& a, const Progress&) const override {
        const io::ReportSet& r = a.reports;
        TrendStep s;
        const std::size_t nc = r.categories.size();
        s.months = temporal::monthlyCounts(r.timeWallSeconds, r.category, nc);
        s.kind = *temporal::periodKind(a.cfg.lagesbild.period);
        // The periods are the run's, the same for every analysis: within the span the data cover
        // (the incidents as read, narrowed by the filter's dates).
        std::int64_t first = a.summary.firstWall, last = a.summary.lastWall;
        if (a.cfg.filter.from) first = std::max(first, *a.cfg.filter.from);
        if (a.cfg.filter.to) last = std::min(last, *a.cfg.filter.to - 1);
        if (first != io::kNoTime && first <= last) {
            const std::int64_t firstDay = dayOf(first), lastDay = dayOf(last);
            const temporal::DayRange latest = a.cfg.lagesbild.until
                                                  ? temporal::periodsEndingAt(s.kind, *a.cfg.lagesbild.until, 1)[0]
                                                  : temporal::latestCompletePeriod(s.kind, lastDay);
            // The latest period and every one before it that the data cover in full.
            for (const auto& p : temporal::periodsEndingAt(s.kind, latest.last, 1000)) {
                if (p.first < firstDay) break;
                s.periods.push_back(p);
            }
        }
        s.perPeriod.assign(s.periods.size(), std::vector<std::int64_t>(nc + 1, 0));
        for (std::size_t i = 0; i < r.timeWallSeconds.size() && !s.periods.empty(); ++i) {
            if (r.timeWallSeconds[i] == io::kNoTime) continue;
            const std::int64_t day = dayOf(r.timeWallSeconds[i]);
            if (day > s.periods.front().last || day < s.periods.back().first) continue;
            // The periods run back in time: the first whose first day is at or before `day`.
            const auto k = static_cast<std::size_t>(
                std::partition_point(s.periods.begin(), s.periods.end(), [&](const auto& p) { return day < p.first; }) -
                s.periods.begin());
            ++s.perPeriod[k][nc];
            if (!r.category.empty() && r.category[i] >= 0) ++s.perPeriod[k][static_cast<std::size_t>(r.category[i])];
        }
        for (std::size_t c = 0; c <= nc; ++c) {
            std::vector<std::int64_t> series;
            for (const auto& row : s.perPeriod) series.push_back(row[c]);
            s.change.push_back(temporal::comparePeriods(series));
        }
        a.results.put(std::move(s));
    }
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const auto& s = a.results.get<TrendStep>(name());
        const auto fields = output::categoryFieldNames(a.reports.categories);
        using output::FieldType;
        {
            output::LayerWriter t = writer.layer("monthly_counts", output::GeometryType::None, "Incidents per month",
                                                 "Incidents per calendar month and category, the trend of the lägesbild");
            const int month = t.add("month", FieldType::Text), n = t.add("n", FieldType::Integer);
            for (const auto& f : fields) t.add(f, FieldType::Integer);
            for (std::size_t m = 0; m < s.months.months(); ++m) {
                t.setText(month, s.months.label(m));
                const auto& row = s.months.counts[m];
                t.setInt(n, row.back());
                for (std::size_t c = 0; c + 1 < row.size(); ++c) t.setInt(n + 1 + static_cast<int>(c), row[c]);
                t.write("a month's counts");
            }
            t.finish();
            writer.style("monthly_counts", output::tableQml(), "Incidents per month");
        }
        {
            output::LayerWriter t = writer.layer(
                "period_counts", output::GeometryType::None, "Incidents per period",
                "Incidents in the latest complete period of [lagesbild] (periods_back 0) and in each period before it");
            const int back = t.add("periods_back", FieldType::Integer), from = t.add("first_day", FieldType::Text),
                      to = t.add("last_day", FieldType::Text), n = t.add("n", FieldType::Integer);
            for (const auto& f : fields) t.add(f, FieldType::Integer);
            for (std::size_t k = 0; k < s.periods.size(); ++k) {
                t.setInt(back, static_cast<std::int64_t>(k));
                const auto label = s.periods[k].label();
                t.setText(from, label.substr(0, 10));
                t.setText(to, label.substr(11));
                t.setInt(n, s.perPeriod[k].back());
                for (std::size_t c = 0; c + 1 < s.perPeriod[k].size(); ++c) t.setInt(n + 1 + static_cast<int>(c), s.perPeriod[k][c]);
                t.write("a period's counts");
            }
            t.finish();
            writer.style("period_counts", output::tableQml(), "Incidents per period");
        }
        {
            output::LayerWriter t = writer.layer(
                "period_change", output::GeometryType::None, "What rose and what fell",
                "Per category: the latest period against the one before and against the mean of all before it, with "
                "exact conditional binomial tests (change 1 rose, -1 fell, 0 no change beyond chance at p < 0.05)");
            const int category = t.add("category", FieldType::Text), change = t.add("change", FieldType::Int16),
                      ratioBefore = t.add("ratio_before", FieldType::Real), pBefore = t.add("p_before", FieldType::Real),
                      ratioBaseline = t.add("ratio_baseline", FieldType::Real),
                      pBaseline = t.add("p_baseline", FieldType::Real),
                      changeBaseline = t.add("change_baseline", FieldType::Int16);
            for (std::size_t c = 0; c < s.change.size(); ++c) {
                const auto& x = s.change[c];
                t.setText(category, c + 1 == s.change.size() ? std::string("all") : a.reports.categories[c]);
                t.setInt(change, x.direction(kTrendAlpha));
                t.setReal(ratioBefore, x.ratioBefore);
                t.setReal(pBefore, x.pBefore);
                t.setReal(ratioBaseline, x.ratioBaseline);
                t.setReal(pBaseline, x.pBaseline);
                const double expected = x.baselinePeriods ? static_cast<double>(x.baselineTotal) / x.baselinePeriods : 0;
                t.setInt(changeBaseline, !(x.pBaseline < kTrendAlpha) ? 0 : x.now > expected ? 1 : -1);
                t.write("a category's change");
            }
            t.finish();
            writer.style("period_change", output::tableQml(), "What rose and what fell");
        }
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const auto& s = a.results.get<TrendStep>(name());
        md.add("trend.period", temporal::toString(s.kind));
        if (!s.periods.empty()) {
            md.add("trend.latest", s.periods.front().label());
            if (s.periods.size() > 1) md.add("trend.before", s.periods[1].label());
            md.add("trend.baseline_periods", std::to_string(s.periods.size() - 1));
        }
        md.add("trend.rule", a.cfg.lagesbild.until ? "the period holding [lagesbild] until"
                                                   : "the latest complete calendar period of the data (the one holding "
                                                     "the last report when that is its last day, else the one before)");
        md.add("trend.method", "exact conditional binomial tests (R's binom.test): the latest count given it plus the "
                               "count before (q = 1/2), and given it plus the baseline's total over k periods (q = 1/(k+1)); "
                               "change at p < 0.05, not corrected for the number of categories");
    }
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const auto& s = a.results.get<TrendStep>(name());
        if (s.periods.size() < 2) return;
        const auto& all = s.change.back();
        lines.push_back(fmt::format("Trend: {} {} against {} before ({:+.0f} %{})", s.periods[0].label(), all.now,
                                    all.before, 100 * (all.ratioBefore - 1),
                                    all.direction(kTrendAlpha) ? ", beyond chance" : ", within chance"));
    }
};

} // namespace

const Step& trend() {
    static const Trend step;
    return step;
}

} // namespace trygg::pipeline::steps
