#include "CsvScan.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"

#include <cpl_vsi.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>

namespace trygg::io {
namespace {

// Reads a VSI file byte by byte through a buffer, with a position to go back to.
class ByteReader {
public:
    ByteReader(const std::string& path, const std::string& what) : m_path(path) {
        m_fp = VSIFOpenL(path.c_str(), "rb");
        if (!m_fp) throw InputError(what + ": cannot open '" + path + "'");
    }
    ~ByteReader() {
        if (m_fp) VSIFCloseL(m_fp);
    }
    ByteReader(const ByteReader&) = delete;
    ByteReader& operator=(const ByteReader&) = delete;

    bool get(unsigned char& c) {
        if (m_at == m_size && !fill()) return false;
        c = m_buf[m_at++];
        return true;
    }
    bool peek(unsigned char& c) {
        if (m_at == m_size && !fill()) return false;
        c = m_buf[m_at];
        return true;
    }
    std::uint64_t pos() const { return m_bufStart + m_at; }
    // The bytes from `begin` (at most `limit` of them, up to `end`); the position is kept.
    std::string bytes(std::uint64_t begin, std::uint64_t end, std::size_t limit) {
        const std::uint64_t here = pos();
        std::string out(static_cast<std::size_t>(std::min<std::uint64_t>(end - begin, limit)), '\0');
        VSIFSeekL(m_fp, begin, SEEK_SET);
        out.resize(VSIFReadL(out.data(), 1, out.size(), m_fp));
        seek(here);
        return out;
    }
    void seek(std::uint64_t offset) {
        VSIFSeekL(m_fp, offset, SEEK_SET);
        m_bufStart = offset;
        m_at = m_size = 0;
    }

private:
    bool fill() {
        m_bufStart += m_size;
        m_size = VSIFReadL(m_buf.data(), 1, m_buf.size(), m_fp);
        m_at = 0;
        return m_size > 0;
    }
    std::string m_path;
    VSILFILE* m_fp = nullptr;
    std::array<unsigned char, 1 << 16> m_buf{};
    std::size_t m_at = 0, m_size = 0;
    std::uint64_t m_bufStart = 0;
};

constexpr std::array<char, 4> kSeparators = {',', ';', '\t', '|'};
constexpr std::size_t kKeepBytes = 64 * 1024;  // of a bad record, read back for the values it keeps

struct Record {
    std::uint64_t begin = 0, end = 0;
    std::uint64_t firstLineEnd = 0;  // after the first line break inside it; 0 when none
    std::array<std::int64_t, kSeparators.size()> separators{};  // each candidate outside quotes
    std::uint64_t length = 0;  // bytes before the final line break
    bool inQuoteAtEnd = false;  // the file ended inside a quoted part
    bool tooLongInQuote = false;
    bool nul = false;
    bool multiline = false;
    bool blank = true;  // nothing but spaces, tabs and line ends
    bool atEof = false;  // no record: the file had ended
};

// One record as GDAL splits them: a '"' anywhere opens or closes a quoted part; a line break in
// one continues the record. Stops early, inside a quote, once a record passes kMaxCsvRecordBytes
// with a line break in it: a stray quote, not a field.
// `text`, when given, receives the record's bytes without its final line break, a line break
// inside it as "\n" (as GDAL joins the lines of a quoted value).
Record readRecord(ByteReader& in, std::string* text = nullptr) {
    Record r;
    r.begin = in.pos();
    bool inQuote = false;
    unsigned char c = 0;
    bool any = false;
    if (text) text->clear();
    while (in.get(c)) {
        any = true;
        if (c == '\n' || c == '\r') {
            if (c == '\r') {
                unsigned char next = 0;
                if (in.peek(next) && next == '\n') in.get(next);
            }
            if (!inQuote) {
                r.end = in.pos();
                return r;
            }
            if (r.firstLineEnd == 0) r.firstLineEnd = in.pos();
            r.multiline = true;
            ++r.length;
            if (text) text->push_back('\n');
            continue;
        }
        if (text) text->push_back(static_cast<char>(c));
        if (c == '"') {
            inQuote = !inQuote;
        } else if (!inQuote) {
            for (std::size_t k = 0; k < kSeparators.size(); ++k)
                if (c == static_cast<unsigned char>(kSeparators[k])) ++r.separators[k];
        }
        if (c == 0) r.nul = true;
        if (c != ' ' && c != '\t') r.blank = false;
        ++r.length;
        if (inQuote && r.length > kMaxCsvRecordBytes && r.firstLineEnd != 0) {
            r.tooLongInQuote = true;
            r.end = in.pos();
            return r;
        }
    }
    r.atEof = !any;
    r.inQuoteAtEnd = inQuote;
    r.end = in.pos();
    return r;
}

std::size_t separatorIndex(char sep) {
    return static_cast<std::size_t>(std::find(kSeparators.begin(), kSeparators.end(), sep) - kSeparators.begin());
}

std::string separatorName(char sep) {
    switch (sep) {
    case ',': return "','";
    case ';': return "';'";
    case '\t': return "a tab";
    default: return "'|'";
    }
}

// The record's values split at the separator outside quotes, quotes removed, each cut short.
std::vector<std::string> splitValues(const std::string& text, char sep) {
    std::vector<std::string> out(1);
    bool inQuote = false;
    for (char c : text) {
        if (c == '"') {
            inQuote = !inQuote;
            continue;
        }
        if (!inQuote && c == sep) {
            out.emplace_back();
            continue;
        }
        std::string& v = out.back();
        if (v.size() < 200) v += c == '\0' ? ' ' : c;
    }
    for (auto& v : out) {
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
        v = toUtf8(v.c_str());
    }
    return out;
}

// A record's values by CSVSplitLine's rules, on the record as CSVReadParseLine joined its lines.
void splitAsGdal(const std::string& text, char separator, std::vector<std::string>& values) {
    values.assign(1, std::string());
    bool inQuote = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (!inQuote && ch == separator) {
            values.emplace_back();
            continue;
        }
        if (ch == '"') {
            if (!inQuote || i + 1 >= text.size() || text[i + 1] != '"') {
                inQuote = !inQuote;
                continue;
            }
            ++i;  // "" inside a quoted part: one quote
        }
        values.back().push_back(text[i]);
    }
}

} // namespace

const char* gdalSeparatorName(char separator) {
    switch (separator) {
    case ',': return "COMMA";
    case ';': return "SEMICOLON";
    case '\t': return "TAB";
    default: return "";
    }
}

CsvScan scanCsv(const std::string& path, const std::string& what) {
    ByteReader in(path, what);
    CsvScan scan;
    // A UTF-8 byte order mark is skipped, as GDAL does; UTF-16 is not a CSV GDAL reads.
    std::array<unsigned char, 3> bom{};
    std::size_t got = 0;
    for (; got < 3 && in.get(bom[got]); ++got) {
    }
    if (got >= 2 && ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        throw InputError(what + ": '" + path +
                         "' is UTF-16 text (Excel's \"Unicode text\"). Save it as \"CSV UTF-8\" or \"CSV "
                         "(semikolonavgränsad)\" and read that");
    in.seek(got == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF ? 3 : 0);

    std::string headerText;
    Record header = readRecord(in, &headerText);
    while (!header.atEof && header.blank && !header.inQuoteAtEnd) header = readRecord(in, &headerText);
    if (header.atEof) throw InputError(what + ": '" + path + "' holds no header row");
    if (header.inQuoteAtEnd || header.tooLongInQuote || header.multiline)
        throw InputError(what + ": the header row of '" + path +
                         "' has a quote '\"' that is never closed. Fix the first row of the file");
    if (header.nul)
        throw InputError(what + ": the header row of '" + path + "' holds a NUL byte: is it a CSV file at all?");
    // The separator: the candidate found most often in the header (a comma when there is none).
    std::size_t best = 0;
    for (std::size_t k = 1; k < kSeparators.size(); ++k)
        if (header.separators[k] > header.separators[best]) best = k;
    scan.separator = kSeparators[best];
    scan.headerFields = header.separators[best] + 1;
    splitAsGdal(headerText, scan.separator, scan.header);

    std::int64_t record = 0;
    const std::size_t sep = separatorIndex(scan.separator);
    const std::size_t alt = separatorIndex(scan.separator == ';' ? ',' : ';');
    for (;;) {
        Record r = readRecord(in);
        if (r.atEof) break;
        if (r.blank && !r.multiline && !r.inQuoteAtEnd) continue;  // an empty line is no row
        ++record;
        if ((record - 1) % kCsvChunkRecords == 0) scan.chunks.push_back({record, r.begin});
        CsvBadRecord bad;
        bad.record = record;
        bad.begin = r.begin;
        bad.end = r.end;
        const std::int64_t fields = r.separators[sep] + 1;
        const bool brokenQuote =
            r.inQuoteAtEnd || r.tooLongInQuote || (r.multiline && fields != scan.headerFields);
        if (brokenQuote) {
            // The quote is a stray one: the row is its first line alone, and the next row starts
            // on the line after it.
            const std::uint64_t lineEnd = r.firstLineEnd != 0 ? r.firstLineEnd : r.end;
            bad.end = lineEnd;
            const std::string firstLine = in.bytes(r.begin, lineEnd, kKeepBytes);
            bad.detail = "a quote '\"' in this row is never closed within it, so the reader would take the rows "
                         "after it as part of this one";
            bad.values = splitValues(firstLine, scan.separator);
            scan.bad.push_back(std::move(bad));
            in.seek(lineEnd);
            continue;
        }
        if (r.nul) {
            bad.detail = "the row holds a NUL byte (a damaged file, or one saved as UTF-16?)";
        } else if (r.length > kMaxCsvRecordBytes) {
            bad.detail = fmt::format("the row is {} bytes long, more than the {} a report may take", r.length,
                                     kMaxCsvRecordBytes);
        } else if (fields != scan.headerFields) {
            if (r.separators[alt] + 1 == scan.headerFields && r.separators[sep] == 0) {
                bad.reason = RejectReason::MixedSeparators;
                bad.detail = fmt::format("the row is split by {} where the header is split by {}",
                                         separatorName(kSeparators[alt]), separatorName(scan.separator));
            } else {
                bad.detail = fmt::format("the row has {} fields where the header has {} (a {} inside a value "
                                         "without quotes around it?)",
                                         fields, scan.headerFields, separatorName(scan.separator));
            }
        } else {
            continue;
        }
        bad.values = splitValues(in.bytes(r.begin, r.end, kKeepBytes), scan.separator);
        scan.bad.push_back(std::move(bad));
    }
    scan.records = record;
    scan.endOfData = in.pos();
    return scan;
}

void readCsvChunk(const std::string& path, const CsvScan& scan, std::size_t chunk,
                  const std::function<void(std::int64_t number, const std::vector<std::string>& values)>& record) {
    const CsvScan::Chunk& c = scan.chunks.at(chunk);
    const std::int64_t last = chunk + 1 < scan.chunks.size() ? scan.chunks[chunk + 1].firstRecord - 1 : scan.records;
    ByteReader in(path, "reading a CSV chunk");
    in.seek(c.begin);
    auto bad = std::lower_bound(scan.bad.begin(), scan.bad.end(), c.firstRecord,
                                [](const CsvBadRecord& b, std::int64_t n) { return b.record < n; });
    std::string text;
    std::vector<std::string> values;
    for (std::int64_t number = c.firstRecord; number <= last;) {
        if (bad != scan.bad.end() && bad->record == number) {  // passed over, as the scan cut it
            in.seek(bad->end);
            ++bad, ++number;
            continue;
        }
        const Record r = readRecord(in, &text);
        if (r.atEof) throw IoError("'" + path + "' changed while it was read: record " + std::to_string(number) + " is gone");
        if (r.blank && !r.multiline && !r.inQuoteAtEnd) continue;
        splitAsGdal(text, scan.separator, values);
        record(number, values);
        ++number;
    }
}

void copyWithout(const std::string& path, const std::string& copyPath, const std::vector<CsvBadRecord>& bad) {
    VSILFILE* in = VSIFOpenL(path.c_str(), "rb");
    VSILFILE* out = VSIFOpenL(copyPath.c_str(), "wb");
    if (!in || !out) {
        if (in) VSIFCloseL(in);
        if (out) VSIFCloseL(out);
        throw IoError("cannot copy '" + path + "' without its unreadable rows");
    }
    std::vector<char> buf(1 << 16);
    std::uint64_t at = 0;
    auto copyTo = [&](std::uint64_t until) {
        while (at < until) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), until - at));
            const std::size_t n = VSIFReadL(buf.data(), 1, want, in);
            if (n == 0) break;
            VSIFWriteL(buf.data(), 1, n, out);
            at += n;
        }
    };
    for (const auto& b : bad) {
        copyTo(b.begin);
        VSIFSeekL(in, b.end, SEEK_SET);
        at = b.end;
    }
    copyTo(UINT64_MAX);
    VSIFCloseL(in);
    VSIFCloseL(out);
}

} // namespace trygg::io
