#include "trygg/output/GpkgWriter.hpp"

#include "DataColumns.hpp"
#include "DeclaredStyle.hpp"
#include "Sqlite.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/output/RtreeBulkLoad.hpp"
#include "trygg/output/Styles.hpp"

#include <cpl_string.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <bit>
#include <cstring>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

namespace trygg::output {
namespace fs = std::filesystem;

std::string fieldSlug(const std::string& text) {
    std::string slug;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0xC3 && i + 1 < text.size()) {
            const auto d = static_cast<unsigned char>(text[i + 1]);
            ++i;
            if (d == 0xA5 || d == 0xA4 || d == 0x85 || d == 0x84) slug += 'a';  // å ä Å Ä
            else if (d == 0xB6 || d == 0x96) slug += 'o';                        // ö Ö
            else if (d == 0xA9 || d == 0x89) slug += 'e';                        // é É
            else slug += '_';
        } else if (std::isalnum(c)) {
            slug += static_cast<char>(std::tolower(c));
        } else if (!slug.empty() && slug.back() != '_') {
            slug += '_';
        }
    }
    while (!slug.empty() && slug.back() == '_') slug.pop_back();
    return slug;
}

std::vector<std::string> categoryFieldNames(const std::vector<std::string>& categories) {
    std::vector<std::string> out;
    std::set<std::string> used{"n"};
    for (const auto& cat : categories) {
        std::string slug = fieldSlug(cat);
        if (slug.empty()) slug = "category";
        std::string name = "n_" + slug;
        for (int k = 2; used.count(name); ++k) name = "n_" + slug + "_" + std::to_string(k);
        used.insert(name);
        out.push_back(name);
    }
    return out;
}

void GpkgWriter::DatasetDeleter::operator()(GDALDataset* ds) const { GDALClose(GDALDataset::ToHandle(ds)); }

namespace {

void destroySrs(OGRSpatialReference* srs) {
    if (srs) srs->Release();
}

void check(OGRErr err, const std::string& path, const std::string& what) {
    if (err != OGRERR_NONE)
        throw IoError("output.gpkg: writing '" + path + "': " + what + " failed: " + CPLGetLastErrorMsg());
}

} // namespace

namespace {

// The journal of an install in progress: one "temporary<TAB>final" line per move.
std::string journalPath(const std::string& finalPath) {
    const fs::path fp = fs::absolute(finalPath);
    return (fp.parent_path() / ("." + fp.filename().string() + ".install")).string();
}

// Writes a file's data to the disk (fsync), so that a rename after it never names a file whose
// contents a power cut could still lose.
void syncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError("output: cannot open '" + path + "' to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // A file system that cannot sync (EINVAL, ENOTSUP: some network and FUSE mounts) has nothing
    // to wait for; any other failure (EIO, ENOSPC) means the data may not be there.
    if (rc != 0 && err != EINVAL && err != ENOTSUP)
        throw IoError("output: cannot sync '" + path + "' to the disk: " + std::strerror(err));
}

// For the tests of crash safety: TRYGG_TEST_SIGNAL_AT_INSTALL="SIGNAL:K" raises SIGKILL or
// SIGINT before the K-th move of an install (K = the number of moves: after the last one).
void testSignalAt(std::size_t move) {
    const char* spec = std::getenv("TRYGG_TEST_SIGNAL_AT_INSTALL");
    if (!spec) return;
    const std::string text(spec);
    const auto colon = text.find(':');
    if (colon == std::string::npos || std::to_string(move) != text.substr(colon + 1)) return;
    std::raise(text.substr(0, colon) == "SIGKILL" ? SIGKILL : SIGINT);
}

bool processAlive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

// Completes an install that a killed run left half done, then removes the temporary files of
// runs on this output whose process is gone. Returns what it did, for the run's warnings.
std::vector<std::string> recoverEarlierRun(const std::string& finalPath) {
    std::vector<std::string> notes;
    std::error_code ec;
    const std::string journal = journalPath(finalPath);
    if (std::ifstream in{journal}) {
        std::string line;
        int completed = 0;
        while (std::getline(in, line)) {
            const auto tab = line.find('\t');
            if (tab == std::string::npos) continue;
            const std::string tmp = line.substr(0, tab), final = line.substr(tab + 1);
            if (!fs::exists(tmp, ec)) continue;  // moved before the run was killed
            if (tmp.size() > 7 && tmp.compare(tmp.size() - 7, 7, ".remove") == 0) fs::remove(tmp, ec);  // an old file set aside
            else fs::rename(tmp, final, ec);
            ++completed;
        }
        in.close();
        fs::remove(journal, ec);
        notes.push_back("output: an earlier run was stopped while moving its output into place at '" + finalPath +
                        "'; its " + std::to_string(completed) + " remaining file(s) were moved in, so its output was whole "
                        "before this run replaced it");
    }
    const fs::path fp = fs::absolute(finalPath);
    const std::string name = fp.filename().string(), stem = fp.stem().string();
    int removed = 0;
    for (const auto& entry : fs::directory_iterator(fp.parent_path(), ec)) {
        const std::string file = entry.path().filename().string();
        const bool ours = file.rfind("." + name + ".partial-", 0) == 0 || file.rfind("." + stem + ".html.partial-", 0) == 0 ||
                          file.rfind(stem + ".", 0) == 0;
        const auto at = file.find(".partial-");
        if (!ours || at == std::string::npos) continue;
        const long pid = std::strtol(file.c_str() + at + 9, nullptr, 10);
        if (pid == static_cast<long>(::getpid()) || processAlive(pid)) continue;
        std::error_code e;
        if (fs::remove(entry.path(), e)) ++removed;
    }
    if (removed > 0)
        notes.push_back("output: " + std::to_string(removed) + " temporary file(s) of an earlier, killed run on '" + finalPath +
                        "' removed");
    return notes;
}

} // namespace

std::string GpkgWriter::partialPath(const std::string& finalPath, const std::string& suffix) {
    const fs::path fp = fs::absolute(finalPath);
    return (fp.parent_path() / ("." + fp.filename().string() + ".partial-" + std::to_string(::getpid()) + suffix)).string();
}

void GpkgWriter::checkWritable(const std::string& finalPath, bool overwrite) {
    std::error_code ec;
    if (fs::exists(finalPath, ec) && !overwrite)
        throw IoError("output: '" + finalPath +
                      "' already exists. Pass --overwrite to replace it (or overwrite = true under [output])");
    const fs::path dir = fs::absolute(finalPath).parent_path();
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw IoError("output: '" + dir.string() + "' is a file, not a folder. Choose another output path");
    // The output's folder, or the nearest one that exists when it is still to be made, must take
    // new files: a read-only disk or a folder without write permission is said before any work
    // (otherwise SQLite's "unable to open database file" at the end, naming a temporary file).
    fs::path existing = dir;
    while (!existing.empty() && !fs::exists(existing, ec) && existing != existing.root_path()) existing = existing.parent_path();
    if (!existing.empty() && ::access(existing.c_str(), W_OK | X_OK) != 0) {
        const int err = errno;
        throw IoError("output: cannot write '" + finalPath + "': the folder '" + existing.string() + "' does not take new files (" +
                      std::generic_category().message(err) + "). Choose another output path");
    }
}

GpkgWriter::GpkgWriter(std::string finalPath, bool overwrite, const crs::Crs& analysisCrs)
    : m_finalPath(std::move(finalPath)), m_overwrite(overwrite), m_srs(nullptr, &destroySrs) {
    checkWritable(m_finalPath, m_overwrite);
    io::ensureGdalRegistered();
    const fs::path fp = fs::absolute(m_finalPath);
    std::error_code mkdirError;
    fs::create_directories(fp.parent_path(), mkdirError);  // as a user expects of "out/x.gpkg"
    if (mkdirError)
        throw IoError("output: cannot create the folder '" + fp.parent_path().string() + "': " + mkdirError.message());
    m_recovered = recoverEarlierRun(m_finalPath);
    m_tmpPath = partialPath(m_finalPath, ".gpkg");
    std::error_code ec;
    fs::remove(m_tmpPath, ec);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) throw IoError("output.gpkg: GDAL has no GPKG driver");
    io::GdalErrorScope errors;
    m_ds.reset(driver->Create(m_tmpPath.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!m_ds) throw IoError("output.gpkg: cannot create '" + m_tmpPath + "': " + errors.lastError());
    // The file is a temporary one until install() moves it into place, and a failed run removes
    // it: SQLite need not keep it safe from a crash on the way (no journal on disk, no sync per
    // commit), and keeps more of it in memory. install() syncs it once before the move.
    if (auto* db = static_cast<sqlite3*>(m_ds->GetInternalHandle("SQLITE_HANDLE")))
        sqlite3_exec(db, sqlite::kScratchPragmas, nullptr, nullptr, nullptr);

    m_srs.reset(new OGRSpatialReference());
    const std::string code = analysisCrs.authorityCode();
    if (m_srs->SetFromUserInput(code.empty() ? analysisCrs.toWkt().c_str() : code.c_str()) != OGRERR_NONE)
        throw IoError("output.gpkg: GDAL cannot represent the analysis CRS '" + analysisCrs.userInput() + "'");
    m_srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);

    // QGIS's own layer_styles table, registered as an attribute table as QGIS does it.
    char** opts = nullptr;
    opts = CSLSetNameValue(opts, "DESCRIPTION", "Default QGIS styles of the layers in this file");
    m_styles = m_ds->CreateLayer("layer_styles", nullptr, wkbNone, opts);
    CSLDestroy(opts);
    if (!m_styles) throw IoError("output.gpkg: cannot create layer_styles: " + errors.lastError());
    struct F {
        const char* name;
        OGRFieldType type;
        int width;
    };
    for (const F& f : {F{"f_table_catalog", OFTString, 256}, F{"f_table_schema", OFTString, 256},
                       F{"f_table_name", OFTString, 256}, F{"f_geometry_column", OFTString, 256},
                       F{"styleName", OFTString, 30}, F{"styleQML", OFTString, 0}, F{"styleSLD", OFTString, 0},
                       F{"useAsDefault", OFTInteger, 0}, F{"description", OFTString, 0}, F{"owner", OFTString, 30},
                       F{"ui", OFTString, 30}, F{"update_time", OFTDateTime, 0}}) {
        OGRFieldDefn fd(f.name, f.type);
        fd.SetWidth(f.width);
        if (std::string(f.name) == "useAsDefault") fd.SetSubType(OFSTBoolean);
        check(m_styles->CreateField(&fd), m_finalPath, "creating layer_styles");
    }
}

GpkgWriter::~GpkgWriter() {
    std::error_code ec;
    if (!m_committed) {
        m_ds.reset();
        fs::remove(m_tmpPath, ec);
        fs::remove(m_tmpPath + "-journal", ec);
    }
    for (const auto& f : m_besideTmp) fs::remove(f, ec);
}

OGRLayer* GpkgWriter::createLayer(const std::string& base, int geometryType, const std::string& title,
                                  const std::string& description) {
    const std::string name = m_prefix + base;
    const std::string identifier = m_prefixTitle.empty() ? title : title + " – " + m_prefixTitle;  // unique in the file
    CPLStringList opts;
    opts.SetNameValue("SPATIAL_INDEX", "NO");  // built in one go after the rows are in
    opts.SetNameValue("IDENTIFIER", identifier.c_str());
    opts.SetNameValue("DESCRIPTION", description.c_str());
    opts.SetNameValue("FID", "fid");
    opts.SetNameValue("GEOMETRY_NAME", "geom");
    const auto type = static_cast<OGRwkbGeometryType>(geometryType);
    io::GdalErrorScope errors;
    OGRLayer* layer = m_ds->CreateLayer(name.c_str(), type == wkbNone ? nullptr : m_srs.get(), type, opts.List());
    if (!layer) throw IoError("output.gpkg: cannot create layer '" + name + "': " + errors.lastError());
    return layer;
}

void GpkgWriter::createSpatialIndex(const std::string& base) {
    exec("SELECT CreateSpatialIndex('" + m_prefix + base + "', 'geom')");
}

void GpkgWriter::exec(const std::string& sql) {
    io::GdalErrorScope errors;
    OGRLayer* result = m_ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result) m_ds->ReleaseResultSet(result);
    if (!errors.lastError().empty()) throw IoError("output.gpkg: '" + sql + "' failed: " + errors.lastError());
}

void GpkgWriter::writeStyle(const std::string& layer, const std::string& geometryColumn, const std::string& qml,
                            const std::string& description, const std::string& styleName, bool isDefault) {
    OGRFeature f(m_styles->GetLayerDefn());
    f.SetField("f_table_catalog", "");
    f.SetField("f_table_schema", "");
    const std::string table = m_prefix + layer;
    f.SetField("f_table_name", table.c_str());
    f.SetField("f_geometry_column", geometryColumn.c_str());
    // The style's own name stays short (layer_styles allows 30 characters): the table names the layer.
    f.SetField("styleName", (styleName.empty() ? layer : styleName).c_str());
    // Every field titled and every class labelled from its declaration (DeclaredStyle.hpp).
    const bool english = m_project && m_project->language == "en";
    std::vector<std::string> fields;
    if (OGRLayer* written = m_ds->GetLayerByName(table.c_str()))
        for (int i = 0; i < written->GetLayerDefn()->GetFieldCount(); ++i)
            fields.push_back(written->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
    f.SetField("styleQML", withDeclarations(table, fields, qml, english).c_str());
    f.SetField("styleSLD", "");
    f.SetField("useAsDefault", isDefault ? 1 : 0);
    f.SetField("description", description.c_str());
    f.SetField("owner", "trygg");
    f.SetField("ui", "");
    check(m_styles->CreateFeature(&f), m_finalPath, "writing the style of " + layer);
}

namespace {

// A (multi)polygon from WKB as the multipolygon GeoPackage layers hold; `what` names it in errors.
OGRGeometry* multiPolygonFromWkb(const std::vector<unsigned char>& wkb, const char* what) {
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE || !g)
        throw IoError(std::string("output.gpkg: ") + what + "'s geometry could not be converted");
    OGRGeometry* multi = OGRGeometryFactory::forceToMultiPolygon(g);
    if (!multi || wkbFlatten(multi->getGeometryType()) != wkbMultiPolygon) {
        delete multi;
        throw IoError(std::string("output.gpkg: ") + what + " is not a polygon (no area)");
    }
    return multi;
}

} // namespace

// A grid layer's rows go straight into SQLite, on GDAL's own connection and in its transaction,
// with one prepared statement and the GeoPackage geometry blob made here: a national grid of
// millions of cells is written at SQLite's speed instead of OGR's cost per feature. GDAL still
// creates the table, its fields and its registration; its feature-count trigger is dropped while
// the rows go in, and the count, extent and trigger are set when the file is closed.
struct DirectRows {
    struct Value {
        enum Kind { Null, Int, Real, Text } kind = Null;
        std::int64_t i = 0;
        double d = 0;
        std::string s;
    };
    sqlite3* db = nullptr;
    sqlite::StmtPtr insert;  // one row
    sqlite::StmtPtr batch;   // kBatch rows: SQLite's cost per statement (and AUTOINCREMENT's) shared
    static constexpr std::size_t kBatch = 32;
    struct Pending {
        std::int64_t fid;
        std::vector<unsigned char> geom;
        std::vector<Value> row;
    };
    // Rows waiting for a full batch: the first `used`; the others keep their memory for the next
    // rows (a national grid's 7 million rows would otherwise allocate each blob and value anew).
    std::vector<Pending> pending;
    std::size_t used = 0;
    std::vector<Value> row;  // kept from one feature to the next, as an OGRFeature's fields are
    std::vector<unsigned char> blob;  // the cell's ring until write()
    std::vector<unsigned char> geom;  // its GeoPackage blob, bound as long as the row is stepped
    std::int64_t fid = 0;
    std::int32_t srsId = 0;
};

struct LayerWriter::Impl {
    GpkgWriter* writer = nullptr;
    std::string name;  // without the prefix
    OGRLayer* layer = nullptr;
    OGRwkbGeometryType type = wkbNone;
    std::unique_ptr<OGRFeature> feature;
    GpkgWriter::PendingIndex index;
    bool cells = false, started = false, finished = false;
    std::unique_ptr<DirectRows> direct;  // grid layers (polygons, one per cell)
};

namespace {

void putLe(std::vector<unsigned char>& b, const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    b.insert(b.end(), c, c + n);  // this code assumes a little-endian machine, checked below
}
static_assert(std::endian::native == std::endian::little, "the GeoPackage blobs are written little-endian");

// A polygon of one ring as a GeoPackage geometry blob: the header with the envelope, then ISO WKB.
void gpkgPolygon(std::vector<unsigned char>& b, std::int32_t srsId, const double* xs, const double* ys, int np,
                 const BoxEntry& box) {
    b.clear();
    const unsigned char head[4] = {'G', 'P', 0, 0x03};  // version 0; little-endian, envelope [minx maxx miny maxy]
    putLe(b, head, 4);
    putLe(b, &srsId, 4);
    const double env[4] = {box.minX, box.maxX, box.minY, box.maxY};
    putLe(b, env, sizeof env);
    const unsigned char order = 1;
    const std::uint32_t type = 3, rings = 1, points = static_cast<std::uint32_t>(np);
    putLe(b, &order, 1);
    putLe(b, &type, 4);
    putLe(b, &rings, 4);
    putLe(b, &points, 4);
    for (int k = 0; k < np; ++k) {
        putLe(b, &xs[k], 8);
        putLe(b, &ys[k], 8);
    }
}

} // namespace

LayerWriter::LayerWriter(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
LayerWriter::LayerWriter(LayerWriter&&) noexcept = default;

LayerWriter::~LayerWriter() {
    // A layer left unfinished by an exception: its transaction is undone (the file is removed anyway).
    if (m && m->started && !m->finished) m->writer->m_ds->RollbackTransaction();
}

int LayerWriter::add(const std::string& name, FieldType type) {
    if (m->direct) m->direct->row.emplace_back();
    if (m->started) throw Error("internal error: field " + name + " added to " + m->name + " after its first feature");
    OGRFieldType t = OFTString;
    OGRFieldSubType sub = OFSTNone;
    switch (type) {
    case FieldType::Integer: t = OFTInteger; break;
    case FieldType::Int16: t = OFTInteger; sub = OFSTInt16; break;
    case FieldType::Integer64: t = OFTInteger64; break;
    case FieldType::Real: t = OFTReal; break;
    case FieldType::Text: t = OFTString; break;
    }
    OGRFieldDefn fd(name.c_str(), t);
    fd.SetSubType(sub);
    check(m->layer->CreateField(&fd), m->writer->m_finalPath, "creating field " + name);
    return m->layer->GetLayerDefn()->GetFieldCount() - 1;
}

int LayerWriter::index(const std::string& name) const { return m->layer->GetLayerDefn()->GetFieldIndex(name.c_str()); }

namespace {
OGRFeature& featureOf(std::unique_ptr<OGRFeature>& f, OGRLayer* layer) {
    if (!f) f = std::make_unique<OGRFeature>(layer->GetLayerDefn());
    return *f;
}
} // namespace

std::string LayerWriter::setCell(const grid::Grid& g, std::size_t i, std::size_t copy) {
    if (!m->direct) throw Error("internal error: a cell written to " + m->name + ", which is not a grid layer");
    m->cells = true;
    const grid::Lattice& lat = g.lattice();
    std::array<double, 7> xs{}, ys{};
    const int np = lat.ring(g.cellIndex(i), xs, ys);
    const auto fid = static_cast<std::int64_t>(copy * g.size() + i + 1);
    const auto [x0, x1] = std::minmax_element(xs.begin(), xs.begin() + np);
    const auto [y0, y1] = std::minmax_element(ys.begin(), ys.begin() + np);
    const BoxEntry box{fid, *x0, *x1, *y0, *y1};
    m->index.boxes.push_back(box);
    m->direct->fid = fid;
    m->direct->blob.clear();
    m->direct->blob.push_back(static_cast<unsigned char>(np));  // the ring, turned into a blob on write()
    m->direct->blob.insert(m->direct->blob.end(), reinterpret_cast<const unsigned char*>(xs.data()),
                           reinterpret_cast<const unsigned char*>(xs.data() + np));
    m->direct->blob.insert(m->direct->blob.end(), reinterpret_cast<const unsigned char*>(ys.data()),
                           reinterpret_cast<const unsigned char*>(ys.data() + np));
    return cellId(g, i);
}

void LayerWriter::setGeometry(const std::vector<unsigned char>& wkb, const char* what) {
    if (m->direct) throw Error("internal error: a geometry given to the grid layer " + m->name + "; use setCell");
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE || !g)
        throw IoError(std::string("output.gpkg: ") + what + "'s geometry could not be converted");
    OGRGeometry* out = m->type == wkbMultiPoint        ? OGRGeometryFactory::forceToMultiPoint(g)
                       : m->type == wkbMultiLineString ? OGRGeometryFactory::forceToMultiLineString(g)
                       : m->type == wkbMultiPolygon    ? OGRGeometryFactory::forceToMultiPolygon(g)
                                                       : g;
    if (!out || wkbFlatten(out->getGeometryType()) != wkbFlatten(m->type)) {
        delete out;
        throw IoError(std::string("output.gpkg: ") + what +
                      (m->type == wkbMultiPolygon ? " is not a polygon (no area)" : " is not of the layer's geometry type"));
    }
    featureOf(m->feature, m->layer).SetGeometryDirectly(out);
}

void LayerWriter::setInt(int field, std::int64_t value) {
    if (m->direct) {
        auto& v = m->direct->row.at(static_cast<std::size_t>(field));
        v.kind = DirectRows::Value::Int, v.i = value;
        return;
    }
    featureOf(m->feature, m->layer).SetField(field, static_cast<GIntBig>(value));
}
void LayerWriter::setReal(int field, double value) {
    if (m->direct) {
        auto& v = m->direct->row.at(static_cast<std::size_t>(field));
        v.kind = std::isfinite(value) ? DirectRows::Value::Real : DirectRows::Value::Null, v.d = value;
        return;
    }
    OGRFeature& f = featureOf(m->feature, m->layer);
    if (std::isfinite(value))
        f.SetField(field, value);
    else
        f.SetFieldNull(field);
}
void LayerWriter::setText(int field, const std::string& value) {
    if (m->direct) {
        auto& v = m->direct->row.at(static_cast<std::size_t>(field));
        v.kind = DirectRows::Value::Text, v.s = value;
        return;
    }
    featureOf(m->feature, m->layer).SetField(field, value.c_str());
}
void LayerWriter::setNull(int field) {
    if (m->direct) {
        m->direct->row.at(static_cast<std::size_t>(field)).kind = DirectRows::Value::Null;
        return;
    }
    featureOf(m->feature, m->layer).SetFieldNull(field);
}

void LayerWriter::startDirect() {
    DirectRows& d = *m->direct;
    // GDAL creates a new table on its first feature or sync; the rows then go in beside it.
    check(m->layer->SyncToDisk(), m->writer->m_finalPath, "creating " + m->name);
    d.db = static_cast<sqlite3*>(m->writer->m_ds->GetInternalHandle("SQLITE_HANDLE"));
    if (!d.db) throw IoError("output.gpkg: GDAL gives no SQLite handle for " + m->name);
    const std::string table = m->writer->m_prefix + m->name;
    auto query = [&](const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw IoError("output.gpkg: cannot prepare '" + sql.substr(0, 120) + "': " + sqlite3_errmsg(d.db));
        return sqlite::StmtPtr(st);
    };
    auto run = [&](const std::string& sql) {
        sqlite::StmtPtr st = query(sql);
        const int rc = sqlite3_step(st.get());
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            throw IoError("output.gpkg: '" + sql.substr(0, 120) + "' failed: " + sqlite3_errmsg(d.db));
    };
    if (m->type != wkbNone) {
        sqlite::StmtPtr st = query("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower('" + table + "')");
        if (sqlite3_step(st.get()) != SQLITE_ROW) throw IoError("output.gpkg: " + table + " has no geometry column");
        d.srsId = sqlite3_column_int(st.get(), 0);
    }
    const std::string trigger = "trigger_insert_feature_count_" + table;
    {
        sqlite::StmtPtr st = query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = '" + trigger + "'");
        if (sqlite3_step(st.get()) == SQLITE_ROW) m->index.countTrigger = sqlite::text(st.get(), 0);
    }
    if (!m->index.countTrigger.empty()) run("DROP TRIGGER " + sqlite::quoteId(trigger));
    // Grid layers give each cell's fid; a table without geometry lets SQLite number its rows.
    std::string columns = m->type == wkbNone ? "" : "fid, geom", marks = m->type == wkbNone ? "" : "?, ?";
    OGRFeatureDefn* defn = m->layer->GetLayerDefn();
    for (int k = 0; k < defn->GetFieldCount(); ++k) {
        columns += (columns.empty() ? "" : ", ") + sqlite::quoteId(defn->GetFieldDefn(k)->GetNameRef());
        marks += marks.empty() ? "?" : ", ?";
    }
    const std::string insert = "INSERT INTO " + sqlite::quoteId(table) + " (" + columns + ") VALUES ";
    d.insert = query(insert + "(" + marks + ")");
    std::string rows;
    for (std::size_t r = 0; r < DirectRows::kBatch; ++r) rows += (r ? ", (" : "(") + marks + ")";
    d.batch = query(insert + rows);
}

namespace {

// Binds one pending row from parameter `first` on; returns the parameter after it.
int bindRow(sqlite3_stmt* st, int at, bool geometry, const DirectRows::Pending& p) {
    if (geometry) {
        sqlite3_bind_int64(st, at++, p.fid);
        sqlite3_bind_blob(st, at++, p.geom.data(), static_cast<int>(p.geom.size()), SQLITE_STATIC);
    }
    for (const auto& v : p.row) {
        switch (v.kind) {
        case DirectRows::Value::Null: sqlite3_bind_null(st, at); break;
        case DirectRows::Value::Int: sqlite3_bind_int64(st, at, v.i); break;
        case DirectRows::Value::Real: sqlite3_bind_double(st, at, v.d); break;
        case DirectRows::Value::Text: sqlite3_bind_text(st, at, v.s.c_str(), static_cast<int>(v.s.size()), SQLITE_STATIC); break;
        }
        ++at;
    }
    return at;
}

} // namespace

void LayerWriter::flushDirect(bool all, const char* what, const std::string& detail) {
    DirectRows& d = *m->direct;
    const bool geometry = m->type != wkbNone;
    auto step = [&](sqlite3_stmt* st) {
        const int rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE)
            throw IoError("output.gpkg: writing '" + m->writer->m_finalPath + "': " + what + (detail.empty() ? "" : " " + detail) +
                          " to " + m->name + ": " + sqlite3_errmsg(d.db));
    };
    if (d.used == DirectRows::kBatch) {
        int at = 1;
        for (std::size_t k = 0; k < d.used; ++k) at = bindRow(d.batch.get(), at, geometry, d.pending[k]);
        step(d.batch.get());
        d.used = 0;
    }
    if (all) {
        for (std::size_t k = 0; k < d.used; ++k) {
            bindRow(d.insert.get(), 1, geometry, d.pending[k]);
            step(d.insert.get());
        }
        d.used = 0;
    }
}

void LayerWriter::writeDirect(const char* what, const std::string& detail) {
    DirectRows& d = *m->direct;
    if (d.used == d.pending.size()) d.pending.emplace_back();
    DirectRows::Pending& p = d.pending[d.used++];
    if (m->type != wkbNone) {
        if (d.blob.empty()) throw Error(std::string("internal error: ") + what + " written to " + m->name + " without its cell");
        const int np = d.blob[0];
        std::array<double, 7> xs{}, ys{};
        std::memcpy(xs.data(), d.blob.data() + 1, static_cast<std::size_t>(np) * 8);
        std::memcpy(ys.data(), d.blob.data() + 1 + static_cast<std::size_t>(np) * 8, static_cast<std::size_t>(np) * 8);
        gpkgPolygon(p.geom, d.srsId, xs.data(), ys.data(), np, m->index.boxes.back());
        p.fid = d.fid;
    }
    p.row = d.row;
    ++m->index.rows;
    flushDirect(false, what, detail);
}

void LayerWriter::write(const char* what, const std::string& detail) {
    if (!m->started) {
        check(m->writer->m_ds->StartTransaction(), m->writer->m_finalPath, "starting a transaction");
        m->started = true;
        if (m->direct) startDirect();
    }
    if (m->direct) {
        writeDirect(what, detail);
        return;
    }
    OGRFeature& f = featureOf(m->feature, m->layer);
    if (!m->cells) f.SetFID(OGRNullFID);
    if (const OGRErr err = m->layer->CreateFeature(&f); err != OGRERR_NONE)
        check(err, m->writer->m_finalPath, std::string("writing ") + what + (detail.empty() ? "" : " " + detail));
}

void LayerWriter::finish() {
    if (!m->started) {
        check(m->writer->m_ds->StartTransaction(), m->writer->m_finalPath, "starting a transaction");
        m->started = true;
    }
    if (m->direct) {
        if (m->direct->insert) flushDirect(true, "the last rows", "");
        m->direct->insert.reset();
        m->direct->batch.reset();
    }
    check(m->writer->m_ds->CommitTransaction(), m->writer->m_finalPath, "committing " + m->name);
    m->finished = true;
    if (m->cells) {
        m->writer->m_pendingIndexes.push_back(std::move(m->index));  // built in bulk by finish()
    } else if (m->type == wkbNone) {
        if (!m->index.countTrigger.empty()) m->writer->m_directCounts.push_back(std::move(m->index));
    } else if (m->type != wkbNone) {
        m->writer->createSpatialIndex(m->name);
        m->writer->m_gdalIndexed.push_back(m->writer->m_prefix + m->name);
    }
}

LayerWriter GpkgWriter::layer(const std::string& name, GeometryType geometry, const std::string& title,
                              const std::string& description) {
    const OGRwkbGeometryType type = geometry == GeometryType::Polygon           ? wkbPolygon
                                    : geometry == GeometryType::MultiPolygon    ? wkbMultiPolygon
                                    : geometry == GeometryType::MultiPoint      ? wkbMultiPoint
                                    : geometry == GeometryType::MultiLineString ? wkbMultiLineString
                                                                                : wkbNone;
    auto impl = std::make_unique<LayerWriter::Impl>();
    impl->writer = this;
    impl->name = name;
    impl->type = type;
    impl->layer = createLayer(name, type, title, description);
    impl->index.table = m_prefix + name;
    if (type == wkbPolygon || type == wkbNone) impl->direct = std::make_unique<DirectRows>();
    return LayerWriter(std::move(impl));
}

void GpkgWriter::style(const std::string& name, const std::string& qml, const std::string& description,
                       const std::string& styleName, bool isDefault) {
    OGRLayer* layer = m_ds->GetLayerByName((m_prefix + name).c_str());
    const bool geometry = layer && layer->GetGeomType() != wkbNone;
    writeStyle(name, geometry ? "geom" : "", qml, description, styleName, isDefault);
}

std::string cellId(const grid::Grid& g, std::size_t i) {
    // Square cells are named by their south-west corner, hexagons by their centre, in whole metres
    // of the analysis CRS (as SCB names its grid squares).
    const grid::Lattice& lat = g.lattice();
    const grid::CellIndex c = g.cellIndex(i);
    std::array<double, 7> xs{}, ys{};
    lat.ring(c, xs, ys);
    const bool square = lat.shape() == grid::Shape::Square;
    const double ax = square ? xs[0] : lat.centre(c).x;
    const double ay = square ? ys[0] : lat.centre(c).y;
    // As printf's "E%.0fN%.0f" of the rounded values (a national grid names 7 million cells).
    std::string id;
    id.reserve(24);
    for (const auto& [letter, v] : {std::pair{'E', std::round(ax)}, std::pair{'N', std::round(ay)}}) {
        id += letter;
        if (!(std::abs(v) < 9e15)) {
            id += fmt::format("{:.0f}", v);
            continue;
        }
        if (v == 0 && std::signbit(v)) id += '-';
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, static_cast<long long>(v)).ptr;
        id.append(digits, end);
    }
    return id;
}

void GpkgWriter::writeStudyArea(const std::vector<unsigned char>& wkb, const std::string& description) {
    OGRLayer* layer = createLayer("study_area", wkbMultiPolygon, "Study area", description);
    OGRFieldDefn fd("area_km2", OFTReal);
    check(layer->CreateField(&fd), m_finalPath, "creating field area_km2");
    OGRGeometryUniquePtr geom(multiPolygonFromWkb(wkb, "the study area"));
    OGRFeature f(layer->GetLayerDefn());
    f.SetField("area_km2", geom->toMultiPolygon()->get_Area() / 1e6);
    f.SetGeometryDirectly(geom.release());
    check(layer->CreateFeature(&f), m_finalPath, "writing the study area");
    createSpatialIndex("study_area");
    m_gdalIndexed.push_back(m_prefix + "study_area");
    writeStyle("study_area", "geom", studyAreaQml(), "Outline of the study area");
}

void GpkgWriter::writeMetadata(const std::vector<MetadataEntry>& entries) {
    OGRLayer* layer = createLayer("run_metadata", wkbNone, "Run metadata",
                                  "How this file was made: version, config, inputs with checksums, every parameter");
    OGRFieldDefn key("key", OFTString), value("value", OFTString);
    check(layer->CreateField(&key), m_finalPath, "creating field key");
    check(layer->CreateField(&value), m_finalPath, "creating field value");
    check(m_ds->StartTransaction(), m_finalPath, "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (const auto& e : entries) {
        f.SetFID(OGRNullFID);
        f.SetField(0, e.key.c_str());
        f.SetField(1, e.value.c_str());
        check(layer->CreateFeature(&f), m_finalPath, "writing metadata " + e.key);
    }
    check(m_ds->CommitTransaction(), m_finalPath, "committing run metadata");
    writeStyle("run_metadata", "", tableQml(), "Run metadata");
}

void GpkgWriter::writeRaster(const std::string& table, const kde::Raster& raster, const std::vector<float>& values,
                             const std::string& description) {
    float maxValue = 0;
    for (float v : values)
        if (std::isfinite(v)) maxValue = std::max(maxValue, v);
    const std::string qml = densityRasterQml(maxValue);
    m_pendingRasters.push_back({m_prefix + table, description, raster, values, qml});
    writeStyle(table, "", qml, description);
}

void GpkgWriter::commit() {
    finish();
    install();
}

void GpkgWriter::finish() {
    io::GdalErrorScope errors;
    GDALDataset* ds = m_ds.release();
    GDALClose(GDALDataset::ToHandle(ds));
    if (!errors.lastError().empty()) throw IoError("output.gpkg: closing '" + m_tmpPath + "' failed: " + errors.lastError());
    for (const auto& r : m_pendingRasters) {
        GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
        GDALDatasetUniquePtr src(mem->Create("", static_cast<int>(r.raster.cols), static_cast<int>(r.raster.rows), 1,
                                             GDT_Float32, nullptr));
        double gt[6] = {r.raster.originX, r.raster.pixelM, 0, r.raster.originY, 0, -r.raster.pixelM};
        src->SetGeoTransform(gt);
        src->SetSpatialRef(m_srs.get());
        constexpr float kNoData = -9999.0f;
        std::vector<float> values = r.values;
        for (float& v : values)
            if (!std::isfinite(v)) v = kNoData;
        GDALRasterBand* band = src->GetRasterBand(1);
        band->SetNoDataValue(kNoData);
        if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(r.raster.cols), static_cast<int>(r.raster.rows), values.data(),
                           static_cast<int>(r.raster.cols), static_cast<int>(r.raster.rows), GDT_Float32, 0, 0,
                           nullptr) != CE_None)
            throw IoError("output.gpkg: cannot prepare the raster " + r.table);
        CPLStringList opts;
        opts.SetNameValue("APPEND_SUBDATASET", "YES");
        opts.SetNameValue("RASTER_TABLE", r.table.c_str());
        opts.SetNameValue("RASTER_IDENTIFIER", r.table.c_str());
        opts.SetNameValue("RASTER_DESCRIPTION", r.description.c_str());
        GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
        GDALDatasetUniquePtr out(gpkg->CreateCopy(m_tmpPath.c_str(), src.get(), FALSE, opts.List(), nullptr, nullptr));
        if (!out) throw IoError("output.gpkg: writing the raster " + r.table + " failed: " + errors.lastError());
        if (m_geotiff) {
            const fs::path fp = fs::absolute(m_finalPath);
            const std::string stem = (fp.parent_path() / fp.stem()).string() + "." + r.table;
            const std::string tif = stem + ".tif", qml = stem + ".qml";
            const std::string tmpTif = tif + ".partial-" + std::to_string(::getpid()) + ".tif";
            const std::string tmpQml = qml + ".partial-" + std::to_string(::getpid());
            CPLStringList tiffOpts;
            tiffOpts.SetNameValue("COMPRESS", "DEFLATE");
            tiffOpts.SetNameValue("PREDICTOR", "3");
            tiffOpts.SetNameValue("TILED", "YES");
            m_besideTmp.push_back(tmpTif);
            GDALDatasetUniquePtr t(GetGDALDriverManager()->GetDriverByName("GTiff")->CreateCopy(
                tmpTif.c_str(), src.get(), FALSE, tiffOpts.List(), nullptr, nullptr));
            if (!t) throw IoError("output: writing '" + tif + "' failed: " + errors.lastError());
            t.reset();
            m_besideTmp.push_back(tmpQml);
            std::ofstream(tmpQml) << r.qml;
            if (!m_overwrite && (fs::exists(tif) || fs::exists(qml)))
                throw IoError("output: '" + tif + "' already exists. Pass --overwrite to replace it");
            m_besideFinal.push_back(tif);
            m_besideFinal.push_back(qml);
        }
    }
    m_pendingRasters.clear();
    for (auto& pending : m_pendingIndexes) {
        if (m_gdalIndexed.empty())
            throw Error("output.gpkg: a bulk spatial index needs a layer indexed by GDAL to follow; write the study area first");
        bulkLoadGpkgRtree(m_tmpPath, pending.table, "geom", std::move(pending.boxes), m_gdalIndexed.front(),
                          pending.countTrigger, pending.rows);
    }
    m_pendingIndexes.clear();
    for (const auto& c : m_directCounts) restoreFeatureCount(m_tmpPath, c.table, c.countTrigger, c.rows);
    m_directCounts.clear();
    if (m_publish) m_publishSummary = publishGeoPackage(m_tmpPath, *m_publish);
    writeDataColumns(m_tmpPath, m_project && m_project->language == "en");  // what is left after publishing
    if (m_project) {
        QgisProjectOptions project = *m_project;
        project.fileName = fs::path(m_finalPath).filename().string();
        writeQgisProject(m_tmpPath, project);
    }
    m_finished = true;
}

void GpkgWriter::install(const std::vector<std::pair<std::string, std::string>>& extra,
                         const std::vector<std::string>& remove) {
    if (!m_finished) throw Error("output.gpkg: install() before finish(); this is a bug, please report it");
    checkWritable(m_finalPath, m_overwrite);
    for (const auto& [tmp, final] : extra)
        if (!m_overwrite && fs::exists(final)) throw IoError("output: '" + final + "' already exists. Pass --overwrite to replace it");
    // The moves, the GeoPackage last: a reader who sees the new GeoPackage sees everything new.
    std::vector<std::pair<std::string, std::string>> moves;
    for (std::size_t k = 0; k < m_besideTmp.size(); ++k) moves.emplace_back(m_besideTmp[k], m_besideFinal[k]);
    moves.insert(moves.end(), extra.begin(), extra.end());
    std::error_code ec;
    for (const auto& old : remove) {
        if (!fs::exists(old, ec)) continue;
        // A file to remove is first renamed aside, so the journal can finish the removal.
        const std::string aside = partialPath(old, ".remove");
        moves.emplace_back(aside, old);
        fs::rename(old, aside, ec);
        if (ec) throw IoError("output: cannot move the old '" + old + "' aside: " + ec.message());
    }
    moves.emplace_back(m_tmpPath, m_finalPath);
    // What was written without a sync reaches the disk before any file takes its final name.
    for (const auto& [tmp, final] : moves)
        if (tmp.size() <= 7 || tmp.compare(tmp.size() - 7, 7, ".remove") != 0) syncFile(tmp);
    const std::string journal = journalPath(m_finalPath);
    {
        std::ofstream out(journal, std::ios::trunc);
        for (const auto& [tmp, final] : moves) out << tmp << '\t' << final << '\n';
        out.flush();
        if (!out) throw IoError("output: cannot write the install journal '" + journal + "'");
    }
    for (std::size_t k = 0; k < moves.size(); ++k) {
        testSignalAt(k);
        const auto& [tmp, final] = moves[k];
        if (tmp.size() > 7 && tmp.compare(tmp.size() - 7, 7, ".remove") == 0) fs::remove(tmp, ec);
        else fs::rename(tmp, final, ec);
        if (ec) throw IoError("output: cannot move '" + final + "' into place: " + ec.message() +
                              ". The next run on this output completes the move");
        if (tmp == m_tmpPath) m_committed = true;
    }
    testSignalAt(moves.size());
    fs::remove(journal, ec);
    m_besideTmp.clear();
}

} // namespace trygg::output
