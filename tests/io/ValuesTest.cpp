#include "trygg/io/Values.hpp"

#include <catch2/catch.hpp>

using namespace trygg::io;

TEST_CASE("numbers as Swedish Excel writes them", "[io]") {
    CHECK(*parseNumber("55.7942") == Approx(55.7942));
    CHECK(*parseNumber("55,7942") == Approx(55.7942));
    CHECK(*parseNumber(" 6 184 789,5 ") == Approx(6184789.5));
    CHECK(*parseNumber("6\xC2\xA0" "184\xC2\xA0" "789") == Approx(6184789));  // no-break spaces
    CHECK(*parseNumber("\xE2\x88\x92" "12,5") == Approx(-12.5));              // U+2212 minus
    CHECK(*parseNumber("+3") == Approx(3));
    CHECK_FALSE(parseNumber("1.234,5"));  // ambiguous: refused rather than guessed
    CHECK_FALSE(parseNumber("13,11x"));
    CHECK_FALSE(parseNumber(""));
    CHECK_FALSE(parseNumber("nan"));
    CHECK_FALSE(parseNumber("inf"));
}

TEST_CASE("ISO 8601 and GDAL's date-time text", "[io]") {
    auto d = parseDateTime("2024-03-05 21:30");
    REQUIRE(d);
    CHECK(d->toIso() == "2024-03-05T21:30:00");
    CHECK(parseDateTime("2024-03-05T21:30:15")->toIso() == "2024-03-05T21:30:15");
    CHECK(parseDateTime("2024/03/05 21:30:15")->toIso() == "2024-03-05T21:30:15");
    CHECK(parseDateTime("2024-03-05")->toIso() == "2024-03-05");
    CHECK(parseDateTime("2024-03-05T21:30:00Z")->tzFlag == 100);
    CHECK(parseDateTime("2024-03-05T21:30:00+01:00")->toIso() == "2024-03-05T21:30:00+01:00");
    CHECK(parseDateTime("2024-02-29 10:00"));  // a leap day
    CHECK_FALSE(parseDateTime("2023-02-29 10:00"));
    CHECK_FALSE(parseDateTime("2024-13-45 25:00"));
    CHECK_FALSE(parseDateTime("den 4 maj"));
    CHECK_FALSE(parseDateTime("2024-03-05 24:00"));
}

TEST_CASE("Excel serial dates", "[io]") {
    // Excel: =DATE(2024,1,1) is 45292; 0.75 of a day is 18:00. 1900-03-01 is serial 61.
    CHECK(parseDateTime("45292")->toIso() == "2024-01-01");
    CHECK(parseDateTime("45292,75")->toIso() == "2024-01-01T18:00:00");
    CHECK(fromExcelSerial(61)->toIso() == "1900-03-01");
    CHECK_FALSE(parseDateTime("2024"));  // a bare year is not a date in 1905
}

TEST_CASE("wall-clock seconds order date-times", "[io]") {
    CHECK(parseDateTime("1970-01-02")->wallSeconds() == 86400);
    CHECK(parseDateTime("2024-03-05 21:30")->wallSeconds() < parseDateTime("2024-03-05 21:31")->wallSeconds());
}

TEST_CASE("thousands separators in every encoding Trygg reads", "[io]") {
    // The same easting as Swedish Excel writes it: no-break spaces in UTF-8 (C2 A0) and as
    // Windows-1252 or ISO 8859-1 bytes not yet recoded (A0); narrow no-break and thin spaces;
    // apostrophes as in Switzerland, ASCII, U+2019, and Windows-1252's 0x92.
    for (const char* text : {"6 185 318,5", "6\xC2\xA0" "185\xC2\xA0" "318,5", "6\xA0" "185\xA0" "318,5",
                             "6\xE2\x80\xAF" "185\xE2\x80\xAF" "318,5", "6\xE2\x80\x89" "185\xE2\x80\x89" "318,5",
                             "6'185'318.5", "6\xE2\x80\x99" "185\xE2\x80\x99" "318.5", "6\x92" "185\x92" "318.5"}) {
        INFO(text);
        REQUIRE(parseNumber(text));
        CHECK(*parseNumber(text) == 6185318.5);
    }
    // A separator stands between digits: anything else is not a number.
    CHECK_FALSE(parseNumber("'6185318"));
    CHECK_FALSE(parseNumber("6185318'"));
    CHECK_FALSE(parseNumber("6 ,5"));
    CHECK_FALSE(parseNumber("\xA0" "12"));
    CHECK_FALSE(parseNumber("12\xC3\xA0" "5"));  // "12à5": the A0 of a UTF-8 letter is no space
}

TEST_CASE("Swedish clock times and one-digit hours", "[io]") {
    CHECK(parseDateTime("2024-03-05 21.30")->toIso() == "2024-03-05T21:30:00");
    CHECK(parseDateTime("2024-03-05 9:05")->toIso() == "2024-03-05T09:05:00");
    CHECK(parseDateTime("2024-03-05  21:30:15")->toIso() == "2024-03-05T21:30:15");
    CHECK_FALSE(parseDateTime("2024-03-05T21.30"));  // ISO's 'T' takes ':' only
    CHECK_FALSE(parseDateTime("2024-03-05 21.30:15"));
    CHECK_FALSE(parseDateTime("2024-03-05 21"));
}

TEST_CASE("a time read with a strptime layout", "[io]") {
    // Vancouver's open data: YEAR MONTH DAY HOUR MINUTE joined, no leading zeros.
    auto d = parseDateTime("2019 1 5 7 3", "%Y %m %d %H %M");
    REQUIRE(d);
    CHECK(d->toIso() == "2019-01-05T07:03:00");
    CHECK(d->hasTime);
    const auto dateOnly = parseDateTime("05.03.2024", "%d.%m.%Y");
    REQUIRE(dateOnly);
    CHECK_FALSE(dateOnly->hasTime);
    CHECK(dateOnly->toIso() == "2024-03-05");
    CHECK_FALSE(parseDateTime("2019 2 30 7 3", "%Y %m %d %H %M"));  // no 30 February
    CHECK_FALSE(parseDateTime("2019 1 5 7 3 x", "%Y %m %d %H %M"));  // text left over
    CHECK_FALSE(parseDateTime("07:03", "%H:%M"));                    // no date in the layout
}
