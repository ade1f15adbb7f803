#include "trygg/output/QgisProject.hpp"

#include "trygg/core/Xml.hpp"
#include "LayerNames.hpp"
#include "PrintLayouts.hpp"
#include "trygg/output/Layers.hpp"
#include "Sqlite.hpp"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_vsi.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

namespace trygg::output {
namespace {

using sqlite::Db;

// Where a layer goes in the project: its group, its place from the top, and whether it shows.
struct Placement {
    int group = 0;  // index into the groups below
    int rank = 0;   // smaller is higher in the tree (drawn later, on top)
    bool visible = false;
};

enum Group { HotSpots, Analyses, Perception, Measures, Time, Density, Areas, Map, Tables, Other, GroupCount };

const char* groupName(int g, bool sv) {
    static const char* names[GroupCount][2] = {
        {"Hot spots", "Hot spots"},
        {"Fler analyser", "More analyses"},  // one group per analysis, named by its title
        {"Upplevd trygghet", "Perceived safety"},
        {"Åtgärder", "Measures"},
        {"Över tid", "Over time"},
        {"Täthet", "Density"},
        {"Områden", "Areas"},
        {"Karta", "Map"},
        {"Tabeller", "Tables"},
        {"Övrigt", "Other"},
    };
    return names[g][sv ? 0 : 1];
}

// Where a layer goes, from its declaration (Layers.cpp). A name may carry an analysis's prefix
// ("natt_hotspot_grid").
Placement placementOf(const std::string& table, const std::string& dataType) {
    if (const LayerSpec* spec = layerOf(table)) {
        static constexpr Group kGroups[] = {HotSpots, Perception, Measures, Time, Density, Areas, Map, Tables, Other};
        return {kGroups[static_cast<int>(spec->group)], spec->rank, spec->visible};
    }
    return {dataType == "attributes" ? Tables : Other, 1000, false};
}

// The name QGIS shows: the declared title in the project's language; a context layer's source
// layer's name (its identifier).
std::string titleOf(const std::string& table, const std::string& identifier, bool sv) {
    const LayerSpec* spec = layerOf(table);
    const std::string& title = !spec ? std::string() : sv ? spec->titleSv : spec->titleEn;
    if (!title.empty()) return title;
    return identifier.empty() ? table : identifier;
}

struct Layer {
    std::string table, dataType, identifier, description, geometryType;
    std::string title;     // as QGIS shows it
    std::string analysis;  // the further analysis's name when the table carries it in front, else ""
    double minX = 0, minY = 0, maxX = 0, maxY = 0;
    bool hasExtent = false;
    int srsId = 0;
    Placement place;
    std::string defaultQml;
    std::vector<std::pair<std::string, std::string>> otherStyles;  // name, QML
};

struct Srs {
    std::string wkt, authId, name;
};

std::string spatialRefSys(const Srs& s, const std::string& indent) {
    const std::string i = indent + "  ";
    return indent + "<spatialrefsys>\n" + i + "<wkt>" + escapeXml(s.wkt) + "</wkt>\n" + i + "<authid>" + escapeXml(s.authId) +
           "</authid>\n" + i + "<description>" + escapeXml(s.name) + "</description>\n" + indent + "</spatialrefsys>\n";
}

std::string extentXml(const char* tag, double minX, double minY, double maxX, double maxY, const std::string& indent) {
    return fmt::format("{0}<{1}>\n{0}  <xmin>{2:.17g}</xmin>\n{0}  <ymin>{3:.17g}</ymin>\n{0}  <xmax>{4:.17g}</xmax>\n"
                       "{0}  <ymax>{5:.17g}</ymax>\n{0}</{1}>\n",
                       indent, tag, minX, minY, maxX, maxY);
}

// QGIS's geometry attribute and WKB type name for a GeoPackage geometry type name.
std::pair<std::string, std::string> geometryKind(const std::string& gpkgType) {
    std::string t = gpkgType;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (t.find("POINT") != std::string::npos) return {"Point", t == "POINT" ? "Point" : "MultiPoint"};
    if (t.find("LINESTRING") != std::string::npos || t.find("CURVE") != std::string::npos)
        return {"Line", t == "LINESTRING" ? "LineString" : "MultiLineString"};
    if (t.find("POLYGON") != std::string::npos || t.find("SURFACE") != std::string::npos)
        return {"Polygon", t == "POLYGON" ? "Polygon" : "MultiPolygon"};
    return {"Unknown geometry", "Unknown"};
}

// A QML document's root element: its attributes and its children serialised, for embedding in a
// project's <maplayer>. Empty when the QML cannot be parsed.
struct QmlParts {
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string children;
    std::string root;  // the whole <qgis> element, without the DOCTYPE
    bool ok = false;
};

QmlParts splitQml(const std::string& qml) {
    QmlParts parts;
    std::unique_ptr<CPLXMLNode, void (*)(CPLXMLNode*)> doc(CPLParseXMLString(qml.c_str()), CPLDestroyXMLNode);
    if (!doc) return parts;
    CPLXMLNode* root = nullptr;
    for (CPLXMLNode* n = doc.get(); n && !root; n = n->psNext)
        if (n->eType == CXT_Element && std::string(n->pszValue) == "qgis") root = n;
    if (!root) return parts;
    for (CPLXMLNode* c = root->psChild; c; c = c->psNext) {
        if (c->eType == CXT_Attribute) {
            const std::string name = c->pszValue;
            if (name != "version" && c->psChild) parts.attributes.emplace_back(name, c->psChild->pszValue);
        } else if (c->eType == CXT_Element) {
            CPLXMLNode* next = c->psNext;
            c->psNext = nullptr;  // serialise this element alone
            char* s = CPLSerializeXMLTree(c);
            c->psNext = next;
            parts.children += s;
            CPLFree(s);
        }
    }
    CPLXMLNode* next = root->psNext;
    root->psNext = nullptr;
    char* s = CPLSerializeXMLTree(root);
    root->psNext = next;
    parts.root = s;
    CPLFree(s);
    parts.ok = true;
    return parts;
}

std::string layerId(const std::string& table) { return table + "_trygg"; }

// Where QGIS finds a layer: beside the project in the GeoPackage, or a table of the database's
// schema (the postgres provider's URI: the geometry column and key as output/Postgis.cpp writes
// them; the password, absent, where libpq finds it).
std::string dataSource(const Layer& l, const Srs& srs, const QgisProjectOptions& options) {
    if (const auto& db = options.database) {
        if (l.dataType == "2d-gridded-coverage")
            return db->conninfo + " table=\"" + db->schema + "\".\"" + l.table + "\" (rast)";
        std::string uri = db->conninfo + " key='fid'";
        if (l.dataType != "attributes") {
            if (srs.authId.rfind("EPSG:", 0) == 0) uri += " srid=" + srs.authId.substr(5);
            uri += " type=" + geometryKind(l.geometryType).second;
        }
        uri += " checkPrimaryKeyUnicity='0' table=\"" + db->schema + "\".\"" + l.table + "\"";
        if (l.dataType != "attributes") uri += " (geom)";
        return uri;
    }
    return l.dataType == "2d-gridded-coverage" ? "GPKG:./" + options.fileName + ":" + l.table
                                               : "./" + options.fileName + "|layername=" + l.table;
}

std::string providerOf(const Layer& l, const QgisProjectOptions& options) {
    if (l.dataType == "2d-gridded-coverage") return options.database ? "postgresraster" : "gdal";
    return options.database ? "postgres" : "ogr";
}

std::string mapLayerXml(const Layer& l, const Srs& srs, const QgisProjectOptions& options) {
    const bool raster = l.dataType == "2d-gridded-coverage";
    const QmlParts style = splitQml(l.defaultQml);
    std::string attrs = fmt::format("type=\"{}\"", raster ? "raster" : "vector");
    if (!raster) {
        const auto [geometry, wkb] =
            l.dataType == "attributes" ? std::pair<std::string, std::string>{"No geometry", "NoGeometry"} : geometryKind(l.geometryType);
        attrs += fmt::format(" geometry=\"{}\" wkbType=\"{}\"", geometry, wkb);
    }
    for (const auto& [k, v] : style.attributes)
        if (k != "type" && k != "geometry" && k != "wkbType") attrs += fmt::format(" {}=\"{}\"", k, escapeXml(v));
    std::string s = "    <maplayer " + attrs + ">\n";
    if (l.hasExtent) s += extentXml("extent", l.minX, l.minY, l.maxX, l.maxY, "      ");
    s += "      <id>" + escapeXml(layerId(l.table)) + "</id>\n";
    s += "      <datasource>" + escapeXml(dataSource(l, srs, options)) + "</datasource>\n";
    s += "      <layername>" + escapeXml(l.title) + "</layername>\n";
    if (l.dataType != "attributes") s += "      <srs>\n" + spatialRefSys(srs, "        ") + "      </srs>\n";
    s += "      <resourceMetadata>\n        <type>dataset</type>\n        <title>" + escapeXml(l.identifier) +
         "</title>\n        <abstract>" + escapeXml(l.description) + "</abstract>\n      </resourceMetadata>\n";
    s += raster ? "      <provider>" + providerOf(l, options) + "</provider>\n"
                : "      <provider encoding=\"UTF-8\">" + providerOf(l, options) + "</provider>\n";
    // The default style is the layer's own; the others are there to switch to (Layer > Styles).
    s += "      <map-layer-style-manager current=\"default\">\n        <map-layer-style name=\"default\"/>\n";
    for (const auto& [name, qml] : l.otherStyles) {
        const QmlParts other = splitQml(qml);
        if (other.ok) s += "        <map-layer-style name=\"" + escapeXml(name) + "\">" + other.root + "</map-layer-style>\n";
    }
    s += "      </map-layer-style-manager>\n";
    s += style.children;
    s += "    </maplayer>\n";
    return s;
}

std::string nowIso() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

// The project file zipped in memory (QGIS stores a .qgz), as bytes.
std::vector<unsigned char> zipped(const std::string& entryName, const std::string& content) {
    static std::atomic<int> counter{0};
    const std::string zip = fmt::format("/vsimem/trygg_project_{}_{}.zip", static_cast<const void*>(&content), counter++);
    const std::string entry = "/vsizip/" + zip + "/" + entryName;
    VSILFILE* f = VSIFOpenL(entry.c_str(), "wb");
    if (!f) throw IoError("output.gpkg: QGIS project: cannot create the zip in memory");
    const bool written = VSIFWriteL(content.data(), 1, content.size(), f) == content.size();
    VSIFCloseL(f);
    vsi_l_offset length = 0;
    GByte* data = VSIGetMemFileBuffer(zip.c_str(), &length, FALSE);
    std::vector<unsigned char> out;
    if (written && data) out.assign(data, data + length);
    VSIUnlink(zip.c_str());
    if (out.empty()) throw IoError("output.gpkg: QGIS project: zipping the project failed");
    return out;
}

std::string hex(const std::vector<unsigned char>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

} // namespace

std::string qgisProjectMetadata() {
    return fmt::format("{{\"last_modified_time\": \"{}\", \"last_modified_user\": \"trygg\" }}", nowIso());
}

std::string qgisProjectQgzHex(const std::string& gpkgPath, const QgisProjectOptions& options) {
    Db db(gpkgPath, "output.gpkg: QGIS project");
    const bool sv = options.language != "en";

    std::vector<Layer> layers;
    std::map<int, Srs> srsById;
    {
        auto q = db.prepare(
            "SELECT c.table_name, c.data_type, c.identifier, c.description, c.min_x, c.min_y, c.max_x, c.max_y, c.srs_id, "
            "g.geometry_type_name FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
            "WHERE c.table_name NOT IN ('layer_styles', 'qgis_projects')");
        while (db.row(q.get())) {
            Layer l;
            l.table = sqlite::text(q.get(), 0);
            l.dataType = sqlite::text(q.get(), 1);
            l.identifier = sqlite::text(q.get(), 2);
            l.description = sqlite::text(q.get(), 3);
            l.hasExtent = sqlite3_column_type(q.get(), 4) != SQLITE_NULL;
            l.minX = sqlite3_column_double(q.get(), 4);
            l.minY = sqlite3_column_double(q.get(), 5);
            l.maxX = sqlite3_column_double(q.get(), 6);
            l.maxY = sqlite3_column_double(q.get(), 7);
            l.srsId = sqlite3_column_int(q.get(), 8);
            l.geometryType = sqlite::text(q.get(), 9);
            l.place = placementOf(l.table, l.dataType);
            l.title = titleOf(l.table, l.identifier, sv);
            if (options.database && !options.database->rasters && l.dataType == "2d-gridded-coverage")
                continue;  // not in the database
            layers.push_back(std::move(l));
        }
        auto s = db.prepare("SELECT srs_id, srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys");
        while (db.row(s.get())) {
            Srs srs;
            srs.name = sqlite::text(s.get(), 1);
            srs.authId = sqlite::text(s.get(), 2) + ":" + sqlite::text(s.get(), 3);
            srs.wkt = sqlite::text(s.get(), 4);
            srsById[sqlite3_column_int(s.get(), 0)] = srs;
        }
    }
    std::map<std::string, std::string> md;  // run_metadata
    if (db.hasTable("run_metadata")) {
        auto q = db.prepare("SELECT key, value FROM run_metadata");
        while (db.row(q.get())) md[sqlite::text(q.get(), 0)] = sqlite::text(q.get(), 1);
    }
    // The further analyses (run_metadata: analyses = "a,b"), and their titles: their layers go in
    // a group each, switched off.
    std::vector<std::pair<std::string, std::string>> analyses;  // name, title
    const std::string& list = md["analyses"];
    for (std::size_t at = 0; at <= list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        if (comma > at) {
            const std::string name = list.substr(at, comma - at);
            const auto title = md.find("analyses." + name + ".title");
            analyses.emplace_back(name, title == md.end() ? name : title->second);
        }
        at = comma + 1;
    }
    for (auto& l : layers)
        for (const auto& [name, title] : analyses)
            if (l.table.rfind(name + "_", 0) == 0) {
                l.analysis = name;
                l.place.group = Analyses;
                l.place.visible = false;
                if (l.dataType == "attributes") l.place.rank = 100;  // its tables below its layers
            }
    // A density surface alone (`trygg kde`): the surface and its densest areas are the map.
    if (std::none_of(layers.begin(), layers.end(), [](const Layer& l) { return l.table == "hotspot_grid"; }))
        for (auto& l : layers)
            if (l.table == "kde_density" || l.table == "density_areas") l.place.visible = true;
    if (db.hasTable("layer_styles")) {
        auto q = db.prepare("SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles ORDER BY rowid");
        while (db.row(q.get())) {
            const std::string table = sqlite::text(q.get(), 0);
            for (auto& l : layers)
                if (l.table == table) {
                    if (sqlite3_column_int(q.get(), 3) && l.defaultQml.empty())
                        l.defaultQml = sqlite::text(q.get(), 2);
                    else
                        l.otherStyles.emplace_back(sqlite::text(q.get(), 1), sqlite::text(q.get(), 2));
                }
        }
    }
    std::stable_sort(layers.begin(), layers.end(), [](const Layer& a, const Layer& b) {
        if (a.place.group != b.place.group) return a.place.group < b.place.group;
        if (a.analysis != b.analysis) return a.analysis < b.analysis;
        if (a.place.rank != b.place.rank) return a.place.rank < b.place.rank;
        return a.table < b.table;
    });

    // The analysis CRS is the study area's (every spatial layer is written in it); the view is the
    // study area's extent, or all layers' when there is none.
    Srs projectSrs;
    double minX = 0, minY = 0, maxX = 0, maxY = 0;
    bool haveExtent = false;
    for (const auto& l : layers)
        if (l.table == "study_area" && l.hasExtent) {
            projectSrs = srsById[l.srsId];
            minX = l.minX, minY = l.minY, maxX = l.maxX, maxY = l.maxY;
            haveExtent = true;
        }
    for (const auto& l : layers)
        if (!haveExtent && l.hasExtent && l.dataType != "attributes") {
            projectSrs = srsById[l.srsId];
            minX = l.minX, minY = l.minY, maxX = l.maxX, maxY = l.maxY;
            haveExtent = true;
        }
    if (haveExtent) {  // a margin of 3 % around
        const double mx = (maxX - minX) * 0.03, my = (maxY - minY) * 0.03;
        minX -= mx, maxX += mx, minY -= my, maxY += my;
    }

    std::string xml = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
    xml += fmt::format("<qgis version=\"3.22.0-Białowieża\" projectname=\"{}\" saveDateTime=\"{}\" saveUser=\"trygg\">\n",
                       escapeXml(options.title), nowIso());
    xml += "  <homePath path=\"\"/>\n  <title>" + escapeXml(options.title) + "</title>\n";
    xml += "  <projectCrs>\n" + spatialRefSys(projectSrs, "    ") + "  </projectCrs>\n";
    // QGIS reads <projectCrs> only with this property set; paths stay relative to the file.
    xml += "  <properties>\n    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
           "    </SpatialRefSys>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
           "  </properties>\n";
    xml += "  <layer-tree-group>\n";
    // One <layer-tree-group> per group that has layers; the further analyses one each.
    struct TreeGroup {
        std::string name;
        std::vector<const Layer*> members;
    };
    std::vector<TreeGroup> tree;
    for (int g = 0; g < GroupCount; ++g) {
        if (g == Analyses) {
            for (const auto& [name, title] : analyses) {
                TreeGroup t{title, {}};
                for (const auto& l : layers)
                    if (l.place.group == g && l.analysis == name) t.members.push_back(&l);
                if (!t.members.empty()) tree.push_back(std::move(t));
            }
            continue;
        }
        TreeGroup t{groupName(g, sv), {}};
        for (const auto& l : layers)
            if (l.place.group == g) t.members.push_back(&l);
        if (!t.members.empty()) tree.push_back(std::move(t));
    }
    for (const auto& t : tree) {
        bool anyVisible = false;
        for (const Layer* l : t.members) anyVisible = anyVisible || l->place.visible;
        const bool tables = t.name == groupName(Tables, sv);
        xml += fmt::format("    <layer-tree-group name=\"{}\" checked=\"{}\" expanded=\"{}\">\n", escapeXml(t.name),
                           anyVisible || tables ? "Qt::Checked" : "Qt::Unchecked", anyVisible ? 1 : 0);
        const auto entry = [&](const Layer* l, const char* indent) {
            xml += fmt::format("{}<layer-tree-layer id=\"{}\" name=\"{}\" source=\"{}\" providerKey=\"{}\" "
                               "checked=\"{}\" expanded=\"{}\"/>\n",
                               indent, escapeXml(layerId(l->table)), escapeXml(l->title), escapeXml(dataSource(*l, srsById[l->srsId], options)),
                               providerOf(*l, options),
                               l->place.visible ? "Qt::Checked" : "Qt::Unchecked", l->place.visible ? 1 : 0);
        };
        // A further analysis's tables in a group of their own under its layers, as the main
        // analysis's are in the group of tables.
        std::vector<const Layer*> tablesHere;
        for (const Layer* l : t.members) {
            if (!tables && l->place.group == Analyses && l->dataType == "attributes") tablesHere.push_back(l);
            else entry(l, "      ");
        }
        if (!tablesHere.empty()) {
            xml += fmt::format("      <layer-tree-group name=\"{}\" checked=\"Qt::Checked\" expanded=\"0\">\n",
                               escapeXml(groupName(Tables, sv)));
            for (const Layer* l : tablesHere) entry(l, "        ");
            xml += "      </layer-tree-group>\n";
        }
        xml += "    </layer-tree-group>\n";
    }
    xml += "  </layer-tree-group>\n";
    xml += "  <projectlayers>\n";
    for (const auto& l : layers) xml += mapLayerXml(l, srsById[l.srsId], options);
    xml += "  </projectlayers>\n";
    if (haveExtent) {
        xml += "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n    <units>meters</units>\n";
        xml += extentXml("extent", minX, minY, maxX, maxY, "    ");
        xml += "    <rotation>0</rotation>\n    <destinationsrs>\n" + spatialRefSys(projectSrs, "      ") +
               "    </destinationsrs>\n  </mapcanvas>\n";
        xml += fmt::format("  <ProjectViewSettings UseProjectScales=\"0\">\n    <Scales/>\n"
                           "    <DefaultViewExtent xmin=\"{:.17g}\" ymin=\"{:.17g}\" xmax=\"{:.17g}\" ymax=\"{:.17g}\">\n",
                           minX, minY, maxX, maxY);
        xml += spatialRefSys(projectSrs, "      ") + "    </DefaultViewExtent>\n  </ProjectViewSettings>\n";
        // The print layouts: the study area on the page, the legend of what the project shows.
        LayoutInput print{sv, md, minX, minY, maxX, maxY, {}};
        for (const auto& t : tree)
            for (const Layer* l : t.members)
                if (l->place.visible && l->dataType != "attributes")
                    print.legend.push_back({layerId(l->table), l->title, dataSource(*l, srsById[l->srsId], options),
                                            providerOf(*l, options)});
        xml += printLayoutsXml(print);
    }
    xml += "</qgis>\n";

    return hex(zipped(options.name + ".qgs", xml));
}

void writeQgisProject(const std::string& gpkgPath, const QgisProjectOptions& options) {
    const std::string content = qgisProjectQgzHex(gpkgPath, options);
    const std::string metadata = qgisProjectMetadata();
    Db db(gpkgPath, "output.gpkg: QGIS project");
    db.exec("CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)");
    auto ins = db.prepare("INSERT OR REPLACE INTO qgis_projects(name, metadata, content) VALUES (?, ?, ?)");
    sqlite3_bind_text(ins.get(), 1, options.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins.get(), 2, metadata.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins.get(), 3, content.c_str(), -1, SQLITE_TRANSIENT);
    db.step(ins.get());
}

} // namespace trygg::output
