#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/ReportReader.hpp"

#include <catch2/catch.hpp>

#include <ogrsf_frmts.h>

#include <fstream>

using namespace trygg;
using io::RejectReason;

namespace {

const crs::Crs& sweref() {
    static const crs::Crs c = crs::Crs::fromUserInput("EPSG:3006");
    return c;
}

// A square study area around Kävlinge, 10 km on a side, in SWEREF 99 TM.
struct Kavlinge {
    geom::GeosContext geos;
    std::unique_ptr<geom::Area> area;
    Kavlinge() {
        area = std::make_unique<geom::Area>(
            geos, std::vector<std::vector<unsigned char>>{geom::rectangleWkb(geos, 375000, 6180000, 385000, 6190000)},
            nullptr);
    }
};

io::ReportSet read(const std::string& path, const geom::Area* area, io::FieldMapping fields = {}, std::string crs = "") {
    io::ReportSourceSpec spec;
    spec.path = path;
    spec.fields = std::move(fields);
    spec.crs = std::move(crs);
    return io::readReports(spec, sweref(), area, Progress());
}

const io::RejectedRow* rejectedRow(const io::ReportSet& s, std::int64_t row) {
    for (const auto& r : s.rejected)
        if (r.row == row) return &r;
    return nullptr;
}

} // namespace

TEST_CASE("every rejection reason, and read = accepted + rejected", "[io]") {
    Kavlinge k;
    const std::string csv = "id,tidpunkt,kategori,lon,lat,weight\n"
                            "A1,2024-05-04 22:10,misshandel,13.1114,55.7942,1\n"   // 1 accepted
                            "A2,2024-05-04 22:11,stöld,13,11x,55.7942,1\n"         // 2 breaks the columns: see below
                            "A3,2024-05-05 01:30,skadegörelse,,,1\n"               // 3 no coordinates
                            "A4,2024-06-01 23:00,rån,13.1910,55.7047,1\n"          // 4 Lund: outside
                            "A5,2024-06-02 21:15,misshandel,55.7942,13.1114,1\n"   // 5 swapped
                            "A6,2024-13-45 25:00,stöld,13.1114,55.7942,1\n"        // 6 impossible date
                            "A1,2024-05-04 22:10,misshandel,13.1114,55.7942,1\n"   // 7 duplicate of row 1
                            "A8,2024-05-04 22:10,misshandel,13.1114,55.7942,-2\n"  // 8 negative weight
                            "A9,,,13.1120,55.7950,1\n";                           // 9 accepted, no time
    const auto path = test::writeVsimem("reasons.csv", csv);
    const io::ReportSet s = read(path, k.area.get());
    CHECK(s.rowsRead == 9);
    CHECK(static_cast<std::int64_t>(s.acceptedCount() + s.rejected.size()) == s.rowsRead);
    CHECK(s.acceptedCount() == 2);
    CHECK(s.withoutTime == 1);
    // Row 2 has an unquoted decimal comma in a comma-separated file: lon "13", lat "11x".
    REQUIRE(rejectedRow(s, 2));
    CHECK(rejectedRow(s, 2)->reason == RejectReason::UnreadableCoordinate);
    CHECK(rejectedRow(s, 2)->field == "lat");
    CHECK(rejectedRow(s, 3)->reason == RejectReason::EmptyGeometry);
    CHECK(rejectedRow(s, 4)->reason == RejectReason::OutsideStudyArea);
    CHECK(rejectedRow(s, 5)->reason == RejectReason::SwappedCoordinates);
    CHECK(rejectedRow(s, 6)->reason == RejectReason::UnparseableDate);
    CHECK(rejectedRow(s, 6)->field == "tidpunkt");
    CHECK(rejectedRow(s, 7)->reason == RejectReason::DuplicateId);
    CHECK_THAT(rejectedRow(s, 7)->detail, Catch::Contains("row 1"));
    CHECK(rejectedRow(s, 8)->reason == RejectReason::UnreadableWeight);
    // The rejected row keeps its original values.
    CHECK(rejectedRow(s, 4)->values == std::vector<std::string>{"A4", "2024-06-01 23:00", "rån", "13.1910", "55.7047", "1"});
    CHECK(s.used.x == "lon");
    CHECK(s.used.time == "tidpunkt");
    CHECK(s.categories == std::vector<std::string>{"misshandel"});
}

TEST_CASE("semicolons, decimal commas and Swedish column names in SWEREF 99 TM", "[io]") {
    Kavlinge k;
    const std::string csv = "ärendenummer;datum;brottstyp;ost;nord\n"
                            "1;2024-05-04T22:10:00;stöld;381595,5;6184789,25\n"
                            "2;45292,75;klotter;381 600,0;6 184 800,0\n"      // Excel serial date, spaces
                            "3;2024-05-04T22:10:00;stöld;6184789,0;381595,0\n";  // easting/northing swapped
    const auto path = test::writeVsimem("sweref.csv", csv);
    const io::ReportSet s = read(path, k.area.get(), {}, "EPSG:3006");
    REQUIRE(s.acceptedCount() == 2);
    CHECK(s.x[0] == Approx(381595.5));
    CHECK(s.y[0] == Approx(6184789.25));
    CHECK(s.used.x == "ost");
    CHECK(s.used.id == "ärendenummer");
    CHECK(s.firstTime == "2024-01-01T18:00:00");
    REQUIRE(s.rejected.size() == 1);
    CHECK(s.rejected[0].reason == RejectReason::SwappedCoordinates);
    CHECK(s.categories == std::vector<std::string>{"klotter", "stöld"});
}

TEST_CASE("a point layer read through GDAL, in its own CRS", "[io]") {
    Kavlinge k;
    const std::string geojson = R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"uid":"a"},"geometry":{"type":"Point","coordinates":[13.1114,55.7942]}},
        {"type":"Feature","properties":{"uid":"b"},"geometry":null},
        {"type":"Feature","properties":{"uid":"c"},"geometry":{"type":"LineString","coordinates":[[13.1,55.79],[13.2,55.8]]}}]})";
    const auto path = test::writeVsimem("points.geojson", geojson);
    const io::ReportSet s = read(path, k.area.get());
    CHECK(s.used.x == "(geometry)");
    CHECK(s.sourceCrs == "EPSG:4326");
    REQUIRE(s.acceptedCount() == 1);
    CHECK(s.x[0] == Approx(381595).margin(1));
    REQUIRE(s.rejected.size() == 2);
    CHECK(s.rejected[0].reason == RejectReason::EmptyGeometry);
    CHECK(s.rejected[1].reason == RejectReason::NotAPoint);
    CHECK_THAT(s.rejected[1].sourceWkt, Catch::StartsWith("LINESTRING"));
}

TEST_CASE("an XLSX sheet with typed dates and numbers", "[io]") {
    Kavlinge k;
    test::TempDir dir;
    const std::string path = dir.file("reports.xlsx");
    {
        io::ensureGdalRegistered();
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("XLSX");
        REQUIRE(drv);
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = ds->CreateLayer("Blad1", nullptr, wkbNone, nullptr);
        OGRFieldDefn id("id", OFTString), when("tidpunkt", OFTDateTime), x("longitude", OFTReal), y("latitude", OFTReal);
        layer->CreateField(&id);
        layer->CreateField(&when);
        layer->CreateField(&x);
        layer->CreateField(&y);
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("id", "X1");
        f.SetField("tidpunkt", 2024, 3, 5, 21, 30, 0.0f, 0);
        f.SetField("longitude", 13.1114);
        f.SetField("latitude", 55.7942);
        REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    }
    const io::ReportSet s = read(path, k.area.get());
    REQUIRE(s.acceptedCount() == 1);
    CHECK(s.firstTime == "2024-03-05T21:30:00");
    CHECK(s.x[0] == Approx(381595).margin(1));
}

TEST_CASE("without a study area, points far outside the analysis CRS's area are refused", "[io]") {
    const std::string csv = "lon,lat\n13.11,55.79\n0,0\n";
    const auto path = test::writeVsimem("nullisland.csv", csv);
    const io::ReportSet s = read(path, nullptr);
    CHECK(s.acceptedCount() == 1);
    REQUIRE(s.rejected.size() == 1);
    CHECK(s.rejected[0].reason == RejectReason::OutsideCrsArea);
}

TEST_CASE("inputs that cannot be read stop with the file named", "[io]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(read(dir.file("missing.csv"), nullptr), Catch::Contains("file not found") && Catch::Contains("missing.csv"));
    std::ofstream(dir.file("empty.csv")).close();
    CHECK_THROWS_WITH(read(dir.file("empty.csv"), nullptr), Catch::Contains("is empty"));
    std::ofstream(dir.file("junk.gpkg")) << "this is not a GeoPackage";
    CHECK_THROWS_WITH(read(dir.file("junk.gpkg"), nullptr), Catch::Contains("cannot read") && Catch::Contains("junk.gpkg"));
    const auto noCoords = test::writeVsimem("nocoords.csv", "id,place\n1,station\n");
    CHECK_THROWS_WITH(read(noCoords, nullptr), Catch::Contains("no coordinate columns") && Catch::Contains("x_field"));
    const auto projected = test::writeVsimem("xy.csv", "x,y\n381595,6184789\n");
    CHECK_THROWS_WITH(read(projected, nullptr), Catch::Contains("no declared CRS"));
    io::FieldMapping mapped;
    mapped.x = "X";  // matched case-insensitively
    mapped.y = "nope";
    CHECK_THROWS_WITH(read(projected, nullptr, mapped, "EPSG:3006"), Catch::Contains("no field 'nope'"));
}

TEST_CASE("common coordinate column names are recognised", "[io]") {
    CHECK(io::recogniseCoordinateColumns({"Longitude", "Latitude"}).geographic);
    CHECK(io::recogniseCoordinateColumns({"E", "N"}).x == "E");
    CHECK(io::recogniseCoordinateColumns({"Öst", "Nord"}).x == "Öst");
    CHECK(io::recogniseCoordinateColumns({"easting", "northing"}).y == "northing");
    CHECK(io::recogniseCoordinateColumns({"a", "b"}).x.empty());
}
