#include "trygg/io/ReportReader.hpp"
#include "trygg/io/Source.hpp"

#include "trygg/core/Error.hpp"
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

ReportSet readReports(const ReportSourceSpec& spec, const crs::Crs& analysisCrs, const geom::Area* studyArea,
                      const Progress& progress) {
    // A CSV file is scanned first, so that the rows GDAL's reader cannot take whole are rejected
    // with their reason instead of lost; GDAL then reads the file without them.
    std::optional<CsvScan> scan;
    std::string readPath = spec.path;
    std::vector<std::pair<std::string, std::string>> openOptions;
    if (isCsvPath(spec.path)) {
        requireReadableFile(spec.path, spec.what);
        // A gzipped CSV is read through GDAL's /vsigzip/, which its CSV driver needs.
        if (lowerExtension(spec.path) == ".gz" && spec.path.rfind("/vsi", 0) != 0) readPath = "/vsigzip/" + spec.path;
        scan = scanCsv(readPath, spec.what);
        if (const char* name = gdalSeparatorName(scan->separator); *name) openOptions.emplace_back("SEPARATOR", name);
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
    crs::Transformer toAnalysis(*sourceCrs, analysisCrs);

    // Without a study area, rows far outside the analysis CRS's area of use are refused: a (0, 0)
    // or a swapped pair would otherwise stretch the grid over half the globe.
    std::optional<crs::LonLatBounds> domain;
    std::unique_ptr<crs::Transformer> toLonLat;
    std::optional<crs::Transformer::Box> domainInSource;  // the same domain in source coordinates
    // (A geographic target, used only to find the data's centre, covers the globe: no domain.)
    if (!studyArea && !analysisCrs.isGeographic()) {
        domain = analysisCrs.areaOfUse();
        if (domain) {
            constexpr double kMarginDeg = 5.0;
            domain->west = std::max(-180.0, domain->west - kMarginDeg);
            domain->south = std::max(-90.0, domain->south - kMarginDeg);
            domain->east = std::min(180.0, domain->east + kMarginDeg);
            domain->north = std::min(90.0, domain->north + kMarginDeg);
            const crs::Crs lonLat = crs::Crs::fromUserInput("OGC:CRS84");
            toLonLat = std::make_unique<crs::Transformer>(*sourceCrs, lonLat);
            // The domain is the bounding box, in source coordinates, of the grown area of use: one
            // comparison per row instead of a transformation (per-row lon/lat only where PROJ cannot
            // transform the box).
            domainInSource = crs::Transformer(lonLat, *sourceCrs)
                                 .transformBounds({domain->west, domain->south, domain->east, domain->north});
        }
    }
    // Tests whether a source coordinate lands in the study area (or domain); fills the analysis
    // coordinate. Returns false when it does not, or cannot be transformed.
    auto lands = [&](double sx, double sy, double& ax, double& ay) {
        ax = sx;
        ay = sy;
        if (!toAnalysis.transform(ax, ay)) return false;
        if (studyArea) return studyArea->coversPoint(ax, ay);
        if (domain) {
            if (domainInSource) {
                const auto& b = *domainInSource;
                return sx >= b.minX && sx <= b.maxX && sy >= b.minY && sy <= b.maxY;
            }
            double lon = sx, lat = sy;
            if (!toLonLat->transform(lon, lat)) return false;
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
    const GIntBig total = layer->GetFeatureCount(FALSE);
    layer->ResetReading();
    GdalErrorScope errors;
    std::int64_t row = 0;
    std::size_t nextBad = 0;  // the first bad record not yet passed
    std::int64_t gdalRows = 0;
    RowDigest rows(spec.path);
    for (auto& feature : *layer) {
        ++row;
        ++gdalRows;
        rows.add(*feature);
        if (scan)  // the record's number in the file, counting the rows cut out before it
            while (nextBad < scan->bad.size() && scan->bad[nextBad].record <= row) ++row, ++nextBad;
        if (row % 8192 == 0)
            progress.update(total > 0 ? static_cast<double>(row) / static_cast<double>(total) : 0.0,
                            std::to_string(row) + " rows");
        auto reject = [&](RejectReason reason, std::string field, std::string detail) {
            RejectedRow r;
            r.row = row;
            r.reason = reason;
            r.field = std::move(field);
            r.detail = std::move(detail);
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
            set.rejected.push_back(std::move(r));
        };

        // Coordinates.
        double sx = 0, sy = 0;
        if (fromGeometry) {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (!g || g->IsEmpty()) {
                reject(RejectReason::EmptyGeometry, "", "the geometry is empty");
                continue;
            }
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbPoint) {
                const auto* p = g->toPoint();
                sx = p->getX();
                sy = p->getY();
            } else if (type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1) {
                const auto* p = g->toMultiPoint()->getGeometryRef(0);
                sx = p->getX();
                sy = p->getY();
            } else {
                reject(RejectReason::NotAPoint, "", std::string("a ") + OGRGeometryTypeToName(g->getGeometryType()));
                continue;
            }
        } else {
            const std::string xs = feature->IsFieldSetAndNotNull(xi) ? feature->GetFieldAsString(xi) : "";
            const std::string ys = feature->IsFieldSetAndNotNull(yi) ? feature->GetFieldAsString(yi) : "";
            if (trimmed(xs).empty() && trimmed(ys).empty()) {
                reject(RejectReason::EmptyGeometry, fields[xi] + "," + fields[yi], "both coordinates are empty");
                continue;
            }
            const auto px = parseNumber(xs);
            const auto py = parseNumber(ys);
            if (!px) {
                reject(RejectReason::UnreadableCoordinate, fields[xi], "'" + toUtf8(xs.c_str()) + "' is not a number");
                continue;
            }
            if (!py) {
                reject(RejectReason::UnreadableCoordinate, fields[yi], "'" + toUtf8(ys.c_str()) + "' is not a number");
                continue;
            }
            sx = *px;
            sy = *py;
        }
        const std::string coordFields = fromGeometry ? std::string() : fields[xi] + "," + fields[yi];
        double ax = 0, ay = 0;
        if (!lands(sx, sy, ax, ay)) {
            double bx = 0, by = 0;
            if (lands(sy, sx, bx, by)) {
                reject(RejectReason::SwappedCoordinates, coordFields,
                       "the point falls inside " + std::string(studyArea ? "the study area" : "the CRS's area") +
                           " only with x and y swapped");
                continue;
            }
            double tx = sx, ty = sy;
            if (!toAnalysis.transform(tx, ty)) {
                reject(RejectReason::UnreadableCoordinate, coordFields,
                       "cannot be transformed from " + set.sourceCrs + " to " + analysisCrs.userInput());
            } else if (studyArea) {
                reject(RejectReason::OutsideStudyArea, coordFields, "");
            } else {
                reject(RejectReason::OutsideCrsArea, coordFields,
                       "outside the area of use of " + analysisCrs.userInput() + " grown by 5 degrees");
            }
            continue;
        }

        // Date-time.
        std::int64_t wall = kNoTime;
        bool clock = false;
        std::optional<DateTime> when;  // written out only for the first and the last report
        if (ti >= 0) {
            std::optional<DateTime> dt;
            std::string text;  // the time as read, for messages
            const OGRFieldType ft = defn->GetFieldDefn(ti)->GetType();
            if (timeIndex.size() == 1 && spec.timeFormat.empty() && (ft == OFTDate || ft == OFTDateTime)) {
                int y, m, d, h, mi, tz;
                float sec;
                if (feature->IsFieldSetAndNotNull(ti) && feature->GetFieldAsDateTime(ti, &y, &m, &d, &h, &mi, &sec, &tz)) {
                    dt = DateTime{y, m, d, h, mi, sec, tz, ft == OFTDateTime};
                    text = feature->GetFieldAsString(ti);
                }
            } else {
                for (int f : timeIndex) {
                    const std::string part = feature->IsFieldSetAndNotNull(f) ? trimmed(feature->GetFieldAsString(f)) : "";
                    if (part.empty()) continue;
                    text += (text.empty() ? "" : " ") + part;
                }
                if (!text.empty()) {
                    dt = spec.timeFormat.empty() ? parseDateTime(text) : parseDateTime(text, spec.timeFormat);
                    if (!dt) {
                        // Appended piecewise: GCC 12 warns falsely on "literal" + string here (PR 105329).
                        std::string detail = "'";
                        detail += toUtf8(text.c_str());
                        if (spec.timeFormat.empty()) {
                            detail += "' is not a date (use ISO 8601 such as 2024-03-05 21:30, or an Excel date; "
                                      "for another layout give time_format, such as \"%d/%m/%Y %H:%M\")";
                        } else {
                            detail += "' does not match time_format \"";
                            detail += spec.timeFormat;
                            detail += "\"";
                        }
                        reject(RejectReason::UnparseableDate, timeFieldsText, std::move(detail));
                        continue;
                    }
                }
            }
            if (dt) {
                wall = dt->wallSeconds();
                if (wall < dates.fromWall || wall >= dates.toWall) {
                    std::string detail = "'";
                    detail += toUtf8(text.c_str());
                    detail += "' lies outside the plausible dates ";
                    detail += dates.fromText;
                    detail += " to ";
                    detail += dates.toText;
                    detail += " (a typo in the year?); widen them with earliest_date and latest_date";
                    reject(RejectReason::ImplausibleDate, timeFieldsText, std::move(detail));
                    continue;
                }
                clock = dt->hasTime;
                when = dt;
            }
        }

        // Weight.
        double weight = 1.0;
        if (wi >= 0) {
            const std::string text = feature->IsFieldSetAndNotNull(wi) ? feature->GetFieldAsString(wi) : "";
            const auto w = parseNumber(text);
            if (!w || *w < 0) {
                reject(RejectReason::UnreadableWeight, fields[wi],
                       "'" + toUtf8(text.c_str()) + "' is not a non-negative number");
                continue;
            }
            weight = *w;
        }

        // Extra values and their check.
        std::vector<std::string> extras;
        if (!extraIndex.empty()) {
            for (int f : extraIndex)
                extras.push_back(feature->IsFieldSetAndNotNull(f) ? trimmed(toUtf8(feature->GetFieldAsString(f))) : "");
            if (spec.checkExtras) {
                if (auto problem = spec.checkExtras(extras)) {
                    reject(RejectReason::InvalidValue, problem->field, problem->detail);
                    continue;
                }
            }
        }

        // Duplicate ids, among accepted rows.
        if (ii >= 0 && feature->IsFieldSetAndNotNull(ii)) {
            std::string id = trimmed(toUtf8(feature->GetFieldAsString(ii)));
            if (!id.empty()) {
                auto [it, inserted] = seenIds.emplace(std::move(id), row);
                if (!inserted) {
                    reject(RejectReason::DuplicateId, fields[ii],
                           "id '" + it->first + "' first seen on row " + std::to_string(it->second));
                    continue;
                }
            }
        }

        // Accepted.
        if (!extraIndex.empty()) set.extras.push_back(std::move(extras));
        set.x.push_back(ax);
        set.y.push_back(ay);
        set.row.push_back(row);
        if (wi >= 0) set.weight.push_back(weight);
        if (ti >= 0) {
            set.timeWallSeconds.push_back(wall);
            set.hasClock.push_back(clock ? 1 : 0);
            if (wall == kNoTime) {
                ++set.withoutTime;
            } else {
                if (!clock) {
                    ++set.withoutClock;
                } else {
                    const std::int64_t secondOfDay = ((wall % 86400) + 86400) % 86400;
                    if (secondOfDay % 3600 == 0) ++onTheHour[static_cast<std::size_t>(secondOfDay / 3600)];
                }
                if (firstTime == kNoTime || wall < firstTime) {
                    firstTime = wall;
                    firstIso = when->toIso();
                }
                if (lastTime == kNoTime || wall > lastTime) {
                    lastTime = wall;
                    lastIso = when->toIso();
                }
            }
        }
        if (ci >= 0) {
            std::string cat = feature->IsFieldSetAndNotNull(ci) ? trimmed(toUtf8(feature->GetFieldAsString(ci))) : "";
            if (cat.empty()) {
                set.category.push_back(-1);
            } else {
                auto [it, inserted] = categoryIndex.emplace(cat, static_cast<std::int32_t>(categoryNames.size()));
                if (inserted) categoryNames.push_back(cat);
                set.category.push_back(it->second);
            }
        }
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
    set.rowsSha256 = rows.hex();
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
