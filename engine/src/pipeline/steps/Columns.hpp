#pragma once
// Column groups that several steps' layers share, written through output::LayerWriter: the
// counts (n, n_<category>, weight_sum) and the local statistics (GiZScore .. COType, in ArcGIS
// Pro's names). Internal to the pipeline.
#include "trygg/grid/Grid.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/stats/LocalMoran.hpp"
#include "trygg/stats/Weights.hpp"

#include <string>
#include <vector>

namespace trygg::pipeline::steps {

// The local statistics of a layer's features, in feature order.
struct LocalStatsData {
    const std::vector<double>* z = nullptr;          // GiZScore
    const std::vector<double>* p = nullptr;          // GiPValue
    const std::vector<std::int8_t>* bin = nullptr;   // Gi_Bin
    const stats::Weights* neighbours = nullptr;      // NNeighbors
    const std::vector<double>* pseudoP = nullptr;    // GiPseudoP, with permutations
    const stats::LocalMoran* lisa = nullptr;         // LMi* fields, when local Moran ran
    const std::vector<stats::Quadrant>* coType = nullptr;
    const std::vector<double>* lisaPseudoP = nullptr;
};

// n, n_<category> and weight_sum: added once, then set feature by feature.
class CountColumns {
public:
    CountColumns(output::LayerWriter& layer, const grid::CellCounts& counts, const std::vector<std::string>& categoryFields);
    void set(output::LayerWriter& layer, std::size_t i) const;

private:
    const grid::CellCounts& m_counts;
    std::size_t m_categories;
    int m_n = -1, m_weight = -1;
};

// GiZScore, GiPValue, GiPseudoP, Gi_Bin, NNeighbors, and LMiIndex .. COType when local Moran
// ran.
class StatsColumns {
public:
    StatsColumns(output::LayerWriter& layer, const LocalStatsData& d);
    void set(output::LayerWriter& layer, std::size_t i) const;

private:
    const LocalStatsData& m_d;
    int m_z = -1, m_p = -1, m_pseudo = -1, m_bin = -1, m_nb = -1, m_lmi = -1, m_lmz = -1, m_lmp = -1, m_lmPseudo = -1,
        m_co = -1;
};

} // namespace trygg::pipeline::steps
