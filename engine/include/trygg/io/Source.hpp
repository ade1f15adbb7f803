#pragma once
// Where an input comes from: a file, or a GDAL connection string to a database ("PG:dbname=...
// host=...", "postgresql://user@host/db"). A connection string is neither resolved against the
// config's folder nor checked as a file; its password never reaches a message, run_metadata or
// the report: every text that may hold one goes through redactPasswords. (Credentials belong in
// the environment, PGPASSWORD, or ~/.pgpass, as libpq reads them.)
#include <string>

namespace trygg::io {

// Whether `path` is a GDAL connection string to a database rather than a file: "PG:",
// "postgresql://" or "postgres://" (not "/vsi..." paths, which are files).
bool isConnectionString(const std::string& path);

// `text` with every password in it replaced by "***": password=... (bare or quoted) in a
// connection string, and user:password@ in a URI.
std::string redactPasswords(const std::string& text);

// What identifies a database source in run_metadata: the driver's prefix and the host, port,
// database, user and schemas given, without the password ("PG: host=/tmp/x dbname=trygg").
std::string describeConnection(const std::string& path);

// libpq's message on one line, without the password: "PQconnectdb failed.\nconnection to server
// ... failed: ...\n\tIs the server running ...?" -> "connection to server ... failed: ...; Is the
// server running ...?".
std::string connectionError(const std::string& gdalMessage);

// Where the connection goes, as libpq's keywords (host, hostaddr, port, dbname, user, service,
// sslmode; "host='/tmp/x' dbname='trygg'"), for another program to connect as Trygg did: QGIS's
// layer sources, which find the password where libpq does. Never the password. Parsed by libpq
// itself, URIs included. Throws InputError when libpq cannot parse it.
std::string libpqConninfo(const std::string& connection);

} // namespace trygg::io
