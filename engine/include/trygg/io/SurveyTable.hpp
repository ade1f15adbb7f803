#pragma once
// Per-area survey indices (the police's trygghetsmätning): rows of area id, question, year, index.
#include <cstdint>
#include <string>
#include <vector>

namespace trygg::io {

struct SurveySpec {
    std::string path;
    std::string areaField = "omrade", questionField = "fraga", yearField = "ar", indexField = "index";
};

struct SurveyRow {
    std::string area, question;
    int year = 0;
    double index = 0;
    double change = 0;     // from the same area and question's previous year in the table
    bool hasChange = false;
};

struct SurveyTable {
    std::vector<SurveyRow> rows;  // by area, question, year
    std::int64_t read = 0;
    std::string rowsSha256;  // a database source: its rows as read (io::RowDigest); "" for a file
    std::vector<std::string> rejected;  // "row N: why", for rows that could not be used
};

// Reads the table (CSV, XLSX or any table GDAL reads) and works out each row's change from the
// previous year. Throws InputError when it cannot be read or lacks a field.
SurveyTable readSurveyTable(const SurveySpec& spec);

} // namespace trygg::io
