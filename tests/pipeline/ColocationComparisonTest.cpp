// stats.colocation and stats.hotspot_comparison in a run of the sample: every incident of the
// category counted once per cell, the per-cell comparison's classes equal to the maps compared,
// and, cell by cell with exact weights, the kappa equal to Cohen's computed here from the written
// classes; a further analysis compared with the main one.
#include "../TestSupport.hpp"

#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <map>
#include <string>

using namespace trygg;

namespace {

std::map<std::string, int> classesOf(const std::string& gpkg, const std::string& sql) {
    std::map<std::string, int> out;
    for (const auto& r : test::sqlQuery(gpkg, sql)) out[r[0]] = std::stoi(r[1]);
    return out;
}

} // namespace

TEST_CASE("colocation and hot spot comparison in the sample run", "[pipeline][colocation][comparison]") {
    // One run for the three sections (Catch enters the test case once per section).
    static const test::TempDir dir;
    static const std::string gpkg = [] {
        pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
        c.inference.permutations = 99;
        c.output.path = dir.file("k.gpkg");
        c.output.report = false;
        c.kde.enabled = false;
        test::leaveOutSlowAnalyses(c);
        c.hotspotComparison.weighting = "exact";
        c.hotspotComparison.neighbours = 0;
        pipeline::run(c, Progress());
        return c.output.path;
    }();

    SECTION("colocation: one row per pair; the category's incidents per cell add up to its n") {
        const auto rows = test::sqlQuery(gpkg, "SELECT name, n, near_n, clq, p_high, p_low, colocated_n, isolated_n FROM colocation ORDER BY name");
        REQUIRE(rows.size() == 2);
        for (const auto& r : rows) {
            INFO(r[0]);
            const auto cells = test::sqlQuery(gpkg, "SELECT sum(n), sum(colocated_n), sum(isolated_n) FROM colocation_cells WHERE name = '" + r[0] + "'");
            CHECK(cells[0][0] == r[1]);  // every incident of A in one cell
            CHECK(cells[0][1] == r[6]);
            CHECK(cells[0][2] == r[7]);
            CHECK(std::stod(r[4]) >= 0.01);  // at least 1 / (99 + 1)
            CHECK(std::stod(r[5]) >= 0.01);
        }
        // The category's own count, and the layer's points.
        CHECK(rows[1][0] == "misshandel_krog");
        CHECK(rows[1][1] == test::sqlQuery(gpkg, "SELECT sum(n_misshandel) FROM hotspot_grid")[0][0]);
        CHECK(rows[1][2] == test::sqlQuery(test::sampleData("kavlinge_map.gpkg"), "SELECT count(*) FROM serveringsstallen")[0][0]);
    }

    SECTION("hot spot comparison: the classes compared are the maps', and the kappa is Cohen's") {
        const auto incidents = classesOf(gpkg, "SELECT cell_id, Gi_Bin FROM hotspot_grid");
        const auto perceived = classesOf(gpkg, "SELECT cell_id, perc_Gi_Bin FROM perception_grid");
        const auto rows = test::sqlQuery(gpkg, "SELECT cell_id, class_a, class_b FROM hotspot_comparison_perceived");
        REQUIRE(rows.size() == incidents.size());
        std::array<std::array<double, 7>, 7> table{};
        for (const auto& r : rows) {
            REQUIRE(incidents.at(r[0]) == std::stoi(r[1]));
            REQUIRE(perceived.at(r[0]) == std::stoi(r[2]));
            table[static_cast<std::size_t>(std::stoi(r[1]) + 3)][static_cast<std::size_t>(std::stoi(r[2]) + 3)] += 1;
        }
        // Cohen's kappa from the contingency table: observed agreement on the diagonal, expected
        // from the margins.
        const double n = static_cast<double>(rows.size());
        double po = 0, pe = 0;
        for (std::size_t i = 0; i < 7; ++i) {
            double ra = 0, cb = 0;
            for (std::size_t j = 0; j < 7; ++j) ra += table[i][j], cb += table[j][i];
            po += table[i][i] / n;
            pe += ra * cb / (n * n);
        }
        const auto s = test::sqlQuery(gpkg, "SELECT similarity, expected_similarity, kappa, hot_cells_a, hot_cells_b, hot_cells_both "
                                            "FROM hotspot_comparison WHERE comparison = 'perceived'");
        REQUIRE(s.size() == 1);
        CHECK(std::stod(s[0][0]) == Approx(po).epsilon(1e-12));
        CHECK(std::stod(s[0][1]) == Approx(pe).epsilon(1e-12));
        CHECK(std::stod(s[0][2]) == Approx((po - pe) / (1 - pe)).epsilon(1e-12));
        CHECK(s[0][3] == test::sqlQuery(gpkg, "SELECT count(*) FROM hotspot_grid WHERE Gi_Bin > 0")[0][0]);
        CHECK(s[0][5] == test::sqlQuery(gpkg, "SELECT count(*) FROM hotspot_comparison_perceived WHERE agreement = 'both_hot'")[0][0]);
        // The two years: a row, and classes of both.
        CHECK(test::sqlQuery(gpkg, "SELECT count(*) FROM hotspot_comparison WHERE comparison = 'periods'")[0][0] == "1");
    }

    SECTION("a further analysis compared with the main one, cell by cell") {
        const auto main = classesOf(gpkg, "SELECT cell_id, Gi_Bin FROM hotspot_grid");
        const auto night = classesOf(gpkg, "SELECT cell_id, Gi_Bin FROM natt_misshandel_hotspot_grid");
        const auto rows = test::sqlQuery(gpkg, "SELECT cell_id, class_a, class_b FROM natt_misshandel_hotspot_comparison_analysis");
        REQUIRE(rows.size() == main.size());
        for (const auto& r : rows) {
            REQUIRE(main.at(r[0]) == std::stoi(r[1]));
            REQUIRE(night.at(r[0]) == std::stoi(r[2]));
        }
        // The main analysis compares with no other.
        CHECK(test::sqlQuery(gpkg, "SELECT count(*) FROM hotspot_comparison WHERE comparison = 'analysis'")[0][0] == "0");
    }
}

TEST_CASE("publishing: the colocation quotient does not give back a small count of incidents", "[pipeline][colocation][publish]") {
    // The quotient with n, near_n and the points in all gives back C, the incidents whose nearest
    // neighbour is a B: C = CLQ x n x near_n / (N - 1). Three threats in the sample's olaga hot
    // have a railway station as nearest neighbour; published, that pair's count and quotient are
    // hidden, and from every quotient shown the attacker's C is 0 or above the minimum.
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.analyses.clear();
    c.inference.permutations = 99;
    c.kde.enabled = false;
    test::leaveOutSlowAnalyses(c);
    c.output.report = false;
    pipeline::ColocationConfig threats;
    threats.name = "hot_station", threats.title = "Olaga hot nära stationer", threats.category = "olaga hot";
    threats.nearLayer.path = test::sampleData("kavlinge_map.gpkg"), threats.nearLayer.layer = "ralstrafikstation";
    c.colocation.pairs.push_back(threats);
    c.output.path = dir.file("open.gpkg");
    pipeline::run(c, Progress());
    const auto open = test::sqlQuery(c.output.path, "SELECT nearest_near_n FROM colocation WHERE name = 'hot_station'");
    REQUIRE(open.size() == 1);
    REQUIRE(std::stoi(open[0][0]) >= 1);
    REQUIRE(std::stoi(open[0][0]) <= c.publish.minCount);  // the case this test is about
    c.publish.enabled = true;
    c.output.path = dir.file("published.gpkg");
    pipeline::run(c, Progress());
    const auto hidden = test::sqlQuery(c.output.path, "SELECT nearest_near_n, clq, p_high, p_low FROM colocation WHERE name = 'hot_station'");
    REQUIRE(hidden.size() == 1);
    for (const auto& v : hidden[0]) CHECK(v == test::kSqlNull);
    const double stations = std::stod(test::sqlQuery(test::sampleData("kavlinge_map.gpkg"), "SELECT count(*) FROM ralstrafikstation")[0][0]);
    const double venues = std::stod(test::sqlQuery(test::sampleData("kavlinge_map.gpkg"), "SELECT count(*) FROM serveringsstallen")[0][0]);
    const double all = std::stod(test::sqlQuery(c.output.path, "SELECT sum(n) FROM hotspot_grid")[0][0]);
    std::size_t attacked = 0;
    for (const auto& r : test::sqlQuery(c.output.path, "SELECT name, n, clq, near_kind, near_n FROM colocation WHERE clq IS NOT NULL")) {
        const double n = std::stod(r[1]), clq = std::stod(r[2]);
        // B's points and all points as the attacker knows them: the layer's from the map, a
        // category's from the published counts.
        const double b = r[3] == "layer" ? (r[0] == "hot_station" ? stations : venues) : std::stod(r[4]);
        const double points = r[3] == "layer" ? n + b : all;
        const double recovered = std::round(clq * n * b / (points - 1));
        INFO(r[0] << ": C = " << recovered);
        CHECK((recovered == 0 || recovered > c.publish.minCount));
        ++attacked;
    }
    CHECK(attacked >= 2);
}

TEST_CASE("colocation and comparison mistakes in the config are refused by name", "[pipeline][colocation][comparison]") {
    test::TempDir dir;
    test::checkConfigRefused(dir, "[[colocation]]\nname = \"a\"\n", "needs name and category");
    test::checkConfigRefused(dir, "[[colocation]]\nname = \"a\"\ncategory = \"rån\"\n", "near_category");
    test::checkConfigRefused(dir, "[[colocation]]\nname = \"a\"\ncategory = \"rån\"\nnear_category = \"stöld\"\nnear_path = \"m.gpkg\"\n", "either");
    test::checkConfigRefused(dir, "[[colocation]]\nname = \"a\"\ncategory = \"rån\"\nnear_category = \"stöld\"\nneighbours = 0\n", "neighbours");
    test::checkConfigRefused(dir, "[[colocation]]\nname = \"A b\"\ncategory = \"rån\"\nnear_category = \"stöld\"\n", "name");
    test::checkConfigRefused(dir, "[hotspot_comparison]\ncompare = [\"before\"]\n", "perceived, periods or analysis");
    test::checkConfigRefused(dir, "[hotspot_comparison]\nweighting = \"loose\"\n", "fuzzy or exact");
    test::checkConfigRefused(dir, "[hotspot_comparison]\nneighbours = 2.5\n", "neighbours");
}
