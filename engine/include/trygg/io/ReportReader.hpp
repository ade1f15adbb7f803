#pragma once
// Reading geocoded reports (incidents) from CSV, XLSX or any GDAL point layer, with every row
// either accepted or rejected with its reason.
#include "trygg/core/Progress.hpp"
#include "trygg/io/Values.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace trygg::crs {
class Crs;
}
namespace trygg::geom {
class Area;
}

namespace trygg::io {

enum class RejectReason {
    EmptyGeometry,         // no coordinates or an empty geometry
    UnreadableCoordinate,  // a coordinate that is not a number, or cannot be transformed
    NotAPoint,             // a geometry that is not a point
    SwappedCoordinates,    // lon/lat (or easting/northing) that look swapped
    OutsideStudyArea,      // outside the study area polygon
    OutsideCrsArea,        // without a study area: far outside the analysis CRS's area of use
    UnparseableDate,       // a date-time that cannot be read
    UnreadableWeight,      // a weight that is missing, not a number or negative
    DuplicateId,           // an id seen before on an accepted row
    InvalidValue,          // a value outside its declared range or vocabulary (a score off the scale)
    ImplausibleDate,       // a date outside the plausible range (a year typo such as 1700 or 3024)
    UnreadableRow,         // a row the reader cannot take whole: a broken quote, a NUL byte, an overlong field,
                           // more or fewer fields than the header
    MixedSeparators,       // a CSV row split by another separator than the header (',' against ';')
};
inline constexpr int kRejectReasonCount = 13;

// Stable code written to the output ("outside_study_area").
std::string_view reasonCode(RejectReason reason);
// Plain-language text ("outside the study area").
std::string_view reasonText(RejectReason reason);

// Names of the source's fields; empty means recognised automatically (x, y, time, category, id,
// weight) or absent. The time may take several columns ("Datum", "Klockslag"), joined with a space
// before they are read.
struct FieldMapping {
    std::string x, y;
    std::vector<std::string> time;
    std::string category, id, weight;

    // The time columns as written in messages and metadata: "Datum+Klockslag", "" for none.
    std::string timeText() const;
};

// The plausible range of report dates: a date outside it is a typo, not a report.
struct DateRange {
    std::int64_t fromWall = 0;  // wall seconds; default 1990-01-01
    std::int64_t toWall = 0;    // exclusive; default: a year after the run
    std::string fromText, toText;
    static DateRange defaultFor(std::int64_t nowWall);
};

// A check of a row's extra values: nullopt to accept, or the field at fault and what was found.
struct ValueProblem {
    std::string field;
    std::string detail;
};
using ExtraCheck = std::function<std::optional<ValueProblem>(const std::vector<std::string>& extras)>;

struct ReportSourceSpec {
    std::string path;
    std::string layer;  // empty: the only layer
    std::string crs;    // empty: the layer's CRS, or EPSG:4326 for lon/lat-named columns
    FieldMapping fields;
    // A strptime-style layout of the (joined) time text, such as "%Y %m %d %H %M" or "%d.%m.%Y %H.%M";
    // "" reads ISO 8601, GDAL's date-time text and Excel dates.
    std::string timeFormat;
    std::optional<DateRange> dates;  // nullopt: DateRange::defaultFor(now)
    std::string what = "incidents";  // names the input in messages
    // Further fields whose text is kept for each accepted row (ReportSet::extras), in this order;
    // all must exist. `checkExtras` may reject a row for them (RejectReason::InvalidValue).
    std::vector<std::string> extraFields;
    ExtraCheck checkExtras;
    // Rejected rows keep only the fields Trygg reads, never the others (free text in surveys).
    bool rejectedKeepOnlyMapped = false;
    // A plain CSV file is split by Trygg, in parallel, as GDAL's CSV driver splits it; true reads
    // it through GDAL's driver instead (the tests compare the two).
    bool gdalCsvReader = false;
};

struct RejectedRow {
    std::int64_t row = 0;  // 1-based record number in the source
    RejectReason reason = RejectReason::UnreadableCoordinate;
    std::string field;     // the field at fault, "" when the row as a whole
    std::string detail;    // what was found
    std::vector<std::string> values;  // the row's original values, one per source field
    std::string sourceWkt;  // the source geometry as WKT, when the source has geometries
};

inline constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// Accepted reports as columns, coordinates in the analysis CRS, plus what was rejected.
struct ReportSet {
    std::vector<double> x, y;
    std::vector<std::int32_t> category;  // index into categories, -1 for none; empty without a category field
    std::vector<double> weight;          // empty without a weight field
    std::vector<std::int64_t> timeWallSeconds;  // DateTime::wallSeconds, kNoTime for none; empty without a time field
    // Per report beside timeWallSeconds: 1 when its time has a clock time, 0 for a date alone (its
    // wall seconds are then its midnight, and no hour may be read from it).
    std::vector<char> hasClock;
    std::vector<std::int64_t> row;
    std::vector<std::string> categories;  // sorted
    std::vector<std::vector<std::string>> extras;  // per accepted row, the extraFields' text
    std::vector<RejectedRow> rejected;

    std::vector<std::string> sourceFields;
    std::vector<std::string> rejectedFields;  // the fields whose values rejected rows keep
    std::int64_t rowsRead = 0;
    std::int64_t withoutTime = 0;  // accepted rows whose time field was empty
    std::int64_t withoutClock = 0;  // accepted rows with a date but no clock time
    std::int64_t atMidnight = 0;    // accepted rows whose clock time is exactly 00:00:00
    DateRange dates;                // the plausible range applied
    std::int64_t physicalRecords = -1;  // CSV: the records found in the file itself (-1: not a CSV)
    std::vector<std::string> warnings;  // on the reading as a whole (dates without a clock time ...)
    FieldMapping used;             // the fields used; x and y are "(geometry)" for a point layer
    std::string sourceCrs;         // as declared or found
    std::string path, layer, driver;
    bool splitByTrygg = false;  // a plain CSV file split by Trygg's reader, not GDAL's (same values)
    // From a database (a connection string): the SHA-256 of the rows as read (each row's fields
    // as text and its geometry), since there is no file to checksum; "" for a file.
    std::string rowsSha256;
    std::string firstTime, lastTime;  // ISO 8601 range of accepted times, "" when none

    std::size_t acceptedCount() const { return x.size(); }
    // Whether report i has a clock time, so that its hour may be read.
    bool clockKnown(std::size_t i) const {
        return !timeWallSeconds.empty() && timeWallSeconds[i] != kNoTime && hasClock[i];
    }
    std::int64_t rejectedCount(RejectReason reason) const;
};

// Keeps the accepted reports whose `keep` flag is set, in their order, compacting every per-report
// column in place. Rejected rows and the reading facts stay as they are.
void keepReports(ReportSet& reports, const std::vector<char>& keep);

// Reads the reports of `spec`, transforms them to `analysisCrs` and checks each row. With a
// study area, rows outside it are rejected; rows that would fall inside it with x and y swapped
// are rejected as swapped. Throws InputError when the source cannot be read or has no usable
// coordinate fields; never for a bad row.
ReportSet readReports(const ReportSourceSpec& spec, const crs::Crs& analysisCrs, const geom::Area* studyArea,
                      const Progress& progress);

// The x/y column pair recognised among `fields` (lon/lat, longitude/latitude, x/y, e/n,
// easting/northing, ost/nord ...), case-insensitive; {"", ""} when none. `geographic` tells
// whether the names say lon/lat.
struct CoordinateColumns {
    std::string x, y;
    bool geographic = false;
};
CoordinateColumns recogniseCoordinateColumns(const std::vector<std::string>& fields);

} // namespace trygg::io
