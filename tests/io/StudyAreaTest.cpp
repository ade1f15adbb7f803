#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/StudyArea.hpp"

#include <catch2/catch.hpp>

#include <ogrsf_frmts.h>

#include <limits>
#include <memory>
#include <utility>
#include <vector>

using namespace trygg;

namespace {

// A national file in miniature: municipalities with their code, in SWEREF 99 TM. 1261 is two
// districts whose shared edge leaves a 0.2 m slit (x 100 to 100.2, y 40 to 60) as a hole of the
// union, as districts digitised apart do; 1262 lies beside them.
std::string nationalFile(const test::TempDir& dir) {
    const std::string path = dir.file("kommuner.gpkg");
    io::ensureGdalRegistered();
    GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GPKG")->Create(path.c_str(), 0, 0, 0, GDT_Unknown,
                                                                                     nullptr));
    OGRSpatialReference srs;
    srs.importFromEPSG(3006);
    OGRLayer* layer = ds->CreateLayer("kommuner", &srs, wkbPolygon, nullptr);
    OGRFieldDefn code("KnKod", OFTString);
    layer->CreateField(&code);
    const char* features[][2] = {
        {"1261", "POLYGON((380000 6180000,380100 6180000,380100 6180100,380000 6180100,380000 6180000))"},
        {"1261", "POLYGON((380100 6180000,380200 6180000,380200 6180100,380100 6180100,380100 6180060,380100.2 6180060,"
                 "380100.2 6180040,380100 6180040,380100 6180000))"},
        {"1262", "POLYGON((390000 6180000,391000 6180000,391000 6181000,390000 6181000,390000 6180000))"}};
    for (const auto& [kod, wkt] : features) {
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("KnKod", kod);
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt(wkt, &srs, &g);
        f.SetGeometryDirectly(g);
        REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    }
    return path;
}

// A GeoPackage with one layer 'kommun' in SWEREF 99 TM holding one feature of this geometry.
void writeOneFeature(const std::string& path, OGRwkbGeometryType type, const OGRGeometry& g) {
    io::ensureGdalRegistered();
    GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GPKG")->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference srs;
    srs.importFromEPSG(3006);
    OGRLayer* layer = ds->CreateLayer("kommun", &srs, type, nullptr);
    OGRFeature f(layer->GetLayerDefn());
    f.SetGeometry(&g);
    REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
}

} // namespace

TEST_CASE("a study area chosen from a national file by an attribute filter, its slivers closed", "[io]") {
    test::TempDir dir;
    const std::string path = nationalFile(dir);
    const crs::Crs sweref = crs::Crs::fromUserInput("EPSG:3006");
    geom::GeosContext geos;
    io::StudyAreaSpec spec;
    spec.path = path;
    spec.where = "KnKod = '1261'";
    const io::StudyArea s = io::readStudyArea(spec, sweref, geos);
    CHECK(s.features == 2);
    CHECK(s.featuresInLayer == 3);
    // The two districts, 200 m by 100 m, with the slit filled: the 0.2 x 20 m hole is gone.
    CHECK(s.area->areaM2() == Approx(20000).margin(0.01));
    CHECK(s.area->closedSlivers() == 1);
    CHECK(s.area->coversPoint(380100.1, 6180050));  // inside the former slit
    CHECK_FALSE(s.area->coversPoint(390500, 6180500));  // 1262 is not chosen
    // The corners stay where they were.
    CHECK(s.area->bounds().minX == Approx(380000).margin(1e-6));
    CHECK(s.area->bounds().maxY == Approx(6180100).margin(1e-6));

    // Without the filter, every municipality is dissolved.
    spec.where.clear();
    CHECK(io::readStudyArea(spec, sweref, geos).area->areaM2() == Approx(20000 + 1e6).margin(0.01));

    spec.where = "KnKod = '9999'";
    CHECK_THROWS_WITH(io::readStudyArea(spec, sweref, geos), Catch::Contains("no feature") && Catch::Contains("3 in all"));
    spec.where = "Kommunkod = '1261'";
    CHECK_THROWS_WITH(io::readStudyArea(spec, sweref, geos), Catch::Contains("cannot be applied") && Catch::Contains("KnKod"));
}

TEST_CASE("a study area with a vertex at NaN, infinity or 1e308 is refused, naming the feature", "[io]") {
    // GEOS cannot orient or repair such a ring, and a grid over 1e308 m overflows: the study area
    // is refused before either, with the feature and the file named.
    const crs::Crs sweref = crs::Crs::fromUserInput("EPSG:3006");
    geom::GeosContext geos;
    for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 1e308}) {
        test::TempDir dir;
        const std::string path = dir.file("area.gpkg");
        OGRLinearRing ring;
        for (const auto& [x, y] : std::vector<std::pair<double, double>>{
                 {380000, 6180000}, {bad, 6180000}, {381000, 6181000}, {380000, 6181000}, {380000, 6180000}})
            ring.addPoint(x, y);
        OGRPolygon poly;
        poly.addRing(&ring);
        writeOneFeature(path, wkbPolygon, poly);
        io::StudyAreaSpec spec;
        spec.path = path;
        INFO("the bad coordinate: " << bad);
        CHECK_THROWS_WITH(io::readStudyArea(spec, sweref, geos),
                          Catch::Contains("feature 1 of layer 'kommun'") && Catch::Contains(path) &&
                              Catch::Contains("not a finite number"));
    }
}

TEST_CASE("a line or a polygon without area as study area is refused once, naming the file", "[io]") {
    const crs::Crs sweref = crs::Crs::fromUserInput("EPSG:3006");
    geom::GeosContext geos;
    for (const auto& [type, wkt] : {std::pair{wkbLineString, "LINESTRING(380000 6180000,381000 6181000)"},
                                    std::pair{wkbPolygon, "POLYGON((380000 6180000,381000 6181000,380000 6180000))"}}) {
        test::TempDir dir;
        const std::string path = dir.file("area.gpkg");
        OGRGeometry* g = nullptr;
        REQUIRE(OGRGeometryFactory::createFromWkt(wkt, nullptr, &g) == OGRERR_NONE);
        const std::unique_ptr<OGRGeometry> owned(g);
        writeOneFeature(path, type, *g);
        io::StudyAreaSpec spec;
        spec.path = path;
        INFO(wkt);
        std::string message;
        try {
            io::readStudyArea(spec, sweref, geos);
        } catch (const InputError& e) {
            message = e.what();
        }
        INFO(message);
        CHECK(message.find(path) != std::string::npos);
        // Said once: the file's name and the reason, not "study area: ...: study area: ...".
        CHECK(message.starts_with("study area: "));
        CHECK(message.find("study area:", 1) == std::string::npos);
    }
}
