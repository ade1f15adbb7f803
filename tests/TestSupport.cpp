#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/core/Progress.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <cpl_vsi.h>
#include <geos_c.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace trygg::test {

std::string writeVsimem(const std::string& name, const std::string& text) {
    io::ensureGdalRegistered();
    const std::string path = "/vsimem/trygg_test/" + name;
    VSILFILE* f = VSIFOpenL(path.c_str(), "wb");
    VSIFWriteL(text.data(), 1, text.size(), f);
    VSIFCloseL(f);
    return path;
}

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    m_path = std::filesystem::temp_directory_path() /
             ("trygg_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

geom::GeomPtr fromWkt(const geom::GeosContext& ctx, const char* wkt) {
    GEOSWKTReader* r = GEOSWKTReader_create_r(ctx.handle());
    geom::GeomPtr g(GEOSWKTReader_read_r(ctx.handle(), r, wkt), geom::GeomDeleter{ctx.handle()});
    GEOSWKTReader_destroy_r(ctx.handle(), r);
    return g;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sampleData(const std::string& name) { return std::string(TRYGG_SOURCE_DIR) + "/sample-data/" + name; }

std::string sharedData(const std::string& name) {
    const auto p = std::filesystem::path(TRYGG_SOURCE_DIR) / ".." / "shared" / "data" / name;
    return std::filesystem::exists(p) ? p.lexically_normal().string() : std::string();
}

std::vector<std::vector<std::string>> sqlQuery(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const int prepared = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    if (prepared != SQLITE_OK) sqlite3_close(db);
    REQUIRE(prepared == SQLITE_OK);
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
            const unsigned char* t = sqlite3_column_text(st, i);
            row.push_back(sqlite3_column_type(st, i) == SQLITE_NULL ? kSqlNull : std::string(reinterpret_cast<const char*>(t)));
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

std::vector<std::vector<double>> readNumberCsv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<double>> rows;
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::vector<double> v;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) v.push_back(std::stod(cell));
        rows.push_back(std::move(v));
    }
    return rows;
}

std::string configRefusal(const TempDir& dir, const std::string& tables) {
    const std::string path = dir.file("refused.toml");
    std::ofstream(path) << "[incidents]\npath = \"x.csv\"\n[output]\npath = \"o.gpkg\"\n" << tables;
    try {
        pipeline::loadConfig(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

void checkConfigRefused(const TempDir& dir, const std::string& tables, const std::string& words) {
    const std::string message = configRefusal(dir, tables);
    INFO(tables << " -> " << message);
    CHECK(message.find(words) != std::string::npos);
    CHECK_FALSE(message.empty());
}

bool rscriptAvailable() { return std::system("Rscript -e 'invisible(0)' > /dev/null 2>&1") == 0; }

void leaveOutSlowAnalyses(pipeline::Config& c) {
    c.riskModel.enabled = false;
    c.nearRepeat.enabled = false;
}

std::string sampleRunOutput(const TempDir& dir, const std::string& language) {
    if (const char* shared = std::getenv("TRYGG_SAMPLE_RUN")) {
        const std::string path = std::string(shared) + "/" + language + "/kavlinge.gpkg";
        // The fixture ran first; without its file the test cannot say anything.
        INFO("the fixture cli.sample_run_" << language << " left no " << path);
        REQUIRE(std::filesystem::exists(path));
        io::ensureGdalRegistered();  // the caller opens the file; no run of this process did
        return path;
    }
    pipeline::Config c = pipeline::loadConfig(sampleData("kavlinge.toml"));
    c.output.path = dir.file("kavlinge.gpkg");
    c.output.language = language;
    c.output.overwrite = true;
    return pipeline::run(c, Progress()).outputPath;
}

} // namespace trygg::test
