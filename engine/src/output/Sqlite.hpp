#pragma once
// A small RAII wrapper over SQLite for the few things GDAL's API does not do in a GeoPackage: the
// bulk-loaded spatial index and the stored QGIS project. Internal to the output module.
#include "trygg/core/Error.hpp"

#include <sqlite3.h>

#include <memory>
#include <string>

namespace trygg::output::sqlite {

struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The settings of a file that is still the run's temporary output (removed if the run fails, synced
// once before it is moved into place): the rollback journal in memory, no sync per commit.
inline constexpr const char* kScratchPragmas = "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF";

// An open database; every failure throws IoError starting with `context` ("output.gpkg: spatial index").
class Db {
public:
    enum class Kind { Durable, Scratch };  // Scratch: the run's temporary output (kScratchPragmas)
    Db(const std::string& path, std::string context, Kind kind = Kind::Durable) : m_context(std::move(context)) {
        sqlite3* db = nullptr;
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close(db);
            throw IoError(m_context + ": cannot open '" + path + "': " + msg);
        }
        m_db.reset(db);
        if (kind == Kind::Scratch) exec(kScratchPragmas);
    }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : "";
            sqlite3_free(err);
            throw IoError(m_context + ": '" + sql.substr(0, 120) + "' failed: " + msg);
        }
    }
    StmtPtr prepare(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw IoError(m_context + ": cannot prepare '" + sql + "': " + sqlite3_errmsg(m_db.get()));
        return StmtPtr(s);
    }
    // Runs a statement that returns no rows (or whose rows are not wanted), then resets it.
    void step(sqlite3_stmt* s) {
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw IoError(m_context + ": " + sqlite3_errmsg(m_db.get()));
        sqlite3_reset(s);
    }
    // Steps a query: true while there is a row.
    bool row(sqlite3_stmt* s) {
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) throw IoError(m_context + ": " + sqlite3_errmsg(m_db.get()));
        return false;
    }
    bool hasTable(const std::string& name) {
        StmtPtr s = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
        sqlite3_bind_text(s.get(), 1, name.c_str(), -1, SQLITE_TRANSIENT);
        return row(s.get());
    }
    sqlite3* get() { return m_db.get(); }

private:
    struct DbCloser {
        void operator()(sqlite3* db) const { sqlite3_close(db); }
    };
    std::string m_context;
    std::unique_ptr<sqlite3, DbCloser> m_db;
};

// A column's text, or "" when NULL.
inline std::string text(sqlite3_stmt* s, int col) {
    const unsigned char* t = sqlite3_column_text(s, col);
    return t ? reinterpret_cast<const char*>(t) : std::string();
}

// "name" quoted as an SQL identifier.
inline std::string quoteId(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace trygg::output::sqlite
