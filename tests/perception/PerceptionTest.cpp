#include "trygg/perception/Perception.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace trygg::perception;

TEST_CASE("cell means and their empirical-Bayes shrinkage, by hand", "[perception]") {
    // Cell 0: scores 1, 3 (mean 2); cell 1: 4, 6 (mean 5); cell 2: 3 (mean 3); no report in cell 3.
    // Grand mean 17 / 5 = 3.4. Within: (1 + 1 + 1 + 1 + 0) / (5 - 3) = 2. With w_c = n_c / 2:
    // W1 = 2.5, W2 = 2.25, m_w = 3.4, Q = 1.96 + 2.56 + 0.08 = 4.6, t^2 = 2.6 / 1.6 = 1.625.
    // B_0 = B_1 = 1 / 2.625, B_2 = 2 / 3.625, so
    //   eb_0 = 3.4 / 2.625 + 2 (1 - 1 / 2.625) = 2.533333, eb_1 = 4.390476, eb_2 = 3.220690.
    Reports r;
    r.score = {1, 3, 4, 6, 3};
    const std::vector<std::int64_t> cell{0, 0, 1, 1, 2};
    Scale scale;  // 1..6, high is unsafe, unsafe from 4
    const CellSummary s = summarise(r, cell, 4, scale);
    CHECK(s.n == std::vector<std::uint32_t>{2, 2, 1, 0});
    CHECK(s.unsafe == std::vector<std::uint32_t>{0, 2, 0, 0});
    CHECK(s.grandMean == Approx(3.4));
    CHECK(s.withinVariance == Approx(2.0));
    CHECK(s.betweenVariance == Approx(1.625));
    CHECK(s.mean[0] == Approx(2.0));
    CHECK(s.ebMean[0] == Approx(2.533333).epsilon(1e-6));
    CHECK(s.ebMean[1] == Approx(4.390476).epsilon(1e-6));
    CHECK(s.ebMean[2] == Approx(3.220690).epsilon(1e-6));
    CHECK(std::isnan(s.mean[3]));
    CHECK(std::isnan(s.ebMean[3]));
}

TEST_CASE("no spread between cells shrinks every cell to the grand mean", "[perception]") {
    // Cells with equal means (3 and 3): Q = 0 < C - 1, so t^2 = 0 and B = 1.
    Reports r;
    r.score = {2, 4, 1, 5};
    const std::vector<std::int64_t> cell{0, 0, 1, 1};
    const CellSummary s = summarise(r, cell, 2, Scale{});
    CHECK(s.betweenVariance == 0.0);
    CHECK(s.ebMean[0] == Approx(3.0));
    CHECK(s.ebMean[1] == Approx(3.0));
}

TEST_CASE("times of day, reasons and the scale", "[perception]") {
    CHECK(parseTimeOfDay("kväll") == TimeOfDay::Evening);
    CHECK(parseTimeOfDay(" Natt ") == TimeOfDay::Night);
    CHECK(parseTimeOfDay("21:30") == TimeOfDay::Evening);
    CHECK(parseTimeOfDay("05:59") == TimeOfDay::Night);
    CHECK(parseTimeOfDay("12.00") == TimeOfDay::Day);
    CHECK(parseTimeOfDay("") == TimeOfDay::Unknown);
    CHECK_FALSE(parseTimeOfDay("snart"));
    CHECK(splitReasons("dålig belysning; skymd sikt/buskage;;ödsligt ") ==
          std::vector<std::string>{"dålig belysning", "skymd sikt/buskage", "ödsligt"});
    Scale lowIsUnsafe{1, 5, false, 2};
    CHECK(lowIsUnsafe.isUnsafe(1));
    CHECK_FALSE(lowIsUnsafe.isUnsafe(3));
    CHECK_FALSE(Scale{}.contains(7));
}

TEST_CASE("fear versus crime classes", "[perception]") {
    CHECK(classify(3, 2, 10, 5) == FearCrime::Both);
    CHECK(classify(1, 3, 10, 5) == FearCrime::PerceivedOnly);
    CHECK(classify(2, 0, 10, 5) == FearCrime::IncidentsOnly);
    CHECK(classify(0, -3, 10, 5) == FearCrime::Neither);
    CHECK(classify(3, 3, 4, 5) == FearCrime::TooLittleData);
    CHECK(std::string(text(FearCrime::PerceivedOnly).labelSv) == "Upplevd otrygghet utan brott");
}

TEST_CASE("reasons ranked by the unsafe reports that cite them, with their lift", "[perception]") {
    // 4 reports, 2 unsafe (50 % overall). "mörkt" is cited by both unsafe reports and one safe one:
    // 2 / 3 unsafe, lift 1.333; "trafik" by one safe report: 0 unsafe, lift 0.
    Reports r;
    r.score = {5, 6, 2, 1};
    r.reasonNames = {"mörkt", "trafik"};
    r.reasons = {{0}, {0}, {0, 1}, {}};
    const auto rows = rankReasons(r, Scale{});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].reason == "mörkt");
    CHECK(rows[0].reports == 3);
    CHECK(rows[0].unsafe == 2);
    CHECK(rows[0].lift == Approx((2.0 / 3) / 0.5));
    CHECK(rows[1].lift == 0.0);
}
