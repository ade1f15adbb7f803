#include "trygg/output/Styles.hpp"

#include "trygg/core/Xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace trygg::output {
namespace {

std::string option(const char* name, const std::string& value) {
    return fmt::format("            <Option name=\"{}\" type=\"QString\" value=\"{}\"/>\n", name, escapeXml(value));
}

// One symbol (`type` fill, line or marker) of one symbol layer of `layerClass`, with its options.
std::string symbolXml(int index, const char* type, const char* layerClass, const std::string& options) {
    return fmt::format("      <symbol type=\"{}\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                       "        <layer class=\"{}\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
                       "          <Option type=\"Map\">\n{}          </Option>\n        </layer>\n      </symbol>\n",
                       type, index, layerClass, options);
}

// A fill symbol: solid `fill` (r,g,b,a) with an outline, or no fill when fill is empty.
std::string fillSymbol(int index, const std::string& fill, const std::string& outline, double outlineWidthMm) {
    return symbolXml(index, "fill", "SimpleFill",
                     option("color", fill.empty() ? "0,0,0,0" : fill) + option("style", fill.empty() ? "no" : "solid") +
                         option("outline_color", outline.empty() ? "0,0,0,0" : outline) +
                         option("outline_style", outline.empty() ? "no" : "solid") +
                         option("outline_width", fmt::format("{}", outlineWidthMm)) +
                         option("outline_width_unit", "MM") + option("joinstyle", "miter"));
}


const char* kHeader = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                      "<qgis version=\"3.22.16-Białowieża\" styleCategories=\"AllStyleCategories\">\n";

// A whole layer drawn with one symbol; `geometryType` as QGIS counts it (0 point, 1 line, 2 polygon).
std::string singleSymbolQml(const std::string& symbol, int geometryType) {
    return std::string(kHeader) +
           "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
           "    <symbols>\n" +
           symbol + fmt::format("    </symbols>\n  </renderer-v2>\n  <layerGeometryType>{}</layerGeometryType>\n</qgis>\n",
                                geometryType);
}

} // namespace

std::string aliasesXml(const std::vector<FieldAlias>& aliases) {
    if (aliases.empty()) return {};
    std::string s = "  <aliases>\n";
    int i = 0;
    for (const auto& a : aliases)
        s += fmt::format("    <alias field=\"{}\" index=\"{}\" name=\"{}\"/>\n", escapeXml(a.field), i++,
                         escapeXml(a.alias));
    s += "  </aliases>\n";
    return s;
}

const std::vector<VerdictColour>& measureVerdictColours() {
    static const std::vector<VerdictColour> v = {{"worked", "#1a9850"},      {"displaced", "#f08c1e"},
                                                 {"worse", "#d73027"},       {"no_effect", "#8c8c8c"},
                                                 {"too_few", "#c2a5cf"},     {"not_evaluable", "#ffffff"}};
    return v;
}

namespace {
std::string rgba(const char* hex, int alpha) {
    const unsigned v = static_cast<unsigned>(std::stoul(std::string(hex + 1), nullptr, 16));
    return std::to_string((v >> 16) & 255) + "," + std::to_string((v >> 8) & 255) + "," + std::to_string(v & 255) + "," +
           std::to_string(alpha);
}
} // namespace

std::string measuresQml(const std::vector<std::string>& labels, bool hiddenClass) {
    std::vector<Category> categories;
    const auto& colours = measureVerdictColours();
    for (std::size_t k = 0; k < colours.size(); ++k)
        categories.push_back({colours[k].code, k < labels.size() ? labels[k] : colours[k].code, rgba(colours[k].hex, 170),
                              "40,40,40,255", 0.4});
    // QGIS's category of the empty value takes every other value, NULL too: a result publishing hid.
    if (hiddenClass)
        categories.push_back({"", colours.size() < labels.size() ? labels[colours.size()] : "hidden",
                              rgba(kHiddenVerdictColour, 170), "40,40,40,255", 0.4});
    return withLabels(categorizedQml("verdict_code", categories), "\"measure_id\"", 8, true, 9);
}

std::string categorizedQml(const std::string& field, const std::vector<Category>& categories) {
    std::string s = kHeader;
    s += fmt::format("  <renderer-v2 type=\"categorizedSymbol\" attr=\"{}\" symbollevels=\"0\" enableorderby=\"0\" "
                     "forceraster=\"0\">\n    <categories>\n",
                     escapeXml(field));
    for (std::size_t i = 0; i < categories.size(); ++i)
        s += fmt::format("      <category value=\"{}\" symbol=\"{}\" label=\"{}\" render=\"{}\"/>\n",
                         escapeXml(categories[i].value), i, escapeXml(categories[i].label),
                         categories[i].render ? "true" : "false");
    s += "    </categories>\n    <symbols>\n";
    for (std::size_t i = 0; i < categories.size(); ++i)
        s += fillSymbol(static_cast<int>(i), categories[i].fill, categories[i].outline, categories[i].outlineWidthMm);
    s += "    </symbols>\n  </renderer-v2>\n";
    s += "  <layerOpacity>0.85</layerOpacity>\n  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
    return s;
}

std::string binClassesQml(const std::string& field, const std::array<std::string, 7>& labels) {
    // ArcGIS Pro's hot spot colours, by bin 3 .. -3; grey for "not significant", as planners know it.
    // Thin white outlines separate significant cells; the grey background of "not significant"
    // cells has none, so large grids do not turn into a hatch.
    static constexpr const char* kColours[7] = {"215,48,39,255",   "244,109,67,255",  "253,174,97,255", "217,217,217,150",
                                                "171,217,233,255", "116,173,209,255", "69,117,180,255"};
    std::vector<Category> categories;
    for (int i = 0; i < 7; ++i)
        categories.push_back({std::to_string(3 - i), labels[static_cast<std::size_t>(i)], kColours[i],
                              i == 3 ? "" : "255,255,255,120"});
    return categorizedQml(field, categories);
}

std::string hotspotGridQml() {
    return binClassesQml("Gi_Bin",
                         {"Hot spot, 99 % confidence", "Hot spot, 95 % confidence", "Hot spot, 90 % confidence",
                          "Not significant", "Cold spot, 90 % confidence", "Cold spot, 95 % confidence",
                          "Cold spot, 99 % confidence"});
}

std::string afterDarkQml() {
    return binClassesQml("dark_Gi_Bin",
                         {"After-dark hot spot, 99 % confidence", "After-dark hot spot, 95 % confidence",
                          "After-dark hot spot, 90 % confidence", "Not significant", "After-dark cold spot, 90 % confidence",
                          "After-dark cold spot, 95 % confidence", "After-dark cold spot, 99 % confidence"});
}

std::string clusterOutlierQml() {
    return categorizedQml("COType",
                          {{"HH", "High-high cluster", "215,25,28,255", "255,255,255,120"},
                           {"LL", "Low-low cluster", "44,123,182,255", "255,255,255,120"},
                           {"HL", "High outlier among low values", "253,174,97,255", "255,255,255,120"},
                           {"LH", "Low outlier among high values", "171,217,233,255", "255,255,255,120"},
                           {"", "Not significant", "217,217,217,150", ""}});
}

std::string densityRasterQml(double maxValue) {
    const double m = maxValue > 0 ? maxValue : 1.0;
    std::string s = kHeader;
    s += "  <pipe>\n    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"0.8\" alphaBand=\"-1\" ";
    s += fmt::format("classificationMin=\"0\" classificationMax=\"{}\">\n", m);
    s += "      <rastershader>\n        <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" "
         "clip=\"0\">\n";
    struct Stop {
        double at;
        const char* colour;
        int alpha;
    };
    static constexpr Stop kStops[5] = {
        {0.0, "#ffffb2", 0}, {0.1, "#fecc5c", 160}, {0.3, "#fd8d3c", 200}, {0.6, "#f03b20", 230}, {1.0, "#bd0026", 255}};
    for (const auto& st : kStops)
        s += fmt::format("          <item value=\"{}\" color=\"{}\" alpha=\"{}\" label=\"{:.3g}\"/>\n", st.at * m,
                         st.colour, st.alpha, st.at * m);
    s += "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n  </pipe>\n</qgis>\n";
    return s;
}

std::string densityAreasQml() {
    struct Class {
        const char* value;
        const char* label;
        const char* colour;
        double width;
    };
    static constexpr Class kClasses[3] = {{"1", "Densest 1 % of the area", "128,0,38,255", 0.9},
                                          {"5", "Densest 5 %", "227,26,28,255", 0.6},
                                          {"10", "Densest 10 %", "253,141,60,255", 0.4}};
    std::string s = kHeader;
    s += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"top_percent\" symbollevels=\"0\" enableorderby=\"0\" "
         "forceraster=\"0\">\n    <categories>\n";
    for (int i = 0; i < 3; ++i)
        s += fmt::format("      <category value=\"{}\" symbol=\"{}\" label=\"{}\" render=\"true\"/>\n", kClasses[i].value,
                         i, kClasses[i].label);
    s += "    </categories>\n    <symbols>\n";
    for (int i = 0; i < 3; ++i) s += fillSymbol(i, "", kClasses[i].colour, kClasses[i].width);
    s += "    </symbols>\n  </renderer-v2>\n  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
    return s;
}

std::string fearCrimeQml(const std::vector<std::string>& labels) {
    // The corners of a 2 x 2 bivariate palette (Stevens), so that "both" reads as the sum.
    static constexpr const char* kColours[5] = {"0,0,0,0", "110,40,140,230", "90,150,210,220", "215,60,50,220",
                                                "225,225,225,120"};
    static constexpr int kOrder[5] = {1, 2, 3, 4, 0};
    std::string s = kHeader;
    s += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"fear_crime_class\" symbollevels=\"0\" enableorderby=\"0\" "
         "forceraster=\"0\">\n    <categories>\n";
    for (int k = 0; k < 5; ++k) {
        const int c = kOrder[k];
        s += fmt::format("      <category value=\"{}\" symbol=\"{}\" label=\"{}\" render=\"true\"/>\n", c, k,
                         escapeXml(labels[static_cast<std::size_t>(c)]));
    }
    s += "    </categories>\n    <symbols>\n";
    for (int k = 0; k < 5; ++k) {
        const int c = kOrder[k];
        s += fillSymbol(k, c == 0 ? "" : kColours[c], "", 0.1);  // too little data: left blank
    }
    s += "    </symbols>\n  </renderer-v2>\n";
    s += "  <layerOpacity>0.9</layerOpacity>\n  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
    return s;
}

namespace {

// The smallest number of the form d x 10^k (d = 1, 2, 5) at or above v > 0.
double niceCeil(double v) {
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double d : {1.0, 2.0, 5.0, 10.0})
        if (d * p >= v * (1 - 1e-12)) return d * p;
    return 10 * p;
}

} // namespace

std::string graduatedQml(const std::string& field, const std::string& title, const std::vector<double>& values,
                         bool roundBreaks) {
    std::vector<double> v;
    for (double x : values)
        if (std::isfinite(x)) v.push_back(x);
    std::sort(v.begin(), v.end());
    if (roundBreaks && !v.empty()) {
        // Publishing: five equal classes from 0 to a round number above the largest value, so no
        // break is a value of the data (a quantile could be a hidden area's rate, which inverts
        // to its count).
        const double top = v.back() > 0 ? niceCeil(v.back()) : 1.0;
        std::vector<double> breaks;
        for (int k = 0; k <= 5; ++k) breaks.push_back(top * k / 5);
        v = breaks;
    }
    static constexpr const char* kRamp[5] = {"254,240,217,220", "253,204,138,220", "252,141,89,220", "227,74,51,220",
                                             "179,0,0,220"};
    std::string s = kHeader;
    s += fmt::format("  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" "
                     "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n",
                     escapeXml(field));
    double lower = v.empty() ? 0 : v.front();
    for (int k = 0; k < 5; ++k) {
        const double upper = v.empty() ? 0 : v[std::min(v.size() - 1, (v.size() * static_cast<std::size_t>(k + 1)) / 5)];
        s += fmt::format("      <range lower=\"{}\" upper=\"{}\" symbol=\"{}\" label=\"{} {:.3g} - {:.3g}\" "
                         "render=\"true\"/>\n",
                         lower, k == 4 && !v.empty() ? v.back() : upper, k, escapeXml(title), lower,
                         k == 4 && !v.empty() ? v.back() : upper);
        lower = upper;
    }
    s += "    </ranges>\n    <symbols>\n";
    for (int k = 0; k < 5; ++k) s += fillSymbol(k, kRamp[k], "90,90,90,255", 0.2);
    s += "    </symbols>\n  </renderer-v2>\n  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
    return s;
}

std::string outlineQml(const std::string& outline, double widthMm, const std::string& fill) {
    return singleSymbolQml(fillSymbol(0, fill, outline, widthMm), 2);
}

std::string lineQml(const std::string& colour, double widthMm) {
    return singleSymbolQml(symbolXml(0, "line", "SimpleLine",
                                     option("line_color", colour) + option("line_style", "solid") +
                                         option("line_width", fmt::format("{}", widthMm)) +
                                         option("line_width_unit", "MM") + option("capstyle", "round") +
                                         option("joinstyle", "round")),
                           1);
}

std::string pointQml(const std::string& colour, double sizeMm) {
    return singleSymbolQml(symbolXml(0, "marker", "SimpleMarker",
                                     option("name", "circle") + option("color", colour) +
                                         option("outline_color", "255,255,255,255") + option("outline_width", "0.3") +
                                         option("outline_width_unit", "MM") + option("size", fmt::format("{}", sizeMm)) +
                                         option("size_unit", "MM")),
                           0);
}

std::string withLabels(const std::string& qml, const std::string& expression, double sizePt, bool polygons, int priority) {
    // QgsPalLayerSettings placement 0: around the centroid for polygons (inside first, as
    // centroidInside says), around the point for points; several candidates, so that a label
    // moves aside before it is dropped.
    const std::string labeling = fmt::format(
        "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
        "      <text-style fieldName=\"{}\" isExpression=\"1\" fontSize=\"{}\" fontSizeUnit=\"Point\" fontWeight=\"75\" "
        "textColor=\"40,20,30,255\" textOpacity=\"1\" fontFamily=\"Sans Serif\" namedStyle=\"Bold\">\n"
        "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" "
        "bufferOpacity=\"0.9\" bufferJoinStyle=\"128\"/>\n      </text-style>\n"
        "      <placement placement=\"0\" dist=\"{}\" distUnits=\"MM\" centroidInside=\"1\" fitInPolygonOnly=\"0\" "
        "priority=\"{}\"/>\n"
        "      <rendering obstacle=\"0\" scaleVisibility=\"0\" displayAll=\"0\" upsidedownLabels=\"0\"/>\n"
        "    </settings>\n  </labeling>\n",
        escapeXml(expression), sizePt, polygons ? 0 : 1, std::clamp(priority, 0, 10));
    std::string s = qml;
    const std::size_t root = s.find("<qgis ");
    if (root != std::string::npos) s.insert(root + 6, "labelsEnabled=\"1\" ");
    const std::size_t end = s.rfind("</qgis>");
    if (end != std::string::npos) s.insert(end, labeling);
    return s;
}

std::string studyAreaQml() { return singleSymbolQml(fillSymbol(0, "", "35,35,35,255", 0.6), 2); }

std::string tableQml() {
    std::string s = kHeader;
    s += "  <layerGeometryType>4</layerGeometryType>\n</qgis>\n";
    return s;
}

} // namespace trygg::output
