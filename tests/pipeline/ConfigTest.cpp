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
    CHECK(c.analysisCrs == "EPSG:3006");
    REQUIRE(c.studyArea);
    CHECK(c.studyArea->path == test::sampleData("kavlinge_map.gpkg"));
    CHECK(c.incidents.fields.time == "tidpunkt");
    CHECK(c.grid.cellSizeM == 250.0);
    CHECK(c.gistar.correction == stats::Correction::FdrBenjaminiHochberg);
    CHECK_THAT(c.output.path, Catch::EndsWith("out/kavlinge.gpkg"));
}

TEST_CASE("defaults when a section is left out", "[pipeline]") {
    test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(writeConfig(dir, kMinimal));
    CHECK_FALSE(c.grid.cellSizeM);  // automatic
    CHECK(c.grid.shape == grid::Shape::Square);
    CHECK(c.gistar.includeSelf);
    CHECK_FALSE(c.gistar.distanceBandM);
    CHECK_FALSE(c.studyArea);
    CHECK(c.grid.maxCells == 20'000'000);
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
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[incidents\npath = 1\n")), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[output]\npath = \"o.gpkg\"\n")),
                      Catch::Contains("no [incidents]"));
    CHECK_THROWS_WITH(pipeline::loadConfig(writeConfig(dir, "[incidents]\npath = \"a.csv\"\n[output]\npath = \"o.shp\"\n")),
                      Catch::Contains(".gpkg"));
}
