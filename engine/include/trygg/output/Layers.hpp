#pragma once
// The layers Trygg writes, declared: every field with its role and its title in Swedish and
// English. Publishing mode works from the roles (what is a count, what is computed from which
// counts, what could give counts back), so a field is published safely because it is declared,
// not because a second list remembers it; a test walks every layer of the sample run and fails
// on a field without a declaration.
//
// Fields may be patterns with '*' (n_* for the categories, the overlays' <name>_<measure>_<class>).
// Within a layer the first declaration that matches a field wins: exact names before patterns.
#include <string>
#include <vector>

namespace trygg::output {

enum class Role {
    Key,             // names the row: cell_id, area_id, category
    Count,           // a count of reports: hidden from 1 to min_count when publishing
    Derived,         // computed from counts (`from`): hidden with any of them
    Statistic,       // a statistic of the reports; `dropWhenPublishing` where counts could be solved back
    Class,           // a class planners read (Gi_Bin, COType, pattern): published
    Label,           // a name or a text without counts
    TextWithCounts,  // a text holding counts ("stöld (337)"): its counts dropped when publishing
    Context,         // a fact not from the reports (area, residents, street lights, survey indices)
};

const char* toString(Role role);

// One value of a Class field as a legend shows it ("3": "Hot spot, 99 % säkerhet").
struct ClassLabel {
    std::string value, sv, en;
};

struct FieldSpec {
    std::string name;  // or a pattern with '*'
    Role role = Role::Label;
    std::string sv, en;                 // titles
    std::string unit = {};              // "km²", "m", "per 1 000 invånare" ...
    std::vector<std::string> from = {};  // Derived, TextWithCounts: the counts it is computed from
    bool dropWhenPublishing = false;     // dropped in publishing mode (a statistic, or counts too fine to publish)
    std::vector<ClassLabel> classes = {};  // Class: its values' labels, for legends (styles, report)
    // Count: a part of another count of the row (dark_n of n) rather than of the row's total: the
    // parts of one count and an unpublished rest (reports without a clock time) make it. A part
    // that overlaps the others names its own partition after a '|' ("test_incidents|best").
    std::string partOf = {};
};

// Where a layer goes in the QGIS project's tree (QgisProject.cpp names the groups).
enum class ProjectGroup { HotSpots, Perception, Measures, Time, Density, Areas, Map, Tables, Other };

struct LayerSpec {
    std::string name;      // the base name; a further analysis writes <analysis>_<name>; "context_*" a pattern
    std::string geometry;  // "polygon", "multipolygon", "none", "raster", "any" ...
    std::vector<FieldSpec> fields;
    // How its counts add up, for publishing (output/Disclosure.hpp):
    std::string rowTotal = {};       // a count that is the sum of the row's other counts
    bool columnTotals = true;        // each count's sum over the rows is taken as published
    bool hotTimes = false;           // weekday rows in blocks per area (hot_times)
    std::string key = {};            // names a row the same way in every analysis (fields joined by ',')
    std::string id = {};             // names a row within its analysis (hotspot areas)
    std::string groupBy = {};        // rows whose counts add up to another table's row
    std::vector<std::string> groupDerived = {};  // computed from every count of a groupBy group
    // How the QGIS project shows it (set by Layers.cpp after the fields, see `present`): its title
    // in Swedish and English ("" for context layers, which keep their source layer's name), its
    // group, its place in the tree (smaller is higher, drawn on top) and whether it is on.
    std::string titleSv = {}, titleEn = {};
    ProjectGroup group = ProjectGroup::Other;
    int rank = 0;
    bool visible = false;
};

// Every layer and table Trygg writes, rasters too (without fields).
const std::vector<LayerSpec>& declaredLayers();

// The declaration of `table` ("natt_hotspot_grid" is hotspot_grid), or nullptr.
const LayerSpec* layerOf(const std::string& table);
// The declaration of `field` in `layer`: the first that matches, or nullptr.
const FieldSpec* fieldOf(const LayerSpec& layer, const std::string& field);
// The title of `field` of `layer` in Swedish or English (the field's name when not declared).
std::string fieldTitle(const std::string& layer, const std::string& field, bool english);
// The label of `value` of the Class field `field` of `layer` in Swedish or English (the value
// itself when it is not declared).
std::string classLabel(const std::string& layer, const std::string& field, const std::string& value, bool english);

// A TextWithCounts value without its counts: "stöld (337); skadegörelse (265)" reads
// "stöld; skadegörelse", or with `separator` ", " "stöld, skadegörelse".
std::string dropTextCounts(const std::string& text, const std::string& separator = "; ");

// True when `name` matches `pattern` ('*' matches any run of characters, also none).
bool matches(const std::string& pattern, const std::string& name);

} // namespace trygg::output
