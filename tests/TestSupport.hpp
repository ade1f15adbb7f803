#pragma once
// Helpers shared by the tests: files in GDAL's /vsimem/, temporary folders, sample data paths.
#include <filesystem>
#include <string>
#include <vector>

#include "trygg/geom/Geos.hpp"

namespace trygg::pipeline {
struct Config;
}

namespace trygg::test {

// A GEOS geometry from WKT, for building test inputs by hand.
geom::GeomPtr fromWkt(const geom::GeosContext& ctx, const char* wkt);

// The rows of an SQL query on an SQLite or GeoPackage file, as text; NULL reads kSqlNull.
inline const std::string kSqlNull = "\x01NULL";
std::vector<std::vector<std::string>> sqlQuery(const std::string& path, const std::string& sql);

// Writes `text` to GDAL's in-memory file system and returns the path.
std::string writeVsimem(const std::string& name, const std::string& text);

// A fresh empty folder under the system's temporary folder, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return m_path; }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

std::string readFile(const std::string& path);    // the whole file, "" when it cannot be read
// The rows after the header of a CSV of numbers (as R's write.csv writes them).
std::vector<std::vector<double>> readNumberCsv(const std::string& path);
// Whether Rscript runs here, for the optional checks against R.
bool rscriptAvailable();
std::string sampleData(const std::string& name);  // a file in sample-data/
// The message loadConfig gives a config of [incidents], [output] and `tables` (written into `dir`),
// or "" when it accepts it.
std::string configRefusal(const TempDir& dir, const std::string& tables);
// Checks that loadConfig refuses such a config with a message holding `words`.
void checkConfigRefused(const TempDir& dir, const std::string& tables, const std::string& words);
std::string sharedData(const std::string& name);  // a file in ../shared/data, "" when absent

// Leaves the sample's two slowest analyses out of `c`, the risk model and the near repeats (about
// two thirds of a sample run, ten times that under the sanitizers), for a test about something
// else. Both still run in every test of the whole sample: the golden run, every field declared,
// publishing and its attacks, the report, the QGIS project, the further analyses.
void leaveOutSlowAnalyses(pipeline::Config& c);

// The sample run as the README runs it (`trygg run sample-data/kavlinge.toml`: every analysis,
// the further analyses and the report) in `language` ("sv" or "en"), for the tests that only
// read its output. Under ctest it is the run made once by the tests cli.sample_run_<language>
// (a fixture: TRYGG_SAMPLE_RUN names its folder); run alone, the test makes its own into `dir`.
// Returns the GeoPackage's path; the report is beside it (kavlinge.html).
std::string sampleRunOutput(const TempDir& dir, const std::string& language = "sv");

} // namespace trygg::test
