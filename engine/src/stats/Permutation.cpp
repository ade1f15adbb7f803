#include "trygg/stats/Permutation.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace trygg::stats {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    SplitMix64 g{h ^ (v * 0x9E3779B97F4A7C15ULL)};
    return g.next();
}

// A cell's row other than itself, scaled so its largest weight is 1 (a positive factor changes no
// p-value) and sorted: with its own value, the key of its reference distribution.
struct Row {
    std::vector<double> scaled;     // in the cell's neighbour order
    std::vector<double> sorted;     // the key
    double observed = 0;            // sum of scaled weights times the neighbours' values
};

void rowOf(std::span<const double> values, const Weights& w, std::size_t i, Row& r) {
    r.scaled.clear();
    double top = 0;
    for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
        if (static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]) == i) continue;
        top = std::max(top, w.weightAt(k));
        r.scaled.push_back(w.weightAt(k));
    }
    r.observed = 0;
    std::size_t a = 0;
    for (auto k = w.offsets[i]; k < w.offsets[i + 1]; ++k) {
        const auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)]);
        if (j == i) continue;
        r.scaled[a] /= top;
        r.observed += r.scaled[a] * values[j];
        ++a;
    }
    r.sorted = r.scaled;
    std::sort(r.sorted.begin(), r.sorted.end());
}

std::uint64_t keyHash(double value, const std::vector<double>& sorted) {
    std::uint64_t h = mix(0x5452594747ULL, std::bit_cast<std::uint64_t>(value + 0.0));  // -0 and 0 alike
    h = mix(h, sorted.size());
    for (double x : sorted) h = mix(h, std::bit_cast<std::uint64_t>(x));
    return h;
}

// The values of all cells in ascending order, as runs of equal values when there are few distinct
// ones (counts), so that a draw looks up a small table instead of a random place in a large array.
class SortedValues {
public:
    explicit SortedValues(std::span<const double> values) : m_all(values.begin(), values.end()) {
        std::sort(m_all.begin(), m_all.end());
        for (std::size_t k = 0; k < m_all.size(); ++k)
            if (k == 0 || m_all[k] != m_all[k - 1]) {
                m_distinct.push_back(m_all[k]);
                m_start.push_back(k);
            }
        m_start.push_back(m_all.size());
        if (m_distinct.size() <= 4096) m_all = {};  // the runs serve
    }
    // The position of the first cell of value v.
    std::size_t firstOf(double v) const {
        const auto d = std::lower_bound(m_distinct.begin(), m_distinct.end(), v) - m_distinct.begin();
        return m_start[static_cast<std::size_t>(d)];
    }
    double at(std::size_t position) const {
        if (!m_all.empty()) return m_all[position];
        const auto d = std::upper_bound(m_start.begin(), m_start.end(), position) - m_start.begin() - 1;
        return m_distinct[static_cast<std::size_t>(d)];
    }

private:
    std::vector<double> m_all, m_distinct;
    std::vector<std::size_t> m_start;
};

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
    if (n > std::numeric_limits<std::uint32_t>::max()) throw Error("stats.permutation: more than 2^32 cells");
    for (double v : values)
        if (!std::isfinite(v)) throw Error("stats.permutation: a value is not finite; this is a bug, please report it");
    const SortedValues sortedValues(values);
    const auto R = static_cast<std::size_t>(spec.permutations);

    // Each cell's key: its value and its scaled, sorted weights. Cells with no neighbour but
    // themselves (or whose neighbourhood is everything) have no test.
    struct Keyed {
        std::uint64_t hash;
        std::uint32_t cell;
        bool operator<(const Keyed& o) const { return hash != o.hash ? hash < o.hash : cell < o.cell; }
    };
    std::vector<Keyed> keyed(n);
    std::vector<double> observed(n);
    parallelBlocks(n, 8192, spec.threads, checkCancelled, [&](std::size_t begin, std::size_t end, unsigned) {
        Row r;
        for (std::size_t i = begin; i < end; ++i) {
            rowOf(values, weights, i, r);
            const std::size_t kn = r.sorted.size();
            observed[i] = r.observed;
            keyed[i] = {kn == 0 || kn > n - 1 ? 0 : keyHash(values[i], r.sorted), static_cast<std::uint32_t>(i)};
            if (kn == 0 || kn > n - 1) keyed[i].hash = ~std::uint64_t{0}, keyed[i].cell = ~std::uint32_t{0};
        }
    });
    std::sort(keyed.begin(), keyed.end());
    while (!keyed.empty() && keyed.back().cell == ~std::uint32_t{0}) keyed.pop_back();
    std::vector<std::size_t> runs;  // where each run of equal hashes starts
    for (std::size_t k = 0; k < keyed.size(); ++k)
        if (k == 0 || keyed[k].hash != keyed[k - 1].hash) runs.push_back(k);
    runs.push_back(keyed.size());

    // One reference sample per key: its value is held (one cell of that value leaves the pool) and
    // its weights meet k distinct cells drawn from the n - 1 others, each permutation on its own
    // stream from the key. Which cell of the key is held, and which thread draws, changes no result.
    auto draw = [&](const Row& lead, std::size_t heldAt, std::uint64_t key, std::size_t from, std::size_t to,
                    std::vector<double>& sums, std::vector<std::size_t>& drawn) {
        const std::size_t kn = lead.sorted.size();
        drawn.resize(kn);
        for (std::size_t r = from; r < to; ++r) {
            SplitMix64 rng{streamSeed(key, r)};
            double sum = 0;
            for (std::size_t a = 0; a < kn; ++a) {
                std::size_t j;
                do {  // k distinct cells out of the n - 1 others
                    j = static_cast<std::size_t>(rng.below(n - 1));
                    if (j >= heldAt) ++j;
                } while (std::find(drawn.begin(), drawn.begin() + static_cast<std::ptrdiff_t>(a), j) !=
                         drawn.begin() + static_cast<std::ptrdiff_t>(a));
                drawn[a] = j;
                sum += lead.sorted[a] * sortedValues.at(j);
            }
            sums[r] = sum;
        }
    };
    // The p-value of each cell of the lead's key; cells of another key (a shared hash) go to `rest`.
    auto evaluate = [&](std::span<const std::uint32_t> cells, std::uint32_t lead, const Row& leadRow,
                        const std::vector<double>& sums, Row& row, std::vector<std::uint32_t>& rest) {
        for (std::uint32_t cell : cells) {
            if (cell != lead) {
                rowOf(values, weights, cell, row);
                if (values[cell] + 0.0 != values[lead] + 0.0 || row.sorted != leadRow.sorted) {
                    rest.push_back(cell);
                    continue;
                }
            }
            // A relative tolerance keeps ties (common with counts) from being split by rounding.
            const double obs = observed[cell];
            const double tol = 1e-12 * std::max(1.0, std::abs(obs));
            const auto atLeast = sums.end() - std::lower_bound(sums.begin(), sums.end(), obs - tol);
            const auto atMost = std::upper_bound(sums.begin(), sums.end(), obs + tol) - sums.begin();
            p[cell] = static_cast<double>(std::min(atLeast, atMost) + 1) / static_cast<double>(R + 1);
        }
    };
    auto keyOf = [&](std::size_t run, std::uint64_t part) { return mix(mix(spec.seed, keyed[runs[run]].hash), part); };

    // Small keys side by side, a key to a thread; then each large key with its permutations and its
    // cells shared among the threads.
    constexpr std::size_t kLarge = 4096;
    std::vector<std::size_t> large;
    for (std::size_t run = 0; run + 1 < runs.size(); ++run)
        if (runs[run + 1] - runs[run] >= kLarge) large.push_back(run);
    parallelBlocks(runs.size() - 1, 16, spec.threads, checkCancelled, [&](std::size_t begin, std::size_t end, unsigned) {
        Row lead, row;
        std::vector<double> sums(R);
        std::vector<std::size_t> drawn;
        std::vector<std::uint32_t> pending, rest;
        for (std::size_t run = begin; run < end; ++run) {
            if (runs[run + 1] - runs[run] >= kLarge) continue;
            pending.clear();
            for (std::size_t k = runs[run]; k < runs[run + 1]; ++k) pending.push_back(keyed[k].cell);
            for (std::uint64_t part = 0; !pending.empty(); ++part) {
                rowOf(values, weights, pending.front(), lead);
                draw(lead, sortedValues.firstOf(values[pending.front()]), keyOf(run, part), 0, R, sums, drawn);
                std::sort(sums.begin(), sums.end());
                rest.clear();
                evaluate(pending, pending.front(), lead, sums, row, rest);
                pending.swap(rest);
            }
        }
    });
    const unsigned threads = threadCount(spec.threads);
    for (std::size_t run : large) {
        std::vector<std::uint32_t> pending;
        for (std::size_t k = runs[run]; k < runs[run + 1]; ++k) pending.push_back(keyed[k].cell);
        for (std::uint64_t part = 0; !pending.empty(); ++part) {
            Row lead;
            rowOf(values, weights, pending.front(), lead);
            const std::size_t heldAt = sortedValues.firstOf(values[pending.front()]);
            std::vector<double> sums(R);
            std::vector<std::vector<std::size_t>> drawn(threads);
            parallelBlocks(R, 64, spec.threads, checkCancelled, [&](std::size_t from, std::size_t to, unsigned t) {
                draw(lead, heldAt, keyOf(run, part), from, to, sums, drawn[t]);
            });
            std::sort(sums.begin(), sums.end());
            const std::size_t blocks = (pending.size() + kLarge - 1) / kLarge;
            std::vector<std::vector<std::uint32_t>> rest(blocks);
            std::vector<Row> rows(threads);
            parallelBlocks(pending.size(), kLarge, spec.threads, checkCancelled,
                           [&](std::size_t from, std::size_t to, unsigned t) {
                               evaluate(std::span(pending).subspan(from, to - from), pending.front(), lead, sums,
                                        rows[t], rest[from / kLarge]);
                           });
            std::vector<std::uint32_t> next;
            for (const auto& r : rest) next.insert(next.end(), r.begin(), r.end());
            pending.swap(next);
        }
    }
    return p;
}

} // namespace trygg::stats
