#pragma once
// The report's colours, shared by its static and interactive maps, as the GeoPackage's QGIS
// styles draw the same layers. Internal to the report.
#include <map>
#include <string>
#include <vector>

namespace trygg::report {

// Gi_Bin, change_bin: ArcGIS Pro's hot spot colours, 3 .. -3 ("none": not drawn).
inline const std::map<int, std::string>& binColours() {
    static const std::map<int, std::string> m = {{3, "#d73027"},  {2, "#f46d43"},  {1, "#fdae61"}, {0, "none"},
                                                 {-1, "#abd9e9"}, {-2, "#74add1"}, {-3, "#4575b4"}};
    return m;
}

// emerging_hotspots.pattern, -8 .. 8.
inline const std::map<int, std::string>& emergingColours() {
    static const std::map<int, std::string> m = {
        {1, "#ffcdaa"},  {2, "#faa06e"},  {3, "#a00000"},  {4, "#d73027"},  {5, "#f46d43"},  {6, "#ff8c00"},
        {7, "#c85aa0"},  {8, "#966e5a"},  {-1, "#c8e1f5"}, {-2, "#96c8eb"}, {-3, "#0a3282"}, {-4, "#4575b4"},
        {-5, "#74add1"}, {-6, "#0096c8"}, {-7, "#786ec8"}, {-8, "#6e828c"}};
    return m;
}

// perception_grid.fear_crime_class: both, perceived only, incidents only (a 2 x 2 bivariate
// palette's corners); neither and too little data are not drawn.
inline const std::map<int, std::string>& fearCrimeColours() {
    static const std::map<int, std::string> m = {{1, "#6e288c"}, {2, "#5a96d2"}, {3, "#d73c32"}, {4, "none"}, {0, "none"}};
    return m;
}

// A sequential ramp (light to dark red) for rates and densities.
inline const std::vector<std::string>& rampColours() {
    static const std::vector<std::string> v = {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"};
    return v;
}

inline constexpr const char* kAreaOutline = "#78001e";
inline constexpr const char* kPerceptionOutline = "#4b2a7b";

} // namespace trygg::report
