// Perceived safety before and after each measure: the perception reports ([perception]) in its
// zone (its area and buffer: reports are few, and a measure is felt around it too) in its windows,
// against those outside every zone in the same windows (stats/PerceivedChange.hpp). A side with
// fewer than kMinReports reports (or [perception] min_reports, when more) is too few to tell.
#include "Measures.hpp"

#include "../Perception.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace trygg::pipeline::steps::measure {
namespace {

constexpr double kMinReports = 5;

std::string score(double v) { return fmt::format("{:.1f}", v); }

} // namespace

void perceivedFollowUp(const Analysis& a, MeasuresResult& res) {
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
