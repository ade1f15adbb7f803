#include "trygg/stats/RiskTerrain.hpp"

#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace trygg::stats {

double RiskModel::coefficientOf(std::size_t k) const { return fit.coef.at(fit.coef.size() - selected.size() + k); }
double RiskModel::seOf(std::size_t k) const { return fit.se.at(fit.se.size() - selected.size() + k); }
double RiskModel::pOf(std::size_t k) const { return fit.p.at(fit.p.size() - selected.size() + k); }

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Stepwise {
    std::span<const RiskCandidate> candidates;
    std::span<const RiskControl> controls;
    std::span<const double> y, offset;
    CountFamily family;
    const GlmOptions& glm;

    GlmFit fit(const std::vector<std::size_t>& in) const {
        Design d;
        d.rows = y.size();
        d.columns.push_back(std::vector<double>(y.size(), 1.0));
        for (const auto& c : controls) d.columns.push_back(c.column);
        for (std::size_t k : in) d.columns.push_back(candidates[k].column);
        return fitCount(family, d, y, offset, glm);
    }
};

struct Chosen {
    bool fitted = false;
    std::vector<std::size_t> in;
    GlmFit fit;
    std::vector<RiskStep> path;
};

Chosen stepwise(const Stepwise& s, const std::vector<std::size_t>& tried) {
    Chosen c;
    c.fit = s.fit({});
    if (!c.fit.usable()) return c;
    c.fitted = true;
    for (int guard = 0; guard < 4 * static_cast<int>(tried.size()) + 4; ++guard) {
        // Every move from here: add a factor not yet in, drop one, or replace one's
        // operationalisation by another of the same factor.
        std::vector<std::vector<std::size_t>> moves;
        std::vector<std::string> names;
        std::set<std::size_t> factorsIn;
        for (std::size_t k : c.in) factorsIn.insert(s.candidates[k].factor);
        for (std::size_t k : tried)
            if (!factorsIn.count(s.candidates[k].factor)) {
                auto m = c.in;
                m.push_back(k);
                moves.push_back(m);
                names.push_back("+ " + s.candidates[k].label);
            }
        for (std::size_t i = 0; i < c.in.size(); ++i) {
            auto m = c.in;
            m.erase(m.begin() + static_cast<std::ptrdiff_t>(i));
            moves.push_back(m);
            names.push_back("- " + s.candidates[c.in[i]].label);
            for (std::size_t k : tried)
                if (k != c.in[i] && s.candidates[k].factor == s.candidates[c.in[i]].factor) {
                    auto r = c.in;
                    r[i] = k;
                    moves.push_back(r);
                    names.push_back(s.candidates[c.in[i]].label + " -> " + s.candidates[k].label);
                }
        }
        std::vector<GlmFit> fits(moves.size());
        // Each move's fit is its own: the threads change nothing.
        parallelBlocks(moves.size(), 1, 0, [] {}, [&](std::size_t b, std::size_t e, unsigned) {
            for (std::size_t i = b; i < e; ++i) fits[i] = s.fit(moves[i]);
        });
        std::size_t best = moves.size();
        for (std::size_t i = 0; i < moves.size(); ++i)
            if (fits[i].usable() && fits[i].bic < c.fit.bic - 1e-9 && (best == moves.size() || fits[i].bic < fits[best].bic))
                best = i;
        if (best == moves.size()) break;
        c.in = moves[best];
        c.fit = std::move(fits[best]);
        c.path.push_back({names[best], c.fit.bic});
    }
    return c;
}

} // namespace

RiskModel fitRiskModel(std::span<const RiskCandidate> candidates, std::span<const RiskControl> controls,
                       std::span<const double> y, std::span<const double> offset, const RiskModelOptions& options) {
    RiskModel m;
    m.poissonBic = m.negativeBinomialBic = kNaN;
    // Candidates present and absent in enough cells, each column once (a wider distance that
    // reaches no further cell is the same variable: the narrower one is kept).
    std::vector<const std::vector<double>*> seen;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const auto& col = candidates[k].column;
        const auto present = static_cast<std::size_t>(std::count(col.begin(), col.end(), 1.0));
        if (present < options.minCells || col.size() - present < options.minCells) continue;
        if (std::any_of(seen.begin(), seen.end(), [&](const auto* c) { return *c == col; })) continue;
        seen.push_back(&col);
        m.tried.push_back(k);
    }
    std::vector<CountFamily> families;
    if (options.family) families = {*options.family};
    else families = {CountFamily::Poisson, CountFamily::NegativeBinomial};
    Chosen best;
    // The moves are compared at a looser tolerance (BICs differing by less than 1e-6 choose
    // nothing); the chosen model is fitted again at the caller's.
    GlmOptions screening = options.glm;
    screening.epsilon = std::max(screening.epsilon, 1e-9);
    for (CountFamily f : families) {
        const Stepwise s{candidates, controls, y, offset, f, screening};
        Chosen c = stepwise(s, m.tried);
        if (!c.fitted) continue;
        const Stepwise exact{candidates, controls, y, offset, f, options.glm};
        c.fit = exact.fit(c.in);
        if (!c.fit.usable()) continue;
        (f == CountFamily::Poisson ? m.poissonBic : m.negativeBinomialBic) = c.fit.bic;
        if (!best.fitted || c.fit.bic < best.fit.bic) best = std::move(c);
    }
    if (!best.fitted) return m;
    m.fitted = true;
    m.family = best.fit.family;
    m.selected = best.in;
    m.path = best.path;
    m.fit = std::move(best.fit);
    m.score.assign(y.size(), 1.0);
    for (std::size_t k = 0; k < m.selected.size(); ++k) {
        const double rrv = std::exp(m.coefficientOf(k));
        const auto& col = candidates[m.selected[k]].column;
        for (std::size_t i = 0; i < y.size(); ++i)
            if (col[i] == 1.0) m.score[i] *= rrv;
    }
    return m;
}

} // namespace trygg::stats
