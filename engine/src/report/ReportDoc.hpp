#pragma once
// What the report's parts share: the GeoPackage, its run_metadata, the language, the basemap, and
// the formatting of numbers in the language (Swedish "1 635" and "0,6 %", English "1,635" and
// "0.6 %"), with "dold"/"hidden" where publishing mode hid a count. Internal to the report.
#include "SvgMap.hpp"

#include "trygg/core/Xml.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

class GDALDataset;
class OGRFeature;
class OGRLayer;

namespace trygg::report {

inline std::string esc(const std::string& s) { return escapeXml(s); }

struct Doc {
    GDALDataset* ds = nullptr;
    std::map<std::string, std::string> md;  // run_metadata
    bool english = false;
    std::string hidden;  // "dold" / "hidden" in publishing mode, else ""
    Basemap base;
    // The coloured features a static map drew, by drawnKey: the interactive map reads its counts
    // here instead of reading a national grid once more to count them.
    std::map<std::string, std::size_t> drawn;

    // The text in the report's language.
    const char* T(const char* sv, const char* en) const { return english ? en : sv; }
    OGRLayer* layer(const std::string& name) const;
    // A run_metadata value; publishing's "hidden" said in the report's language.
    std::string meta(const std::string& key) {
        const std::string& v = md[key];
        return v == "hidden" && !hidden.empty() ? hidden : v;
    }  // nullptr when the file has none; reading reset

    double value(OGRFeature& f, const char* field) const;  // NaN for NULL or no such field
    std::string num(double v) const;                         // a whole number; "–" for NaN
    std::string pct(double share, int decimals = 0) const;   // 0.203 -> "20 %"
    std::string count(OGRFeature& f, const char* field) const;  // a count, or `hidden`
    std::string share(OGRFeature& f, const char* field) const;  // a share as a percentage, or ""
    std::string fixed(OGRFeature& f, const char* field, int decimals) const;
    // A number with `places` decimals in the language ("0,87" / "0.87"); `hidden` or "–" for NaN.
    std::string decimal(double v, int places) const;
    // A text field without its counts: "stöld (337); skadegörelse (265)" -> "stöld, skadegörelse".
    std::string withoutCounts(OGRFeature& f, const char* field) const;
    // An ISO period "2024-01-01/2024-12-31" as a reader says it: "2024", "kv. 3 2024", "mars 2024",
    // "vecka 12 2024".
    std::string period(const std::string& iso) const;
};

// A map's legend: colour swatches with their labels.
std::string legend(const std::vector<std::pair<std::string, std::string>>& items);
// A class field's legend with the labels its layer declares (output/Layers.cpp), highest first.
std::vector<std::pair<std::string, std::string>> classLegend(const std::string& layer, const std::string& field,
                                                             const std::map<int, std::string>& colours, bool english);
// A legend item for an outline.
std::string outlineSwatch(const std::string& colour, const std::string& label);
// The hotspot areas of one kind of `table`, most incidents first, up to `limit`.
std::string areaTable(Doc& d, const std::string& table, const std::string& kind, std::size_t limit);
// The hot spot map of an analysis (`prefix` "" or "natt_misshandel_"), its areas of incidents
// numbered, with its legend.
std::string hotspotMap(Doc& d, const std::string& prefix);

// The parts (Mapping.cpp, Information.cpp, Analysis.cpp).
std::string partMapping(Doc& d);
std::string partInformation(Doc& d);
std::string partAnalysis(Doc& d);
// Part 1.5, darkness (Darkness.cpp): "" without light_by_month.
std::string darknessSection(Doc& d);
// Part 1.6, near repeats (NearRepeat.cpp): "" without near_repeat.
std::string nearRepeatSection(Doc& d);
// Part 1.7, how well the map predicts (MapAccuracy.cpp): "" without map_accuracy.
std::string mapAccuracySection(Doc& d);
// Part 3.2, contributing factors (RiskTerrain.cpp): the risk terrain, colocation and the hot spot
// maps compared; "" without any of them.
std::string riskSection(Doc& d);
// Its colocation and comparison tables (Relations.cpp): "" without their tables.
std::string colocationPart(Doc& d);
std::string comparisonPart(Doc& d);
// A further analysis ([analyses.NAME]): its hot spots, areas and problems.
std::string furtherAnalysis(Doc& d, const std::string& name);

} // namespace trygg::report
