#include "trygg/output/RtreeBulkLoad.hpp"

#include "trygg/core/Error.hpp"
#include "Sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

namespace trygg::output {
namespace {

using sqlite::Db;
using sqlite::quoteId;
using sqlite::StmtPtr;

// SQLite's rtree stores 32-bit floats rounded outwards (rtreeValueDown / rtreeValueUp).
float down(double d) {
    float f = static_cast<float>(d);
    if (static_cast<double>(f) > d) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
}
float up(double d) {
    float f = static_cast<float>(d);
    if (static_cast<double>(f) < d) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

void putBigEndian(unsigned char* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(v & 0xFF);
        v >>= 8;
    }
}

void putFloat(unsigned char* p, float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    putBigEndian(p, bits, 4);
}

struct Node {
    std::int64_t nodeno = 0;
    std::vector<BoxEntry> cells;  // leaf: feature ids; inner: child node numbers
    BoxEntry box() const {
        BoxEntry b{nodeno, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
        for (const auto& c : cells) {
            b.minX = std::min(b.minX, c.minX);
            b.maxX = std::max(b.maxX, c.maxX);
            b.minY = std::min(b.minY, c.minY);
            b.maxY = std::max(b.maxY, c.maxY);
        }
        return b;
    }
};

// One level of Sort-Tile-Recursive packing: groups `entries` into nodes of at most `capacity`.
std::vector<Node> packLevel(std::vector<BoxEntry> entries, std::size_t capacity) {
    const std::size_t n = entries.size();
    const std::size_t pages = (n + capacity - 1) / capacity;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(pages))));
    const std::size_t perSlice = slices * capacity;
    auto cx = [](const BoxEntry& e) { return e.minX + e.maxX; };
    auto cy = [](const BoxEntry& e) { return e.minY + e.maxY; };
    std::sort(entries.begin(), entries.end(), [&](const BoxEntry& a, const BoxEntry& b) { return cx(a) < cx(b); });
    std::vector<Node> nodes;
    nodes.reserve(pages);
    for (std::size_t s = 0; s < n; s += perSlice) {
        const auto sliceEnd = entries.begin() + static_cast<std::ptrdiff_t>(std::min(n, s + perSlice));
        std::sort(entries.begin() + static_cast<std::ptrdiff_t>(s), sliceEnd,
                  [&](const BoxEntry& a, const BoxEntry& b) { return cy(a) < cy(b); });
        for (auto it = entries.begin() + static_cast<std::ptrdiff_t>(s); it < sliceEnd;) {
            const auto end = std::min(sliceEnd, it + static_cast<std::ptrdiff_t>(capacity));
            nodes.push_back(Node{0, std::vector<BoxEntry>(it, end)});
            it = end;
        }
    }
    return nodes;
}

void setFeatureCount(Db& db, const std::string& table, const std::string& countTrigger, std::int64_t rows) {
    // The writer counted its rows: counting them again would read the whole table back.
    StmtPtr s = db.prepare("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)");
    sqlite3_bind_int64(s.get(), 1, rows);
    sqlite3_bind_text(s.get(), 2, table.c_str(), -1, SQLITE_TRANSIENT);
    db.step(s.get());
    db.exec(countTrigger);
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

} // namespace

void bulkLoadGpkgRtree(const std::string& gpkgPath, const std::string& table, const std::string& geomColumn,
                       std::vector<BoxEntry> entries, const std::string& templateTable, const std::string& countTrigger,
                       std::int64_t rows) {
    Db db(gpkgPath, "output.gpkg: spatial index", Db::Kind::Scratch);
    db.exec("PRAGMA cache_size = -262144");  // 256 MiB: a national grid's index pages stay in memory
    const std::string rtree = "rtree_" + table + "_" + geomColumn;
    const std::string templRtree = "rtree_" + templateTable + "_" + geomColumn;
    db.exec("BEGIN");
    if (!countTrigger.empty()) {
        // The rows went in without GDAL: their count and extent, and the trigger back.
        setFeatureCount(db, table, countTrigger, rows);
        if (!entries.empty()) {
            BoxEntry e{0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
            for (const auto& b : entries) {
                e.minX = std::min(e.minX, b.minX), e.maxX = std::max(e.maxX, b.maxX);
                e.minY = std::min(e.minY, b.minY), e.maxY = std::max(e.maxY, b.maxY);
            }
            StmtPtr s = db.prepare("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE "
                                   "lower(table_name) = lower(?)");
            sqlite3_bind_double(s.get(), 1, e.minX);
            sqlite3_bind_double(s.get(), 2, e.minY);
            sqlite3_bind_double(s.get(), 3, e.maxX);
            sqlite3_bind_double(s.get(), 4, e.maxY);
            sqlite3_bind_text(s.get(), 5, table.c_str(), -1, SQLITE_TRANSIENT);
            db.step(s.get());
        }
    }
    db.exec("CREATE VIRTUAL TABLE " + quoteId(rtree) + " USING rtree(id, minx, maxx, miny, maxy)");

    // The node size SQLite chose for this file (page size minus 64, at most 51 cells).
    int nodeBytes = 0;
    {
        StmtPtr s = db.prepare("SELECT length(data) FROM " + quoteId(rtree + "_node") + " WHERE nodeno = 1");
        if (sqlite3_step(s.get()) == SQLITE_ROW) nodeBytes = sqlite3_column_int(s.get(), 0);
    }
    constexpr int kCellBytes = 8 + 4 * 4;
    const auto capacity = static_cast<std::size_t>((nodeBytes - 4) / kCellBytes);
    if (capacity < 4) throw IoError("output.gpkg: spatial index: unexpected R-tree node size " + std::to_string(nodeBytes));

    if (!entries.empty()) {
        // Pack bottom-up; levels[0] are the leaves, the last level holds the root alone.
        std::vector<std::vector<Node>> levels;
        levels.push_back(packLevel(std::move(entries), capacity));
        while (levels.back().size() > 1) {
            std::vector<BoxEntry> boxes;
            boxes.reserve(levels.back().size());
            for (std::size_t i = 0; i < levels.back().size(); ++i) {
                BoxEntry b = levels.back()[i].box();
                b.id = static_cast<std::int64_t>(i);  // index in the level below, renumbered next
                boxes.push_back(b);
            }
            levels.push_back(packLevel(std::move(boxes), capacity));
        }
        // Node numbers: the root is 1, then top-down.
        std::int64_t next = 1;
        for (auto level = levels.rbegin(); level != levels.rend(); ++level)
            for (auto& node : *level) node.nodeno = next++;
        for (std::size_t l = 1; l < levels.size(); ++l)
            for (auto& node : levels[l])
                for (auto& cell : node.cells) cell.id = levels[l - 1][static_cast<std::size_t>(cell.id)].nodeno;

        db.exec("DELETE FROM " + quoteId(rtree + "_node"));
        StmtPtr insNode = db.prepare("INSERT INTO " + quoteId(rtree + "_node") + "(nodeno, data) VALUES (?, ?)");
        StmtPtr insParent = db.prepare("INSERT INTO " + quoteId(rtree + "_parent") + "(nodeno, parentnode) VALUES (?, ?)");
        StmtPtr insRowid = db.prepare("INSERT INTO " + quoteId(rtree + "_rowid") + "(rowid, nodeno) VALUES (?, ?)");
        std::vector<unsigned char> blob(static_cast<std::size_t>(nodeBytes));
        std::vector<std::pair<std::int64_t, std::int64_t>> leafOf;  // feature id, leaf node
        leafOf.reserve(levels.front().size() * capacity);
        const auto depth = static_cast<std::uint64_t>(levels.size() - 1);
        for (std::size_t l = 0; l < levels.size(); ++l) {
            for (const auto& node : levels[l]) {
                std::fill(blob.begin(), blob.end(), 0);
                if (node.nodeno == 1) putBigEndian(blob.data(), depth, 2);
                putBigEndian(blob.data() + 2, node.cells.size(), 2);
                unsigned char* p = blob.data() + 4;
                for (const auto& c : node.cells) {
                    putBigEndian(p, static_cast<std::uint64_t>(c.id), 8);
                    putFloat(p + 8, down(c.minX));
                    putFloat(p + 12, up(c.maxX));
                    putFloat(p + 16, down(c.minY));
                    putFloat(p + 20, up(c.maxY));
                    p += kCellBytes;
                    if (l == 0) {
                        leafOf.emplace_back(c.id, node.nodeno);
                    } else {
                        sqlite3_bind_int64(insParent.get(), 1, c.id);
                        sqlite3_bind_int64(insParent.get(), 2, node.nodeno);
                        db.step(insParent.get());
                    }
                }
                sqlite3_bind_int64(insNode.get(), 1, node.nodeno);
                sqlite3_bind_blob(insNode.get(), 2, blob.data(), nodeBytes, SQLITE_TRANSIENT);
                db.step(insNode.get());
            }
        }
        // The feature ids in ascending order: the rowid table's B-tree is then appended to, not
        // split at random places (7 million ids went from 19 s to a fraction of it).
        // 64 rows a statement: SQLite's cost per statement shared (a national grid has 7 million).
        std::sort(leafOf.begin(), leafOf.end());
        constexpr std::size_t kBatch = 64;
        std::string many = "INSERT INTO " + quoteId(rtree + "_rowid") + "(rowid, nodeno) VALUES (?, ?)";
        for (std::size_t k = 1; k < kBatch; ++k) many += ", (?, ?)";
        StmtPtr insRowids = db.prepare(many);
        std::size_t k = 0;
        for (; k + kBatch <= leafOf.size(); k += kBatch) {
            for (std::size_t j = 0; j < kBatch; ++j) {
                sqlite3_bind_int64(insRowids.get(), static_cast<int>(2 * j + 1), leafOf[k + j].first);
                sqlite3_bind_int64(insRowids.get(), static_cast<int>(2 * j + 2), leafOf[k + j].second);
            }
            db.step(insRowids.get());
        }
        for (; k < leafOf.size(); ++k) {
            sqlite3_bind_int64(insRowid.get(), 1, leafOf[k].first);
            sqlite3_bind_int64(insRowid.get(), 2, leafOf[k].second);
            db.step(insRowid.get());
        }
    }

    // Triggers and registration, copied from the table GDAL indexed itself.
    std::vector<std::string> triggers;
    {
        StmtPtr s = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?");
        const std::string pattern = templRtree + "_%";
        sqlite3_bind_text(s.get(), 1, pattern.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s.get()) == SQLITE_ROW)
            triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
    }
    if (triggers.empty())
        throw IoError("output.gpkg: spatial index: no R-tree triggers on '" + templateTable + "' to follow");
    for (const auto& t : triggers)
        db.exec(replaceAll(replaceAll(t, templRtree, rtree), quoteId(templateTable), quoteId(table)));
    db.exec("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
            "SELECT '" + table + "', column_name, extension_name, definition, scope FROM gpkg_extensions "
            "WHERE table_name = '" + templateTable + "' AND extension_name = 'gpkg_rtree_index'");
    db.exec("COMMIT");
}

void restoreFeatureCount(const std::string& gpkgPath, const std::string& table, const std::string& countTrigger,
                         std::int64_t rows) {
    Db db(gpkgPath, "output.gpkg: feature count", Db::Kind::Scratch);
    db.exec("BEGIN");
    setFeatureCount(db, table, countTrigger, rows);
    db.exec("COMMIT");
}

} // namespace trygg::output
