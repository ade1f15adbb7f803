#pragma once
// A pass over a CSV file of its own, before GDAL reads it, so that every record is accounted for.
// GDAL's CSV reader takes a stray quote as the start of a field that runs on to the next quote
// (swallowing the rows between), cuts a row at a NUL byte, and stops at an overlong line; none of
// that is reported per row. The scan finds the records as GDAL splits them (any '"' opens or
// closes a quoted part, a line break inside one continues the record), checks each, and gives the
// ones GDAL must not see, so that the reader can reject them with their row and reason and give
// GDAL the file without them.
#include "trygg/io/ReportReader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace trygg::io {

struct CsvBadRecord {
    std::int64_t record = 0;  // 1-based data record (the header is not counted)
    RejectReason reason = RejectReason::UnreadableRow;
    std::string detail;
    std::vector<std::string> values;  // the record split at the separator, each value cut to 200 bytes
    std::uint64_t begin = 0, end = 0;  // its bytes in the file, line break included
};

struct CsvScan {
    char separator = ',';
    std::int64_t headerFields = 0;
    std::int64_t records = 0;  // data records found, the bad ones included; blank lines are none
    std::vector<CsvBadRecord> bad;
};

// The longest record Trygg reads; a longer one is rejected (no report needs a megabyte).
inline constexpr std::uint64_t kMaxCsvRecordBytes = 1u << 20;

// Scans `path` (any path GDAL's VSI opens). Throws InputError when the header itself is broken.
CsvScan scanCsv(const std::string& path, const std::string& what);

// Copies `path` to `copyPath` without the bad records' bytes.
void copyWithout(const std::string& path, const std::string& copyPath, const std::vector<CsvBadRecord>& bad);

// The open option value GDAL's CSV driver takes for `separator` ("COMMA" ...), "" for none.
const char* gdalSeparatorName(char separator);

} // namespace trygg::io
