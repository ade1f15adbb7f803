#pragma once
// Escaping text for XML and HTML attribute values and content (QGIS styles, the report).
#include <string>

namespace trygg {

// & < > " as entities; everything else, UTF-8 included, unchanged.
std::string escapeXml(const std::string& text);

} // namespace trygg
