#include "trygg/stats/Permutation.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trygg::stats {
namespace {

void permuteRange(std::span<const double> values, const Weights& w, const PermutationSpec& spec, std::size_t begin,
                  std::size_t end, std::vector<double>& p) {
    const std::size_t n = values.size();
    std::vector<double> wts;
    std::vector<std::uint32_t> drawn;
    for (std::size_t i = begin; i < end; ++i) {
        // The cell's neighbours other than itself, and the observed weighted sum.
        wts.clear();
        double observed = 0;
        for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]);
            if (j == i) continue;
            wts.push_back(w.weightAt(k));
            observed += w.weightAt(k) * values[j];
        }
        const std::size_t kn = wts.size();
        if (kn == 0 || kn > n - 1) {
            p[i] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        SplitMix64 rng{streamSeed(spec.seed, i)};
        // A relative tolerance keeps ties (common with counts) from being split by rounding.
        const double tol = 1e-12 * std::max(1.0, std::abs(observed));
        std::int64_t atLeast = 0, atMost = 0;
        drawn.resize(kn);
        for (int r = 0; r < spec.permutations; ++r) {
            double sum = 0;
            for (std::size_t a = 0; a < kn; ++a) {
                std::uint32_t j;
                bool repeat;
                do {  // k distinct cells out of the n - 1 others
                    j = static_cast<std::uint32_t>(rng.below(n - 1));
                    if (j >= i) ++j;
                    repeat = std::find(drawn.begin(), drawn.begin() + static_cast<std::ptrdiff_t>(a), j) !=
                             drawn.begin() + static_cast<std::ptrdiff_t>(a);
                } while (repeat);
                drawn[a] = j;
                sum += wts[a] * values[j];
            }
            atLeast += sum >= observed - tol;
            atMost += sum <= observed + tol;
        }
        p[i] = static_cast<double>(std::min(atLeast, atMost) + 1) / static_cast<double>(spec.permutations + 1);
    }
}

} // namespace

bool samePermutationTest(const Weights& a, const Weights& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto ka = a.offsets[i], kb = b.offsets[i];
        double ratio = 0;
        for (;;) {
            while (ka < a.offsets[i + 1] && static_cast<std::size_t>(a.index[static_cast<std::size_t>(ka)]) == i) ++ka;
            while (kb < b.offsets[i + 1] && static_cast<std::size_t>(b.index[static_cast<std::size_t>(kb)]) == i) ++kb;
            const bool endA = ka == a.offsets[i + 1], endB = kb == b.offsets[i + 1];
            if (endA || endB) {
                if (endA != endB) return false;
                break;
            }
            if (a.index[static_cast<std::size_t>(ka)] != b.index[static_cast<std::size_t>(kb)]) return false;
            const double r = a.weightAt(ka) / b.weightAt(kb);
            if (ratio == 0) ratio = r;
            else if (std::abs(r - ratio) > 1e-12 * std::abs(ratio)) return false;
            ++ka;
            ++kb;
        }
    }
    return true;
}

std::vector<double> conditionalPermutationP(std::span<const double> values, const Weights& weights,
                                            const PermutationSpec& spec, const std::function<void()>& checkCancelled) {
    const std::size_t n = values.size();
    if (weights.size() != n) throw Error("stats.permutation: weights and values differ in length");
    if (spec.permutations < 1) throw InputError("stats.permutation: the number of permutations must be at least 1");
    std::vector<double> p(n, std::numeric_limits<double>::quiet_NaN());
    if (n < 3) return p;
    // Blocks handed out in turn; which thread takes a block does not change any result.
    parallelBlocks(n, 2048, spec.threads, checkCancelled, [&](std::size_t begin, std::size_t end, unsigned) {
        permuteRange(values, weights, spec, begin, end, p);
    });
    return p;
}

} // namespace trygg::stats
