#pragma once
// Building a GeoPackage's R-tree spatial index in one go. GDAL 3.6 fills SQLite's R-tree one
// insert at a time (GDAL issue 7614, bulk loading came in 3.7); this packs the tree in memory
// and writes SQLite's rtree shadow tables directly.
#include <cstdint>
#include <string>
#include <vector>

namespace trygg::output {

struct BoxEntry {
    std::int64_t id = 0;  // the feature's fid
    double minX = 0, maxX = 0, minY = 0, maxY = 0;
};

// Creates "rtree_<table>_<geomColumn>" in the GeoPackage at `gpkgPath` (closed by GDAL), packed
// by Sort-Tile-Recursive (Leutenegger, Lopez & Edgington 1997), and registers it exactly as GDAL
// does: the same triggers and gpkg_extensions row as `templateTable`, a table GDAL indexed in
// the same file. Throws IoError.
// `countTrigger`, when not empty, is the SQL of GDAL's feature-count trigger of the table, dropped
// while its `rows` rows went in directly: the count is set and the trigger created again.
void bulkLoadGpkgRtree(const std::string& gpkgPath, const std::string& table, const std::string& geomColumn,
                       std::vector<BoxEntry> entries, const std::string& templateTable,
                       const std::string& countTrigger = {}, std::int64_t rows = 0);

// The same for a table without geometry whose `rows` rows went in directly: its feature count set
// and GDAL's trigger (`countTrigger`, its SQL) created again. Throws IoError.
void restoreFeatureCount(const std::string& gpkgPath, const std::string& table, const std::string& countTrigger,
                         std::int64_t rows);

} // namespace trygg::output
