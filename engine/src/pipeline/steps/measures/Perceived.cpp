// Perceived safety before and after each measure: the perception reports ([perception]) in its
// zone (its area and buffer: reports are few, and a measure is felt around it too) in its windows,
// against those outside every zone in the same windows (stats/PerceivedChange.hpp). A side with
// fewer than kMinReports reports (or [perception] min_reports, when more) is too few to tell.
#include "Measures.hpp"

#include "trygg/io/Values.hpp"

#include "../Areas.hpp"
#include "../Perception.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <algorithm>
#include <map>

namespace trygg::pipeline::steps::measure {
namespace {

constexpr double kMinReports = 5;

std::string score(double v) { return fmt::format("{:.1f}", v); }

} // namespace

namespace {

// The survey's indices for the area each measure lies in (the area holding a point on its surface).
void surveyFollowUp(const Analysis& a, MeasuresResult& res) {
    const AreaStep* areas = a.results.find<AreaStep>();
    if (!areas || !areas->survey) return;
    auto h = a.geos.handle();
    for (auto& m : res.measures) {
        const geom::GeomPtr g = geom::fromWkb(a.geos, m.areaWkb);
        const geom::GeomPtr pt(g ? GEOSPointOnSurface_r(h, g.get()) : nullptr);
        if (!pt) continue;
        for (std::size_t k = 0; k < areas->wkb.size() && k < areas->layer.ids.size() && m.surveyArea.empty(); ++k) {
            const geom::GeomPtr area = geom::fromWkb(a.geos, areas->wkb[k]);
            if (area && GEOSCovers_r(h, area.get(), pt.get()) == 1) m.surveyArea = areas->layer.ids[k];
        }
        if (m.surveyArea.empty()) continue;
        int startYear = 0, month = 0, day = 0;
        io::civilFromDays(m.start / kDay, startYear, month, day);
        // Per question: the last year before the start's year and the first after it.
        std::map<std::string, std::pair<const io::SurveyRow*, const io::SurveyRow*>> byQuestion;
        for (const auto& row : areas->survey->rows) {
            if (row.area != m.surveyArea) continue;
            auto& [before, after] = byQuestion[row.question];
            if (row.year < startYear && (!before || row.year > before->year)) before = &row;
            if (row.year > startYear && (!after || row.year < after->year)) after = &row;
        }
        std::vector<std::string> en, sv;
        for (const auto& [question, pair] : byQuestion) {
            const auto [before, after] = pair;
            if (!before && !after) continue;
            const auto side = [](const io::SurveyRow* r, const char* none) {
                return r ? fmt::format("{:.2f} ({})", r->index, r->year) : std::string(none);
            };
            en.push_back(fmt::format("'{}' {} → {}", question, side(before, "no year before"), side(after, "no year after yet")));
            sv.push_back(fmt::format("'{}' {} → {}", question, side(before, "inget år före"), side(after, "inget år efter ännu")));
            if (m.surveyQuestion.empty()) {
                m.surveyQuestion = question;
                if (before) m.surveyBeforeYear = before->year, m.surveyBefore = before->index;
                if (after) m.surveyAfterYear = after->year, m.surveyAfter = after->index;
            }
        }
        if (en.empty()) continue;
        if (!m.surveyAfterYear && std::none_of(byQuestion.begin(), byQuestion.end(), [](const auto& q) {
                return q.second.first && q.second.second;
            })) {
            // Nothing to compare yet: say so in a line, not a list of years before.
            m.surveyEn = fmt::format("Survey of area {}: no year after its start yet.", m.surveyArea);
            m.surveySv = fmt::format("Trygghetsmätningen för område {}: inget år efter starten ännu.", m.surveyArea);
            continue;
        }
        m.surveyEn = fmt::format("Survey indices of area {}, the year before and after its start (no test: the survey gives "
                                 "no spread): {}.",
                                 m.surveyArea, fmt::join(en, "; "));
        m.surveySv = fmt::format("Trygghetsmätningens index för område {}, året före och efter starten (utan test: mätningen "
                                 "anger ingen spridning): {}.",
                                 m.surveyArea, fmt::join(sv, "; "));
    }
}

} // namespace

void perceivedFollowUp(const Analysis& a, MeasuresResult& res) {
    surveyFollowUp(a, res);
    const PerceptionStep* p = a.results.find<PerceptionStep>();
    if (!p) return;
    const io::ReportSet& r = p->reports;
    const perception::Scale& scale = a.cfg.perception->scale;
    const double minReports = std::max(kMinReports, static_cast<double>(a.cfg.perception->minReports));
    const auto unsafe = [&](double s) { return scale.isUnsafe(s); };
    // Per report: inside some measure's zone?
    std::vector<char> inAnyZone(r.acceptedCount(), 0);
    for (std::size_t i = 0; i < r.acceptedCount(); ++i)
        for (const auto& m : res.measures)
            if (m.zone->coversPoint(r.x[i], r.y[i])) {
                inAnyZone[i] = 1;
                break;
            }
    for (auto& m : res.measures) {
        if (!m.notEvaluable.empty() || r.timeWallSeconds.empty()) continue;
        m.perceivedTried = true;
        std::vector<double> a0, a1, r0, r1;
        for (std::size_t i = 0; i < r.acceptedCount(); ++i) {
            const std::int64_t t = r.timeWallSeconds[i];
            if (t == io::kNoTime || t < m.beforeFrom || t >= m.afterTo) continue;
            const bool after = t >= m.start;
            const double s = p->parsed.score[i];
            if (m.zone->coversPoint(r.x[i], r.y[i])) (after ? a1 : a0).push_back(s);
            else if (!inAnyZone[i]) (after ? r1 : r0).push_back(s);
        }
        const auto sample = [&](const std::vector<double>& v) { return stats::meanSample(std::span<const double>(v), unsafe); };
        m.perceived = stats::perceivedChange(sample(a0), sample(a1), sample(r0), sample(r1), minReports);
        const auto& c = m.perceived;
        if (!c.defined) {
            m.perceivedEn = fmt::format("Too few safety reports to tell: {:.0f} before and {:.0f} after in and around it "
                                        "(at least {:.0f} each needed).",
                                        c.before.n, c.after.n, minReports);
            m.perceivedSv = fmt::format("För få trygghetsrapporter för att avgöra: {:.0f} före och {:.0f} efter i och runt "
                                        "den (minst {:.0f} av varje behövs).",
                                        c.before.n, c.after.n, minReports);
            continue;
        }
        const bool safer = c.p <= 0.05 && ((c.change < 0) == scale.highIsUnsafe);
        const bool lessSafe = c.p <= 0.05 && !safer;
        const std::string figures = fmt::format("{} → {}, p = {:.2f}; unsafe {:.0f} % → {:.0f} %", score(c.before.mean),
                                                score(c.after.mean), c.p, 100 * c.before.unsafeShare,
                                                100 * c.after.unsafeShare);
        const std::string figuresSv = fmt::format("{} → {}, p = {:.2f}; otrygga {:.0f} % → {:.0f} %",
                                                  score(c.before.mean), score(c.after.mean), c.p,
                                                  100 * c.before.unsafeShare, 100 * c.after.unsafeShare);
        m.perceivedEn = fmt::format("{} in and around it (mean score of {:.0f} reports before and {:.0f} after: {}).",
                                    safer ? "Residents feel safer" : lessSafe ? "Residents feel less safe"
                                                                              : "No change in perceived safety beyond chance",
                                    c.before.n, c.after.n, figures);
        m.perceivedSv = fmt::format("{} i och runt den (medelvärde av {:.0f} rapporter före och {:.0f} efter: {}).",
                                    safer ? "De boende känner sig tryggare" : lessSafe ? "De boende känner sig otryggare"
                                                                                       : "Ingen förändring i upplevd trygghet utöver slumpen",
                                    c.before.n, c.after.n, figuresSv);
        if (c.againstRest) {
            m.perceivedEn += fmt::format(" Against the rest of the study area: {:+.1f} (p = {:.2f}).", c.relative, c.relativeP);
            m.perceivedSv += fmt::format(" Mot resten av området: {:+.1f} (p = {:.2f}).", c.relative, c.relativeP);
        }
    }
}

} // namespace trygg::pipeline::steps::measure
