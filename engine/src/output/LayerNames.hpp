#pragma once
// Recognising Trygg's layers by name in a finished GeoPackage, where an analysis may have put its
// own name in front ("natt_hotspot_grid"). Internal to the output module.
#include <string>

namespace trygg::output {

// True when `table` is `base`, or `base` after a prefix that ends in '_'.
inline bool isLayer(const std::string& table, const std::string& base) {
    if (table.size() < base.size() || table.compare(table.size() - base.size(), base.size(), base) != 0) return false;
    return table.size() == base.size() || table[table.size() - base.size() - 1] == '_';
}

} // namespace trygg::output
