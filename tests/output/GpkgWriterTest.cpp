#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/output/RtreeBulkLoad.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

using namespace trygg;

namespace {

std::string queryText(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

struct SmallGrid {
    grid::Lattice lattice = grid::Lattice::cover(grid::Shape::Square, 10, {0, 0, 1000, 800}, grid::Alignment::Snapped);
    grid::Grid grid = grid::Grid::allCells(lattice);
    grid::CellCounts counts;
    SmallGrid() { counts.n.assign(grid.size(), 1); }
    // A grid layer of the cells, written as the steps write theirs.
    void write(output::GpkgWriter& w) const {
        output::LayerWriter layer = w.layer("hotspot_grid", output::GeometryType::Polygon, "Grid", "test");
        const int id = layer.add("cell_id", output::FieldType::Text), n = layer.add("n", output::FieldType::Integer);
        for (std::size_t i = 0; i < grid.size(); ++i) {
            layer.setText(id, layer.setCell(grid, i));
            layer.setInt(n, counts.n[i]);
            layer.write("a cell");
        }
        layer.finish();
    }
};

} // namespace

TEST_CASE("the bulk-built R-tree passes SQLite's own check and answers spatial queries", "[output]") {
    test::TempDir dir;
    const std::string path = dir.file("grid.gpkg");
    SmallGrid g;
    {
        output::GpkgWriter w(path, false, crs::Crs::fromUserInput("EPSG:3006"));
        g.write(w);
        w.writeStudyArea(geom::rectangleWkb(geom::GeosContext(), 0, 0, 1000, 800), "test");
        w.commit();
    }
    REQUIRE(std::filesystem::exists(path));
    // 8,181 cells (101 x 81: the snapped upper edges open one more column and row), several levels.
    CHECK(queryText(path, "SELECT count(*) FROM rtree_hotspot_grid_geom") == std::to_string(g.grid.size()));
    CHECK(queryText(path, "SELECT rtreecheck('rtree_hotspot_grid_geom')") == "ok");
    CHECK(queryText(path, "SELECT count(*) FROM gpkg_extensions WHERE table_name = 'hotspot_grid' AND "
                          "extension_name = 'gpkg_rtree_index'") == "1");
    CHECK(queryText(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                          "'rtree_hotspot_grid_geom_%'") == queryText(path, "SELECT count(*) FROM sqlite_master WHERE "
                                                                            "type = 'trigger' AND name LIKE 'rtree_study_area_geom_%'"));
    // GDAL's spatial filter (which uses the index) finds exactly the cells a brute-force count finds:
    // a window from (95, 95) to (205, 305) touches columns 9..20 and rows 9..30.
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    OGRLayer* layer = ds->GetLayerByName("hotspot_grid");
    layer->SetSpatialFilterRect(95, 95, 205, 305);
    CHECK(layer->GetFeatureCount(TRUE) == 12 * 22);
}

TEST_CASE("an existing output is kept unless overwrite, and an unfinished file is removed", "[output]") {
    test::TempDir dir;
    const std::string path = dir.file("out.gpkg");
    std::ofstream(path) << "precious";
    CHECK_THROWS_WITH(output::GpkgWriter::checkWritable(path, false), Catch::Contains("--overwrite"));
    std::string tmp;
    {
        output::GpkgWriter w(path, true, crs::Crs::fromUserInput("EPSG:3006"));
        tmp = w.temporaryPath();
        CHECK(std::filesystem::exists(tmp));
        // destroyed without commit(): as when a run fails half-way
    }
    CHECK_FALSE(std::filesystem::exists(tmp));
    std::ifstream in(path);
    std::string content;
    in >> content;
    CHECK(content == "precious");
    CHECK_THROWS_WITH(output::GpkgWriter::checkWritable(dir.file("out.gpkg/x.gpkg"), false),
                      Catch::Contains("is a file, not a folder"));
    // A missing folder is made, as a user expects of "out/x.gpkg".
    const std::string nested = dir.file("new/folder/x.gpkg");
    CHECK_NOTHROW(output::GpkgWriter::checkWritable(nested, false));
    output::GpkgWriter w(nested, false, crs::Crs::fromUserInput("EPSG:3006"));
    CHECK(std::filesystem::is_directory(dir.path() / "new" / "folder"));
}

TEST_CASE("category field names are ASCII, unique and prefixed", "[output]") {
    CHECK(output::categoryFieldNames({"skadegörelse", "olaga hot", "Rån", "rån"}) ==
          std::vector<std::string>{"n_skadegorelse", "n_olaga_hot", "n_ran", "n_ran_2"});
}
