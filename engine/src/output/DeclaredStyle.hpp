#pragma once
// Declared titles and legends into a style (DeclaredStyle.cpp). Internal to the output module.
#include <string>
#include <vector>

namespace trygg::output {

// `qml`, the style of `table` (its columns `fields`), with every declared field's title as its
// alias and every declared class's label in its categorized legend, in English or Swedish.
std::string withDeclarations(const std::string& table, const std::vector<std::string>& fields, const std::string& qml,
                             bool english);

} // namespace trygg::output
