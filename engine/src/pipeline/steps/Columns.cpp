#include "Columns.hpp"

namespace trygg::pipeline::steps {

using output::FieldType;

CountColumns::CountColumns(output::LayerWriter& layer, const grid::CellCounts& counts,
                           const std::vector<std::string>& categoryFields)
    : m_counts(counts), m_categories(categoryFields.size()) {
    m_n = layer.add("n", FieldType::Integer);
    for (const auto& name : categoryFields) layer.add(name, FieldType::Integer);
    if (!counts.weightSum.empty()) m_weight = layer.add("weight_sum", FieldType::Real);
}

void CountColumns::set(output::LayerWriter& layer, std::size_t i) const {
    layer.setInt(m_n, m_counts.n[i]);
    for (std::size_t k = 0; k < m_categories; ++k)
        layer.setInt(m_n + 1 + static_cast<int>(k), m_counts.byCategory[i * m_categories + k]);
    if (m_weight >= 0) layer.setReal(m_weight, m_counts.weightSum[i]);
}

StatsColumns::StatsColumns(output::LayerWriter& layer, const LocalStatsData& d) : m_d(d) {
    m_z = layer.add("GiZScore", FieldType::Real);
    m_p = layer.add("GiPValue", FieldType::Real);
    if (d.pseudoP) m_pseudo = layer.add("GiPseudoP", FieldType::Real);
    m_bin = layer.add("Gi_Bin", FieldType::Int16);
    m_nb = layer.add("NNeighbors", FieldType::Integer);
    if (d.lisa) {
        m_lmi = layer.add("LMiIndex", FieldType::Real);
        m_lmz = layer.add("LMiZScore", FieldType::Real);
        m_lmp = layer.add("LMiPValue", FieldType::Real);
        if (d.lisaPseudoP) m_lmPseudo = layer.add("LMiPseudoP", FieldType::Real);
        m_co = layer.add("COType", FieldType::Text);
    }
}

void StatsColumns::set(output::LayerWriter& layer, std::size_t i) const {
    layer.setReal(m_z, (*m_d.z)[i]);
    layer.setReal(m_p, (*m_d.p)[i]);
    if (m_d.pseudoP) layer.setReal(m_pseudo, (*m_d.pseudoP)[i]);
    layer.setInt(m_bin, (*m_d.bin)[i]);
    layer.setInt(m_nb, static_cast<std::int64_t>(m_d.neighbours->countOf(i)));
    if (m_d.lisa) {
        layer.setReal(m_lmi, m_d.lisa->index[i]);
        layer.setReal(m_lmz, m_d.lisa->z[i]);
        layer.setReal(m_lmp, m_d.lisa->p[i]);
        if (m_d.lisaPseudoP) layer.setReal(m_lmPseudo, (*m_d.lisaPseudoP)[i]);
        layer.setText(m_co, stats::toString((*m_d.coType)[i]));
    }
}

} // namespace trygg::pipeline::steps
