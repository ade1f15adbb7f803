#include "TestSupport.hpp"

#include "trygg/io/Gdal.hpp"

#include <cpl_vsi.h>
#include <geos_c.h>

#include <atomic>
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

std::string sampleData(const std::string& name) { return std::string(TRYGG_SOURCE_DIR) + "/sample-data/" + name; }

std::string sharedData(const std::string& name) {
    const auto p = std::filesystem::path(TRYGG_SOURCE_DIR) / ".." / "shared" / "data" / name;
    return std::filesystem::exists(p) ? p.lexically_normal().string() : std::string();
}

} // namespace trygg::test
