// Fuzzes the measures register (the åtgärdsplan as a table): CSV or XLSX through GDAL, with
// WKT geometries in a column and the field names recognised from the header. The input's first
// byte picks the format; the rest is the file.
#include "FuzzSupport.hpp"
#include "VsiMemFile.hpp"

#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/MeasureRegister.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace trygg;
    if (size < 1) return 0;
    io::ensureGdalRegistered();
    static const crs::Crs sweref = crs::Crs::fromUserInput("EPSG:3006");
    static const geom::GeosContext geos;

    const bool xlsx = (data[0] & 1) != 0;
    const fuzz::VsiMemFile file(xlsx ? "/vsimem/fuzz/atgarder.xlsx" : "/vsimem/fuzz/atgarder.csv", data + 1, size - 1);
    io::MeasureRegisterSpec spec;
    spec.path = file.path();
    if (data[0] & 2) spec.crs = "EPSG:3006";
    fuzz::expectingInputErrors([&] { (void)io::readMeasureRegister(spec, sweref, geos); });
    return 0;
}
