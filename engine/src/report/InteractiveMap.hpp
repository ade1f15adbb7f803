#pragma once
// The report's interactive map: Leaflet (inlined from its npm package at build time) over the
// GeoPackage's layers in WGS 84, with the static maps' colours, a layer switcher and a popup of
// each cell's or area's figures. No tiles and no request leaves the page: the report's Content
// Security Policy forbids any. Internal to the report.
#include <cstddef>
#include <map>
#include <string>

class GDALDataset;

namespace trygg::report {

struct InteractiveText {
    std::string hidden;  // a count publishing mode hid ("dold")
    bool english = false;
    std::string prefix;  // the analysis's layer prefix ("" or "natt_misshandel_")
    // Features the static maps drew, by drawnKey ("table|filter"); nullptr: none known.
    const std::map<std::string, std::size_t>* drawn = nullptr;
};

// The map's <div> and its script (the data inline as GeoJSON); "" when there is nothing to show.
std::string interactiveMap(GDALDataset& ds, const InteractiveText& text);

// Leaflet's style sheet and script, for the page's <head> (once per report).
std::string leafletHead();

} // namespace trygg::report
