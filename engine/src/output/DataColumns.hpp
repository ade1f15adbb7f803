#pragma once
// gpkg_data_columns from the declarations (DataColumns.cpp). Internal to the output module.
#include <string>

namespace trygg::output {

// Describes every declared column of the finished file at `gpkgPath` in gpkg_data_columns:
// name, the title in the project's language (`english` or Swedish); title, in the other;
// description, its role, what it is computed from and its unit. Throws IoError.
void writeDataColumns(const std::string& gpkgPath, bool english);

} // namespace trygg::output
