#include "trygg/io/ReportReader.hpp"
#include "trygg/io/Source.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Parallel.hpp"
#include "trygg/crs/Crs.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/Gdal.hpp"

#include "CsvScan.hpp"
#include "ReportFields.hpp"

#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

namespace trygg::io {
using namespace fields;

namespace {

// Whether the pieces of a file can be read where they lie: a file on disk or in memory, not one
// inside a zip or gzip stream (GDAL would decompress from the start for every piece).
bool isRandomAccess(const std::string& path) {
    return path.rfind("/vsi", 0) != 0 || path.rfind("/vsimem/", 0) == 0;
}

// One row's values, from a GDAL feature or a CSV record split by Trygg.
class RowValues {
public:
    virtual ~RowValues() = default;
    virtual bool isSet(int f) const = 0;        // set and not null
    virtual const char* text(int f) const = 0;  // the value as GDAL gives it as text
    virtual OGRFeature* feature() const { return nullptr; }  // the GDAL feature, if any
};

class OgrRowValues final : public RowValues {
public:
    explicit OgrRowValues(OGRFeature& f) : m_f(f) {}
    bool isSet(int f) const override { return m_f.IsFieldSetAndNotNull(f); }
    const char* text(int f) const override { return m_f.GetFieldAsString(f); }
    OGRFeature* feature() const override { return &m_f; }

private:
    OGRFeature& m_f;
};

// A record of a plain CSV file: every field set, as GDAL's CSV driver sets string fields.
class CsvRowValues final : public RowValues {
public:
    explicit CsvRowValues(const std::vector<std::string>& values) : m_values(values) {}
    bool isSet(int f) const override { return static_cast<std::size_t>(f) < m_values.size(); }
    const char* text(int f) const override { return m_values[static_cast<std::size_t>(f)].c_str(); }

private:
    const std::vector<std::string>& m_values;
};

struct Rejection {
    RejectReason reason;
    std::string field, detail;
};
std::unique_ptr<Rejection> rejectionOf(RejectReason reason, std::string field, std::string detail) {
    return std::make_unique<Rejection>(Rejection{reason, std::move(field), std::move(detail)});
}

// What a row's own values say (readReports's first stage).
// A row is rejected for the first of: its coordinates (unreadable, or not in the study area),
// its time, its weight; then, when settled, for its extra values and a duplicate id.
struct ParsedRow {
    std::unique_ptr<Rejection> rejection;  // for what its own values say, checked in that order
    double sx = 0, sy = 0;                 // in the source CRS
    double ax = 0, ay = 0;                 // in the analysis CRS, when transformed
    bool transformed = false;
    bool lands = false;         // in the study area (or the CRS's area)
    bool landsSwapped = false;  // not, but there with x and y swapped
    std::int64_t wall = kNoTime;
    bool clock = false;
    std::optional<DateTime> when;
    double weight = 1.0;
    std::vector<std::string> extras;
    std::string id, category;  // trimmed UTF-8, "" for none
};

} // namespace

ReportSet readReports(const ReportSourceSpec& spec, const crs::Crs& analysisCrs, const geom::Area* studyArea,
                      const Progress& progress) {
    // A CSV file is scanned first, so that the rows GDAL's reader cannot take whole are rejected
    // with their reason instead of lost; GDAL then reads the file without them.
    std::optional<CsvScan> scan;
    std::string readPath = spec.path, scannedPath;
    std::vector<std::pair<std::string, std::string>> openOptions;
    if (isCsvPath(spec.path)) {
        requireReadableFile(spec.path, spec.what);
        // A gzipped CSV is read through GDAL's /vsigzip/, which its CSV driver needs.
        if (lowerExtension(spec.path) == ".gz" && spec.path.rfind("/vsi", 0) != 0) readPath = "/vsigzip/" + spec.path;
        scan = scanCsv(readPath, spec.what);
        if (const char* name = gdalSeparatorName(scan->separator); *name) openOptions.emplace_back("SEPARATOR", name);
        scannedPath = readPath;
        if (!scan->bad.empty()) {
            static std::atomic<int> serial{0};
            const std::string copyPath = fmt::format("/vsimem/trygg-csv-{}-{}/{}", static_cast<const void*>(&spec), serial++,
                                   std::filesystem::path(spec.path).filename().replace_extension(".csv").string());
            const std::string scanned = readPath;
            readPath = copyPath;
            copyWithout(scanned, readPath, scan->bad);
        }
    }
    struct VsimemRemover {
        std::string path;
        ~VsimemRemover() {
            if (path.rfind("/vsimem/", 0) == 0) VSIUnlink(path.c_str());
        }
    } removeCopy{readPath.rfind("/vsimem/trygg-csv-", 0) == 0 ? readPath : ""};
    VectorSource src = openVector(readPath, spec.layer, spec.what, openOptions);
    src.path = spec.path;
    OGRLayer* layer = src.layer;
    OGRFeatureDefn* defn = layer->GetLayerDefn();

    ReportSet set;
    set.path = spec.path;
    set.layer = src.layerName;
    set.driver = src.driverName;
    const int fieldCount = defn->GetFieldCount();
    for (int i = 0; i < fieldCount; ++i) set.sourceFields.push_back(toUtf8(defn->GetFieldDefn(i)->GetNameRef()));
    const auto& fields = set.sourceFields;
    const std::string& what = spec.what;

    // Coordinates: named columns, recognised columns, or the layer's point geometry.
    int xi = -1, yi = -1;
    bool namesSayLonLat = false;
    const bool hasGeometry = defn->GetGeomFieldCount() > 0 && layer->GetGeomType() != wkbNone;
    if (!spec.fields.x.empty() || !spec.fields.y.empty()) {
        if (spec.fields.x.empty() || spec.fields.y.empty())
            throw InputError(what + ": give both x_field and y_field, or neither");
        xi = requireField(fields, spec.fields.x, what, "x_field", spec.path);
        yi = requireField(fields, spec.fields.y, what, "y_field", spec.path);
        namesSayLonLat = recogniseCoordinateColumns({fields[xi], fields[yi]}).geographic;
    } else if (!hasGeometry) {
        const CoordinateColumns cc = recogniseCoordinateColumns(fields);
        if (cc.x.empty()) {
            std::string list;
            for (std::size_t k = 0; k < fields.size(); ++k) list += (k ? ", " : "") + fields[k];
            throw InputError(what + ": no coordinate columns recognised in '" + spec.path + "' (fields: " + list +
                             "). Name them with x_field and y_field (--x-field, --y-field)");
        }
        xi = findField(fields, cc.x);
        yi = findField(fields, cc.y);
        namesSayLonLat = cc.geographic;
    }
    const bool fromGeometry = xi < 0;
    set.used.x = fromGeometry ? "(geometry)" : fields[xi];
    set.used.y = fromGeometry ? "(geometry)" : fields[yi];

    // CRS of the source.
    std::optional<crs::Crs> sourceCrs;
    if (!spec.crs.empty()) {
        sourceCrs = crs::Crs::fromUserInput(spec.crs);
    } else if (fromGeometry) {
        const std::string text = crsTextOf(layer);
        if (!text.empty()) sourceCrs = crs::Crs::fromUserInput(text);
        if (!sourceCrs)
            throw InputError(what + ": the layer '" + src.layerName + "' in '" + spec.path +
                             "' has no CRS. Declare it with crs = \"EPSG:N\" (--crs)");
    } else if (namesSayLonLat) {
        sourceCrs = crs::Crs::fromUserInput("EPSG:4326");
    } else {
        throw InputError(what + ": the coordinates in columns '" + fields[xi] + "' and '" + fields[yi] + "' of '" +
                         spec.path +
                         "' have no declared CRS. Declare it with crs = \"EPSG:N\" (--crs), for example EPSG:3006 "
                         "for SWEREF 99 TM");
    }
    set.sourceCrs = sourceCrs->authorityCode().empty() ? sourceCrs->name() : sourceCrs->authorityCode();

    // Without a study area, rows far outside the analysis CRS's area of use are refused: a (0, 0)
    // or a swapped pair would otherwise stretch the grid over half the globe.
    std::optional<crs::LonLatBounds> domain;
    std::optional<crs::Transformer::Box> domainInSource;  // the same domain in source coordinates
    const crs::Crs lonLat = crs::Crs::fromUserInput("OGC:CRS84");
    // (A geographic target, used only to find the data's centre, covers the globe: no domain.)
    if (!studyArea && !analysisCrs.isGeographic()) {
        domain = analysisCrs.areaOfUse();
        if (domain) {
            constexpr double kMarginDeg = 5.0;
            domain->west = std::max(-180.0, domain->west - kMarginDeg);
            domain->south = std::max(-90.0, domain->south - kMarginDeg);
            domain->east = std::min(180.0, domain->east + kMarginDeg);
            domain->north = std::min(90.0, domain->north + kMarginDeg);
            // The domain is the bounding box, in source coordinates, of the grown area of use: one
            // comparison per row instead of a transformation (per-row lon/lat only where PROJ cannot
            // transform the box).
            domainInSource = crs::Transformer(lonLat, *sourceCrs)
                                 .transformBounds({domain->west, domain->south, domain->east, domain->north});
        }
    }
    // What a thread needs to place rows: PROJ's and GEOS's objects are not shared between threads.
    struct Placer {
        crs::Transformer toAnalysis;
        std::unique_ptr<crs::Transformer> toLonLat;
        std::unique_ptr<geom::Area::PointTest> area;
    };
    auto placer = [&] {
        Placer p{crs::Transformer(*sourceCrs, analysisCrs), nullptr, nullptr};
        if (domain && !domainInSource) p.toLonLat = std::make_unique<crs::Transformer>(*sourceCrs, lonLat);
        if (studyArea) p.area = studyArea->pointTest();
        return p;
    };
    // Whether a point, at (sx, sy) in the source and (ax, ay) in the analysis CRS, lies in the
    // study area (or domain).
    auto within = [&](const Placer& pl, double sx, double sy, double ax, double ay) {
        if (pl.area) return pl.area->covers(ax, ay);
        if (domain) {
            if (domainInSource) {
                const auto& b = *domainInSource;
                return sx >= b.minX && sx <= b.maxX && sy >= b.minY && sy <= b.maxY;
            }
            double lon = sx, lat = sy;
            if (!pl.toLonLat->transform(lon, lat)) return false;
            return lon >= domain->west && lon <= domain->east && lat >= domain->south && lat <= domain->north;
        }
        return true;
    };

    // Optional fields.
    // Recognised by name unless the field is one of the extra fields, which the caller reads itself
    // (a perception file's "tid" holds a time of day, not a date).
    auto optionalField = [&](const std::string& mapped, const char* key,
                             std::initializer_list<const char*> names) -> int {
        if (!mapped.empty()) return requireField(fields, mapped, what, key, spec.path);
        const int i = findAny(fields, names);
        for (const auto& extra : spec.extraFields)
            if (i >= 0 && findField(fields, extra) == i) return -1;
        return i;
    };
    // The time: named columns (several are joined with a space: "Datum" and "Klockslag"), or one
    // recognised by name.
    std::vector<int> timeIndex;
    if (spec.fields.time.empty()) {
        const int i = optionalField("", "time_field",
                                    {"datetime", "date_time", "timestamp", "occurred_at", "date", "datum", "tidpunkt",
                                     "tid", "time"});
        if (i >= 0) timeIndex.push_back(i);
    } else {
        for (const auto& name : spec.fields.time) timeIndex.push_back(requireField(fields, name, what, "time_field", spec.path));
    }
    const int ti = timeIndex.empty() ? -1 : timeIndex.front();
    const DateRange dates = spec.dates ? *spec.dates : DateRange::defaultFor(wallNow());
    set.dates = dates;
    const int ci = optionalField(spec.fields.category, "category_field",
                                 {"category", "kategori", "brottstyp", "offense_type", "offence_type", "type", "typ",
                                  "händelsetyp"});
    const int ii = optionalField(spec.fields.id, "id_field", {"id", "uid", "report_id", "ärendenummer", "diarienummer"});
    const int wi = optionalField(spec.fields.weight, "weight_field", {"weight", "vikt"});
    std::vector<int> extraIndex;
    for (const auto& name : spec.extraFields) extraIndex.push_back(requireField(fields, name, what, name, spec.path));
    for (int i : timeIndex) set.used.time.push_back(fields[static_cast<std::size_t>(i)]);
    const std::string timeFieldsText = set.used.timeText();
    if (ci >= 0) set.used.category = fields[ci];
    if (ii >= 0) set.used.id = fields[ii];
    if (wi >= 0) set.used.weight = fields[wi];

    std::map<std::string, std::int32_t> categoryIndex;
    std::vector<std::string> categoryNames;
    std::unordered_map<std::string, std::int64_t> seenIds;
    std::int64_t firstTime = kNoTime, lastTime = kNoTime;
    std::string firstIso, lastIso;
    std::array<std::int64_t, 24> onTheHour{};  // reports with a clock time of exactly hh:00:00

    progress.update(0.0, std::filesystem::path(spec.path).filename().string());
    // Formats with random access skip the fields Trygg does not use while reading; a rejected
    // row's full values are fetched again by its feature id afterwards.
    const bool skipUnused = layer->TestCapability(OLCRandomRead) && !EQUAL(src.driverName.c_str(), "CSV");
    // A plain CSV file (GDAL reads text fields and no geometry from it, under the header's own
    // names) is split by Trygg, on every core; any other goes through GDAL's driver.
    bool fastCsv = scan && !spec.gdalCsvReader && EQUAL(src.driverName.c_str(), "CSV") && !hasGeometry &&
                   defn->GetGeomFieldCount() == 0 && (scan->separator == ',' || scan->separator == ';') &&
                   isRandomAccess(scannedPath) && fieldCount == static_cast<int>(scan->header.size());
    for (int f = 0; fastCsv && f < fieldCount; ++f)
        fastCsv = defn->GetFieldDefn(f)->GetType() == OFTString && scan->header[static_cast<std::size_t>(f)] == defn->GetFieldDefn(f)->GetNameRef();
    std::vector<GIntBig> rejectedFids;
    // The fields a rejected row keeps: all of them, or only those Trygg reads.
    std::vector<int> keptFields;
    auto isTimeField = [&](int f) { return std::find(timeIndex.begin(), timeIndex.end(), f) != timeIndex.end(); };
    for (int f = 0; f < fieldCount; ++f) {
        const bool mapped = f == xi || f == yi || isTimeField(f) || f == ci || f == ii || f == wi ||
                            std::find(extraIndex.begin(), extraIndex.end(), f) != extraIndex.end();
        if (mapped || !spec.rejectedKeepOnlyMapped) {
            keptFields.push_back(f);
            set.rejectedFields.push_back(fields[static_cast<std::size_t>(f)]);
        }
    }
    if (skipUnused) {
        CPLStringList ignored;
        for (int f = 0; f < fieldCount; ++f)
            if (f != xi && f != yi && !isTimeField(f) && f != ci && f != ii && f != wi &&
                std::find(extraIndex.begin(), extraIndex.end(), f) == extraIndex.end())
                ignored.AddString(defn->GetFieldDefn(f)->GetNameRef());
        ignored.AddString("OGR_STYLE");
        layer->SetIgnoredFields(const_cast<const char**>(ignored.List()));
    }
    // Each row goes through two stages: parse (its own values only: numbers, the transformation,
    // the time, the weight; on several threads for a plain CSV file), then settle, in row order
    // (the study area, the checks that need the rows before it, and the row's place in the set).
    auto parse = [&](const RowValues& values, const Placer& pl) {
        ParsedRow p;
        auto text = [&](int f) { return values.isSet(f) ? std::string(values.text(f)) : std::string(); };
        // Coordinates.
        if (fromGeometry) {
            const OGRFeature* feature = values.feature();
            const OGRGeometry* g = feature ? feature->GetGeometryRef() : nullptr;
            if (!g || g->IsEmpty()) {
                p.rejection = rejectionOf(RejectReason::EmptyGeometry, "", "the geometry is empty");
                return p;
            }
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbPoint) {
                p.sx = g->toPoint()->getX();
                p.sy = g->toPoint()->getY();
            } else if (type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1) {
                p.sx = g->toMultiPoint()->getGeometryRef(0)->getX();
                p.sy = g->toMultiPoint()->getGeometryRef(0)->getY();
            } else {
                p.rejection = rejectionOf(RejectReason::NotAPoint, "", std::string("a ") + OGRGeometryTypeToName(g->getGeometryType()));
                return p;
            }
        } else {
            const std::string xs = text(xi), ys = text(yi);
            if (trimmed(xs).empty() && trimmed(ys).empty()) {
                p.rejection = rejectionOf(RejectReason::EmptyGeometry, fields[xi] + "," + fields[yi], "both coordinates are empty");
                return p;
            }
            const auto px = parseNumber(xs);
            const auto py = parseNumber(ys);
            if (!px) {
                p.rejection = rejectionOf(RejectReason::UnreadableCoordinate, fields[xi], "'" + toUtf8(xs.c_str()) + "' is not a number");
                return p;
            }
            if (!py) {
                p.rejection = rejectionOf(RejectReason::UnreadableCoordinate, fields[yi], "'" + toUtf8(ys.c_str()) + "' is not a number");
                return p;
            }
            p.sx = *px;
            p.sy = *py;
        }
        p.ax = p.sx;
        p.ay = p.sy;
        p.transformed = pl.toAnalysis.transform(p.ax, p.ay);
        p.lands = p.transformed && within(pl, p.sx, p.sy, p.ax, p.ay);
        if (!p.lands) {  // inside only with x and y swapped?
            double bx = p.sy, by = p.sx;
            p.landsSwapped = pl.toAnalysis.transform(bx, by) && within(pl, p.sy, p.sx, bx, by);
            return p;
        }

        // Date-time.
        if (ti >= 0) {
            std::optional<DateTime> dt;
            std::string timeText;  // the time as read, for messages
            const OGRFieldType ft = defn->GetFieldDefn(ti)->GetType();
            if (timeIndex.size() == 1 && spec.timeFormat.empty() && (ft == OFTDate || ft == OFTDateTime)) {
                int y, m, d, h, mi, tz;
                float sec;
                OGRFeature* feature = values.feature();
                if (feature && feature->IsFieldSetAndNotNull(ti) && feature->GetFieldAsDateTime(ti, &y, &m, &d, &h, &mi, &sec, &tz)) {
                    dt = DateTime{y, m, d, h, mi, sec, tz, ft == OFTDateTime};
                    timeText = feature->GetFieldAsString(ti);
                }
            } else {
                for (int f : timeIndex) {
                    const std::string part = trimmed(text(f));
                    if (part.empty()) continue;
                    timeText += (timeText.empty() ? "" : " ") + part;
                }
                if (!timeText.empty()) {
                    dt = spec.timeFormat.empty() ? parseDateTime(timeText) : parseDateTime(timeText, spec.timeFormat);
                    if (!dt) {
                        // Appended piecewise: GCC 12 warns falsely on "literal" + string here (PR 105329).
                        std::string detail = "'";
                        detail += toUtf8(timeText.c_str());
                        if (spec.timeFormat.empty()) {
                            detail += "' is not a date (use ISO 8601 such as 2024-03-05 21:30, or an Excel date; "
                                      "for another layout give time_format, such as \"%d/%m/%Y %H:%M\")";
                        } else {
                            detail += "' does not match time_format \"";
                            detail += spec.timeFormat;
                            detail += "\"";
                        }
                        p.rejection = rejectionOf(RejectReason::UnparseableDate, timeFieldsText, std::move(detail));
                        return p;
                    }
                }
            }
            if (dt) {
                p.wall = dt->wallSeconds();
                if (p.wall < dates.fromWall || p.wall >= dates.toWall) {
                    std::string detail = "'";
                    detail += toUtf8(timeText.c_str());
                    detail += "' lies outside the plausible dates ";
                    detail += dates.fromText;
                    detail += " to ";
                    detail += dates.toText;
                    detail += " (a typo in the year?); widen them with earliest_date and latest_date";
                    p.rejection = rejectionOf(RejectReason::ImplausibleDate, timeFieldsText, std::move(detail));
                    return p;
                }
                p.clock = dt->hasTime;
                p.when = dt;
            }
        }

        // Weight.
        if (wi >= 0) {
            const std::string weightText = text(wi);
            const auto w = parseNumber(weightText);
            if (!w || *w < 0) {
                p.rejection = rejectionOf(RejectReason::UnreadableWeight, fields[wi],
                                   "'" + toUtf8(weightText.c_str()) + "' is not a non-negative number");
                return p;
            }
            p.weight = *w;
        }

        // Extra values (checked when settled), the id and the category.
        for (int f : extraIndex) p.extras.push_back(values.isSet(f) ? trimmed(toUtf8(values.text(f))) : "");
        if (ii >= 0 && values.isSet(ii)) p.id = trimmed(toUtf8(values.text(ii)));
        if (ci >= 0 && values.isSet(ci)) p.category = trimmed(toUtf8(values.text(ci)));
        return p;
    };

    // Settles a parsed row `row`; `keep(r)` fills a rejected row's values and source geometry.
    auto settle = [&](ParsedRow&& p, std::int64_t row, const std::function<void(RejectedRow&)>& keep) {
        auto reject = [&](RejectReason reason, std::string field, std::string detail) {
            RejectedRow r;
            r.row = row;
            r.reason = reason;
            r.field = std::move(field);
            r.detail = std::move(detail);
            keep(r);
            set.rejected.push_back(std::move(r));
        };
        if (p.rejection) {  // its coordinates (when it did not land), its time or its weight
            reject(p.rejection->reason, std::move(p.rejection->field), std::move(p.rejection->detail));
            return;
        }
        const std::string coordFields = fromGeometry ? std::string() : fields[xi] + "," + fields[yi];
        if (!p.lands) {
            if (p.landsSwapped) {
                reject(RejectReason::SwappedCoordinates, coordFields,
                       "the point falls inside " + std::string(studyArea ? "the study area" : "the CRS's area") +
                           " only with x and y swapped");
            } else if (!p.transformed) {
                reject(RejectReason::UnreadableCoordinate, coordFields,
                       "cannot be transformed from " + set.sourceCrs + " to " + analysisCrs.userInput());
            } else if (studyArea) {
                reject(RejectReason::OutsideStudyArea, coordFields, "");
            } else {
                reject(RejectReason::OutsideCrsArea, coordFields,
                       "outside the area of use of " + analysisCrs.userInput() + " grown by 5 degrees");
            }
            return;
        }
        if (!extraIndex.empty() && spec.checkExtras) {
            if (auto problem = spec.checkExtras(p.extras)) {
                reject(RejectReason::InvalidValue, problem->field, problem->detail);
                return;
            }
        }
        // Duplicate ids, among accepted rows.
        if (!p.id.empty()) {
            auto [it, inserted] = seenIds.emplace(std::move(p.id), row);
            if (!inserted) {
                reject(RejectReason::DuplicateId, fields[ii], "id '" + it->first + "' first seen on row " + std::to_string(it->second));
                return;
            }
        }

        // Accepted.
        if (!extraIndex.empty()) set.extras.push_back(std::move(p.extras));
        set.x.push_back(p.ax);
        set.y.push_back(p.ay);
        set.row.push_back(row);
        if (wi >= 0) set.weight.push_back(p.weight);
        if (ti >= 0) {
            set.timeWallSeconds.push_back(p.wall);
            set.hasClock.push_back(p.clock ? 1 : 0);
            if (p.wall == kNoTime) {
                ++set.withoutTime;
            } else {
                if (!p.clock) {
                    ++set.withoutClock;
                } else {
                    const std::int64_t secondOfDay = ((p.wall % 86400) + 86400) % 86400;
                    if (secondOfDay % 3600 == 0) ++onTheHour[static_cast<std::size_t>(secondOfDay / 3600)];
                }
                if (firstTime == kNoTime || p.wall < firstTime) {
                    firstTime = p.wall;
                    firstIso = p.when->toIso();
                }
                if (lastTime == kNoTime || p.wall > lastTime) {
                    lastTime = p.wall;
                    lastIso = p.when->toIso();
                }
            }
        }
        if (ci >= 0) {
            if (p.category.empty()) {
                set.category.push_back(-1);
            } else {
                auto [it, inserted] = categoryIndex.emplace(p.category, static_cast<std::int32_t>(categoryNames.size()));
                if (inserted) categoryNames.push_back(std::move(p.category));
                set.category.push_back(it->second);
            }
        }
    };

    GdalErrorScope errors;
    std::int64_t row = 0;
    std::int64_t gdalRows = 0;
    if (fastCsv) {
        // A plain CSV file: its records split by Trygg as GDAL would (readCsvChunk), parsed in
        // pieces on every core, settled in order. The bad records were rejected by the scan.
        const unsigned threads = threadCount(0);
        std::vector<Placer> placers;
        for (unsigned t = 0; t < threads; ++t) placers.push_back(placer());
        struct Piece {
            std::vector<std::int64_t> rows;
            std::vector<ParsedRow> parsed;
            std::vector<std::vector<std::string>> values;  // each row's, for a rejection
        };
        const std::size_t chunks = scan->chunks.size(), wave = 4 * static_cast<std::size_t>(threads);
        std::vector<Piece> pieces(wave);
        for (std::size_t first = 0; first < chunks; first += wave) {
            const std::size_t count = std::min(wave, chunks - first);
            parallelBlocks(count, 1, static_cast<int>(threads), [&] { progress.checkCancelled(); },
                           [&](std::size_t b, std::size_t e, unsigned thread) {
                               for (std::size_t k = b; k < e; ++k) {
                                   Piece& piece = pieces[k];  // its memory kept from wave to wave
                                   piece.rows.clear();
                                   piece.parsed.clear();
                                   piece.values.clear();
                                   readCsvChunk(scannedPath, *scan, first + k,
                                                [&](std::int64_t number, const std::vector<std::string>& record) {
                                                    piece.rows.push_back(number);
                                                    const ParsedRow& p = piece.parsed.emplace_back(parse(CsvRowValues(record), placers[thread]));
                                                    // The values, where settling may still reject the row.
                                                    const bool mayReject = p.rejection || !p.lands || ii >= 0 ||
                                                                           (!extraIndex.empty() && spec.checkExtras);
                                                    piece.values.push_back(mayReject ? record : std::vector<std::string>());
                                                });
                               }
                           });
            for (std::size_t k = 0; k < count; ++k) {
                Piece& piece = pieces[k];
                for (std::size_t r = 0; r < piece.rows.size(); ++r) {
                    settle(std::move(piece.parsed[r]), piece.rows[r], [&](RejectedRow& rejected) {
                        rejected.values.reserve(keptFields.size());
                        for (int f : keptFields) rejected.values.push_back(toUtf8(piece.values[r][static_cast<std::size_t>(f)].c_str()));
                    });
                }
                gdalRows += static_cast<std::int64_t>(piece.rows.size());
            }
            progress.update(static_cast<double>(first + count) / static_cast<double>(chunks),
                            std::to_string(std::min<std::int64_t>(scan->records, static_cast<std::int64_t>(first + count) * kCsvChunkRecords)) + " rows");
        }
        row = scan->records;
        set.splitByTrygg = true;
    } else {
        // The progress's total: a CSV's from the scan (GDAL's CSV driver would parse the whole
        // file again to count it, whatever bForce says).
        const GIntBig total = scan ? static_cast<GIntBig>(scan->records) : layer->GetFeatureCount(FALSE);
        layer->ResetReading();
        std::size_t nextBad = 0;  // the first bad record not yet passed
        RowDigest rows(spec.path);
        const Placer pl = placer();
        for (auto& feature : *layer) {
            ++row;
            ++gdalRows;
            rows.add(*feature);
            if (scan)  // the record's number in the file, counting the rows cut out before it
                while (nextBad < scan->bad.size() && scan->bad[nextBad].record <= row) ++row, ++nextBad;
            if (row % 8192 == 0)
                progress.update(total > 0 ? static_cast<double>(row) / static_cast<double>(total) : 0.0,
                                std::to_string(row) + " rows");
            settle(parse(OgrRowValues(*feature), pl), row, [&](RejectedRow& r) {
                if (skipUnused) {
                    rejectedFids.push_back(feature->GetFID());
                } else {
                    r.values.reserve(keptFields.size());
                    for (int f : keptFields)
                        r.values.push_back(feature->IsFieldSetAndNotNull(f) ? toUtf8(feature->GetFieldAsString(f)) : "");
                }
                if (fromGeometry) {
                    if (const OGRGeometry* g = feature->GetGeometryRef()) {
                        char* wkt = nullptr;
                        g->exportToWkt(&wkt);
                        r.sourceWkt = wkt ? wkt : "";
                        CPLFree(wkt);
                    }
                }
            });
        }
        set.rowsSha256 = rows.hex();
    }
    if (skipUnused) {
        layer->SetIgnoredFields(nullptr);
        for (std::size_t k = 0; k < rejectedFids.size(); ++k) {
            OGRFeatureUniquePtr feature(layer->GetFeature(rejectedFids[k]));
            auto& values = set.rejected[k].values;
            for (int f : keptFields)
                values.push_back(feature && feature->IsFieldSetAndNotNull(f) ? toUtf8(feature->GetFieldAsString(f)) : "");
        }
    }
    if (scan) {
        // Every record of the file is GDAL's row or a rejected one: anything else would lose rows.
        const std::int64_t expected = scan->records - static_cast<std::int64_t>(scan->bad.size());
        if (gdalRows != expected)
            throw InputError(fmt::format(
                "{}: GDAL's CSV reader gave {} rows of '{}' where the file holds {} readable records (and {} "
                "unreadable ones); rather than lose rows the run stops. Check the file's quotes and line breaks",
                what, gdalRows, spec.path, expected, scan->bad.size()));
        for (const auto& b : scan->bad) {
            RejectedRow r;
            r.row = b.record;
            r.reason = b.reason;
            r.detail = b.detail;
            for (int f : keptFields)
                r.values.push_back(static_cast<std::size_t>(f) < b.values.size() ? b.values[static_cast<std::size_t>(f)] : "");
            set.rejected.push_back(std::move(r));
        }
        std::stable_sort(set.rejected.begin(), set.rejected.end(),
                         [](const RejectedRow& a, const RejectedRow& b) { return a.row < b.row; });
        row = scan->records;
        set.physicalRecords = scan->records;
    }
    set.rowsRead = row;
    set.firstTime = firstIso;
    set.lastTime = lastIso;
    set.atMidnight = onTheHour[0];
    noteTimePrecision(set, onTheHour);
    if (!errors.lastError().empty() && row == 0)
        throw InputError(what + ": reading '" + spec.path + "' failed: " + errors.lastError());

    // Categories in sorted order, so that output fields do not depend on row order.
    if (!categoryNames.empty()) {
        std::vector<std::int32_t> remap(categoryNames.size());
        std::int32_t k = 0;
        for (const auto& [name, old] : categoryIndex) {
            remap[static_cast<std::size_t>(old)] = k++;
            set.categories.push_back(name);
        }
        for (auto& c : set.category)
            if (c >= 0) c = remap[static_cast<std::size_t>(c)];
    }
    progress.update(1.0, std::to_string(row) + " rows");
    return set;
}

} // namespace trygg::io
