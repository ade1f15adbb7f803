#include "Global.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <map>
#include <set>

namespace trygg::pipeline::steps {

GlobalStep computeGlobal(const GridStep& g, const GiStarStep& gi, const LisaStep* lisa,
                         const io::ReportSet& reports, double areaM2, const Progress& progress) {
    GlobalStep s;
    s.areaM2 = areaM2;
    const stats::Weights queen = lisa ? stats::Weights{} : stats::buildWeights(g.cells, LocalMoranConfig{}.weights);
    const stats::Weights& mw = lisa ? lisa->weights : queen;
    // Degenerate data give 0/0 in these formulas: each test says why it was not computed instead.
    const auto [lo, hi] = std::minmax_element(gi.values.begin(), gi.values.end());
    const auto nonZero = std::count_if(gi.values.begin(), gi.values.end(), [](double v) { return v > 0; });
    if (*lo == *hi) s.moran.notComputed = "every cell has the same count, so there is no pattern to measure";
    else s.moran = stats::globalMoran(gi.values, mw);
    s.moranWeights = mw.description;
    if (nonZero < 2) s.generalG.notComputed = "fewer than two cells hold reports (G is 0/0)";
    else s.generalG = stats::generalG(gi.values, gi.weights);
    s.generalGWeights = gi.weights.description + " (self left out)";
    if (reports.acceptedCount() < 2) s.clarkEvans.notComputed = "fewer than two reports";
    else if (!(areaM2 > 0)) s.clarkEvans.notComputed = "the area has no extent (the reports lie on a line or at one point)";
    else s.clarkEvans = stats::clarkEvans(reports.x, reports.y, areaM2, [&] { progress.checkCancelled(); });
    for (stats::GlobalTest* t : {&s.moran, &s.generalG, &s.clarkEvans})
        if (t->computed() && !(std::isfinite(t->statistic) && std::isfinite(t->z) && std::isfinite(t->p)))
            t->notComputed = "not finite on these data (too few or too uniform counts)";
    return s;
}

} // namespace trygg::pipeline::steps
