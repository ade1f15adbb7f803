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
#include <functional>
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
    std::vector<std::string> header;  // the header's values, split as the records' are
    std::int64_t records = 0;  // data records found, the bad ones included; blank lines are none
    std::vector<CsvBadRecord> bad;
    // Where every kCsvChunkRecords-th record starts, so that the file can be read in parallel
    // pieces: the record's number (1-based) and its first byte.
    struct Chunk {
        std::int64_t firstRecord = 0;
        std::uint64_t begin = 0;
    };
    std::vector<Chunk> chunks;
    std::uint64_t endOfData = 0;  // the byte after the last record
};

inline constexpr std::int64_t kCsvChunkRecords = 1 << 15;

// The longest record Trygg reads; a longer one is rejected (no report needs a megabyte).
inline constexpr std::uint64_t kMaxCsvRecordBytes = 1u << 20;

// Scans `path` (any path GDAL's VSI opens). Throws InputError when the header itself is broken.
CsvScan scanCsv(const std::string& path, const std::string& what);

// Calls `record(number, values)` for every good record of chunk `chunk` of a file `scan` found,
// in order, with its values split as GDAL's CSV reader splits them (CSVSplitLine: a '"' opens or
// closes a quoted part, "" inside one is a quote, a line break inside one reads as "\n"). The bad
// records are passed over. Safe to call from several threads at once (each opens the file).
void readCsvChunk(const std::string& path, const CsvScan& scan, std::size_t chunk,
                  const std::function<void(std::int64_t number, const std::vector<std::string>& values)>& record);

// Copies `path` to `copyPath` without the bad records' bytes.
void copyWithout(const std::string& path, const std::string& copyPath, const std::vector<CsvBadRecord>& bad);

// The open option value GDAL's CSV driver takes for `separator` ("COMMA" ...), "" for none.
const char* gdalSeparatorName(char separator);

} // namespace trygg::io
