#include "Perception.hpp"
#include "../Step.hpp"
#include "trygg/output/Styles.hpp"
#include "InputLayers.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

#include "trygg/temporal/TimeFilter.hpp"

namespace trygg::pipeline::steps {

perception::TimeOfDay timeOfDayOf(std::int64_t wallSeconds) {
    const std::int64_t hour = ((wallSeconds % 86400) + 86400) % 86400 / 3600;
    return hour >= 6 && hour < 18 ? perception::TimeOfDay::Day
           : hour >= 18 && hour < 22 ? perception::TimeOfDay::Evening
                                     : perception::TimeOfDay::Night;
}

PerceptionStep computePerception(Inputs& inputs, const Config& cfg, const geom::Area* area,
                                 const GridStep& g, const io::ReportSet& reports, const GiStarStep& incidents,
                                 const Progress& progress, RunSummary& summary) {
    const PerceptionConfig& pc = *cfg.perception;
    PerceptionStep s;
    io::ReportSourceSpec spec = pc.reports;
    spec.extraFields = {pc.scoreField};
    if (!pc.timeOfDayField.empty()) spec.extraFields.push_back(pc.timeOfDayField);
    if (!pc.reasonsField.empty()) spec.extraFields.push_back(pc.reasonsField);
    spec.rejectedKeepOnlyMapped = true;  // free text never leaves the input
    const perception::Scale scale = pc.scale;
    const bool hasTime = !pc.timeOfDayField.empty();
    spec.checkExtras = [&](const std::vector<std::string>& e) -> std::optional<io::ValueProblem> {
        const auto score = io::parseNumber(e[0]);
        if (!score || !scale.contains(*score))
            return io::ValueProblem{pc.scoreField, fmt::format("score '{}' is not on the scale {:g} to {:g}", e[0],
                                                               scale.min, scale.max)};
        if (hasTime && !perception::parseTimeOfDay(e[1]))
            return io::ValueProblem{pc.timeOfDayField,
                                    "'" + e[1] + "' is not dag, kväll, natt or a clock time such as 21:30"};
        return std::nullopt;
    };
    s.reports = inputs.reports(spec, area, progress);
    // The parsed values, reasons numbered in sorted order.
    std::map<std::string, std::int32_t> reasonIndex;
    std::vector<std::vector<std::string>> reasonText;
    for (const auto& e : s.reports.extras) {
        s.parsed.score.push_back(*io::parseNumber(e[0]));
        s.parsed.timeOfDay.push_back(hasTime ? *perception::parseTimeOfDay(e[1]) : perception::TimeOfDay::Unknown);
        reasonText.push_back(pc.reasonsField.empty() ? std::vector<std::string>{} : perception::splitReasons(e.back()));
        for (const auto& r : reasonText.back()) reasonIndex.emplace(r, 0);
    }
    std::int32_t k = 0;
    for (auto& [name, index] : reasonIndex) {
        index = k++;
        s.parsed.reasonNames.push_back(name);
    }
    for (const auto& list : reasonText) {
        std::vector<std::int32_t> ids;
        for (const auto& r : list) ids.push_back(reasonIndex.at(r));
        s.parsed.reasons.push_back(std::move(ids));
    }
    // Per cell.
    std::vector<std::int64_t> cellOf(s.reports.acceptedCount());
    for (std::size_t i = 0; i < cellOf.size(); ++i)
        cellOf[i] = g.cells.activeOf(g.lattice.cellOf(s.reports.x[i], s.reports.y[i]));
    s.cells = perception::summarise(s.parsed, cellOf, g.cells.size(), scale);
    // Hot spots of unsafe reports, over the incidents' neighbourhoods.
    s.gi.weights = incidents.weights;
    s.gi.values.assign(s.cells.unsafe.begin(), s.cells.unsafe.end());
    giStarOnValues(s.gi, cfg, "perception.gistar", progress, summary);
    // And on the mean score: the empirical-Bayes mean where a cell has reports, the study area's
    // mean where it has none (so empty cells pull no way), turned so that a high value is unsafe.
    s.giScore.weights = incidents.weights;
    s.giScore.values.resize(g.cells.size());
    for (std::size_t i = 0; i < g.cells.size(); ++i) {
        const double m = s.cells.n[i] > 0 ? s.cells.ebMean[i] : s.cells.grandMean;
        s.giScore.values[i] = scale.highIsUnsafe ? m : scale.min + scale.max - m;
    }
    giStarOnValues(s.giScore, cfg, "perception.gistar_score", progress, summary);
    // Fear versus crime.
    const auto& w = incidents.weights;
    s.around.assign(g.cells.size(), 0.0);
    s.classes.resize(g.cells.size());
    for (std::size_t i = 0; i < g.cells.size(); ++i) {
        for (auto kk = w.offsets[i]; kk < w.offsets[i + 1]; ++kk)
            s.around[i] += s.cells.n[static_cast<std::size_t>(w.index[static_cast<std::size_t>(kk)])];
        s.classes[i] = perception::classify(incidents.bins[i], s.gi.bins[i], s.around[i], pc.minNeighbourhood, pc.hotBin);
        ++s.cellsByClass[static_cast<std::size_t>(s.classes[i])];
    }
    s.reasons = perception::rankReasons(s.parsed, scale);
    // The same classes for chosen times of day: both sides filtered, Gi* again on each.
    if (!pc.classesFor.empty()) {
        auto chosen = [&](perception::TimeOfDay t) {
            return std::find(pc.classesFor.begin(), pc.classesFor.end(), t) != pc.classesFor.end();
        };
        GiStarStep inc;
        inc.weights = incidents.weights;
        inc.values.assign(g.cells.size(), 0.0);
        for (std::size_t i = 0; i < reports.acceptedCount(); ++i) {
            if (!reports.clockKnown(i)) continue;  // the time of day needs a clock time
            const std::int32_t c = g.cells.activeOf(g.pointCells[i]);
            if (c >= 0 && chosen(timeOfDayOf(reports.timeWallSeconds[i]))) inc.values[static_cast<std::size_t>(c)] += 1;
        }
        giStarOnValues(inc, cfg, "perception.gistar_times", progress, summary);
        GiStarStep per;
        per.weights = incidents.weights;
        per.values.assign(g.cells.size(), 0.0);
        std::vector<double> counts(g.cells.size(), 0.0);
        for (std::size_t i = 0; i < cellOf.size(); ++i) {
            if (cellOf[i] < 0 || !chosen(s.parsed.timeOfDay[i])) continue;
            counts[static_cast<std::size_t>(cellOf[i])] += 1;
            if (scale.isUnsafe(s.parsed.score[i])) per.values[static_cast<std::size_t>(cellOf[i])] += 1;
        }
        giStarOnValues(per, cfg, "perception.gistar_times", progress, summary);
        s.classesAtTimes.resize(g.cells.size());
        for (std::size_t i = 0; i < g.cells.size(); ++i) {
            double around = 0;
            for (auto kk = w.offsets[i]; kk < w.offsets[i + 1]; ++kk)
                around += counts[static_cast<std::size_t>(w.index[static_cast<std::size_t>(kk)])];
            s.classesAtTimes[i] = perception::classify(inc.bins[i], per.bins[i], around, pc.minNeighbourhood, pc.hotBin);
            ++s.cellsByClassAtTimes[static_cast<std::size_t>(s.classesAtTimes[i])];
        }
    }
    summary.perceptionRead = s.reports.rowsRead;
    summary.perceptionAccepted = static_cast<std::int64_t>(s.reports.acceptedCount());
    summary.fearCrimeCells = s.cellsByClass;
    return s;
}

void perceptionMetadata(const Config& cfg, const PerceptionStep& step, Metadata& md) {
    const auto& pr = step.reports;
    md.addSource("input.perception", pr.path, pr.rowsSha256);
    md.add("input.perception.crs", pr.sourceCrs);
    md.add("input.perception.rows_read", std::to_string(pr.rowsRead));
    md.add("input.perception.rows_accepted", std::to_string(pr.acceptedCount()));
    md.add("input.perception.rows_rejected", std::to_string(pr.rejected.size()));
    md.add("input.perception.free_text", "never copied: rejected rows keep only the fields Trygg reads");
    const auto& sc = cfg.perception->scale;
    md.add("perception.scale", fmt::format("{:g} to {:g}, {} is unsafe; unsafe from {:g}", sc.min, sc.max,
                                           sc.highIsUnsafe ? "high" : "low", sc.unsafeFrom));
    md.add("perception.min_reports", std::to_string(cfg.perception->minReports));
    md.add("perception.mean_shrinkage",
           fmt::format("empirical Bayes (normal-normal, Morris 1983) toward the study-area mean {:.4f}; within-cell "
                       "variance {:.4f}, between-cell variance {:.4f} (DerSimonian-Laird)",
                       step.cells.grandMean, step.cells.withinVariance, step.cells.betweenVariance));
    md.add("perception.gistar", "Gi* on the unsafe reports per cell, over the incidents' weights and inference");
    md.add("perception.gistar_score", "Gi* on the mean score per cell (empirical Bayes; the study-area mean where a "
                                      "cell has no report), oriented so that hot means unsafe: perc_score_* fields");
    md.add("fear_crime.rule", fmt::format("hot = Gi_Bin >= {}; too little data under {} perception reports in the "
                                          "neighbourhood",
                                          cfg.perception->hotBin, cfg.perception->minNeighbourhood));
    for (int c = 0; c < 5; ++c) {
        const auto& t = perception::text(static_cast<perception::FearCrime>(c));
        md.add(fmt::format("fear_crime.class_{}", c), fmt::format("{} | {} / {} | {} / {}", t.code, t.labelSv, t.labelEn,
                                                                  t.meaningSv, t.meaningEn));
        md.add(fmt::format("fear_crime.cells_{}", t.code), std::to_string(step.cellsByClass[static_cast<std::size_t>(c)]));
        if (!step.classesAtTimes.empty())
            md.add(fmt::format("fear_crime.times.cells_{}", t.code),
                   std::to_string(step.cellsByClassAtTimes[static_cast<std::size_t>(c)]));
    }
    if (!step.classesAtTimes.empty()) {
        std::string times;
        for (auto tt : cfg.perception->classesFor) times += (times.empty() ? "" : ", ") + std::string(perception::toString(tt));
        md.add("fear_crime.times", times + ": reports at these times against incidents at these hours (day 06-18, "
                                           "evening 18-22, night 22-06; incidents without a time left out)");
    }
}

namespace {

using output::FieldType;

// The times of day in a field name: "kväll_natt" as "kvall_natt" (output::fieldSlug).
std::string asciiTimes(const std::vector<perception::TimeOfDay>& times) {
    std::string label;
    for (auto t : times) {
        if (!label.empty()) label += '_';
        label += perception::toString(t);
    }
    return output::fieldSlug(label);
}

// perception_grid: residents' reports per cell, their hot spots, and fear versus crime.
void writeGrid(const Analysis& a, const PerceptionStep& perceived, output::GpkgWriter& writer) {
    const grid::Grid& g = a.results.get<GridStep>("perception").cells;
    const perception::CellSummary& s = perceived.cells;
    const std::vector<std::int8_t>& incidentBins = a.results.get<GiStarStep>("perception").bins;
    const std::uint32_t minReports = a.cfg.perception->minReports;
    const bool atTimes = !perceived.classesAtTimes.empty();
    output::LayerWriter layer = writer.layer(
        "perception_grid", output::GeometryType::Polygon, "Perceived safety and fear versus crime",
        "Residents' safety reports per cell, their hot spots, and each cell's fear-versus-crime class (meanings in "
        "run_metadata, fear_crime.class_*)");
    const int cellId = layer.add("cell_id", FieldType::Text), n = layer.add("perc_n", FieldType::Integer),
              unsafe = layer.add("perc_unsafe", FieldType::Integer),
              share = layer.add("perc_share_unsafe", FieldType::Real), mean = layer.add("perc_mean", FieldType::Real),
              meanEb = layer.add("perc_mean_eb", FieldType::Real), reasons = layer.add("perc_reasons", FieldType::Text),
              around = layer.add("perc_around", FieldType::Integer), z = layer.add("perc_GiZScore", FieldType::Real),
              p = layer.add("perc_GiPValue", FieldType::Real);
    const bool pseudo = !perceived.gi.pseudoP.empty();
    const int pseudoP = pseudo ? layer.add("perc_GiPseudoP", FieldType::Real) : -1;
    const int bin = layer.add("perc_Gi_Bin", FieldType::Int16), scoreZ = layer.add("perc_score_GiZScore", FieldType::Real),
              scoreP = layer.add("perc_score_GiPValue", FieldType::Real),
              scoreBin = layer.add("perc_score_Gi_Bin", FieldType::Int16), giBin = layer.add("Gi_Bin", FieldType::Int16),
              fearClass = layer.add("fear_crime_class", FieldType::Int16), fear = layer.add("fear_crime", FieldType::Text),
              fearEn = layer.add("fear_crime_en", FieldType::Text);
    int timesClass = -1, timesLabel = -1;
    if (atTimes) {
        const std::string times = asciiTimes(a.cfg.perception->classesFor);
        timesClass = layer.add("fear_crime_" + times + "_class", FieldType::Int16);
        timesLabel = layer.add("fear_crime_" + times, FieldType::Text);
    }
    for (std::size_t i = 0; i < g.size(); ++i) {
        layer.setText(cellId, layer.setCell(g, i));
        layer.setInt(n, s.n[i]);
        layer.setInt(unsafe, s.unsafe[i]);
        layer.setReal(share, s.n[i] > 0 ? static_cast<double>(s.unsafe[i]) / s.n[i] : std::nan(""));
        layer.setReal(mean, s.n[i] >= minReports ? s.mean[i] : std::nan(""));
        layer.setReal(meanEb, s.ebMean[i]);
        layer.setText(reasons, s.leadingReasons[i]);
        layer.setInt(around, static_cast<std::int64_t>(perceived.around[i]));
        layer.setReal(z, perceived.gi.z[i]);
        layer.setReal(p, perceived.gi.p[i]);
        if (pseudo) layer.setReal(pseudoP, perceived.gi.pseudoP[i]);
        layer.setInt(bin, perceived.gi.bins[i]);
        layer.setReal(scoreZ, perceived.giScore.z[i]);
        layer.setReal(scoreP, perceived.giScore.p[i]);
        layer.setInt(scoreBin, perceived.giScore.bins[i]);
        layer.setInt(giBin, incidentBins[i]);
        const auto c = perceived.classes[i];
        layer.setInt(fearClass, static_cast<int>(c));
        layer.setText(fear, perception::text(c).labelSv);
        layer.setText(fearEn, perception::text(c).labelEn);
        if (atTimes) {
            const auto ct = perceived.classesAtTimes[i];
            layer.setInt(timesClass, static_cast<int>(ct));
            layer.setText(timesLabel, perception::text(ct).labelSv);
        }
        layer.write("a perception cell");
    }
    layer.finish();
    // The legend's labels are replaced by the declared ones in the project's language
    // (output/DeclaredStyle.cpp); these English ones are only the style's defaults.
    std::vector<std::string> labels;
    for (int c = 0; c < 5; ++c) labels.push_back(perception::text(static_cast<perception::FearCrime>(c)).labelEn);
    writer.style("perception_grid", output::fearCrimeQml(labels), "Fear versus crime, both ways");
}

// perception_reasons: per reason, the reports citing it and the share unsafe against the whole.
void writeReasons(const std::vector<perception::ReasonRow>& rows, output::GpkgWriter& writer) {
    output::LayerWriter t = writer.layer(
        "perception_reasons", output::GeometryType::None, "What goes with feeling unsafe",
        "Per reason: reports citing it, the unsafe among them, and the share unsafe against the share overall (lift)");
    const int reason = t.add("reason", FieldType::Text), reports = t.add("reports", FieldType::Integer),
              unsafe = t.add("unsafe_reports", FieldType::Integer), share = t.add("share_unsafe", FieldType::Real),
              overall = t.add("share_unsafe_overall", FieldType::Real), lift = t.add("lift", FieldType::Real);
    for (const auto& r : rows) {
        t.setText(reason, r.reason);
        t.setInt(reports, r.reports);
        t.setInt(unsafe, r.unsafe);
        t.setReal(share, r.shareUnsafe);
        t.setReal(overall, r.shareUnsafeOverall);
        t.setReal(lift, r.lift);
        t.write("a reason");
    }
    t.finish();
    writer.style("perception_reasons", output::tableQml(), "Reasons");
}

class PerceptionStepDef final : public Step {
public:
    PerceptionStepDef() : Step("perception", StepCost{0.3, 0, 5e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const RunSummary& s = a.summary;
        lines.push_back(fmt::format("Perception: {} read, {} accepted; fear vs crime: both {} / perceived only {} / "
                                    "incidents only {} / neither {} cells ({} with too little data)",
                                    s.perceptionRead, s.perceptionAccepted, s.fearCrimeCells[1], s.fearCrimeCells[2],
                                    s.fearCrimeCells[3], s.fearCrimeCells[4], s.fearCrimeCells[0]));
    }
    void inputFiles(const Config& cfg, const AddFile& add) const override {
        if (cfg.perception) add("perception", cfg.perception->reports.path);
    }
    const char* analysisSwitch() const override { return "perception"; }
    void switchOff(Config& cfg) const override { cfg.perception.reset(); }
    std::vector<const char*> configTables() const override { return {"perception"}; }
    void readConfig(const ConfigTable& file, Config& cfg) const override {
        const auto t = file.table("perception", "must be a table ([perception])");
        if (!t) return;
        t->onlyKnown({"path", "layer", "crs", "x_field", "y_field", "id_field", "score_field", "time_of_day_field",
                      "reasons_field", "scale_min", "scale_max", "unsafe", "unsafe_from", "min_reports",
                      "min_reports_around", "hot_bin", "classes_for"});
        PerceptionConfig p;
        p.reports.what = "perception";
        p.reports.path = t->path("path");
        if (p.reports.path.empty()) t->failAt("perception.path", "missing: give the file of perception reports");
        p.reports.layer = t->str("layer").value_or("");
        p.reports.crs = t->str("crs").value_or("");
        p.reports.fields.x = t->str("x_field").value_or("");
        p.reports.fields.y = t->str("y_field").value_or("");
        p.reports.fields.id = t->str("id_field").value_or("");
        p.scoreField = t->str("score_field").value_or("");
        if (p.scoreField.empty()) t->failAt("perception.score_field", "missing: name the field with the score");
        p.timeOfDayField = t->str("time_of_day_field").value_or("");
        p.reasonsField = t->str("reasons_field").value_or("");
        if (auto v = t->number("scale_min")) p.scale.min = *v;
        if (auto v = t->number("scale_max")) p.scale.max = *v;
        if (!(p.scale.max > p.scale.min)) t->failAt("perception.scale_max", "must be above scale_min");
        if (auto v = t->str("unsafe")) {
            if (*v != "high" && *v != "low") t->fail("unsafe", "'" + *v + "' is not \"high\" or \"low\" (the unsafe end)");
            p.scale.highIsUnsafe = *v == "high";
        }
        p.scale.unsafeFrom = p.scale.highIsUnsafe ? p.scale.max - 2 : p.scale.min + 2;
        if (auto v = t->number("unsafe_from")) p.scale.unsafeFrom = *v;
        if (!p.scale.contains(p.scale.unsafeFrom)) t->failAt("perception.unsafe_from", "must lie on the scale");
        if (auto v = t->number("min_reports")) p.minReports = static_cast<std::uint32_t>(std::max(1.0, *v));
        if (auto v = t->number("min_reports_around")) p.minNeighbourhood = static_cast<std::uint32_t>(std::max(1.0, *v));
        if (auto v = t->number("hot_bin")) {
            if (*v < 1 || *v > 3) t->fail("hot_bin", "must be 1, 2 or 3");
            p.hotBin = static_cast<int>(*v);
        }
        const std::string times = "each entry must be \"dag\", \"kväll\" or \"natt\"";
        if (const auto list = t->texts("classes_for", "must be a list such as [\"kväll\", \"natt\"]")) {
            for (const auto& v : *list) {
                const auto tod = perception::parseTimeOfDay(v);
                if (!tod || *tod == perception::TimeOfDay::Unknown) t->fail("classes_for", times);
                p.classesFor.push_back(*tod);
            }
            if (p.timeOfDayField.empty())
                t->fail("classes_for", "needs time_of_day_field to know when each report was made");
        }
        cfg.perception = p;
    }
    std::vector<std::string> needs() const override { return {"grid.count", "stats.gistar"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.perception.has_value(); }
    void run(Analysis& a, const Progress& progress) const override {
        const auto* gi = a.results.find<GiStarStep>();
        if (!gi) throw InputError("perception: needs the hotspot grid ([grid] enabled = true)");
        progress.update(0.0, a.cfg.perception->reports.path);
        a.results.put(computePerception(a.inputs, a.cfg, a.area(), a.results.get<GridStep>(name()), a.reports, *gi,
                                        progress, a.summary));
    }
    // perception_grid; the main analysis also the reasons and the rejected rows, which are the
    // same residents' reports in every analysis.
    void write(const Analysis& a, output::GpkgWriter& writer, const Progress&) const override {
        const PerceptionStep& perceived = a.results.get<PerceptionStep>(name());
        writeGrid(a, perceived, writer);
        if (a.main) writeReasons(perceived.reasons, writer);
        if (a.main && !a.publishing()) writeRejectedRows(perceived.reports, "rejected_perception", writer);
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        perceptionMetadata(a.cfg, a.results.get<PerceptionStep>(name()), md);
    }
};

} // namespace

const Step& perceptionStep() {
    static const PerceptionStepDef step;
    return step;
}

} // namespace trygg::pipeline::steps
