// Fuzzes the report reader on the tables users have: CSV (Trygg's own parallel splitter and
// GDAL's CSV driver, any separator and encoding, the columns recognised from the header) and
// XLSX through GDAL. The input's first byte picks the reader and the CRS; the rest is the file.
// Beyond "no crash", it checks the reader's promise that no row is lost: every row read is either
// accepted or rejected.
#include "FuzzSupport.hpp"
#include "VsiMemFile.hpp"

#include "trygg/core/Progress.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/ReportReader.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace trygg;
    if (size < 1) return 0;
    io::ensureGdalRegistered();
    static const crs::Crs sweref = crs::Crs::fromUserInput("EPSG:3006");

    const std::uint8_t mode = data[0];
    const bool xlsx = (mode & 3) == 3;
    const fuzz::VsiMemFile file(xlsx ? "/vsimem/fuzz/reports.xlsx" : "/vsimem/fuzz/reports.csv", data + 1, size - 1);
    io::ReportSourceSpec spec;
    spec.path = file.path();
    spec.gdalCsvReader = (mode & 1) != 0;
    if (mode & 4) spec.crs = "EPSG:3006";  // else the layer's, or lon/lat from the columns' names
    if (mode & 8) spec.dates = io::DateRange{};  // an empty range: every dated row rejected as implausible
    fuzz::expectingInputErrors([&] {
        const io::ReportSet r = io::readReports(spec, sweref, nullptr, Progress());
        if (static_cast<std::int64_t>(r.acceptedCount() + r.rejected.size()) != r.rowsRead) std::abort();
    });
    return 0;
}
