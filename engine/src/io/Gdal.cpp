#include "trygg/io/Gdal.hpp"
#include "trygg/io/Source.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Sha256.hpp"

#include <cpl_string.h>
#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <mutex>

namespace trygg::io {
std::string lowerExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

bool isCsvPath(const std::string& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".csv" || ext == ".txt" || ext == ".tsv" || ext == ".gz";
}

void ensureGdalRegistered() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // A spreadsheet's first row is its header, even when every cell is text (a sheet typed by
        // hand, or decimal commas): GDAL 3.6 guesses otherwise and takes the names for a report.
        // Its XLSX and ODS drivers read this as a configuration option only (open options HEADERS
        // and FIELD_TYPES came in 3.8); one the user set in the environment is kept.
        for (const char* key : {"OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"})
            if (!CPLGetConfigOption(key, nullptr)) CPLSetConfigOption(key, "FORCE");
    });
}

bool coordinatesWithinReach(const OGRGeometry& g) {
    struct Vertices : OGRDefaultConstGeometryVisitor {
        bool ok = true;
        using OGRDefaultConstGeometryVisitor::visit;
        void visit(const OGRPoint* p) override {
            // (A vertex with one NaN coordinate may read as an empty point: its values decide.)
            if (!(std::abs(p->getX()) < 1e8 && std::abs(p->getY()) < 1e8)) ok = false;
        }
    } vertices;
    g.accept(&vertices);
    return vertices.ok;
}

GdalErrorScope::GdalErrorScope() {
    CPLPushErrorHandlerEx(&GdalErrorScope::handler, this);
    CPLErrorReset();
}

GdalErrorScope::~GdalErrorScope() { CPLPopErrorHandler(); }

void CPL_STDCALL GdalErrorScope::handler(CPLErr level, CPLErrorNum, const char* message) {
    auto* self = static_cast<GdalErrorScope*>(CPLGetErrorHandlerUserData());
    if (!self) return;
    std::string msg = message ? message : "";
    if (level >= CE_Failure)
        self->m_errors.push_back(std::move(msg));
    else if (level == CE_Warning)
        self->m_warnings.push_back(std::move(msg));
}

std::string GdalErrorScope::lastError() const { return m_errors.empty() ? std::string() : m_errors.back(); }

RasterLayout readRasterLayout(const std::string& path) {
    ensureGdalRegistered();
    GdalErrorScope errors;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw InputError("kde: cannot read the raster to align to '" + path + "': " + errors.lastError());
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None || gt[2] != 0 || gt[4] != 0 || std::abs(gt[1] + gt[5]) > 1e-9 * gt[1])
        throw InputError("kde: the raster '" + path + "' has no north-up geotransform with square pixels to align to");
    return {gt[0], gt[3], gt[1], ds->GetRasterXSize(), ds->GetRasterYSize()};
}

crs::Crs sourceCrsOf(const VectorSource& src, const std::string& declared, const std::string& what,
                     const std::string& section) {
    const std::string text = declared.empty() ? crsTextOf(src.layer) : declared;
    if (text.empty())
        throw InputError(what + ": the layer '" + src.layerName + "' in '" + src.path +
                         "' has no CRS. Declare it with crs = \"EPSG:N\" under [" + section + "]");
    return crs::Crs::fromUserInput(text);
}

std::vector<std::pair<std::int32_t, std::vector<unsigned char>>> polygonizeLabels(const std::vector<std::int32_t>& labels,
                                                                                  std::int64_t cols, std::int64_t rows,
                                                                                  double originX, double originY,
                                                                                  double pixelM) {
    ensureGdalRegistered();
    GdalErrorScope errors;
    GDALDatasetUniquePtr mem(GetGDALDriverManager()->GetDriverByName("MEM")->Create(
        "", static_cast<int>(cols), static_cast<int>(rows), 1, GDT_Int32, nullptr));
    double gt[6] = {originX, pixelM, 0, originY, 0, -pixelM};
    mem->SetGeoTransform(gt);
    GDALRasterBand* band = mem->GetRasterBand(1);
    if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(cols), static_cast<int>(rows), const_cast<std::int32_t*>(labels.data()),
                       static_cast<int>(cols), static_cast<int>(rows), GDT_Int32, 0, 0, nullptr) != CE_None)
        throw Error("polygonize: cannot prepare the label raster: " + errors.lastError());
    GDALDatasetUniquePtr vec(GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* polys = vec->CreateLayer("p", nullptr, wkbPolygon, nullptr);
    OGRFieldDefn fd("label", OFTInteger);
    polys->CreateField(&fd);
    if (GDALPolygonize(band, band, OGRLayer::ToHandle(polys), 0, nullptr, nullptr, nullptr) != CE_None)
        throw Error("polygonize: GDALPolygonize failed: " + errors.lastError());
    std::vector<std::pair<std::int32_t, std::vector<unsigned char>>> out;
    for (auto& f : *polys) {
        const int label = f->GetFieldAsInteger(0);
        const OGRGeometry* g = f->GetGeometryRef();
        if (label <= 0 || !g) continue;
        std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        out.emplace_back(label, std::move(wkb));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

std::string crsTextOf(OGRLayer* layer) {
    const OGRSpatialReference* srs = layer->GetSpatialRef();
    if (!srs) return {};
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    char* wkt = nullptr;
    const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
    srs->exportToWkt(&wkt, opts);
    std::string text = wkt ? wkt : "";
    CPLFree(wkt);
    return text;
}

std::string toUtf8(const char* s) {
    if (!s) return {};
    if (CPLIsUTF8(s, -1)) return s;
    char* recoded = CPLRecode(s, "CP1252", CPL_ENC_UTF8);
    std::string out = recoded ? recoded : s;
    CPLFree(recoded);
    return out;
}

bool isSqlQuery(const std::string& layerName) {
    std::size_t i = 0;
    while (i < layerName.size() && std::isspace(static_cast<unsigned char>(layerName[i]))) ++i;
    std::string word;
    while (i < layerName.size() && std::isalpha(static_cast<unsigned char>(layerName[i])))
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(layerName[i++])));
    return (word == "SELECT" || word == "WITH") && i < layerName.size() && std::isspace(static_cast<unsigned char>(layerName[i]));
}

void requireReadableFile(const std::string& path, const std::string& what) {
    namespace fs = std::filesystem;
    if (path.rfind("/vsi", 0) == 0 || isConnectionString(path)) return;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError(what + ": file not found '" + path +
                         "'. Check the path (relative paths are relative to the config file)");
    if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == 0)
        throw InputError(what + ": file is empty '" + path + "'. Export the data again");
}

VectorSource openVector(const std::string& path, const std::string& layerName, const std::string& what,
                        const std::vector<std::pair<std::string, std::string>>& openOptions) {
    ensureGdalRegistered();
    requireReadableFile(path, what);
    const std::string ext = lowerExtension(path);
    CPLStringList options;
    std::vector<const char*> drivers;
    if (isCsvPath(path)) {
        options.AddNameValue("HEADERS", "YES");
        options.AddNameValue("AUTODETECT_TYPE", "NO");
        options.AddNameValue("EMPTY_STRING_AS_NULL", "NO");
    } else if (ext == ".xlsx" || ext == ".xls" || ext == ".ods") {
        options.AddNameValue("HEADERS", "FORCE");
        options.AddNameValue("FIELD_TYPES", "AUTO");
    }
    for (const auto& [name, value] : openOptions) options.SetNameValue(name.c_str(), value.c_str());
    GdalErrorScope errors;
    VectorSource src;
    src.path = path;
    src.dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options.List()));
    // A database's connection string is named without its password.
    const std::string shown = isConnectionString(path) ? describeConnection(path) : path;
    if (!src.dataset) {
        std::string cause = isConnectionString(path) ? connectionError(errors.lastError()) : redactPasswords(errors.lastError());
        if (cause.empty()) cause = "not a format GDAL reads as a vector layer";
        if (isConnectionString(path))
            throw InputError(what + ": cannot connect to the database '" + shown + "': " + cause +
                             ". Check the host, database and user; give the password in PGPASSWORD or ~/.pgpass");
        throw InputError(what + ": cannot read '" + path + "': " + cause +
                         ". Give a CSV, XLSX or a vector layer GDAL reads (GeoPackage, GeoJSON, Shapefile, "
                         "FlatGeobuf, ...)");
    }
    src.driverName = src.dataset->GetDriverName();
    if (isSqlQuery(layerName)) {
        // An SQL query as the layer (in the database's own dialect): its result set.
        OGRLayer* result = src.dataset->ExecuteSQL(layerName.c_str(), nullptr, nullptr);
        if (!result)
            throw InputError(what + ": the query failed on '" + shown + "': " + redactPasswords(errors.lastError()) +
                             ". Check the query: " + layerName);
        GDALDataset* ds = src.dataset.get();
        src.resultSet = std::unique_ptr<OGRLayer, std::function<void(OGRLayer*)>>(
            result, [ds](OGRLayer* l) { ds->ReleaseResultSet(l); });
        src.layer = result;
        src.layerName = layerName;
        return src;
    }
    const int count = src.dataset->GetLayerCount();
    if (count == 0) throw InputError(what + ": '" + shown + "' holds no vector layer");
    if (layerName.empty()) {
        if (count > 1) {
            std::string names;
            for (int i = 0; i < count; ++i) names += (i ? ", " : "") + std::string(src.dataset->GetLayer(i)->GetName());
            throw InputError(what + ": '" + shown + "' holds " + std::to_string(count) + " layers (" + names +
                             "). Name one with layer = \"...\" (or --layer)");
        }
        src.layer = src.dataset->GetLayer(0);
    } else {
        src.layer = src.dataset->GetLayerByName(layerName.c_str());
        if (!src.layer) {
            // A database may hold hundreds of tables: the first 30 named, and how many more.
            constexpr int kNamed = 30;
            std::string names;
            for (int i = 0; i < std::min(count, kNamed); ++i) names += (i ? ", " : "") + std::string(src.dataset->GetLayer(i)->GetName());
            if (count > kNamed) names += " and " + std::to_string(count - kNamed) + " more";
            throw InputError(what + ": no layer '" + layerName + "' in '" + shown + "'. Its layers: " + names);
        }
    }
    src.layerName = src.layer->GetName();
    return src;
}

RowDigest::RowDigest(const std::string& path) {
    if (isConnectionString(path)) m_hash = std::make_unique<Sha256>();
}

RowDigest::~RowDigest() = default;

void RowDigest::add(const OGRFeature& feature) {
    if (!m_hash) return;
    auto& f = const_cast<OGRFeature&>(feature);  // GDAL 3.6's getters are not const
    for (int i = 0; i < f.GetFieldCount(); ++i) {
        if (f.IsFieldSetAndNotNull(i)) m_hash->update(std::string(f.GetFieldAsString(i)));
        else m_hash->update("\x01", 1);
        m_hash->update("\x1f", 1);
    }
    if (const OGRGeometry* g = f.GetGeometryRef()) {
        std::string wkb(static_cast<std::size_t>(g->WkbSize()), '\0');
        g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
        m_hash->update(wkb);
    }
    m_hash->update("\x1e", 1);
}

std::string RowDigest::hex() { return m_hash ? m_hash->hex() : std::string(); }

} // namespace trygg::io
