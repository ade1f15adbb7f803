#include "../TestSupport.hpp"
#include <cpl_vsi.h>

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/ReportReader.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

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
                            "A2,2024-05-04 22:11,stöld,13,11x,55.7942,1\n"         // 2 one field too many: see below
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
    // Row 2 has an unquoted decimal comma in a comma-separated file: seven fields under six names,
    // so every value after it would sit in the wrong column.
    REQUIRE(rejectedRow(s, 2));
    CHECK(rejectedRow(s, 2)->reason == RejectReason::UnreadableRow);
    CHECK_THAT(rejectedRow(s, 2)->detail, Catch::Contains("7 fields where the header has 6"));
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
    CHECK(s.used.timeText() == "tidpunkt");
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

TEST_CASE("an XLSX sheet whose every cell is text keeps its first row as the header", "[io]") {
    // As a sheet typed by hand, or with decimal commas, is: GDAL 3.6's XLSX driver takes such a
    // first row for data unless told (OGR_XLSX_HEADERS; the open option came in GDAL 3.8), and the
    // field names became a report.
    Kavlinge k;
    test::TempDir dir;
    const std::string path = dir.file("text.xlsx");
    {
        io::ensureGdalRegistered();
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("XLSX");
        REQUIRE(drv);
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = ds->CreateLayer("Blad1", nullptr, wkbNone, nullptr);
        for (const char* name : {"id", "datum", "lon", "lat"}) {
            OGRFieldDefn f(name, OFTString);
            layer->CreateField(&f);
        }
        for (const auto& [id, lon] : {std::pair{"T1", "13,1114"}, {"T2", "13,1120"}}) {
            OGRFeature f(layer->GetLayerDefn());
            f.SetField("id", id);
            f.SetField("datum", "2024-03-05 21:30");
            f.SetField("lon", lon);
            f.SetField("lat", "55,7942");
            REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
        }
    }
    const io::ReportSet s = read(path, k.area.get());
    CHECK(s.rowsRead == 2);
    REQUIRE(s.acceptedCount() == 2);
    CHECK(s.rejected.empty());
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

TEST_CASE("a Swedish Excel CSV in Windows-1252 with no-break spaces in the coordinates", "[io]") {
    // The bytes as Excel's "CSV (semikolonavgränsad)" writes them on a Swedish Windows: ';', a
    // decimal comma, 0xA0 as thousands separator, 0xF6 for 'ö' in the header and the text.
    Kavlinge k;
    const std::string csv = "id;brottstyp;\xF6st;nord\r\n"
                            "1;st\xF6ld;381\xA0" "595,5;6\xA0" "184\xA0" "789,25\r\n"
                            "2;klotter;381\xA0" "600;6\xA0" "184\xA0" "800\r\n";
    const auto path = test::writeVsimem("excel1252.csv", csv);
    const io::ReportSet s = read(path, k.area.get(), {}, "EPSG:3006");
    CHECK(s.rowsRead == 2);
    REQUIRE(s.acceptedCount() == 2);
    CHECK(s.x[0] == 381595.5);
    CHECK(s.y[0] == 6184789.25);
    CHECK(s.used.x == "öst");
    CHECK(s.categories == std::vector<std::string>{"klotter", "stöld"});
}

TEST_CASE("a date and a clock column joined, and a layout of its own", "[io]") {
    Kavlinge k;
    const std::string csv = "id;Datum;Klockslag;ost;nord\n"
                            "1;2024-05-04;22:10;381595;6184789\n"
                            "2;2024-05-05;9.05;381595;6184789\n"
                            "3;2024-05-06;;381595;6184789\n"   // a date alone
                            "4;2024-05-07;25:00;381595;6184789\n";  // no such hour
    const auto path = test::writeVsimem("datum_klockslag.csv", csv);
    io::FieldMapping f;
    f.time = {"Datum", "Klockslag"};
    const io::ReportSet s = read(path, k.area.get(), f, "EPSG:3006");
    REQUIRE(s.acceptedCount() == 3);
    CHECK(s.used.timeText() == "Datum+Klockslag");
    CHECK(s.hasClock == std::vector<char>{1, 1, 0});
    CHECK(s.withoutClock == 1);
    CHECK(s.timeWallSeconds[1] - s.timeWallSeconds[0] == (24 * 3600 - (22 * 60 + 10) * 60) + (9 * 60 + 5) * 60);
    REQUIRE(s.rejected.size() == 1);
    CHECK(s.rejected[0].reason == RejectReason::UnparseableDate);
    CHECK(s.rejected[0].field == "Datum+Klockslag");
    // The date alone is said, not passed over in silence.
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], Catch::Contains("1 of 3 dated report(s)") && Catch::Contains("no clock time"));

    // YEAR, MONTH, DAY, HOUR, MINUTE as the Vancouver open data give them.
    const std::string van = "YEAR,MONTH,DAY,HOUR,MINUTE,X,Y\n2019,1,5,7,3,381595,6184789\n2019,12,31,23,59,381595,6184789\n";
    io::ReportSourceSpec spec;
    spec.path = test::writeVsimem("vancouver.csv", van);
    spec.crs = "EPSG:3006";
    spec.fields.time = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE"};
    spec.timeFormat = "%Y %m %d %H %M";
    const io::ReportSet v = io::readReports(spec, sweref(), k.area.get(), Progress());
    REQUIRE(v.acceptedCount() == 2);
    CHECK(v.firstTime == "2019-01-05T07:03:00");
    CHECK(v.lastTime == "2019-12-31T23:59:00");
    CHECK(v.hasClock == std::vector<char>{1, 1});
}

TEST_CASE("dates outside the plausible range are rejected as implausible", "[io]") {
    Kavlinge k;
    const std::string csv = "id,datum,ost,nord\n1,2024-05-04 22:10,381595,6184789\n2,1700-05-04 22:10,381595,6184789\n"
                            "3,9999-12-31,381595,6184789\n4,1989-12-31 23:59,381595,6184789\n5,1990-01-01,381595,6184789\n";
    io::ReportSourceSpec spec;
    spec.path = test::writeVsimem("years.csv", csv);
    spec.crs = "EPSG:3006";
    const io::ReportSet s = io::readReports(spec, sweref(), k.area.get(), Progress());
    CHECK(s.acceptedCount() == 2);  // 2024 and 1990-01-01, the range's first day
    REQUIRE(s.rejected.size() == 3);
    for (const auto& r : s.rejected) {
        CHECK(r.reason == RejectReason::ImplausibleDate);
        CHECK(r.field == "datum");
        CHECK_THAT(r.detail, Catch::Contains("1990-01-01"));
    }
    // A range of one's own: 2024 alone.
    io::DateRange d;
    d.fromWall = io::parseDateTime("2024-01-01")->wallSeconds();
    d.toWall = io::parseDateTime("2025-01-01")->wallSeconds();
    spec.dates = d;
    const io::ReportSet only2024 = io::readReports(spec, sweref(), k.area.get(), Progress());
    CHECK(only2024.acceptedCount() == 1);
    // The default reaches a year past the day it is computed for.
    const io::DateRange def = io::DateRange::defaultFor(io::parseDateTime("2026-12-01")->wallSeconds());
    CHECK(def.toText == "2027-12-02");
}

TEST_CASE("an excess of reports at exactly midnight is warned of, whole hours are not", "[io]") {
    Kavlinge k;
    // 40 reports at 00:00:00 against 2 at each minute-precise time around midnight: the source
    // stores an unknown time as midnight.
    std::string csv = "id,tid_punkt,ost,nord\n";
    int id = 0;
    for (int i = 0; i < 40; ++i) csv += std::to_string(++id) + ",2024-05-04 00:00,381595,6184789\n";
    for (const char* t : {"22:00", "23:00", "01:00", "02:00", "23:17", "00:41"})
        for (int i = 0; i < 2; ++i) csv += std::to_string(++id) + ",2024-05-04 " + t + ",381595,6184789\n";
    io::FieldMapping f;
    f.time = {"tid_punkt"};
    const io::ReportSet s = read(test::writeVsimem("midnight.csv", csv), k.area.get(), f, "EPSG:3006");
    CHECK(s.atMidnight == 40);
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], Catch::Contains("40 of 52") && Catch::Contains("00:00:00"));

    // Times kept to the whole hour: midnight as common as 22, 23, 01 and 02 o'clock, no warning.
    std::string hours = "id,tid_punkt,ost,nord\n";
    for (const char* t : {"22:00", "23:00", "00:00", "01:00", "02:00"})
        for (int i = 0; i < 12; ++i) hours += std::to_string(++id) + ",2024-05-04 " + t + ",381595,6184789\n";
    const io::ReportSet h = read(test::writeVsimem("hours.csv", hours), k.area.get(), f, "EPSG:3006");
    CHECK(h.atMidnight == 12);
    CHECK(h.warnings.empty());
}

TEST_CASE("every row of a damaged CSV is read or rejected with its reason, none lost", "[io]") {
    Kavlinge k;
    const std::string ok = "381595;6184789";
    std::string csv = "id;text;ost;nord\r\n";
    csv += "1;\"a quoted text\r\nover two lines\";" + ok + "\r\n";  // 1 legal: a line break inside quotes
    csv += "2;kv. \"Eken;" + ok + "\r\n";                           // 2 a stray quote, never closed in its row
    csv += "3;plain;" + ok + "\r\n";                                // 3 read, not swallowed by row 2
    csv += "\r\n";                                                  //   a blank line is no row
    csv += "4;with";
    csv += '\0';
    csv += "nul;" + ok + "\r\n";                                    // 4 a NUL byte
    csv += "5;" + std::string(2 << 20, 'x') + ";" + ok + "\r\n";    // 5 a 2 MiB field
    csv += "6,comma,381595,6184789\r\n";                            // 6 another separator
    csv += "7;one;too;many;" + ok + "\r\n";                         // 7 more fields than the header
    csv += "8;last;" + ok + "\r\n";                                 // 8 read
    csv += "9;\"never closed;" + ok + "\r\n";                       // 9 a quote open at the end of the file
    const auto path = test::writeVsimem("damaged.csv", csv);
    const io::ReportSet s = read(path, k.area.get(), {}, "EPSG:3006");
    CHECK(s.rowsRead == 9);
    CHECK(s.physicalRecords == 9);
    CHECK(static_cast<std::int64_t>(s.acceptedCount() + s.rejected.size()) == s.rowsRead);
    CHECK(s.row == std::vector<std::int64_t>{1, 3, 8});
    REQUIRE(s.rejected.size() == 6);
    const std::vector<std::pair<std::int64_t, RejectReason>> want = {
        {2, RejectReason::UnreadableRow},   {4, RejectReason::UnreadableRow},   {5, RejectReason::UnreadableRow},
        {6, RejectReason::MixedSeparators}, {7, RejectReason::UnreadableRow},   {9, RejectReason::UnreadableRow}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("row " << want[i].first);
        CHECK(s.rejected[i].row == want[i].first);
        CHECK(s.rejected[i].reason == want[i].second);
    }
    CHECK_THAT(rejectedRow(s, 2)->detail, Catch::Contains("quote"));
    CHECK(rejectedRow(s, 2)->values.front() == "2");
    CHECK_THAT(rejectedRow(s, 4)->detail, Catch::Contains("NUL"));
    CHECK_THAT(rejectedRow(s, 5)->detail, Catch::Contains("bytes long"));
    CHECK(rejectedRow(s, 5)->values[1].size() == 200);  // kept short
    CHECK_THAT(rejectedRow(s, 6)->detail, Catch::Contains("split by ','"));
    CHECK_THAT(rejectedRow(s, 7)->detail, Catch::Contains("6 fields where the header has 4"));
}

TEST_CASE("a UTF-8 byte order mark is read past, UTF-16 is refused with advice", "[io]") {
    Kavlinge k;
    const io::ReportSet s =
        read(test::writeVsimem("bom.csv", "\xEF\xBB\xBFid;ost;nord\n1;381595;6184789\n"), k.area.get(), {}, "EPSG:3006");
    CHECK(s.acceptedCount() == 1);
    CHECK(s.used.x == "ost");
    CHECK_THROWS_WITH(read(test::writeVsimem("utf16.csv", std::string("\xFF\xFEi\0d\0", 6)), k.area.get(), {}, "EPSG:3006"),
                      Catch::Contains("UTF-16"));
}

TEST_CASE("a CSV inside a zip file is read through /vsizip/ as the file itself", "[io][reports][database]") {
    // A municipality's export often comes zipped: the sample's SWEREF 99 TM file, zipped with
    // GDAL's own zip writer, gives the same rows, coordinates and rejections as the plain file.
    test::TempDir dir;
    const std::string plain = test::sampleData("incidents_sweref99tm.csv");
    const std::string zipped = "/vsizip/" + dir.file("brott.zip") + "/brott.csv";
    {
        const std::string bytes = test::readFile(plain);
        REQUIRE_FALSE(bytes.empty());
        VSILFILE* out = VSIFOpenL(zipped.c_str(), "wb");
        REQUIRE(out);
        REQUIRE(VSIFWriteL(bytes.data(), 1, bytes.size(), out) == bytes.size());
        VSIFCloseL(out);
    }
    const io::ReportSet a = read(plain, nullptr, {}, "EPSG:3006"), b = read(zipped, nullptr, {}, "EPSG:3006");
    CHECK(a.splitByTrygg);
    CHECK_FALSE(b.splitByTrygg);  // a zip is read as a stream, through GDAL
    CHECK(b.rowsRead == a.rowsRead);
    CHECK(b.acceptedCount() == a.acceptedCount());
    CHECK(b.acceptedCount() > 4900);
    CHECK(b.x == a.x);
    CHECK(b.y == a.y);
    CHECK(b.rejected.size() == a.rejected.size());
}

namespace {

// Everything a reading gives, compared field by field.
void requireSameReading(const io::ReportSet& a, const io::ReportSet& b) {
    CHECK(a.rowsRead == b.rowsRead);
    CHECK(a.physicalRecords == b.physicalRecords);
    CHECK(a.sourceFields == b.sourceFields);
    CHECK(a.x == b.x);
    CHECK(a.y == b.y);
    CHECK(a.row == b.row);
    CHECK(a.category == b.category);
    CHECK(a.categories == b.categories);
    CHECK(a.weight == b.weight);
    CHECK(a.timeWallSeconds == b.timeWallSeconds);
    CHECK(a.hasClock == b.hasClock);
    CHECK(a.extras == b.extras);
    CHECK(a.withoutTime == b.withoutTime);
    CHECK(a.withoutClock == b.withoutClock);
    CHECK(a.atMidnight == b.atMidnight);
    CHECK(a.firstTime == b.firstTime);
    CHECK(a.lastTime == b.lastTime);
    CHECK(a.warnings == b.warnings);
    REQUIRE(a.rejected.size() == b.rejected.size());
    for (std::size_t i = 0; i < a.rejected.size(); ++i) {
        INFO("rejected row " << a.rejected[i].row);
        CHECK(a.rejected[i].row == b.rejected[i].row);
        CHECK(a.rejected[i].reason == b.rejected[i].reason);
        CHECK(a.rejected[i].field == b.rejected[i].field);
        CHECK(a.rejected[i].detail == b.rejected[i].detail);
        CHECK(a.rejected[i].values == b.rejected[i].values);
    }
}

} // namespace

TEST_CASE("a plain CSV split by Trygg in parallel reads exactly as through GDAL's CSV driver", "[io]") {
    // The reference is GDAL's own CSV driver (spec.gdalCsvReader), on files that exercise its
    // splitting rules: quoted separators, "" inside quotes, a line break inside a quoted value,
    // Windows-1252 bytes, CRLF, a stray quote, blank lines, rows with too many fields, a NUL byte;
    // and one of 100,003 records, so that the pieces read on different threads meet inside it
    // (bad records and blank lines on either side of a piece's first record).
    Kavlinge k;
    std::vector<std::pair<std::string, std::string>> files;
    files.emplace_back("quotes.csv", "id;kategori;\"ost\";nord;datum;klockslag;vikt\r\n"
                                     "1;\"st\xF6ld; grov\";381595;6184789;2024-05-04;22:10;1\r\n"
                                     "2;\"sa \"\"Eken\"\"\";381600,5;6184800;2024-05-05;;2\r\n"
                                     "3;\"two\r\nlines\";381610;6184810;;;0,5\r\n"
                                     "4;x;6184810;381610;2024-05-06;01:00;1\r\n"           // swapped
                                     "5;y;abc;6184810;2024-05-06;01:00;1\r\n"              // not a number
                                     "6;z;381610;6184810;2024-02-30;01:00;1\r\n"           // no such date
                                     "7;w;381610;6184810;2024-05-06;01:00;-1\r\n"          // weight
                                     "1;dup;381610;6184810;2024-05-06;01:00;1\r\n"         // duplicate id
                                     "9;\"open;381610;6184810;2024-05-06;01:00;1\r\n"      // stray quote
                                     "\r\n"
                                     "10;far;500000;7000000;2024-05-06;01:00;1\r\n"        // outside
                                     "11;trailing;381620;6184820;2024-05-06;00:00;1;\r\n"   // one too many
                                     " 12 ; \" spaced \" ;381630; 6184830 ;2024-05-06; 01:00 ;1\r\n"
                                     "13; far ; 500000 ;7000000;;;\r\n");                 // spaces kept in its values
    {
        std::string big = "id,lon,lat,tid\n";
        for (int i = 1; i <= 100003; ++i) {
            const double lon = 13.02 + (i % 997) * 0.00013, lat = 55.74 + (i % 991) * 0.00011;
            if (i % 32768 == 0) big += "\n";  // a blank line where a piece may begin
            if (i % 32768 == 1 && i > 1) big += std::to_string(i) + ",\"bad\n";  // a stray quote at a piece's start
            else if (i % 5003 == 0) big += std::to_string(i) + ",1,2,3,4\n";       // too many fields
            else big += fmt::format("{},{:.6f},{:.6f},2024-0{}-1{} 1{}:3{}\n", i, i % 1009 == 0 ? lon + 5 : lon, lat, 1 + i % 9, i % 10, i % 10, i % 7);
        }
        files.emplace_back("big.csv", big);
    }
    files.emplace_back("sample.csv", test::readFile(test::sampleData("incidents_wgs84.csv")));
    for (const auto& [name, text] : files) {
        for (const bool withArea : {true, false}) {
            INFO(name << (withArea ? ", with a study area" : ", without"));
            const std::string path = test::writeVsimem(name, text);
            io::ReportSourceSpec spec;
            spec.path = path;
            if (name == "quotes.csv") {
                spec.crs = "EPSG:3006";
                spec.fields.time = {"datum", "klockslag"};
                spec.fields.weight = "vikt";
            }
            const io::ReportSet trygg = io::readReports(spec, sweref(), withArea ? k.area.get() : nullptr, Progress());
            spec.gdalCsvReader = true;
            const io::ReportSet gdal = io::readReports(spec, sweref(), withArea ? k.area.get() : nullptr, Progress());
            CHECK(trygg.splitByTrygg);
            CHECK_FALSE(gdal.splitByTrygg);
            CHECK(trygg.acceptedCount() > 0);
            CHECK(!trygg.rejected.empty());
            requireSameReading(trygg, gdal);
        }
    }
}
