#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/pipeline/Config.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace trygg;

namespace {

std::string writeConfig(const test::TempDir& dir, const std::string& text) {
    const std::string path = dir.file("c.toml");
    std::ofstream(path) << text;
    return path;
}

const char* kMinimal = "[incidents]\npath = \"in.csv\"\n[output]\npath = \"out.gpkg\"\n";

} // namespace

TEST_CASE("the sample config loads with paths relative to its folder", "[pipeline]") {
    const pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    CHECK(c.analysisCrs == "EPSG:3006");  // as the sample config gives it
    REQUIRE(c.studyArea);
    CHECK(c.studyArea->path == test::sampleData("kavlinge_map.gpkg"));
    CHECK(c.incidents.fields.time == std::vector<std::string>{"tidpunkt"});
    CHECK(c.grid.cellSizeM == 250.0);
    CHECK(c.inference.correction == stats::Correction::FdrBenjaminiHochberg);
    CHECK(c.inference.permutations == 9999);
    CHECK(c.localMoran.enabled);
    CHECK_THAT(c.output.path, Catch::EndsWith("out/kavlinge.gpkg"));
    REQUIRE(c.areas);
    CHECK(c.areas->layer.layer == "deso");
    CHECK(c.areas->layer.idField == "desokod");
    CHECK(c.areas->queen);
}

TEST_CASE("defaults when a section is left out", "[pipeline]") {
    test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(writeConfig(dir, kMinimal));
    CHECK_FALSE(c.grid.cellSizeM);  // automatic
    CHECK(c.grid.shape == grid::Shape::Square);
    CHECK(c.gistar.weights.includeSelf);
    CHECK(c.gistar.weights.kind == stats::WeightsKind::DistanceBand);
    CHECK(c.gistar.weights.distanceM == 0.0);  // the default band
    CHECK_FALSE(c.localMoran.enabled);
    CHECK(c.localMoran.weights.kind == stats::WeightsKind::Queen);
    CHECK(c.localMoran.weights.rowStandardise);
    CHECK(c.inference.permutations == 999);
    CHECK(c.inference.classesFrom == pipeline::ClassesFrom::Auto);
    CHECK(c.globalTests);
    CHECK_FALSE(c.studyArea);
    CHECK(c.grid.maxCells == 20'000'000);
}

TEST_CASE("weights, permutations and corrections from the config", "[pipeline]") {
    test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(writeConfig(
        dir, std::string(kMinimal) +
                 "[gistar]\nweights = \"knn\"\nk = 6\n[local_moran]\nenabled = true\nweights = \"rook\"\n"
                 "row_standardise = false\n[inference]\ncorrection = \"bonferroni\"\npermutations = 499\nseed = 7\n"));
    CHECK(c.gistar.weights.kind == stats::WeightsKind::KNearest);
    CHECK(c.gistar.weights.k == 6);
    CHECK(c.localMoran.weights.kind == stats::WeightsKind::Rook);
    CHECK_FALSE(c.localMoran.weights.rowStandardise);
    CHECK(c.inference.correction == stats::Correction::Bonferroni);
    CHECK(c.inference.permutations == 499);
    CHECK(c.inference.seed == 7);
    const pipeline::Config autoBand = pipeline::loadConfig(
        writeConfig(dir, std::string(kMinimal) + "[gistar]\ndistance_band_m = \"auto\"\n[global]\nincremental_count = 5\n"));
    CHECK(autoBand.gistar.autoBand);
    CHECK(autoBand.incremental.count == 5);
    CHECK_THROWS_WITH(
        pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[gistar]\nweights = \"queen\"\ndistance_band_m = \"auto\"\n")),
        Catch::Contains("needs weights = \"distance_band\""));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[gistar]\nweights = \"bishop\"\n")),
                      Catch::Contains("gistar.weights") && Catch::Contains("\"queen\""));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[inference]\npermutations = 9.5\n")),
                      Catch::Contains("whole number"));
    // Inverse distance has no self weight: Gi* with it is refused, Gi (the cell left out) is not.
    CHECK_THROWS_WITH(
        pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[gistar]\nweights = \"inverse_distance\"\n")),
        Catch::Contains("no meaningful self weight") && Catch::Contains("include_self = false"));
    const pipeline::Config gi = pipeline::loadConfig(writeConfig(
        dir, std::string(kMinimal) + "[gistar]\nweights = \"inverse_distance\"\ninclude_self = false\n"));
    CHECK(gi.gistar.weights.kind == stats::WeightsKind::InverseDistance);
    CHECK_FALSE(gi.gistar.weights.includeSelf);
}

TEST_CASE("config mistakes name the file, line and key", "[pipeline]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[grid]\ncel_size_m = 100\n")),
                      Catch::Contains("line 6") && Catch::Contains("grid.cel_size_m") && Catch::Contains("unknown key"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[grid]\ncell_size_m = \"big\"\n")),
                      Catch::Contains("grid.cell_size_m") && Catch::Contains("number or \"auto\""));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[grid]\ncell_size_m = -5\n")),
                      Catch::Contains("positive"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[grid]\nshape = \"triangle\"\n")),
                      Catch::Contains("\"square\" or \"hex\""));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[lagesbild]\nperiod = \"fortnight\"\n")),
                      Catch::Contains("lagesbild.period") && Catch::Contains("\"quarter\""));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[lagesbild]\nuntil = \"31/12\"\n")),
                      Catch::Contains("lagesbild.until"));
    CHECK(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[lagesbild]\nperiod = \"quarter\"\n")).lagesbild.period ==
          "quarter");
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[incidents\npath = 1\n")), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[output]\npath = \"o.gpkg\"\n")),
                      Catch::Contains("no [incidents]"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[incidents]\npath = \"a.csv\"\n[output]\npath = \"o.shp\"\n")),
                      Catch::Contains(".gpkg"));
}

TEST_CASE("named periods and the time filter", "[pipeline][temporal]") {
    const test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + R"(
[periods.fore]
from = "2023-01-01"
to = "2023-12-31"
[periods.efter]
from = "2024-01-01"
to = "2024-12-31"
[filter]
period = "efter"
hours = "22-04"
weekdays = ["fre", 6]
months = ["sommar"]
)"));
    REQUIRE(c.periods.size() == 2);
    CHECK(c.periods.at("fore").period == "fore");
    CHECK(c.filter.period == "efter");
    CHECK(c.filter.describe() == "period efter, 2024-01-01 to 2024-12-31 (whole day), hours 22-04, weekdays fre lör, "
                                 "months jun jul aug");

    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[filter]\nperiod = \"efter\"\n")),
                      Catch::Contains("no period named 'efter'") && Catch::Contains("[periods.efter]"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[filter]\nhours = \"kväll\"\n")),
                      Catch::Contains("c.toml' line 5") && Catch::Contains("'kväll' is not an hour range"));
    CHECK_THROWS_WITH(
        pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[filter]\nfrom = \"2024-02-01\"\nto = \"2024-01-01\"\n")),
        Catch::Contains("'to' must come after 'from'"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[filter]\nhour = \"18-06\"\n")),
                      Catch::Contains("filter.hour: unknown key"));
}

TEST_CASE("further analyses, context layers and publishing from the config", "[pipeline]") {
    test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(writeConfig(
        dir, std::string(kMinimal) +
                 "[analyses.natt]\ntitle = \"Natt\"\nhours = \"22-05\"\ncategories = [\"misshandel\"]\nkde = false\n"
                 "[analyses.alla]\n"
                 "[[context]]\nname = \"vagar\"\npath = \"map.gpkg\"\nlayer = \"vaglinje\"\n"
                 "[publish]\nenabled = true\nmin_count = 5\n"));
    REQUIRE(c.analyses.size() == 2);
    // In the order of their names.
    CHECK(c.analyses[0].name == "alla");
    CHECK(c.analyses[0].title == "alla");
    CHECK_FALSE(c.analyses[0].filter.active());
    CHECK(c.analyses[1].name == "natt");
    CHECK(c.analyses[1].title == "Natt");
    CHECK(c.analyses[1].filter.active());
    CHECK(c.analyses[1].categories == std::vector<std::string>{"misshandel"});
    CHECK_FALSE(c.analyses[1].runs("kde"));
    CHECK(c.analyses[1].runs("perception"));
    REQUIRE(c.context.size() == 1);
    CHECK(c.context[0].layer.layer == "vaglinje");
    CHECK(c.publish.enabled);
    CHECK(c.publish.minCount == 5);

    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[analyses.Natt]\n")),
                      Catch::Contains("analyses.Natt") && Catch::Contains("lower-case"));
    // "problem" would write problem_measures, the main analysis's table of problems and measures.
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[analyses.problem]\n")),
                      Catch::Contains("analyses.problem") && Catch::Contains("problem_measures"));
    CHECK_NOTHROW(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[analyses.problemomrade]\n")));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[analyses.natt]\nkd = false\n")),
                      Catch::Contains("analyses.natt.kd") && Catch::Contains("unknown key"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[analyses.natt]\nhours = \"25-3\"\n")),
                      Catch::Contains("analyses.natt"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) + "[publish]\nmin_count = 0\n")),
                      Catch::Contains("publish.min_count"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, std::string(kMinimal) +
                                                                "[[context]]\nname = \"a\"\npath = \"m.gpkg\"\n"
                                                                "[[context]]\nname = \"a\"\npath = \"m.gpkg\"\n")),
                      Catch::Contains("used twice"));
}

TEST_CASE("numbers where numbers are meant: a band as a number, no zero band, nothing non-finite", "[pipeline]") {
    test::TempDir dir;
    auto load = [&](const std::string& extra) {
        const std::string path = dir.file("c.toml");
        std::ofstream(path) << "[incidents]\npath = \"r.csv\"\n[output]\npath = \"o.gpkg\"\n" << extra;
        return pipeline::loadConfig(path);
    };
    CHECK(load("[gistar]\ndistance_band_m = 500\n").gistar.weights.distanceM == 500);
    CHECK(load("[gistar]\ndistance_band_m = \"auto\"\n").gistar.autoBand);
    CHECK_THROWS_WITH(load("[gistar]\ndistance_band_m = 0\n"), Catch::Contains("gistar.distance_band_m") &&
                                                                 Catch::Contains("positive"));
    CHECK_THROWS_WITH(load("[grid]\nmax_cells = inf\n"), Catch::Contains("grid.max_cells") && Catch::Contains("finite"));
    CHECK_THROWS_WITH(load("[inference]\nthreads = nan\n"), Catch::Contains("inference.threads"));
    CHECK_THROWS_WITH(load("[inference]\nseed = 1e30\n"), Catch::Contains("inference.seed"));
    CHECK_THROWS_WITH(load("[inference]\nthreads = 1.5\n"), Catch::Contains("whole number"));
    // Finite but beyond reach: a buffer of 1e300 m overflows GEOS's coordinates, a window of 1e300
    // days its time in seconds (found by reading the config's limits against their use).
    CHECK_THROWS_WITH(load("[measures]\npath = \"m.csv\"\nbuffer_m = 1e300\n"),
                      Catch::Contains("measures.buffer_m") && Catch::Contains("at most 50000"));
    CHECK_THROWS_WITH(load("[measures]\npath = \"m.csv\"\nradius_m = 60000\n"), Catch::Contains("measures.radius_m"));
    CHECK_THROWS_WITH(load("[measures]\npath = \"m.csv\"\nafter_days = 1e20\n"),
                      Catch::Contains("measures.after_days") && Catch::Contains("at most 36525"));
    CHECK(load("[measures]\npath = \"m.csv\"\nbuffer_m = 50000\nbefore_days = 36525\n").measures->bufferM == 50000);
    CHECK_THROWS_WITH(load("[followup]\nname = \"x\"\ndate = \"2024-01-01\"\nbefore_days = 1e300\n"),
                      Catch::Contains("followup.before_days") && Catch::Contains("at most 36525"));
    CHECK_THROWS_WITH(load("[followup]\nname = \"x\"\ndate = \"2024-01-01\"\nbuffer_m = 1e9\n"),
                      Catch::Contains("followup.buffer_m"));
    // A time from two columns and a layout.
    const auto c = load("");
    CHECK(c.analysisCrs.empty());  // chosen from the data
    const std::string path = dir.file("t.toml");
    std::ofstream(path) << "[incidents]\npath = \"r.csv\"\ntime_field = [\"Datum\", \"Klockslag\"]\n"
                           "time_format = \"%Y-%m-%d %H:%M\"\nearliest_date = \"2020-01-01\"\n[output]\npath = \"o.gpkg\"\n";
    const auto t = pipeline::loadConfig(path);
    CHECK(t.incidents.fields.time == std::vector<std::string>{"Datum", "Klockslag"});
    CHECK(t.incidents.timeFormat == "%Y-%m-%d %H:%M");
    REQUIRE(t.incidents.dates);
    CHECK(t.incidents.dates->fromText == "2020-01-01");
}
