#include "trygg/io/Source.hpp"

#include "trygg/core/Error.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>
#include <set>
#include <sstream>

namespace trygg::io {

bool isConnectionString(const std::string& path) {
    for (const char* prefix : {"PG:", "pg:", "postgresql://", "postgres://"})
        if (path.rfind(prefix, 0) == 0) return true;
    return false;
}

std::string redactPasswords(const std::string& text) {
    // password = 'it''s', password=secret; URIs' user:secret@host.
    static const std::regex quoted(R"((password\s*=\s*)'(?:[^'\\]|\\.|'')*')", std::regex::icase);
    static const std::regex doubleQuoted(R"re((password\s*=\s*)"[^"]*")re", std::regex::icase);
    static const std::regex bare(R"((password\s*=\s*)[^\s'"]+)", std::regex::icase);
    static const std::regex uri(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    std::string out = std::regex_replace(text, quoted, "$1***");
    out = std::regex_replace(out, doubleQuoted, "$1***");
    out = std::regex_replace(out, bare, "$1***");
    return std::regex_replace(out, uri, "$1***@");
}

std::string describeConnection(const std::string& path) {
    if (!isConnectionString(path)) return path;
    if (path.rfind("PG:", 0) != 0 && path.rfind("pg:", 0) != 0) {
        // A URI: its query may hold a password too.
        static const std::regex query(R"([?&]password=[^&]*)", std::regex::icase);
        return redactPasswords(std::regex_replace(path, query, ""));
    }
    // The keys that say where the data are; the rest (password, sslkey ...) left out.
    static const std::regex pair(R"((\w+)\s*=\s*('(?:[^'\\]|\\.|'')*'|[^\s]+))");
    std::string out = "PG:";
    const std::string body = path.substr(3);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), pair); it != std::sregex_iterator(); ++it) {
        const std::string key = (*it)[1];
        if (key == "host" || key == "hostaddr" || key == "port" || key == "dbname" || key == "user" || key == "schemas" ||
            key == "active_schema" || key == "tables" || key == "service")
            out += " " + key + "=" + std::string((*it)[2]);
    }
    return out;
}

std::string connectionError(const std::string& gdalMessage) {
    std::string text = redactPasswords(gdalMessage);
    const std::string prefix = "PQconnectdb failed.";
    if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    std::string out;
    std::size_t at = 0;
    while (at <= text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(at, end - at);
        const auto first = line.find_first_not_of(" \t\r");
        const auto last = line.find_last_not_of(" \t\r.");
        if (first != std::string::npos && last != std::string::npos && last >= first)
            out += (out.empty() ? "" : "; ") + line.substr(first, last - first + 1);
        at = end + 1;
    }
    return out;
}

std::string libpqConninfo(const std::string& connection) {
    std::string body = connection;
    if (body.rfind("PG:", 0) == 0 || body.rfind("pg:", 0) == 0) {
        body = body.substr(3);
        // GDAL's keys, which libpq does not know.
        static const std::regex gdalKeys(R"(\b(schemas|active_schema|tables|list_all_tables)\s*=\s*('(?:[^'\\]|\\.|'')*'|[^\s]+))",
                                         std::regex::icase);
        body = std::regex_replace(body, gdalKeys, "");
    }
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(body.c_str(), &error),
                                                                            PQconninfoFree);
    if (!options) {
        const std::string why = error ? error : "out of memory";
        PQfreemem(error);
        throw InputError("the connection '" + describeConnection(connection) + "' cannot be read: " + redactPasswords(why));
    }
    std::string out;
    for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
        static const std::set<std::string> where{"host", "hostaddr", "port", "dbname", "user", "service", "sslmode"};
        if (!o->val || !where.count(o->keyword) || std::string(o->dispchar) == "*") continue;
        std::string value;
        for (const char* c = o->val; *c; ++c) {
            if (*c == '\\' || *c == '\'') value += '\\';
            value += *c;
        }
        if (!out.empty()) out += ' ';
        out.append(o->keyword).append("='").append(value).append("'");
    }
    return out;
}

} // namespace trygg::io
