// Database sources (io/Source.hpp): connection strings told from files, and their passwords kept
// out of every text that may be shown or written.
#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Source.hpp"

#include <catch2/catch.hpp>

using namespace trygg::io;

TEST_CASE("connection strings are told from files", "[io][database]") {
    CHECK(isConnectionString("PG:dbname=trygg host=/tmp/x"));
    CHECK(isConnectionString("postgresql://gis@db.kavlinge.se/karta"));
    CHECK_FALSE(isConnectionString("/vsizip/data/brott.zip/brott.csv"));
    CHECK_FALSE(isConnectionString("C:/data/brott.csv"));
    CHECK_FALSE(isConnectionString("PGdata/brott.csv"));
    CHECK_FALSE(isConnectionString("sample-data/incidents.csv"));
}

TEST_CASE("passwords never leave a connection string", "[io][database]") {
    CHECK(redactPasswords("PG:dbname=trygg password=hemligt host=db") == "PG:dbname=trygg password=*** host=db");
    CHECK(redactPasswords("PG:dbname=trygg password = 'två ord' user=gis") == "PG:dbname=trygg password = *** user=gis");
    CHECK(redactPasswords("PG:PASSWORD='it''s' dbname=x") == "PG:PASSWORD=*** dbname=x");
    CHECK(redactPasswords("postgresql://gis:hemligt@db.kavlinge.se:5432/karta") == "postgresql://gis:***@db.kavlinge.se:5432/karta");
    CHECK(redactPasswords("incidents: cannot read 'brott.csv'") == "incidents: cannot read 'brott.csv'");
    // In run_metadata: where the data are, nothing else.
    CHECK(describeConnection("PG:host=/tmp/s port=5433 dbname=trygg user=gis password=hemligt sslmode=require") ==
          "PG: host=/tmp/s port=5433 dbname=trygg user=gis");
    CHECK(describeConnection("postgresql://gis:hemligt@db/karta?sslmode=require&password=x") ==
          "postgresql://gis:***@db/karta?sslmode=require");
    for (const std::string& s : {describeConnection("PG:password=hemligt dbname=x"), redactPasswords("PG:password=\"hemligt\"")})
        CHECK(s.find("hemligt") == std::string::npos);
}

TEST_CASE("a layer name that is a query", "[io][database]") {
    CHECK(isSqlQuery("SELECT * FROM brott"));
    CHECK(isSqlQuery("  with x as (select 1) select * from x"));
    CHECK_FALSE(isSqlQuery("selections"));
    CHECK_FALSE(isSqlQuery("brott"));
    CHECK_FALSE(isSqlQuery("SELECT"));
}

TEST_CASE("a connection for QGIS: where to connect, parsed by libpq, never the password", "[io][database]") {
    // libpq's own parser, so quoting and URIs read as the server's client reads them; GDAL's keys
    // and the password left out.
    CHECK(libpqConninfo("PG:host=/tmp/s port=5433 dbname=trygg user=gis password=hemligt schemas=resultat") ==
          "user='gis' dbname='trygg' host='/tmp/s' port='5433'");
    CHECK(libpqConninfo("PG:dbname='två ord' password='it\\'s' active_schema=x") == "dbname='två ord'");
    CHECK(libpqConninfo("postgresql://gis:hemligt@db.kavlinge.se:5432/karta?sslmode=require") ==
          "user='gis' dbname='karta' host='db.kavlinge.se' port='5432' sslmode='require'");
    CHECK(libpqConninfo("PG:dbname=o\\'brien") == "dbname='o\\'brien'");
    // Unreadable: an error naming the database without the password.
    try {
        libpqConninfo("PG:dbname=x password=hemligt nosuchkey=1");
        FAIL("an unknown key was accepted");
    } catch (const trygg::InputError& e) {
        const std::string what = e.what();
        CHECK(what.find("nosuchkey") != std::string::npos);
        CHECK(what.find("hemligt") == std::string::npos);
    }
}

TEST_CASE("libpq's message on one line, without the password", "[io][database]") {
    // As GDAL 3.6 passes PQerrorMessage on (checked against a real server in scripts/check-postgis).
    CHECK(connectionError("PQconnectdb failed.\ninvalid connection option \"hots\"\n") == "invalid connection option \"hots\"");
    CHECK(connectionError("PQconnectdb failed.\nconnection to server on socket \"/tmp/none/.s.PGSQL.5432\" failed: No such file "
                          "or directory\n\tIs the server running locally and accepting connections on that socket?\n") ==
          "connection to server on socket \"/tmp/none/.s.PGSQL.5432\" failed: No such file or directory; Is the server running "
          "locally and accepting connections on that socket?");
    CHECK(connectionError("PQconnectdb failed.\nFATAL: password authentication failed for user \"gis\" password=hemligt") ==
          "FATAL: password authentication failed for user \"gis\" password=***");
}
