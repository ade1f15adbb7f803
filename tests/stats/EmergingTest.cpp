// Emerging hot spots. The Mann-Kendall figures are worked by hand below; the categories follow
// ArcGIS Pro's "How Emerging Hot Spot Analysis works", one hand-built series each; the cube's Gi*
// is checked against the project's Gi* (itself checked against spdep) on the same space-time
// neighbourhood written out as an ordinary weights list.
#include "trygg/stats/Emerging.hpp"
#include "trygg/stats/GetisOrd.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg::stats;
using Catch::Detail::Approx;

namespace {

int classify(std::vector<std::int8_t> s, double z = 0, bool sig = false) { return classifyEmerging(s, z, sig); }

std::vector<std::int8_t> series(std::initializer_list<int> v) {
    std::vector<std::int8_t> out;
    for (int x : v) out.push_back(static_cast<std::int8_t>(x));
    return out;
}

} // namespace

TEST_CASE("Mann-Kendall by hand, with and without ties", "[stats][emerging]") {
    // 1..5: every pair rises, S = 10; Var = 5 * 4 * 15 / 18 = 16.667; Z = (10 - 1) / 4.0825 = 2.2045.
    const std::vector<double> up = {1, 2, 3, 4, 5};
    const MannKendall a = mannKendall(up);
    CHECK(a.s == 10);
    CHECK(a.varS == Approx(50.0 / 3.0));
    CHECK(a.z == Approx(9.0 / std::sqrt(50.0 / 3.0)));
    CHECK(a.p == Approx(0.02749).margin(1e-4));
    // 1, 2, 2, 3: five rising pairs and one tie, S = 5; Var = (4*3*13 - 2*1*9) / 18 = 7.6667.
    const std::vector<double> tied = {1, 2, 2, 3};
    const MannKendall b = mannKendall(tied);
    CHECK(b.s == 5);
    CHECK(b.varS == Approx(138.0 / 18.0));
    CHECK(b.z == Approx(4.0 / std::sqrt(138.0 / 18.0)));
    // Falling: the mirror image.
    const std::vector<double> down = {5, 4, 3, 2, 1};
    CHECK(mannKendall(down).z == Approx(-a.z));
    const std::vector<double> flat = {2, 2, 2, 2};
    CHECK(mannKendall(flat).z == 0);
}

TEST_CASE("each emerging category on a hand-built series of ten steps", "[stats][emerging]") {
    CHECK(classify(series({0, 0, 0, 0, 0, 0, 0, 0, 0, 1})) == 1);                  // new
    CHECK(classify(series({0, 0, 0, 0, 0, 0, 0, 1, 1, 1})) == 2);                  // consecutive
    CHECK(classify(series({1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 2.5, true) == 3);       // intensifying
    CHECK(classify(series({0, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 2.5, true) == 3);       // 90 % is enough
    CHECK(classify(series({1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 0.4, false) == 4);      // persistent
    CHECK(classify(series({1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), -2.5, true) == 5);      // diminishing
    CHECK(classify(series({1, 0, 1, 0, 0, 0, 0, 0, 0, 1})) == 6);                  // sporadic
    CHECK(classify(series({1, 1, 0, 0, 0, 0, 0, 1, 1, 1})) == 6);                  // two runs: sporadic
    CHECK(classify(series({-1, 0, 0, 0, 0, 0, 0, 0, 1, 1})) == 7);                 // oscillating
    CHECK(classify(series({1, 1, 1, 1, 1, 1, 1, 1, 1, 0})) == 8);                  // historical
    CHECK(classify(series({0, 0, 0, 0, 0, 0, 0, 0, 0, -1})) == -1);                // new cold
    CHECK(classify(series({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}), -3, true) == -3);  // intensifying cold
    CHECK(classify(series({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}), 3, true) == -5);   // diminishing cold
    CHECK(classify(series({1, -1, 0, 0, 0, 0, 0, 0, 0, -1})) == -7);               // oscillating cold
    CHECK(classify(series({0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) == 0);
    CHECK(classify(series({1, 0, 0, 0, 0, 0, 0, 0, 0, 0})) == 0);                  // hot once, long ago
    CHECK(classify(series({1, 1, 1, 1, 1, 1, 1, 1, 0, 0})) == 0);                  // 80 %, final not hot
    CHECK(emergingName(3) == "Intensifying Hot Spot");
    CHECK(emergingName(-8) == "Historical Cold Spot");
    CHECK(emergingName(0) == "No Pattern Detected");
}

TEST_CASE("the cube's Gi* equals Gi* over the space-time neighbourhood written out", "[stats][emerging]") {
    // Four cells on a line (each with itself and its neighbours), five steps, a time lag of 1.
    const std::size_t cells = 4, steps = 5;
    Weights spatial;
    spatial.includesSelf = true;
    spatial.offsets = {0};
    for (std::size_t i = 0; i < cells; ++i) {
        for (std::size_t j = 0; j < cells; ++j)
            if ((i > j ? i - j : j - i) <= 1) spatial.index.push_back(static_cast<std::int32_t>(j));
        spatial.offsets.push_back(static_cast<std::int64_t>(spatial.index.size()));
    }
    const std::vector<double> counts = {0, 1, 0, 2, 1,  3, 2, 4, 5, 7,  1, 0, 2, 6, 9,  0, 0, 1, 0, 0};
    const EmergingResult r = emergingHotSpots(counts, steps, spatial, 1, 0.05, Correction::None);

    Weights cube;
    cube.includesSelf = true;
    cube.offsets = {0};
    for (std::size_t i = 0; i < cells; ++i)
        for (std::size_t t = 0; t < steps; ++t) {
            for (auto k = spatial.offsets[i]; k < spatial.offsets[i + 1]; ++k)
                for (std::size_t s = (t > 0 ? t - 1 : 0); s <= t; ++s)
                    cube.index.push_back(static_cast<std::int32_t>(static_cast<std::size_t>(spatial.index[static_cast<std::size_t>(k)]) * steps + s));
            cube.offsets.push_back(static_cast<std::int64_t>(cube.index.size()));
        }
    const std::vector<double> expected = getisOrdZ(counts, cube);
    for (std::size_t b = 0; b < counts.size(); ++b) CHECK(r.z[b] == Approx(expected[b]).epsilon(1e-12));
    // Cells 1 and 2 heat up towards the end.
    CHECK(r.trendZ[2] > 0);
    CHECK(r.hotSteps[2] >= 1);
}

TEST_CASE("a cancel stops the space-time cube between cells", "[stats][emerging]") {
    Weights spatial;
    spatial.includesSelf = true;
    spatial.offsets = {0};
    for (std::int32_t i = 0; i < 2000; ++i) {
        spatial.index.push_back(i);
        spatial.offsets.push_back(static_cast<std::int64_t>(spatial.index.size()));
    }
    const std::vector<double> counts(2000 * 12, 1.0);
    int calls = 0;
    struct Stop {};
    CHECK_THROWS_AS(emergingHotSpots(counts, 12, spatial, 1, 0.05, Correction::None, [&] {
                        if (++calls == 3) throw Stop{};
                    }),
                    Stop);
    CHECK(calls == 3);  // polled every 256 cells, so the third poll is at cell 512, not the end
}
