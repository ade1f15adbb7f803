#include "trygg/stats/Weights.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace trygg::stats {
namespace {

struct Offset {
    std::int64_t dc, dr;
    double distanceM;
};

// Lattice offsets for one row parity, sorted by distance (then row, then column) so that
// k-nearest ties are broken the same way on every run.
std::vector<Offset> offsetsWithin(const grid::Lattice& lat, double distanceM, bool includeSelf, int parity) {
    std::vector<Offset> out;
    lat.forEachOffsetWithin(distanceM, includeSelf, parity, [&](std::int64_t dc, std::int64_t dr) {
        out.push_back({dc, dr, lat.offsetDistanceM(parity, dc, dr)});
    });
    std::sort(out.begin(), out.end(), [](const Offset& a, const Offset& b) {
        return std::tie(a.distanceM, a.dr, a.dc) < std::tie(b.distanceM, b.dr, b.dc);
    });
    return out;
}

// Walks each active cell's candidate offsets and keeps the active ones; `keep` decides, given the
// number kept so far, whether to take one more, and returns its weight. In two passes over blocks
// of cells on every core (how many each keeps, then where they go): the lists are the same as one
// walk in cell order, whatever the threads.
template <class WeightFn>
Weights fromOffsets(const grid::Grid& grid, const std::vector<Offset> (&offsets)[2], bool includeSelf, bool binary,
                    std::size_t maxPerCell, WeightFn&& weightOf) {
    const grid::Lattice& lat = grid.lattice();
    Weights w;
    w.includesSelf = includeSelf;
    const std::size_t n = grid.size();
    const std::int64_t cols = lat.cols(), rows = lat.rows();
    // Calls take(j, offset) for each neighbour j cell i keeps, in order.
    auto walk = [&](std::size_t i, auto&& take) {
        const grid::CellIndex c = grid.cellIndex(i);
        const int parity = lat.shape() == grid::Shape::Hex ? static_cast<int>(c.row & 1) : 0;
        std::size_t kept = 0;
        for (const Offset& o : offsets[parity]) {
            if (kept == maxPerCell) break;
            const std::int64_t col = c.col + o.dc, row = c.row + o.dr;
            if (col < 0 || row < 0 || col >= cols || row >= rows) continue;
            const std::int32_t j = grid.activeOf(row * cols + col);
            if (j < 0) continue;
            take(j, o);
            if (!(o.dc == 0 && o.dr == 0)) ++kept;
        }
    };
    constexpr std::size_t kBlock = 16384;
    w.offsets.assign(n + 1, 0);
    parallelBlocks(n, kBlock, 0, {}, [&](std::size_t b, std::size_t e, unsigned) {
        for (std::size_t i = b; i < e; ++i) {
            std::int64_t count = 0;
            walk(i, [&](std::int32_t, const Offset&) { ++count; });
            w.offsets[i + 1] = count;
        }
    });
    for (std::size_t i = 0; i < n; ++i) w.offsets[i + 1] += w.offsets[i];
    w.index.resize(static_cast<std::size_t>(w.offsets[n]));
    if (!binary) w.weight.resize(w.index.size());
    parallelBlocks(n, kBlock, 0, {}, [&](std::size_t b, std::size_t e, unsigned) {
        for (std::size_t i = b; i < e; ++i) {
            auto at = static_cast<std::size_t>(w.offsets[i]);
            walk(i, [&](std::int32_t j, const Offset& o) {
                w.index[at] = j;
                if (!binary) w.weight[at] = weightOf(o);
                ++at;
            });
        }
    });
    return w;
}

} // namespace

std::vector<std::int32_t> Weights::islands() const {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < size(); ++i) {
        bool other = false;
        for (auto k = offsets[i]; k < offsets[i + 1] && !other; ++k) other = index[static_cast<std::size_t>(k)] != static_cast<std::int32_t>(i);
        if (!other) out.push_back(static_cast<std::int32_t>(i));
    }
    return out;
}

Weights distanceBand(const grid::Grid& grid, double distanceM, bool includeSelf) {
    WeightsSpec spec;
    spec.kind = WeightsKind::DistanceBand;
    spec.distanceM = distanceM;
    spec.includeSelf = includeSelf;
    return buildWeights(grid, spec);
}

double defaultBandM(const grid::Lattice& lattice) {
    return lattice.shape() == grid::Shape::Square ? lattice.cellSizeM() * std::sqrt(2.0) : lattice.cellSizeM();
}

Weights fromNeighbourLists(const std::vector<std::vector<std::int32_t>>& lists, bool includeSelf, bool rowStandardise_,
                           std::string description) {
    Weights w;
    w.includesSelf = includeSelf;
    w.offsets.reserve(lists.size() + 1);
    for (std::size_t i = 0; i < lists.size(); ++i) {
        w.offsets.push_back(static_cast<std::int64_t>(w.index.size()));
        if (includeSelf) w.index.push_back(static_cast<std::int32_t>(i));
        for (auto j : lists[i])
            if (j != static_cast<std::int32_t>(i)) w.index.push_back(j);
    }
    w.offsets.push_back(static_cast<std::int64_t>(w.index.size()));
    w.description = std::move(description) + (includeSelf ? ", the area itself included" : ", the area itself excluded");
    if (rowStandardise_) {
        rowStandardise(w);
        w.description += ", row-standardised";
    } else {
        w.description += ", binary";
    }
    return w;
}

void rowStandardise(Weights& w) {
    if (w.weight.empty()) w.weight.assign(w.index.size(), 1.0);
    parallelBlocks(w.size(), 16384, 0, {}, [&](std::size_t b, std::size_t e, unsigned) {  // each row its own
        for (std::size_t i = b; i < e; ++i) {
            double sum = 0;
            for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) sum += w.weight[static_cast<std::size_t>(k)];
            if (sum > 0)
                for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) w.weight[static_cast<std::size_t>(k)] /= sum;
        }
    });
    w.rowStandardised = true;
}

Weights buildWeights(const grid::Grid& grid, const WeightsSpec& spec) {
    const grid::Lattice& lat = grid.lattice();
    const double s = lat.cellSizeM();
    std::vector<Offset> offsets[2];
    Weights w;
    const std::string self = spec.includeSelf ? ", the cell itself included" : ", the cell itself excluded";
    switch (spec.kind) {
    case WeightsKind::DistanceBand:
    case WeightsKind::InverseDistance: {
        const double band = spec.distanceM > 0 ? spec.distanceM : defaultBandM(lat);
        if (!(band > 0)) throw InputError("stats.weights: the distance band must be positive");
        if (spec.kind == WeightsKind::InverseDistance && !(spec.power > 0))
            throw InputError("stats.weights: the inverse-distance power must be positive");
        for (int p = 0; p < 2; ++p) offsets[p] = offsetsWithin(lat, band, spec.includeSelf, p);
        const bool binary = spec.kind == WeightsKind::DistanceBand;
        const double power = spec.power;
        w = fromOffsets(grid, offsets, spec.includeSelf, binary, static_cast<std::size_t>(-1), [&](const Offset& o) {
            return o.distanceM > 0 ? std::pow(o.distanceM, -power) : 1.0;
        });
        w.description = binary ? "binary, cell centres within " + std::to_string(band) + " m" + self
                               : "inverse distance 1/d^" + std::to_string(power) + " (d in m) within " +
                                     std::to_string(band) + " m" + self;
        break;
    }
    case WeightsKind::KNearest: {
        if (spec.k < 1) throw InputError("stats.weights: k must be at least 1, not " + std::to_string(spec.k));
        // Far enough to hold k active cells around any cell unless the grid is sparse; grow if not.
        double reach = s * (std::sqrt(static_cast<double>(spec.k) / 3.14159) + 2.0);
        for (int attempt = 0;; ++attempt) {
            for (int p = 0; p < 2; ++p) offsets[p] = offsetsWithin(lat, reach, spec.includeSelf, p);
            w = fromOffsets(grid, offsets, spec.includeSelf, true, static_cast<std::size_t>(spec.k),
                            [](const Offset&) { return 1.0; });
            bool short_ = false;
            for (std::size_t i = 0; i < w.size() && !short_; ++i)
                short_ = w.countOf(i) < static_cast<std::size_t>(spec.k) + (spec.includeSelf ? 1 : 0);
            if (!short_ || reach > s * static_cast<double>(std::max(lat.cols(), lat.rows())) || attempt > 6) break;
            reach *= 2;
        }
        w.description = "k nearest cells, k = " + std::to_string(spec.k) +
                        " (ties by distance, then row, then column)" + self;
        break;
    }
    case WeightsKind::Queen:
    case WeightsKind::Rook: {
        // Rook: cells sharing an edge; queen: an edge or a corner. On a hex grid both are the six
        // touching cells.
        const bool queen = spec.kind == WeightsKind::Queen;
        const double reach = lat.shape() == grid::Shape::Hex ? s : (queen ? s * std::sqrt(2.0) : s);
        for (int p = 0; p < 2; ++p) offsets[p] = offsetsWithin(lat, reach, spec.includeSelf, p);
        w = fromOffsets(grid, offsets, spec.includeSelf, true, static_cast<std::size_t>(-1),
                        [](const Offset&) { return 1.0; });
        w.description = std::string(queen ? "queen" : "rook") + " contiguity" + self;
        break;
    }
    }
    w.includesSelf = spec.includeSelf;
    if (spec.rowStandardise) {
        rowStandardise(w);
        w.description += ", row-standardised";
    } else if (w.binary()) {
        w.description += ", binary";
    }
    return w;
}

std::string toString(WeightsKind kind) {
    switch (kind) {
    case WeightsKind::DistanceBand: return "distance_band";
    case WeightsKind::InverseDistance: return "inverse_distance";
    case WeightsKind::KNearest: return "knn";
    case WeightsKind::Queen: return "queen";
    case WeightsKind::Rook: return "rook";
    }
    return "unknown";
}

std::optional<WeightsKind> parseWeightsKind(const std::string& text) {
    for (auto k : {WeightsKind::DistanceBand, WeightsKind::InverseDistance, WeightsKind::KNearest, WeightsKind::Queen,
                   WeightsKind::Rook})
        if (toString(k) == text) return k;
    return std::nullopt;
}

} // namespace trygg::stats
