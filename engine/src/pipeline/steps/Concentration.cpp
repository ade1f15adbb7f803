// stats.concentration: how concentrated the incidents are: the share in the busiest cells and
// the least area that holds half of them (stats/Concentration.hpp).
#include "Grid.hpp"
#include "../Step.hpp"

#include "trygg/stats/Concentration.hpp"

#include <fmt/format.h>

namespace trygg::pipeline::steps {
namespace {

class Concentration final : public Step {
public:
    Concentration() : Step("stats.concentration", StepCost{0.01, 0, 2e-7}) {}
    void summary(const Analysis& a, std::vector<std::string>& lines) const override {
        const auto& c = a.summary.concentration;
        if (c.shareOfIncidents.size() < 3) return;
        lines.push_back(fmt::format("Concentration: the busiest 1 / 5 / 10 % of cells hold {:.0f} / {:.0f} / {:.0f} % of "
                                    "incidents; half of them lie on {:.1f} % of the area",
                                    100 * c.shareOfIncidents[0], 100 * c.shareOfIncidents[1], 100 * c.shareOfIncidents[2],
                                    100 * c.areaShareForHalf));
    }
    std::vector<std::string> needs() const override { return {"grid.count"}; }
    bool enabled(const Analysis& a) const override { return a.cfg.grid.enabled; }
    void run(Analysis& a, const Progress&) const override {
        const GridStep& g = a.results.get<GridStep>(name());
        std::vector<double> counts(g.cells.size()), areas(g.cells.size());
        const auto& share = g.cells.shareInside();
        for (std::size_t i = 0; i < counts.size(); ++i) {
            counts[i] = g.counts.n[i];
            areas[i] = g.lattice.cellAreaM2() * (share.empty() ? 1.0 : share[i]);
        }
        a.summary.concentration = stats::concentration(counts, areas);
    }
    void metadata(const Analysis& a, Metadata& md) const override {
        const auto& c = a.summary.concentration;
        for (std::size_t k = 0; k < c.topPercent.size(); ++k)
            md.add(fmt::format("concentration.top_{:g}_percent_of_cells", c.topPercent[k]),
                   fmt::format("{:.4f} of incidents", c.shareOfIncidents[k]));
        md.add("concentration.least_area_for_half", fmt::format("{:.4f} of the study area holds half the incidents "
                                                                "(cells ranked by density, whole cells)",
                                                                c.areaShareForHalf));
    }
};

} // namespace

const Step& concentration() {
    static const Concentration step;
    return step;
}

} // namespace trygg::pipeline::steps
