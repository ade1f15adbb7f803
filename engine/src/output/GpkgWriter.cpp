#include "trygg/output/GpkgWriter.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/RtreeBulkLoad.hpp"
#include "trygg/output/Styles.hpp"
#include "trygg/temporal/TimeFilter.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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

void check(OGRErr err, const std::string& what) {
    if (err != OGRERR_NONE) throw IoError("output.gpkg: " + what + " failed: " + CPLGetLastErrorMsg());
}

} // namespace

namespace {

// The journal of an install in progress: one "temporary<TAB>final" line per move.
std::string journalPath(const std::string& finalPath) {
    const fs::path fp = fs::absolute(finalPath);
    return (fp.parent_path() / ("." + fp.filename().string() + ".install")).string();
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
        check(m_styles->CreateField(&fd), "creating layer_styles");
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

std::string GpkgWriter::withDeclaredTitles(const std::string& table, std::string qml) const {
    OGRLayer* layer = m_ds->GetLayerByName(table.c_str());
    const LayerSpec* spec = layerOf(table);
    if (!layer || !spec) return qml;
    const bool english = m_project && m_project->language == "en";
    std::vector<FieldAlias> aliases;
    const OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string name = defn->GetFieldDefn(i)->GetNameRef();
        // A field of a pattern (n_<category>, an overlay's) keeps its name beside the title, or
        // every category would read the same.
        if (const FieldSpec* f = fieldOf(*spec, name)) {
            const std::string& title = english ? f->en : f->sv;
            aliases.push_back({name, f->name.find('*') == std::string::npos ? title : title + ": " + name});
        }
    }
    const std::string block = aliasesXml(aliases);
    const auto begin = qml.find("  <aliases>"), end = qml.find("</aliases>\n");
    if (begin != std::string::npos && end != std::string::npos && end > begin)
        return qml.replace(begin, end + 11 - begin, block);
    if (const auto close = qml.rfind("</qgis>"); close != std::string::npos) qml.insert(close, block);
    return qml;
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
    // Every field titled from its declaration (output/Layers.hpp), in the project's language.
    f.SetField("styleQML", withDeclaredTitles(table, qml).c_str());
    f.SetField("styleSLD", "");
    f.SetField("useAsDefault", isDefault ? 1 : 0);
    f.SetField("description", description.c_str());
    f.SetField("owner", "trygg");
    f.SetField("ui", "");
    check(m_styles->CreateFeature(&f), "writing the style of " + layer);
}

namespace {

void addField(OGRLayer* layer, const char* name, OGRFieldType type, OGRFieldSubType sub = OFSTNone) {
    OGRFieldDefn fd(name, type);
    fd.SetSubType(sub);
    check(layer->CreateField(&fd), std::string("creating field ") + name);
}

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

// A finite value, or NULL: undefined statistics are never written as 0.
void setReal(OGRFeature& f, int field, double v) {
    if (std::isfinite(v))
        f.SetField(field, v);
    else
        f.SetFieldNull(field);
}

// n, n_<category> and weight_sum: created once, then set feature by feature.
class CountColumns {
public:
    CountColumns(OGRLayer* layer, const grid::CellCounts& counts, const std::vector<std::string>& categoryFields)
        : m_counts(counts), m_categories(categoryFields.size()) {
        addField(layer, "n", OFTInteger);
        for (const auto& name : categoryFields) addField(layer, name.c_str(), OFTInteger);
        if (!counts.weightSum.empty()) addField(layer, "weight_sum", OFTReal);
        m_n = layer->GetLayerDefn()->GetFieldIndex("n");
        m_weight = layer->GetLayerDefn()->GetFieldIndex("weight_sum");
    }
    void set(OGRFeature& f, std::size_t i) const {
        f.SetField(m_n, static_cast<int>(m_counts.n[i]));
        for (std::size_t k = 0; k < m_categories; ++k)
            f.SetField(m_n + 1 + static_cast<int>(k), static_cast<int>(m_counts.byCategory[i * m_categories + k]));
        if (m_weight >= 0) f.SetField(m_weight, m_counts.weightSum[i]);
    }

private:
    const grid::CellCounts& m_counts;
    std::size_t m_categories;
    int m_n = -1, m_weight = -1;
};

// GiZScore .. COType, in ArcGIS Pro's names: created once, then set feature by feature.
class StatsColumns {
public:
    StatsColumns(OGRLayer* layer, const LocalStatsData& d) : m_d(d) {
        addField(layer, "GiZScore", OFTReal);
        addField(layer, "GiPValue", OFTReal);
        if (d.pseudoP) addField(layer, "GiPseudoP", OFTReal);
        addField(layer, "Gi_Bin", OFTInteger, OFSTInt16);
        addField(layer, "NNeighbors", OFTInteger);
        if (d.lisa) {
            addField(layer, "LMiIndex", OFTReal);
            addField(layer, "LMiZScore", OFTReal);
            addField(layer, "LMiPValue", OFTReal);
            if (d.lisaPseudoP) addField(layer, "LMiPseudoP", OFTReal);
            addField(layer, "COType", OFTString);
        }
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        m_z = defn->GetFieldIndex("GiZScore");
        m_p = defn->GetFieldIndex("GiPValue");
        m_pseudo = defn->GetFieldIndex("GiPseudoP");
        m_bin = defn->GetFieldIndex("Gi_Bin");
        m_nb = defn->GetFieldIndex("NNeighbors");
        m_lmi = defn->GetFieldIndex("LMiIndex");
        m_lmz = defn->GetFieldIndex("LMiZScore");
        m_lmp = defn->GetFieldIndex("LMiPValue");
        m_lmPseudo = defn->GetFieldIndex("LMiPseudoP");
        m_co = defn->GetFieldIndex("COType");
    }
    void set(OGRFeature& f, std::size_t i) const {
        setReal(f, m_z, (*m_d.z)[i]);
        setReal(f, m_p, (*m_d.p)[i]);
        if (m_d.pseudoP) setReal(f, m_pseudo, (*m_d.pseudoP)[i]);
        f.SetField(m_bin, static_cast<int>((*m_d.bin)[i]));
        f.SetField(m_nb, static_cast<int>(m_d.neighbours->countOf(i)));
        if (m_d.lisa) {
            setReal(f, m_lmi, m_d.lisa->index[i]);
            setReal(f, m_lmz, m_d.lisa->z[i]);
            setReal(f, m_lmp, m_d.lisa->p[i]);
            if (m_d.lisaPseudoP) setReal(f, m_lmPseudo, (*m_d.lisaPseudoP)[i]);
            f.SetField(m_co, stats::toString((*m_d.coType)[i]));
        }
    }
    void addAliases(std::vector<FieldAlias>& aliases) const {
        aliases.push_back({"GiZScore", "Gi* z-score"});
        aliases.push_back({"GiPValue", "Gi* p-value (two-sided)"});
        if (m_d.pseudoP) aliases.push_back({"GiPseudoP", "Gi* pseudo p-value (permutations)"});
        aliases.push_back({"Gi_Bin", "Hot/cold spot class (-3..3)"});
        aliases.push_back({"NNeighbors", "Features in the neighbourhood (incl. itself for Gi*)"});
        if (m_d.lisa) {
            aliases.push_back({"LMiIndex", "Local Moran's I"});
            aliases.push_back({"LMiZScore", "Local Moran z-score"});
            aliases.push_back({"LMiPValue", "Local Moran p-value (two-sided)"});
            if (m_d.lisaPseudoP) aliases.push_back({"LMiPseudoP", "Local Moran pseudo p-value (permutations)"});
            aliases.push_back({"COType", "Cluster/outlier type (HH, LL, HL, LH)"});
        }
    }

private:
    const LocalStatsData& m_d;
    int m_z = -1, m_p = -1, m_pseudo = -1, m_bin = -1, m_nb = -1, m_lmi = -1, m_lmz = -1, m_lmp = -1, m_lmPseudo = -1,
        m_co = -1;
};

} // namespace

std::string GpkgWriter::setCell(OGRFeature& f, const grid::Grid& g, std::size_t i, PendingIndex& index) {
    const grid::Lattice& lat = g.lattice();
    std::array<double, 7> xs{}, ys{};
    const grid::CellIndex c = g.cellIndex(i);
    const int np = lat.ring(c, xs, ys);
    auto* ring = new OGRLinearRing();
    ring->setPoints(np, xs.data(), ys.data());
    auto* poly = new OGRPolygon();
    poly->addRingDirectly(ring);
    f.SetGeometryDirectly(poly);
    const auto fid = static_cast<GIntBig>(i + 1);
    f.SetFID(fid);
    const auto [x0, x1] = std::minmax_element(xs.begin(), xs.begin() + np);
    const auto [y0, y1] = std::minmax_element(ys.begin(), ys.begin() + np);
    index.boxes.push_back({fid, *x0, *x1, *y0, *y1});
    // Square cells are named by their south-west corner, hexagons by their centre, in whole metres
    // of the analysis CRS (as SCB names its grid squares).
    const bool square = lat.shape() == grid::Shape::Square;
    const double ax = square ? xs[0] : lat.centre(c).x;
    const double ay = square ? ys[0] : lat.centre(c).y;
    char id[64];
    std::snprintf(id, sizeof id, "E%.0fN%.0f", std::round(ax), std::round(ay));
    return id;
}

void GpkgWriter::writeHotspotGrid(const HotspotGridData& d, const Progress& progress) {
    const grid::Grid& g = *d.grid;
    OGRLayer* layer = createLayer("hotspot_grid", wkbPolygon, "Hotspot grid",
                                  "Incidents per cell and Getis-Ord Gi* hot and cold spots (see run_metadata)");
    addField(layer, "cell_id", OFTString);
    const CountColumns counts(layer, *d.counts, d.categoryFields);
    const StatsColumns statsColumns(layer, d.stats);
    if (d.kde) addField(layer, "kde", OFTReal);
    if (d.kdeRisk) addField(layer, "kde_risk", OFTReal);
    for (const auto& [name, values] : d.extraColumns) addField(layer, name.c_str(), OFTReal);
    addField(layer, "share_inside", OFTReal);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int iCell = defn->GetFieldIndex("cell_id");
    const int iKde = defn->GetFieldIndex("kde");
    const int iRisk = defn->GetFieldIndex("kde_risk");
    std::vector<int> iExtra;
    for (const auto& [name, values] : d.extraColumns) iExtra.push_back(defn->GetFieldIndex(name.c_str()));
    const int iShare = defn->GetFieldIndex("share_inside");
    const auto& share = g.shareInside();

    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    PendingIndex index{m_prefix + "hotspot_grid", {}};
    index.boxes.reserve(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (i % 16384 == 0) progress.update(static_cast<double>(i) / static_cast<double>(g.size()));
        const std::string id = setCell(f, g, i, index);
        f.SetField(iCell, id.c_str());
        counts.set(f, i);
        statsColumns.set(f, i);
        if (d.kde) f.SetField(iKde, (*d.kde)[i]);
        if (d.kdeRisk) setReal(f, iRisk, (*d.kdeRisk)[i]);
        for (std::size_t k = 0; k < iExtra.size(); ++k) setReal(f, iExtra[k], (*d.extraColumns[k].second)[i]);
        if (share.empty())
            f.SetFieldNull(iShare);
        else
            f.SetField(iShare, share[i]);
        check(layer->CreateFeature(&f), "writing cell " + id);
    }
    check(m_ds->CommitTransaction(), "committing the hotspot grid");
    m_pendingIndexes.push_back(std::move(index));  // built in bulk by commit()

    std::vector<FieldAlias> aliases{{"cell_id", "Cell id (SW corner, or centre for hexagons)"}, {"n", "Incidents"}};
    statsColumns.addAliases(aliases);
    if (d.kde) aliases.push_back({"kde", "Kernel density at the cell's centre"});
    if (d.kdeRisk) aliases.push_back({"kde_risk", "Risk at the cell's centre (see run_metadata kde.risk)"});
    aliases.push_back({"share_inside", "Share of the cell inside the study area"});
    writeStyle("hotspot_grid", "geom", hotspotGridQml(aliases), "Hot and cold spots by Gi_Bin");
    if (d.stats.lisa)
        writeStyle("hotspot_grid", "geom", clusterOutlierQml(aliases),
                   "Clusters and outliers by COType (local Moran's I)", "cluster_outlier", false);
    progress.update(1.0);
}

void GpkgWriter::writePerceptionGrid(const PerceptionGridData& d) {
    const grid::Grid& g = *d.grid;
    const perception::CellSummary& s = *d.summary;
    OGRLayer* layer = createLayer("perception_grid", wkbPolygon, "Perceived safety and fear versus crime",
                                  "Residents' safety reports per cell, their hot spots, and each cell's fear-versus-crime "
                                  "class (meanings in run_metadata, fear_crime.class_*)");
    addField(layer, "cell_id", OFTString);
    addField(layer, "perc_n", OFTInteger);
    addField(layer, "perc_unsafe", OFTInteger);
    addField(layer, "perc_share_unsafe", OFTReal);
    addField(layer, "perc_mean", OFTReal);
    addField(layer, "perc_mean_eb", OFTReal);
    addField(layer, "perc_reasons", OFTString);
    addField(layer, "perc_around", OFTInteger);
    addField(layer, "perc_GiZScore", OFTReal);
    addField(layer, "perc_GiPValue", OFTReal);
    if (d.stats.pseudoP) addField(layer, "perc_GiPseudoP", OFTReal);
    addField(layer, "perc_Gi_Bin", OFTInteger, OFSTInt16);
    addField(layer, "perc_score_GiZScore", OFTReal);
    addField(layer, "perc_score_GiPValue", OFTReal);
    addField(layer, "perc_score_Gi_Bin", OFTInteger, OFSTInt16);
    addField(layer, "Gi_Bin", OFTInteger, OFSTInt16);
    addField(layer, "fear_crime_class", OFTInteger, OFSTInt16);
    addField(layer, "fear_crime", OFTString);
    addField(layer, "fear_crime_en", OFTString);
    // ASCII field names for the times: å ä -> a, ö -> o.
    std::string times;
    for (std::size_t k = 0; k < d.timesLabel.size(); ++k) {
        const auto c = static_cast<unsigned char>(d.timesLabel[k]);
        if (c == 0xC3 && k + 1 < d.timesLabel.size()) {
            const auto n = static_cast<unsigned char>(d.timesLabel[++k]);
            times += n == 0xB6 ? 'o' : 'a';
        } else {
            times += static_cast<char>(c);
        }
    }
    const std::string timesClass = "fear_crime_" + times + "_class", timesLabel = "fear_crime_" + times;
    if (d.classesAtTimes) {
        addField(layer, timesClass.c_str(), OFTInteger, OFSTInt16);
        addField(layer, timesLabel.c_str(), OFTString);
    }
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto idx = [&](const char* name) { return defn->GetFieldIndex(name); };
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    PendingIndex index{m_prefix + "perception_grid", {}};
    index.boxes.reserve(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) {
        f.SetField(idx("cell_id"), setCell(f, g, i, index).c_str());
        f.SetField(idx("perc_n"), static_cast<int>(s.n[i]));
        f.SetField(idx("perc_unsafe"), static_cast<int>(s.unsafe[i]));
        setReal(f, idx("perc_share_unsafe"), s.n[i] > 0 ? static_cast<double>(s.unsafe[i]) / s.n[i] : std::nan(""));
        setReal(f, idx("perc_mean"), s.n[i] >= d.minReports ? s.mean[i] : std::nan(""));
        setReal(f, idx("perc_mean_eb"), s.ebMean[i]);
        f.SetField(idx("perc_reasons"), s.leadingReasons[i].c_str());
        f.SetField(idx("perc_around"), static_cast<int>((*d.around)[i]));
        setReal(f, idx("perc_GiZScore"), (*d.stats.z)[i]);
        setReal(f, idx("perc_GiPValue"), (*d.stats.p)[i]);
        if (d.stats.pseudoP) setReal(f, idx("perc_GiPseudoP"), (*d.stats.pseudoP)[i]);
        f.SetField(idx("perc_Gi_Bin"), static_cast<int>((*d.stats.bin)[i]));
        setReal(f, idx("perc_score_GiZScore"), (*d.scoreZ)[i]);
        setReal(f, idx("perc_score_GiPValue"), (*d.scoreP)[i]);
        f.SetField(idx("perc_score_Gi_Bin"), static_cast<int>((*d.scoreBins)[i]));
        f.SetField(idx("Gi_Bin"), static_cast<int>((*d.incidentBins)[i]));
        const auto c = (*d.classes)[i];
        f.SetField(idx("fear_crime_class"), static_cast<int>(c));
        f.SetField(idx("fear_crime"), perception::text(c).labelSv);
        f.SetField(idx("fear_crime_en"), perception::text(c).labelEn);
        if (d.classesAtTimes) {
            const auto ct = (*d.classesAtTimes)[i];
            f.SetField(idx(timesClass.c_str()), static_cast<int>(ct));
            f.SetField(idx(timesLabel.c_str()), perception::text(ct).labelSv);
        }
        check(layer->CreateFeature(&f), "writing a perception cell");
    }
    check(m_ds->CommitTransaction(), "committing the perception grid");
    m_pendingIndexes.push_back(std::move(index));
    std::vector<std::string> labels;
    for (int c = 0; c < 5; ++c) {
        const auto& t = perception::text(static_cast<perception::FearCrime>(c));
        labels.push_back(std::string(t.labelSv) + " / " + t.labelEn);
    }
    writeStyle("perception_grid", "geom",
               fearCrimeQml(labels, {{"perc_n", "Safety reports"},
                                     {"perc_unsafe", "Unsafe reports"},
                                     {"perc_share_unsafe", "Share unsafe"},
                                     {"perc_mean", "Mean score (enough reports)"},
                                     {"perc_mean_eb", "Mean score, shrunk (empirical Bayes)"},
                                     {"perc_reasons", "Leading reasons"},
                                     {"perc_around", "Reports in the neighbourhood"},
                                     {"perc_Gi_Bin", "Perceived-unsafe hot spot class"},
                                     {"perc_score_Gi_Bin", "Mean-score hot spot class (hot = unsafe)"},
                                     {"Gi_Bin", "Incident hot spot class"},
                                     {"fear_crime", "Otrygghet mot brott"},
                                     {"fear_crime_en", "Fear versus crime"}}),
               "Fear versus crime, both ways, in Swedish and English");
}

void GpkgWriter::writeChangeGrid(const ChangeGridData& d) {
    const grid::Grid& g = *d.grid;
    OGRLayer* layer = createLayer("change_grid", wkbPolygon, "Change between periods",
                                  "Incidents per cell in " + d.beforeName + " and " + d.afterName +
                                      ", and whether the change is larger than chance (conditional binomial test)");
    for (const char* name : {"cell_id", "period_before", "period_after"}) addField(layer, name, OFTString);
    addField(layer, "n_before", OFTInteger);
    addField(layer, "n_after", OFTInteger);
    addField(layer, "change", OFTInteger);
    addField(layer, "rate_ratio", OFTReal);
    addField(layer, "change_p", OFTReal);
    addField(layer, "change_bin", OFTInteger, OFSTInt16);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto idx = [&](const char* name) { return defn->GetFieldIndex(name); };
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    PendingIndex index{m_prefix + "change_grid", {}};
    index.boxes.reserve(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) {
        f.SetField(idx("cell_id"), setCell(f, g, i, index).c_str());
        f.SetField(idx("period_before"), d.beforeName.c_str());
        f.SetField(idx("period_after"), d.afterName.c_str());
        const auto a = (*d.before)[i], b = (*d.after)[i];
        f.SetField(idx("n_before"), static_cast<int>(a));
        f.SetField(idx("n_after"), static_cast<int>(b));
        f.SetField(idx("change"), static_cast<int>(b) - static_cast<int>(a));
        setReal(f, idx("rate_ratio"), (*d.rateRatio)[i]);
        setReal(f, idx("change_p"), (*d.p)[i]);
        f.SetField(idx("change_bin"), static_cast<int>((*d.bins)[i]));
        check(layer->CreateFeature(&f), "writing a change cell");
    }
    check(m_ds->CommitTransaction(), "committing the change grid");
    m_pendingIndexes.push_back(std::move(index));
    writeStyle("change_grid", "geom",
               binClassesQml("change_bin",
                             {"Increase, 99 % confidence", "Increase, 95 % confidence", "Increase, 90 % confidence",
                              "No significant change", "Decrease, 90 % confidence", "Decrease, 95 % confidence",
                              "Decrease, 99 % confidence"},
                             {{"n_before", "Incidents, " + d.beforeName},
                              {"n_after", "Incidents, " + d.afterName},
                              {"change", "Change in incidents"},
                              {"rate_ratio", "Rate ratio (per day, after / before)"},
                              {"change_p", "p, conditional binomial test (two-sided)"},
                              {"change_bin", "Change class"}}),
               "Change between " + d.beforeName + " and " + d.afterName + ", by significance");
}

void GpkgWriter::writeEmerging(const EmergingGridData& d) {
    const grid::Grid& g = *d.grid;
    const stats::EmergingResult& r = *d.result;
    OGRLayer* layer = createLayer("emerging_hotspots", wkbPolygon, "Emerging hot spots",
                                  "Per cell, its pattern over " + d.stepsText +
                                      " (ArcGIS Pro's categories; Gi* per slice, Mann-Kendall trend)");
    addField(layer, "cell_id", OFTString);
    addField(layer, "n", OFTInteger);
    addField(layer, "pattern", OFTInteger, OFSTInt16);
    addField(layer, "pattern_name", OFTString);
    addField(layer, "trend_z", OFTReal);
    addField(layer, "trend_p", OFTReal);
    addField(layer, "hot_slices", OFTInteger);
    addField(layer, "cold_slices", OFTInteger);
    addField(layer, "slices", OFTInteger);
    addField(layer, "last_z", OFTReal);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto idx = [&](const char* name) { return defn->GetFieldIndex(name); };
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    PendingIndex index{m_prefix + "emerging_hotspots", {}};
    index.boxes.reserve(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) {
        f.SetField(idx("cell_id"), setCell(f, g, i, index).c_str());
        f.SetField(idx("n"), static_cast<int>((*d.n)[i]));
        f.SetField(idx("pattern"), static_cast<int>(r.pattern[i]));
        f.SetField(idx("pattern_name"), stats::emergingName(r.pattern[i]).c_str());
        setReal(f, idx("trend_z"), r.trendZ[i]);
        setReal(f, idx("trend_p"), r.trendP[i]);
        f.SetField(idx("hot_slices"), r.hotSteps[i]);
        f.SetField(idx("cold_slices"), r.coldSteps[i]);
        f.SetField(idx("slices"), static_cast<int>(r.steps));
        setReal(f, idx("last_z"), r.z[i * r.steps + r.steps - 1]);
        check(layer->CreateFeature(&f), "writing an emerging hot spot cell");
    }
    check(m_ds->CommitTransaction(), "committing the emerging hot spots");
    m_pendingIndexes.push_back(std::move(index));
    // ArcGIS Pro's palette for the patterns, as fills: reds for hot patterns, blues for cold, the
    // strongest (intensifying, persistent) darkest; no pattern is left transparent.
    static constexpr const char* kHot[8] = {"255,205,170,255", "250,160,110,255", "160,0,0,255",   "215,48,39,255",
                                            "244,109,67,255",  "255,140,0,255",   "200,90,160,255", "150,110,90,255"};
    static constexpr const char* kCold[8] = {"200,225,245,255", "150,200,235,255", "10,50,130,255",  "69,117,180,255",
                                             "116,173,209,255", "0,150,200,255",   "120,110,200,255", "110,130,140,255"};
    std::vector<Category> categories;
    for (int k = 1; k <= 8; ++k) categories.push_back({std::to_string(k), stats::emergingName(k), kHot[k - 1], "255,255,255,120"});
    for (int k = 1; k <= 8; ++k) categories.push_back({std::to_string(-k), stats::emergingName(-k), kCold[k - 1], "255,255,255,120"});
    categories.push_back({"0", stats::emergingName(0), "255,255,255,0", ""});
    writeStyle("emerging_hotspots", "geom",
               categorizedQml("pattern", categories,
                              {{"pattern", "Pattern (ArcGIS Pro code)"},
                               {"pattern_name", "Pattern"},
                               {"trend_z", "Mann-Kendall trend z of Gi* z-scores"},
                               {"trend_p", "Trend p (two-sided)"},
                               {"hot_slices", "Slices as a significant hot spot"},
                               {"cold_slices", "Slices as a significant cold spot"},
                               {"last_z", "Gi* z in the last slice"}}),
               "Emerging hot spots, by pattern");
}

void GpkgWriter::writeFollowup(const FollowupData& d) {
    OGRLayer* areas = createLayer("followup_areas", wkbMultiPolygon, "Follow-up areas: " + d.title,
                                  "The measure area, its buffer and the control area, with incidents " + d.window);
    for (const char* name : {"role", "name"}) addField(areas, name, OFTString);
    addField(areas, "area_km2", OFTReal);
    addField(areas, "n_before", OFTInteger);
    addField(areas, "n_after", OFTInteger);
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature a(areas->GetLayerDefn());
    for (const auto& area : d.areas) {
        a.SetFID(OGRNullFID);
        a.SetGeometryDirectly(multiPolygonFromWkb(area.wkb, "a follow-up area"));
        a.SetField("role", area.role.c_str());
        a.SetField("name", area.name.c_str());
        a.SetField("area_km2", area.areaM2 / 1e6);
        a.SetField("n_before", static_cast<int>(area.before));
        a.SetField("n_after", static_cast<int>(area.after));
        check(areas->CreateFeature(&a), "writing a follow-up area");
    }
    check(m_ds->CommitTransaction(), "committing the follow-up areas");
    writeStyle("followup_areas", "geom", outlineQml("40,40,40,255", 0.6, "255,255,255,0"), "Follow-up areas, outlined");

    OGRLayer* t = createLayer("followup", wkbNone, "Follow-up: " + d.title,
                              "Weighted Displacement Quotient (Bowers & Johnson 2003) per category, " + d.window);
    addField(t, "category", OFTString);
    for (const char* name : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before",
                             "control_after"})
        addField(t, name, OFTInteger);
    for (const char* name : {"success_measure", "buffer_measure", "wdq", "total_net_effect"}) addField(t, name, OFTReal);
    addField(t, "verdict", OFTString);
    addField(t, "verdict_sv", OFTString);
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(t->GetLayerDefn());
    for (const auto& r : d.rows) {
        f.SetFID(OGRNullFID);
        f.SetField("category", r.category.c_str());
        const auto& c = r.counts;
        int k = f.GetFieldIndex("measure_before");
        for (auto v : {c.a0, c.a1, c.b0, c.b1, c.c0, c.c1}) f.SetField(k++, static_cast<int>(v));
        setReal(f, f.GetFieldIndex("success_measure"), r.result.successMeasure);
        setReal(f, f.GetFieldIndex("buffer_measure"), r.result.bufferMeasure);
        setReal(f, f.GetFieldIndex("wdq"), r.result.wdq);
        setReal(f, f.GetFieldIndex("total_net_effect"), r.result.totalNetEffect);
        f.SetField("verdict", r.result.verdict.c_str());
        f.SetField("verdict_sv", r.result.verdictSv.c_str());
        check(t->CreateFeature(&f), "writing a follow-up row");
    }
    check(m_ds->CommitTransaction(), "committing the follow-up");
    writeStyle("followup", "",
               tableQml({{"success_measure", "Success measure (A1/C1 - A0/C0; below 0 is success)"},
                         {"buffer_measure", "Buffer measure (B1/C1 - B0/C0)"},
                         {"wdq", "Weighted Displacement Quotient"},
                         {"total_net_effect", "Total net effect (incidents prevented, net)"}}),
               "Follow-up");
}

void GpkgWriter::writePerceptionReasons(const std::vector<perception::ReasonRow>& rows) {
    OGRLayer* layer = createLayer("perception_reasons", wkbNone, "What goes with feeling unsafe",
                                  "Per reason: reports citing it, the unsafe among them, and the share unsafe against "
                                  "the share overall (lift)");
    addField(layer, "reason", OFTString);
    addField(layer, "reports", OFTInteger);
    addField(layer, "unsafe_reports", OFTInteger);
    addField(layer, "share_unsafe", OFTReal);
    addField(layer, "share_unsafe_overall", OFTReal);
    addField(layer, "lift", OFTReal);
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (const auto& r : rows) {
        f.SetFID(OGRNullFID);
        f.SetField("reason", r.reason.c_str());
        f.SetField("reports", static_cast<int>(r.reports));
        f.SetField("unsafe_reports", static_cast<int>(r.unsafe));
        f.SetField("share_unsafe", r.shareUnsafe);
        f.SetField("share_unsafe_overall", r.shareUnsafeOverall);
        f.SetField("lift", r.lift);
        check(layer->CreateFeature(&f), "writing a reason");
    }
    check(m_ds->CommitTransaction(), "committing the reasons");
    writeStyle("perception_reasons", "", tableQml({{"lift", "Share unsafe / share overall"}}), "Reasons");
}

void GpkgWriter::writeHotTimes(const temporal::HourWeekdayTable& studyArea, const std::vector<HotspotAreaRow>& areas) {
    OGRLayer* layer = createLayer("hot_times", wkbNone, "Hot times",
                                  "Incidents by weekday and hour of the day, for the study area and each hotspot area; "
                                  "NULL where the analysis's filter of hours or weekdays counts nothing");
    addField(layer, "scope", OFTString);
    addField(layer, "area_id", OFTInteger);
    addField(layer, "weekday", OFTInteger);
    addField(layer, "weekday_name", OFTString);
    for (int h = 0; h < 24; ++h) addField(layer, (std::string(h < 10 ? "h0" : "h") + std::to_string(h)).c_str(), OFTInteger);
    addField(layer, "no_clock", OFTInteger);
    addField(layer, "total", OFTInteger);
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    const int firstHour = f.GetFieldIndex("h00");
    auto write = [&](const temporal::HourWeekdayTable& t, const std::string& scope, std::optional<int> areaId) {
        for (int d = 0; d < 7; ++d) {
            f.SetFID(OGRNullFID);
            f.SetField("scope", scope.c_str());
            if (areaId)
                f.SetField("area_id", *areaId);
            else
                f.SetFieldNull(f.GetFieldIndex("area_id"));
            f.SetField("weekday", d + 1);
            f.SetField("weekday_name", temporal::weekdayName(d));
            // Slots outside the analysis's filter are NULL: not counted, rather than counted empty.
            const auto set = [&](int field, bool counted, std::int64_t v) {
                if (counted)
                    f.SetField(field, static_cast<int>(v));
                else
                    f.SetFieldNull(field);
            };
            for (int h = 0; h < 24; ++h)
                set(firstHour + h, t.counted(d, h), t.counts[static_cast<std::size_t>(d)][static_cast<std::size_t>(h)]);
            set(f.GetFieldIndex("no_clock"), t.countedNoClock(d), t.noClock[static_cast<std::size_t>(d)]);
            set(f.GetFieldIndex("total"), t.countedWeekday(d), t.weekdayTotal(d));
            check(layer->CreateFeature(&f), "writing hot times");
        }
    };
    write(studyArea, "study_area", std::nullopt);
    for (const auto& a : areas)
        if (a.hotTimes) write(*a.hotTimes, a.kind, a.id);
    check(m_ds->CommitTransaction(), "committing the hot times");
    writeStyle("hot_times", "",
               tableQml({{"scope", "For"}, {"area_id", "Hotspot area"}, {"weekday", "Weekday (1 = Monday)"},
                         {"weekday_name", "Veckodag"}, {"no_clock", "With a date but no clock time"},
                         {"total", "Incidents that day of the week"}}),
               "Hot times");
}

void GpkgWriter::writeHotspotAreas(const std::vector<HotspotAreaRow>& rows, bool withLights,
                                   const std::vector<std::string>& extraColumns) {
    OGRLayer* layer = createLayer("hotspot_areas", wkbMultiPolygon, "Hotspot areas",
                                  "Adjacent hot cells dissolved: incidents, categories, peak times, place, lights, dark share");
    for (const auto& [name, type] : std::vector<std::pair<const char*, OGRFieldType>>{
             {"area_id", OFTInteger}, {"kind", OFTString}, {"cells", OFTInteger}, {"area_km2", OFTReal}, {"share_of_study_area", OFTReal},
             {"incidents", OFTInteger64}, {"share_of_incidents", OFTReal}, {"leading_categories", OFTString},
             {"peak_hour", OFTString}, {"peak_weekday", OFTString}, {"place", OFTString}, {"place_layer", OFTString},
             {"place_distance_m", OFTReal}})
        addField(layer, name, type);
    if (withLights) {
        addField(layer, "lights", OFTInteger64);
        addField(layer, "dark_m2", OFTReal);
        addField(layer, "dark_share", OFTReal);
    }
    for (const auto& name : extraColumns) addField(layer, name.c_str(), OFTReal);
    auto toGeom = [](const std::vector<unsigned char>& wkb) { return multiPolygonFromWkb(wkb, "a hotspot area"); };
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (const auto& r : rows) {
        f.SetFID(OGRNullFID);
        f.SetGeometryDirectly(toGeom(r.wkb));
        f.SetField("area_id", r.id);
        f.SetField("kind", r.kind.c_str());
        if (r.cells > 0)
            f.SetField("cells", static_cast<int>(r.cells));
        else
            f.SetFieldNull(f.GetFieldIndex("cells"));  // density areas are traced, not made of grid cells
        f.SetField("area_km2", r.areaM2 / 1e6);
        f.SetField("share_of_study_area", r.shareOfArea);
        f.SetField("incidents", static_cast<GIntBig>(r.incidents));
        f.SetField("share_of_incidents", r.shareOfIncidents);
        f.SetField("leading_categories", r.leadingCategories.c_str());
        f.SetField("peak_hour", r.peakHour.c_str());
        f.SetField("peak_weekday", r.peakWeekday.c_str());
        f.SetField("place", r.place.c_str());
        f.SetField("place_layer", r.placeKind.c_str());
        f.SetField("place_distance_m", r.placeDistanceM);
        if (withLights) {
            f.SetField("lights", static_cast<GIntBig>(r.lights));
            f.SetField("dark_m2", r.darkM2);
            f.SetField("dark_share", r.areaM2 > 0 ? r.darkM2 / r.areaM2 : 0.0);
        }
        for (std::size_t k = 0; k < extraColumns.size() && k < r.extras.size(); ++k)
            setReal(f, f.GetFieldIndex(extraColumns[k].c_str()), r.extras[k]);
        check(layer->CreateFeature(&f), "writing a hotspot area");
    }
    check(m_ds->CommitTransaction(), "committing the hotspot areas");
    createSpatialIndex("hotspot_areas");
    // Incident and perceived-insecurity areas outlined and labelled with their number and place;
    // the densest-KDE areas are listed in the legend but not drawn (density_areas shows them).
    std::vector<Category> kinds = {
        {"incidents", "Hot spots: incidents", "200,30,40,50", "120,0,30,255", 0.8},
        {"perception", "Hot spots: perceived insecurity", "120,60,170,50", "80,20,120,255", 0.8},
    };
    for (const char* top : {"density_top_1", "density_top_5", "density_top_10"})
        kinds.push_back({top, std::string("Densest areas (") + top + ")", "", "120,0,30,255", 0.4, false});
    writeStyle("hotspot_areas", "geom",
               withLabels(categorizedQml("kind", kinds, {}),
                          // "3 Kävlinge station": the number and the first place, as in the report.
                          "CASE WHEN \"kind\" IN ('incidents', 'perception') THEN \"area_id\" || "
                          "CASE WHEN \"place\" IS NULL THEN '' ELSE ' ' || "
                          "regexp_replace(regexp_replace(\"place\", '^(i|nära) ', ''), ',.*$', '') END END",
                          9, true),
               "Hotspot areas, outlined and labelled");
    if (!withLights) return;
    OGRLayer* dark = createLayer("dark_spots", wkbMultiPolygon, "Dark spots",
                                 "The parts of hotspot areas farther than the dark distance from every street light");
    addField(dark, "area_id", OFTInteger);
    addField(dark, "dark_m2", OFTReal);
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature d(dark->GetLayerDefn());
    for (const auto& r : rows) {
        if (r.darkWkb.empty()) continue;
        d.SetFID(OGRNullFID);
        d.SetGeometryDirectly(toGeom(r.darkWkb));
        d.SetField("area_id", r.id);
        d.SetField("dark_m2", r.darkM2);
        check(dark->CreateFeature(&d), "writing a dark spot");
    }
    check(m_ds->CommitTransaction(), "committing the dark spots");
    createSpatialIndex("dark_spots");
    writeStyle("dark_spots", "geom", outlineQml("20,20,60,255", 0.4, "20,20,60,150"), "Dark spots, dark fill");
}

void GpkgWriter::writeAreaSummary(const AreaSummaryData& d) {
    OGRLayer* layer = createLayer("area_summary", wkbMultiPolygon, "Area summary",
                                  "Per area: residents, incidents and rates, perceived safety, and survey indices");
    addField(layer, "area_id", OFTString);
    addField(layer, "area_name", OFTString);
    addField(layer, "area_km2", OFTReal);
    addField(layer, "incidents", OFTInteger);
    if (d.residents) {
        addField(layer, "residents", OFTReal);
        addField(layer, "incidents_per_1000", OFTReal);
        addField(layer, "incidents_per_1000_eb", OFTReal);
    }
    if (d.perception) {
        addField(layer, "perc_n", OFTInteger);
        addField(layer, "perc_unsafe", OFTInteger);
        addField(layer, "perc_share_unsafe", OFTReal);
        addField(layer, "perc_mean", OFTReal);
        addField(layer, "perc_mean_eb", OFTReal);
        addField(layer, "perc_reasons", OFTString);
    }
    if (d.survey) {
        addField(layer, "survey_total", OFTReal);
        addField(layer, "survey_total_year", OFTInteger);
        addField(layer, "survey_total_change", OFTReal);
    }
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto idx = [&](const char* name) { return defn->GetFieldIndex(name); };
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    for (std::size_t i = 0; i < d.wkb->size(); ++i) {
        f.SetGeometryDirectly(multiPolygonFromWkb((*d.wkb)[i], "an area"));
        f.SetFID(OGRNullFID);
        const std::string& id = (*d.ids)[i];
        f.SetField(idx("area_id"), id.c_str());
        f.SetField(idx("area_name"), (*d.names)[i].c_str());
        f.SetField(idx("area_km2"), (*d.areaKm2)[i]);
        f.SetField(idx("incidents"), static_cast<int>((*d.incidents)[i]));
        if (d.residents) {
            setReal(f, idx("residents"), (*d.residents)[i]);
            setReal(f, idx("incidents_per_1000"), (*d.rate)[i]);
            setReal(f, idx("incidents_per_1000_eb"), (*d.rateEb)[i]);
        }
        if (d.perception) {
            const auto& p = *d.perception;
            f.SetField(idx("perc_n"), static_cast<int>(p.n[i]));
            f.SetField(idx("perc_unsafe"), static_cast<int>(p.unsafe[i]));
            setReal(f, idx("perc_share_unsafe"), p.n[i] > 0 ? static_cast<double>(p.unsafe[i]) / p.n[i] : std::nan(""));
            setReal(f, idx("perc_mean"), p.n[i] >= d.minReports ? p.mean[i] : std::nan(""));
            setReal(f, idx("perc_mean_eb"), p.ebMean[i]);
            f.SetField(idx("perc_reasons"), p.leadingReasons[i].c_str());
        }
        if (d.survey) {
            // The latest "Totalt" (or "Total") index of the area, with its change from the year before.
            const io::SurveyRow* latest = nullptr;
            for (const auto& r : d.survey->rows)
                if (r.area == id && (r.question == "Totalt" || r.question == "Total") && (!latest || r.year > latest->year))
                    latest = &r;
            if (latest) {
                f.SetField(idx("survey_total"), latest->index);
                f.SetField(idx("survey_total_year"), latest->year);
                setReal(f, idx("survey_total_change"), latest->hasChange ? latest->change : std::nan(""));
            } else {
                f.SetFieldNull(idx("survey_total"));
                f.SetFieldNull(idx("survey_total_year"));
                f.SetFieldNull(idx("survey_total_change"));
            }
        }
        check(layer->CreateFeature(&f), "writing area " + id);
    }
    check(m_ds->CommitTransaction(), "committing the area summary");
    createSpatialIndex("area_summary");
    m_gdalIndexed.push_back(m_prefix + "area_summary");
    writeStyle("area_summary", "geom",
               graduatedQml(d.residents ? "incidents_per_1000_eb" : "incidents",
                            d.residents ? "Incidents per 1,000 residents (smoothed)" : "Incidents",
                            d.residents ? *d.rateEb : std::vector<double>(d.incidents->begin(), d.incidents->end()),
                            m_publish.has_value()),
               "Areas by their smoothed rate");

    if (d.survey) {
        OGRLayer* t = createLayer("area_survey", wkbNone, "Survey indices",
                                  "The survey's indices per area, question and year, with the change from the year before");
        addField(t, "area_id", OFTString);
        addField(t, "question", OFTString);
        addField(t, "year", OFTInteger);
        addField(t, "survey_index", OFTReal);
        addField(t, "change", OFTReal);
        check(m_ds->StartTransaction(), "starting a transaction");
        OGRFeature r(t->GetLayerDefn());
        for (const auto& row : d.survey->rows) {
            r.SetFID(OGRNullFID);
            r.SetField("area_id", row.area.c_str());
            r.SetField("question", row.question.c_str());
            r.SetField("year", row.year);
            r.SetField("survey_index", row.index);
            setReal(r, r.GetFieldIndex("change"), row.hasChange ? row.change : std::nan(""));
            check(t->CreateFeature(&r), "writing a survey row");
        }
        check(m_ds->CommitTransaction(), "committing the survey");
        writeStyle("area_survey", "", tableQml({{"survey_index", "Index (low is good)"}, {"change", "Change from the year before"}}),
                   "Survey indices");
    }
    if (d.reasons) {
        OGRLayer* t = createLayer("area_reasons", wkbNone, "What goes with feeling unsafe, per area",
                                  "Per area and reason: reports citing it, unsafe among them, share unsafe and lift");
        addField(t, "area_id", OFTString);
        addField(t, "reason", OFTString);
        addField(t, "reports", OFTInteger);
        addField(t, "unsafe_reports", OFTInteger);
        addField(t, "share_unsafe", OFTReal);
        addField(t, "share_unsafe_in_area", OFTReal);
        addField(t, "lift", OFTReal);
        check(m_ds->StartTransaction(), "starting a transaction");
        OGRFeature r(t->GetLayerDefn());
        for (std::size_t a = 0; a < d.reasons->size(); ++a)
            for (const auto& row : (*d.reasons)[a]) {
                r.SetFID(OGRNullFID);
                r.SetField("area_id", (*d.ids)[a].c_str());
                r.SetField("reason", row.reason.c_str());
                r.SetField("reports", static_cast<int>(row.reports));
                r.SetField("unsafe_reports", static_cast<int>(row.unsafe));
                r.SetField("share_unsafe", row.shareUnsafe);
                r.SetField("share_unsafe_in_area", row.shareUnsafeOverall);
                r.SetField("lift", row.lift);
                check(t->CreateFeature(&r), "writing an area reason");
            }
        check(m_ds->CommitTransaction(), "committing the area reasons");
        writeStyle("area_reasons", "", tableQml({{"lift", "Share unsafe / share in the area"}}), "Reasons per area");
    }
}

void GpkgWriter::writeAreaStatistics(const AreaStatisticsData& d) {
    OGRLayer* layer = createLayer("area_statistics", wkbMultiPolygon, "Area statistics", d.description);
    addField(layer, "area_id", OFTString);
    addField(layer, "area_name", OFTString);
    addField(layer, "area_km2", OFTReal);
    const CountColumns counts(layer, *d.counts, d.categoryFields);
    addField(layer, "n_per_km2", OFTReal);
    const StatsColumns statsColumns(layer, d.stats);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int iId = defn->GetFieldIndex("area_id"), iName = defn->GetFieldIndex("area_name");
    const int iArea = defn->GetFieldIndex("area_km2"), iDensity = defn->GetFieldIndex("n_per_km2");
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    for (std::size_t i = 0; i < d.wkb->size(); ++i) {
        f.SetGeometryDirectly(multiPolygonFromWkb((*d.wkb)[i], "an area"));
        f.SetFID(OGRNullFID);
        f.SetField(iId, (*d.ids)[i].c_str());
        f.SetField(iName, (*d.names)[i].c_str());
        f.SetField(iArea, (*d.areaKm2)[i]);
        counts.set(f, i);
        setReal(f, iDensity, (*d.areaKm2)[i] > 0 ? d.counts->n[i] / (*d.areaKm2)[i] : std::nan(""));
        statsColumns.set(f, i);
        check(layer->CreateFeature(&f), "writing area " + (*d.ids)[i]);
    }
    check(m_ds->CommitTransaction(), "committing the area statistics");
    createSpatialIndex("area_statistics");
    m_gdalIndexed.push_back(m_prefix + "area_statistics");
    std::vector<FieldAlias> aliases{{"area_id", "Area id"}, {"area_name", "Area name"}, {"area_km2", "Area (km²)"},
                                    {"n", "Incidents"}, {"n_per_km2", "Incidents per km²"}};
    statsColumns.addAliases(aliases);
    writeStyle("area_statistics", "geom", hotspotGridQml(aliases), "Hot and cold areas by Gi_Bin");
    if (d.stats.lisa)
        writeStyle("area_statistics", "geom", clusterOutlierQml(aliases),
                   "Clusters and outliers by COType (local Moran's I)", "area_cluster_outlier", false);
}

void GpkgWriter::writeStudyArea(const std::vector<unsigned char>& wkb, const std::string& description) {
    OGRLayer* layer = createLayer("study_area", wkbMultiPolygon, "Study area", description);
    OGRFieldDefn fd("area_km2", OFTReal);
    check(layer->CreateField(&fd), "creating field area_km2");
    OGRGeometryUniquePtr geom(multiPolygonFromWkb(wkb, "the study area"));
    OGRFeature f(layer->GetLayerDefn());
    f.SetField("area_km2", geom->toMultiPolygon()->get_Area() / 1e6);
    f.SetGeometryDirectly(geom.release());
    check(layer->CreateFeature(&f), "writing the study area");
    createSpatialIndex("study_area");
    m_gdalIndexed.push_back(m_prefix + "study_area");
    writeStyle("study_area", "geom", studyAreaQml(), "Outline of the study area");
}

void GpkgWriter::writeContextLayer(const ContextLayerData& d) {
    const std::string table = "context_" + d.name;
    std::vector<OGRGeometryUniquePtr> geoms;
    int dim = -1;  // 0 points, 1 lines, 2 polygons: the highest kind in the layer
    for (const auto& wkb : d.wkb) {
        OGRGeometry* g = nullptr;
        if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE || !g)
            throw IoError("output.gpkg: a geometry of " + table + " could not be converted");
        dim = std::max(dim, g->getDimension());
        geoms.emplace_back(g);
    }
    const OGRwkbGeometryType type = dim == 0 ? wkbMultiPoint : dim == 1 ? wkbMultiLineString : wkbMultiPolygon;
    OGRLayer* layer = createLayer(table, type, d.title, "Context map layer '" + d.title + "', in the analysis CRS");
    const bool labelled = !d.labels.empty();
    if (labelled) {
        OGRFieldDefn fd("label", OFTString);
        check(layer->CreateField(&fd), "creating field label");
    }
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (std::size_t i = 0; i < geoms.size(); ++i) {
        if (geoms[i]->getDimension() != dim) continue;  // a stray point in a line layer is left out
        f.SetFID(OGRNullFID);
        OGRGeometry* g = geoms[i].release();
        f.SetGeometryDirectly(dim == 0 ? OGRGeometryFactory::forceToMultiPoint(g)
                              : dim == 1 ? OGRGeometryFactory::forceToMultiLineString(g)
                                         : OGRGeometryFactory::forceToMultiPolygon(g));
        if (labelled) f.SetField("label", d.labels[i].c_str());
        check(layer->CreateFeature(&f), "writing " + table);
    }
    check(m_ds->CommitTransaction(), "committing " + table);
    createSpatialIndex(table);
    std::string qml = dim == 0 ? pointQml("60,60,60,255", 1.6)
                      : dim == 1 ? lineQml("150,150,150,255", 0.25)
                                 : outlineQml("140,140,140,255", 0.3, "");
    if (labelled) qml = withLabels(qml, "\"label\"", dim == 2 ? 9 : 8, dim == 2);
    writeStyle(table, "geom", qml, "Context: " + d.title);
}

void GpkgWriter::writeRejected(const io::ReportSet& reports, const std::string& layerName) {
    OGRLayer* layer = createLayer(layerName, wkbNone, layerName == "rejected_reports" ? "Rejected reports" : layerName,
                                  "Input rows that were not used, with their original values, row number and reason");
    const std::array<const char*, 4> own{"source_row", "reject_reason", "reject_field", "reject_detail"};
    auto addField = [&](const std::string& name, OGRFieldType type) {
        OGRFieldDefn fd(name.c_str(), type);
        check(layer->CreateField(&fd), "creating field " + name);
    };
    addField(own[0], OFTInteger64);
    addField(own[1], OFTString);
    addField(own[2], OFTString);
    addField(own[3], OFTString);
    std::set<std::string> taken(own.begin(), own.end());
    std::vector<std::string> names;
    for (const auto& src : reports.rejectedFields) {
        std::string name = src;
        std::string low = name;
        for (auto& ch : low) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (taken.count(low) || low == "fid") name = "src_" + name;
        taken.insert(low);
        names.push_back(name);
        addField(name, OFTString);
    }
    const bool hasWkt = std::any_of(reports.rejected.begin(), reports.rejected.end(),
                                    [](const io::RejectedRow& r) { return !r.sourceWkt.empty(); });
    if (hasWkt) addField("source_geometry_wkt", OFTString);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int first = defn->GetFieldIndex(names.empty() ? own[3] : names.front().c_str());
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(defn);
    for (const auto& r : reports.rejected) {
        f.SetFID(OGRNullFID);
        f.SetField(0, static_cast<GIntBig>(r.row));
        f.SetField(1, std::string(io::reasonCode(r.reason)).c_str());
        f.SetField(2, r.field.c_str());
        const std::string detail = r.detail.empty() ? std::string(io::reasonText(r.reason))
                                                    : std::string(io::reasonText(r.reason)) + ": " + r.detail;
        f.SetField(3, detail.c_str());
        for (std::size_t k = 0; k < r.values.size() && k < names.size(); ++k)
            f.SetField(first + static_cast<int>(k), r.values[k].c_str());
        if (hasWkt) f.SetField("source_geometry_wkt", r.sourceWkt.c_str());
        check(layer->CreateFeature(&f), "writing rejected row " + std::to_string(r.row));
    }
    check(m_ds->CommitTransaction(), "committing rejected rows");
    writeStyle(layerName, "",
               tableQml({{"source_row", "Row in the input"},
                         {"reject_reason", "Reason (code)"},
                         {"reject_field", "Field at fault"},
                         {"reject_detail", "What was found"}}),
               "Rejected input rows");
}

void GpkgWriter::writeMetadata(const std::vector<MetadataEntry>& entries) {
    OGRLayer* layer = createLayer("run_metadata", wkbNone, "Run metadata",
                                  "How this file was made: version, config, inputs with checksums, every parameter");
    OGRFieldDefn key("key", OFTString), value("value", OFTString);
    check(layer->CreateField(&key), "creating field key");
    check(layer->CreateField(&value), "creating field value");
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (const auto& e : entries) {
        f.SetFID(OGRNullFID);
        f.SetField(0, e.key.c_str());
        f.SetField(1, e.value.c_str());
        check(layer->CreateFeature(&f), "writing metadata " + e.key);
    }
    check(m_ds->CommitTransaction(), "committing run metadata");
    writeStyle("run_metadata", "", tableQml({{"key", "Key"}, {"value", "Value"}}), "Run metadata");
}

void GpkgWriter::writeIncremental(const stats::IncrementalResult& result) {
    OGRLayer* layer = createLayer("incremental_autocorrelation", wkbNone, "Incremental spatial autocorrelation",
                                  "Global Moran's I over a series of distance bands; the peaks suggest the scale");
    for (const char* name : {"distance_m", "moran_i", "expected_i", "variance", "z_score", "p_value", "mean_neighbours"}) {
        OGRFieldDefn fd(name, OFTReal);
        check(layer->CreateField(&fd), std::string("creating field ") + name);
    }
    OGRFieldDefn peak("peak", OFTString);
    check(layer->CreateField(&peak), "creating field peak");
    check(m_ds->StartTransaction(), "starting a transaction");
    OGRFeature f(layer->GetLayerDefn());
    for (std::size_t k = 0; k < result.steps.size(); ++k) {
        const auto& st = result.steps[k];
        f.SetFID(OGRNullFID);
        f.SetField("distance_m", st.distanceM);
        f.SetField("moran_i", st.moran.statistic);
        f.SetField("expected_i", st.moran.expected);
        f.SetField("variance", st.moran.variance);
        f.SetField("z_score", st.moran.z);
        f.SetField("p_value", st.moran.p);
        f.SetField("mean_neighbours", st.meanNeighbours);
        std::string mark;
        if (result.firstPeak == k) mark = "first";
        if (result.maxPeak == k) mark += mark.empty() ? "max" : ",max";
        f.SetField("peak", mark.c_str());
        check(layer->CreateFeature(&f), "writing incremental autocorrelation");
    }
    check(m_ds->CommitTransaction(), "committing incremental autocorrelation");
    writeStyle("incremental_autocorrelation", "",
               tableQml({{"distance_m", "Distance band (m)"},
                         {"moran_i", "Global Moran's I"},
                         {"z_score", "z-score"},
                         {"peak", "Peak (first, max)"}}),
               "Incremental spatial autocorrelation");
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

void GpkgWriter::writeDensityAreas(const kde::Raster& raster, const std::vector<DensityAreaClass>& classes) {
    OGRLayer* layer = createLayer("density_areas", wkbMultiPolygon, "Densest areas",
                                  "The densest 1, 5 and 10 % of the study area by kernel density, with the reports they hold");
    for (const auto& [name, type] : std::vector<std::pair<const char*, OGRFieldType>>{
             {"top_percent", OFTReal}, {"density_min", OFTReal}, {"area_km2", OFTReal}, {"incidents", OFTInteger64},
             {"share_of_incidents", OFTReal}, {"class_area_km2", OFTReal}, {"class_share_of_incidents", OFTReal}})
        addField(layer, name, type);
    const double pixelKm2 = raster.pixelM * raster.pixelM / 1e6;
    check(m_ds->StartTransaction(), "starting a transaction");
    for (const auto& c : classes) {
        if (c.count == 0) continue;
        std::int64_t classIncidents = 0, classPixels = 0;
        for (std::int32_t l = 1; l <= c.count; ++l) {
            classIncidents += c.incidents[static_cast<std::size_t>(l)];
            classPixels += c.pixels[static_cast<std::size_t>(l)];
        }
        for (const auto& [label, wkb] : c.polygons) {
            OGRFeature f(layer->GetLayerDefn());
            f.SetGeometryDirectly(multiPolygonFromWkb(wkb, "a density area"));
            f.SetField("top_percent", c.percent);
            f.SetField("density_min", c.threshold);
            f.SetField("area_km2", static_cast<double>(c.pixels[static_cast<std::size_t>(label)]) * pixelKm2);
            f.SetField("incidents", static_cast<GIntBig>(c.incidents[static_cast<std::size_t>(label)]));
            f.SetField("share_of_incidents",
                       static_cast<double>(c.incidents[static_cast<std::size_t>(label)]) / static_cast<double>(c.totalIncidents));
            f.SetField("class_area_km2", static_cast<double>(classPixels) * pixelKm2);
            f.SetField("class_share_of_incidents", static_cast<double>(classIncidents) / static_cast<double>(c.totalIncidents));
            check(layer->CreateFeature(&f), "writing a density area");
        }
    }
    check(m_ds->CommitTransaction(), "committing the density areas");
    createSpatialIndex("density_areas");
    writeStyle("density_areas", "geom", densityAreasQml(), "The densest areas, outlined by class");
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
        bulkLoadGpkgRtree(m_tmpPath, pending.table, "geom", std::move(pending.boxes), m_gdalIndexed.front());
    }
    m_pendingIndexes.clear();
    if (m_publish) m_publishSummary = publishGeoPackage(m_tmpPath, *m_publish);
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
