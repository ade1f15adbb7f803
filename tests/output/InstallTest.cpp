// Outputs never hurt inputs, and a run stopped at any point of its final write leaves whole
// files: tried the way a user would hit it, through the command line, with SIGKILL and SIGINT
// raised before each move of the install (the TRYGG_TEST_SIGNAL_AT_INSTALL hook).
#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace trygg;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs the CLI through the shell; returns its exit status and fills `output` with stderr and stdout.
int runCli(const std::string& args, std::string& output, const std::string& env = "") {
    const std::string cmd = env + " " + TRYGG_CLI + " " + args + " 2>&1";
    output.clear();
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) output += buf;
    const int status = ::pclose(p);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The grid's cell size recorded in a GeoPackage, or "" when it cannot be opened as one.
std::string cellSizeIn(const std::string& gpkg) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || !ds->GetLayerByName("run_metadata") || !ds->GetLayerByName("hotspot_grid")) return "";
    for (auto& f : *ds->GetLayerByName("run_metadata"))
        if (std::string(f->GetFieldAsString("key")) == "grid.cell_size_m") return f->GetFieldAsString("value");
    return "?";
}

int partialFiles(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        n += name.find(".partial-") != std::string::npos || name.find(".install") != std::string::npos;
    }
    return n;
}

} // namespace

TEST_CASE("an output equal to an input is refused and the input left byte for byte", "[output]") {
    test::TempDir dir;
    const std::string map = dir.file("map.gpkg");
    fs::copy_file(test::sampleData("kavlinge_map.gpkg"), map);
    const std::string before = slurp(map);
    fs::create_directories(dir.path() / "sub");
    fs::create_symlink(map, dir.file("link.gpkg"));
    fs::create_hard_link(map, dir.file("hard.gpkg"));
    const std::vector<std::string> outputs = {map, dir.file("sub/../map.gpkg"), dir.file("link.gpkg"), dir.file("hard.gpkg")};
    for (const std::string& out : outputs) {
        INFO(out);
        pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
        c.analyses.clear();
        // The study area read from the copy, the incidents as in the sample.
        c.studyArea->path = map;
        c.output.path = out;
        c.output.overwrite = true;
        CHECK_THROWS_WITH(pipeline::run(c, Progress()), Catch::Contains("would destroy the input") &&
                                                            Catch::Contains("study area"));
        CHECK(slurp(map) == before);
    }
    // Every kind of input, each in turn the output (a layer of the copied map file).
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    const auto inputs = pipeline::inputFiles(c);
    CHECK(inputs.size() >= 8);  // the config, incidents, study area, areas, survey, places, overlays, ...
    // A GeoTIFF beside the output that is the raster KDE copies its layout from.
    pipeline::Config k = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    k.analyses.clear();
    k.output.path = dir.file("out.gpkg");
    k.kde.enabled = true;
    k.kde.geotiff = true;
    k.kde.alignTo = dir.file("out.kde_density.tif");
    std::ofstream(k.kde.alignTo) << "not really a raster";
    CHECK_THROWS_WITH(pipeline::run(k, Progress()), Catch::Contains("kde align_to"));
    CHECK(slurp(k.kde.alignTo) == "not really a raster");
    CHECK_FALSE(fs::exists(k.output.path));
}

TEST_CASE("SIGKILL or SIGINT at every move of the final write leaves whole files, old or new", "[output]") {
    test::TempDir dir;
    const std::string csv = dir.file("reports.csv");
    {
        std::ofstream out(csv);
        out << "x,y\n";
        for (int i = 0; i < 400; ++i)
            out << 380000 + (i * 37) % 3000 + (i % 7 == 0 ? 0 : (i % 5) * 11) << "," << 6180000 + (i * 53) % 2500 << "\n";
    }
    const std::string gpkg = dir.file("out.gpkg"), html = dir.file("out.html");
    auto args = [&](int cell) {
        return "hotspot --incidents " + csv + " --crs EPSG:3006 --analysis-crs EPSG:3006 --cell-size " + std::to_string(cell) +
               " --permutations 0 --out " + gpkg + " --overwrite --quiet";
    };
    std::string out;
    for (int k = 0; k <= 2; ++k) {  // two moves: the report, then the GeoPackage; 2 = after both
        INFO("move " << k);
        // The old output: 250 m cells.
        REQUIRE(runCli(args(250), out) == 0);
        REQUIRE(cellSizeIn(gpkg) == "250");
        const std::string oldHtml = slurp(html);
        // Killed before move k of the new output (500 m cells).
        const int rc = runCli(args(500), out, "TRYGG_TEST_SIGNAL_AT_INSTALL=SIGKILL:" + std::to_string(k));
        CHECK(rc == 128 + SIGKILL);
        // Each file whole: the GeoPackage opens, old before its move and new after it.
        CHECK(cellSizeIn(gpkg) == (k >= 2 ? "500" : "250"));
        const std::string htmlNow = slurp(html);
        CHECK((k >= 1 ? htmlNow != oldHtml : htmlNow == oldHtml));
        CHECK(htmlNow.find("</html>") != std::string::npos);
        // The next run on the output finishes what the killed one left and removes its temporary files.
        REQUIRE(runCli(args(500), out) == 0);
        CHECK(cellSizeIn(gpkg) == "500");
        CHECK(partialFiles(dir.path()) == 0);
        // An interrupt at the same point is too late to stop: the new output is completed and said so.
        REQUIRE(runCli(args(250), out, "TRYGG_TEST_SIGNAL_AT_INSTALL=SIGINT:" + std::to_string(k)) == 0);
        CHECK_THAT(out, Catch::Contains("the new output is complete"));
        CHECK(cellSizeIn(gpkg) == "250");
        CHECK(partialFiles(dir.path()) == 0);
    }
    // A run killed before its first move leaves the old output in place and its temporary files,
    // which the next run moves in or removes.
    REQUIRE(runCli(args(500), out, "TRYGG_TEST_SIGNAL_AT_INSTALL=SIGKILL:0") == 128 + SIGKILL);
    CHECK(partialFiles(dir.path()) > 0);
    REQUIRE(runCli(args(500), out, "") == 0);
    CHECK(partialFiles(dir.path()) == 0);
}
