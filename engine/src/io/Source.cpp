#include "trygg/io/Source.hpp"

#include <regex>
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

} // namespace trygg::io
