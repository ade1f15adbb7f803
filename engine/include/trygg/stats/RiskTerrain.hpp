#pragma once
// Risk terrain modelling (Caplan & Kennedy; RTMDx): which features of the environment go with
// more incidents per cell, each held against the others, and how much risk each adds.
//
// Each factor (a map layer) comes as several candidate variables, one per operationalisation and
// distance of influence (present within 250 m, 500 m, 750 m of the cell; a high density of the
// features; most of the cell covered), each 0 or 1 per cell. The model is a count regression of
// incidents per cell (stats/CountRegression) on an intercept, the controls (always in: residents)
// and the chosen candidates, with the offset.
//
// The choice is RTMDx's last stage, bidirectional stepwise selection by BIC, for the Poisson and
// the negative binomial alike, the family with the lower BIC kept:
//   - from the model of the controls alone, each step takes the move that lowers the BIC most:
//     adding a candidate of a factor not yet in, dropping one that is in, or replacing one by
//     another operationalisation of its factor (a factor enters once);
//   - it stops when no move lowers the BIC.
// RTMDx runs a cross-validated penalised regression (the lasso) before that, to thin hundreds of
// candidates; Trygg's candidates are a few per layer of the config, few enough to step through
// all, and stepwise BIC needs no folds and no seed (cells of a map are not exchangeable, so random
// folds would put a cell's neighbours on both sides). The chosen model is an ordinary maximum
// likelihood fit, so its estimates and standard errors are unpenalised.
//
// A factor's relative risk value is exp(beta): how many times the incidents of a cell where it is
// present, the rest alike; the interval exp(beta +- 1.96 se) is Wald's. A cell's relative risk
// score is the product of the values of the factors present there: 1 where none is.
#include "trygg/stats/CountRegression.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace trygg::stats {

struct RiskCandidate {
    std::size_t factor = 0;       // which factor (a map layer) it operationalises
    std::string label;            // "krogar: proximity 250 m", for the selection's path
    std::vector<double> column;   // 0 or 1 per cell
};

struct RiskControl {
    std::string label;
    std::vector<double> column;
};

struct RiskModelOptions {
    std::optional<CountFamily> family;  // none: both, the lower BIC kept
    std::size_t minCells = 5;           // a candidate present (and absent) in fewer cells is not tried
    GlmOptions glm = {};
};

struct RiskStep {
    std::string move;  // "+ label", "- label", "label -> label"
    double bic = 0;    // the model's BIC after it
};

struct RiskModel {
    bool fitted = false;                // false: not even the model of the controls could be fitted
    CountFamily family = CountFamily::Poisson;
    GlmFit fit;                         // columns: intercept, the controls, then `selected` in order
    std::vector<std::size_t> selected;  // candidate indices
    std::vector<RiskStep> path;         // the chosen family's steps
    double poissonBic = 0, negativeBinomialBic = 0;  // of each family's chosen model (NaN: not fitted)
    std::vector<std::size_t> tried;     // candidates present and absent in at least minCells cells
    // Per cell: the relative risk score, exp(sum of beta over the selected factors present).
    std::vector<double> score;
    double coefficientOf(std::size_t k) const;  // the fit's coefficient of selected[k]
    double seOf(std::size_t k) const;
    double pOf(std::size_t k) const;
};

// `y` incidents per cell, `offset` per cell (empty: none).
RiskModel fitRiskModel(std::span<const RiskCandidate> candidates, std::span<const RiskControl> controls,
                       std::span<const double> y, std::span<const double> offset, const RiskModelOptions& options = {});

} // namespace trygg::stats
