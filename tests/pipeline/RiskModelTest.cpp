// stats.risk_model in a run: the sample's planted factors found (scripts/make-sample-data plants
// them: a background incident is 2.5 times as likely within 100 m of a late-night venue, twice as
// likely within 100 m of a bus stop, half as likely within 100 m of a lit footpath), the model refitted
// by R from the design matrix the run writes, and the config's mistakes refused by name.
#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace trygg;

namespace {

struct Factor {
    std::string role, op;
    double influence = 0, rrv = 0, low = 0, high = 0, coef = 0, se = 0;
};

std::map<std::string, Factor> factorsOf(const std::string& gpkg, const std::string& table = "risk_factors") {
    std::map<std::string, Factor> out;
    for (const auto& r : test::sqlQuery(gpkg, "SELECT factor, role, operationalisation, influence_m, rrv, rrv_low, rrv_high, "
                                              "coefficient, std_error FROM " + table)) {
        Factor f;
        f.role = r[1];
        f.op = r[2] == test::kSqlNull ? "" : r[2];
        f.influence = r[3] == test::kSqlNull ? 0 : std::stod(r[3]);
        if (r[4] != test::kSqlNull) {
            f.rrv = std::stod(r[4]), f.low = std::stod(r[5]), f.high = std::stod(r[6]);
            f.coef = std::stod(r[7]), f.se = std::stod(r[8]);
        }
        out[r[0]] = f;
    }
    return out;
}

// The sample run, once for the tests that read it.
const std::string& sampleRun() {
    static const test::TempDir dir;
    static const std::string path = [] {
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.analyses.clear();
    c.nearRepeat.enabled = false;  // not these tests' subject
    c.inference.permutations = 0;
    c.output.path = dir.file("k.gpkg");
    c.output.report = false;
    pipeline::run(c, Progress());
    return c.output.path;
    }();
    return path;
}

} // namespace

TEST_CASE("the sample's planted factors are found with the right sign and about their size", "[pipeline][risk]") {
    const std::string gpkg = sampleRun();
    const auto f = factorsOf(gpkg);
    // Bus stops: planted 2 within 100 m, found at 100 m with 2 inside the interval.
    REQUIRE(f.at("hallplats").role == "chosen");
    CHECK(f.at("hallplats").op == "proximity");
    CHECK(f.at("hallplats").influence == 100);
    CHECK(f.at("hallplats").low < 2.0);
    CHECK(f.at("hallplats").high > 2.0);
    // Lit footpaths: planted 0.5 within 100 m; below 1 with its whole interval, and near 0.5 (the
    // cells within 100 m of a path's centre are not all within 100 m of the path).
    REQUIRE(f.at("belyst_gc").role == "chosen");
    CHECK(f.at("belyst_gc").influence == 100);
    CHECK(f.at("belyst_gc").high < 1);
    CHECK(f.at("belyst_gc").rrv == Approx(0.5).margin(0.2));
    // Late-night venues: planted 2.5 within 100 m; above 1 with its whole interval. The model
    // takes a wider distance (a venue's 100 m disc is a third of its 3 x 3 cells), so the value
    // is spread thinner: between 1.3 and the planted 2.5.
    REQUIRE(f.at("krog").role == "chosen");
    CHECK(f.at("krog").low > 1);
    CHECK(f.at("krog").rrv > 1.3);
    CHECK(f.at("krog").rrv < 2.5);
    // The residents are a control, always in, and go with more incidents.
    CHECK(f.at("residents").role == "control");
    CHECK(f.at("residents").rrv > 1);
    // The terrain: the score is the product of the chosen factors' values present, 1 without any.
    const auto cells = test::sqlQuery(gpkg, "SELECT rrs, n_factors, factors, risk_class FROM risk_terrain");
    REQUIRE(cells.size() > 10000);  // 100 m cells over the municipality
    std::size_t checked = 0;
    for (const auto& c : cells) {
        double product = 1;
        std::string list = c[2] == test::kSqlNull ? "" : c[2];
        std::size_t start = 0;
        int n = 0;
        while (start < list.size()) {
            const auto end = list.find("; ", start);
            product *= f.at(list.substr(start, end - start)).rrv;
            ++n;
            start = end == std::string::npos ? list.size() : end + 2;
        }
        REQUIRE(std::stod(c[0]) == Approx(product).epsilon(1e-9));
        REQUIRE(std::stoi(c[1]) == n);
        if (n == 0) REQUIRE(c[3] == "0");
        ++checked;
    }
    CHECK(checked == cells.size());
}

TEST_CASE("the sample's risk model equals MASS::glm.nb refitted on the design matrix it writes, live where R is installed",
          "[pipeline][risk]") {
    if (!test::rscriptAvailable()) {
        WARN("skipped: Rscript is not installed (apt-get install r-base-core)");
        return;
    }
    test::TempDir dir;
    const std::string gpkg = sampleRun();
    const auto f = factorsOf(gpkg);
    const auto fit = test::sqlQuery(gpkg, "SELECT value FROM run_metadata WHERE key = 'risk_model.fit'");
    REQUIRE(fit.size() == 1);
    REQUIRE(fit[0][0].rfind("negative_binomial", 0) == 0);
    // The design matrix as a CSV, the chosen columns named as the run names them.
    const auto header = test::sqlQuery(gpkg, "SELECT name FROM pragma_table_info('risk_design')");
    std::string cols, formula = "n ~ residents";
    for (const auto& h : header) cols += (cols.empty() ? "" : ",") + h[0];
    std::vector<std::string> names;
    for (const auto& [name, fac] : f)
        if (fac.role == "chosen") {
            const std::string column = fac.influence > 0 ? fmt::format("{}_{}_{:g}", name, fac.op, fac.influence)
                                                         : fmt::format("{}_{}", name, fac.op);
            formula += " + " + column;
            names.push_back(name);
        }
    std::string csv = cols + "\n";
    for (const auto& r : test::sqlQuery(gpkg, "SELECT * FROM risk_design")) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) line += (i ? "," : "") + r[i];
        csv += line + "\n";
    }
    std::ofstream(dir.file("design.csv")) << csv;
    const std::string out = dir.file("nb.csv");
    std::ofstream(dir.file("nb.R")) << fmt::format(
        "suppressMessages(library(MASS)); d <- read.csv('{}'); ctl <- glm.control(epsilon = 1e-14, maxit = 200);"
        " fo <- {} + offset(offset); p <- glm(fo, family = poisson, data = d, control = ctl);"
        " b <- glm.nb(fo, data = d, control = ctl, start = coef(p), init.theta = 1);"
        " write.csv(data.frame(coef = coef(b), se = sqrt(diag(vcov(b)))), '{}', row.names = FALSE)",
        dir.file("design.csv"), formula, out);
    REQUIRE(std::system(("Rscript " + dir.file("nb.R") + " > /dev/null 2>&1").c_str()) == 0);
    const auto v = test::readNumberCsv(out);
    REQUIRE(v.size() == 2 + names.size());  // intercept, residents, the chosen
    CHECK(v[1][0] == Approx(f.at("residents").coef).margin(1e-6));
    CHECK(v[1][1] == Approx(f.at("residents").se).epsilon(1e-6));
    for (std::size_t k = 0; k < names.size(); ++k) {
        INFO(names[k]);
        CHECK(v[2 + k][0] == Approx(f.at(names[k]).coef).margin(1e-6));
        CHECK(v[2 + k][1] == Approx(f.at(names[k]).se).epsilon(1e-6));
    }
}

TEST_CASE("a risk model's mistakes in the config are refused by name", "[pipeline][risk]") {
    test::TempDir dir;
    test::checkConfigRefused(dir, "[risk_model]\nfamily = \"gamma\"\n", "family");
    test::checkConfigRefused(dir, "[risk_model]\noffset = \"people\"\n", "offset");
    test::checkConfigRefused(dir, "[risk_model]\ninfluence_cells = [0]\n", "influence_cells");
    test::checkConfigRefused(dir, "[[risk_model.factors]]\nname = \"Krog\"\npath = \"m.gpkg\"\n", "name");
    test::checkConfigRefused(dir, "[[risk_model.factors]]\nname = \"krog\"\npath = \"m.gpkg\"\noperationalisations = [\"near\"]\n",
            "operationalisations");
    test::checkConfigRefused(dir, "[[risk_model.factors]]\nname = \"krog\"\npath = \"m.gpkg\"\n[[risk_model.factors]]\nname = \"krog\"\npath = \"n.gpkg\"\n",
            "two factors");
    test::checkConfigRefused(dir, "[[risk_model.factors]]\nname = \"krog\"\n", "needs name and path");
}

TEST_CASE("a density of lines is refused, naming the factor and its layer", "[pipeline][risk]") {
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.analyses.clear();
    c.nearRepeat.enabled = false;  // runs before the risk model, and is not this test's subject
    c.inference.permutations = 0;
    c.output.path = dir.file("k.gpkg");
    c.output.report = false;
    for (auto& f : c.riskModel.factors)
        if (f.name == "storre_vag") f.operationalisations = {"density"};
    try {
        pipeline::run(c, Progress());
        FAIL("ran");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("storre_vag") != std::string::npos);
        CHECK(std::string(e.what()).find("density needs a layer of points") != std::string::npos);
    }
    CHECK_FALSE(std::ifstream(c.output.path).good());
}
