#include "PrintLayouts.hpp"

#include "trygg/core/Xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace trygg::output {
namespace {

// QgsLayoutItemRegistry's item types.
constexpr int kPage = 65638, kMap = 65639, kPicture = 65640, kLabel = 65641, kLegend = 65642, kScaleBar = 65646;

// An attribute value: XML-escaped, and line breaks kept (a parser turns a raw one into a space).
std::string attr(const std::string& text) {
    std::string s;
    for (const char c : escapeXml(text)) {
        if (c == '\n') s += "&#10;";
        else s += c;
    }
    return s;
}

// A Qt font description as QFont::toString writes it: family, size in points, weight (50
// normal, 75 bold).
std::string font(double pt, bool bold) { return fmt::format("DejaVu Sans,{:.1f},-1,5,{},0,0,0,0,0", pt, bold ? 75 : 50); }

struct Box {
    double x, y, w, h;  // mm on the page, from its top left
};

// What every item has: its type, id, uuid, place and size, stacking order, frame and background.
std::string itemStart(int type, const std::string& id, const std::string& uuid, const Box& b, int z, bool background,
                      bool frame, const std::string& more) {
    return fmt::format("      <LayoutItem type=\"{}\" id=\"{}\" uuid=\"{}\" templateUuid=\"{}\" position=\"{:.4f},{:.4f},mm\" "
                       "positionOnPage=\"{:.4f},{:.4f},mm\" size=\"{:.4f},{:.4f},mm\" zValue=\"{}\" referencePoint=\"0\" "
                       "itemRotation=\"0\" visibility=\"1\" opacity=\"1\" blendMode=\"0\" positionLock=\"false\" "
                       "excludeFromExports=\"0\" background=\"{}\" frame=\"{}\" outlineWidthM=\"0.25,mm\" frameJoinStyle=\"miter\" "
                       "groupUuid=\"\" {}>\n"
                       "        <FrameColor red=\"60\" green=\"60\" blue=\"60\" alpha=\"255\"/>\n"
                       "        <BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n",
                       type, attr(id), uuid, uuid, b.x, b.y, b.x, b.y, b.w, b.h, z, background ? "true" : "false",
                       frame ? "true" : "false", more);
}

std::string label(const std::string& id, const std::string& uuid, const Box& b, const std::string& text, double pt, bool bold,
                  int valign) {
    // halign 1 (left), valign 32 (top) or 64 (bottom), as Qt::Alignment.
    return itemStart(kLabel, id, uuid, b, 10, false, false,
                     fmt::format("labelText=\"{}\" htmlState=\"0\" halign=\"1\" valign=\"{}\" marginX=\"0\" marginY=\"0\"",
                                 attr(text), valign)) +
           fmt::format("        <LabelFont description=\"{}\" style=\"\"/>\n"
                       "        <FontColor red=\"30\" green=\"30\" blue=\"30\" alpha=\"255\"/>\n      </LayoutItem>\n",
                       font(pt, bold));
}

std::string textStyle(double pt) {
    return fmt::format("        <text-style fontFamily=\"DejaVu Sans\" fontSize=\"{:.1f}\" fontSizeUnit=\"Point\" fontWeight=\"50\" "
                       "textColor=\"30,30,30,255\" textOpacity=\"1\" namedStyle=\"Book\">\n"
                       "          <text-buffer bufferDraw=\"0\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\"/>\n"
                       "        </text-style>\n",
                       pt);
}

// The file names of the inputs run_metadata names (input.<what>.path), each once, with the
// layers read from it: "kavlinge_map.gpkg (kommungrans, deso)".
std::string sources(const std::map<std::string, std::string>& md) {
    std::vector<std::pair<std::string, std::vector<std::string>>> files;
    for (const auto& [key, value] : md) {
        if (key.rfind("input.", 0) != 0 || key.size() < 11 || key.compare(key.size() - 5, 5, ".path") != 0) continue;
        const std::string file = std::filesystem::path(value).filename().string();
        const std::string what = key.substr(6, key.size() - 11);
        const auto layer = md.find("input." + what + ".layer");
        auto f = std::find_if(files.begin(), files.end(), [&](const auto& e) { return e.first == file; });
        if (f == files.end()) f = files.insert(files.end(), {file, {}});
        if (layer != md.end() && !layer->second.empty() && layer->second != std::filesystem::path(file).stem().string() &&
            std::find(f->second.begin(), f->second.end(), layer->second) == f->second.end())
            f->second.push_back(layer->second);
    }
    std::string s;
    for (const auto& [file, layers] : files) {
        if (!s.empty()) s += ", ";
        s += file;
        for (std::size_t k = 0; k < layers.size(); ++k) s += (k ? ", " : " (") + layers[k] + (k + 1 == layers.size() ? ")" : "");
    }
    return s;
}

std::string value(const std::map<std::string, std::string>& md, const std::string& key) {
    const auto it = md.find(key);
    return it == md.end() ? std::string() : it->second;
}

// The smallest of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 times a power of ten that is at least `scale`.
double roundScale(double scale) {
    if (!(scale > 0) || !std::isfinite(scale)) return 1;
    const double power = std::pow(10.0, std::floor(std::log10(scale)));
    for (const double step : {1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0})
        if (step * power >= scale * (1 - 1e-12)) return step * power;
    return 10 * power;
}

// One layout on a landscape page of `width` by `height` mm; `n` makes its items' uuids its own.
std::string layout(const LayoutInput& in, const std::string& name, double width, double height, int n) {
    const bool sv = in.sv;
    const auto T = [sv](const char* s, const char* e) { return std::string(sv ? s : e); };
    const auto uuid = [n](int item) { return fmt::format("{{7a1e9d30-5c1b-4e2a-8f00-{:06d}{:06d}}}", n, item); };
    const double s = width / 297.0;  // A3 is A4 scaled by √2
    const double m = 10 * s, top = 27 * s, panel = 72 * s, gap = 5 * s;
    const Box map{m, top, width - 2 * m - panel - gap, height - top - m};
    const double panelX = map.x + map.w + gap;

    // The map shows the extent at the first round scale (1:100 000, 1:125 000, ...) that holds it,
    // about its centre, as a printed map's scale is.
    const double fit = std::max((in.maxX - in.minX) / (map.w / 1000), (in.maxY - in.minY) / (map.h / 1000));
    const double scale = roundScale(fit);
    const double cx = (in.minX + in.maxX) / 2, cy = (in.minY + in.maxY) / 2;
    const double halfW = map.w / 1000 * scale / 2, halfH = map.h / 1000 * scale / 2;
    const double minX = cx - halfW, maxX = cx + halfW, minY = cy - halfH, maxY = cy + halfH;

    const std::string first = value(in.md, "input.incidents.time_first").substr(0, 10);
    const std::string last = value(in.md, "input.incidents.time_last").substr(0, 10);
    std::string subtitle = value(in.md, "run.name");
    if (!first.empty())
        subtitle += fmt::format(fmt::runtime(T(" · hot spots av anmälda händelser {} till {}", " · hot spots of reported incidents {} to {}")),
                                first, last);
    const std::string minCount = value(in.md, "publish.min_count");
    const std::string note =
        minCount.empty()
            ? T("Arbetsmaterial: filen innehåller enskilda händelser (personuppgifter) och är inte för publicering. "
                "En version för publicering görs med --publish.",
                "Working material: the file holds single incidents (personal data) and is not for publishing. "
                "A version for publishing is made with --publish.")
            : fmt::format(fmt::runtime(T("Version för publicering: antal från 1 till {0} är dolda, liksom antal som en summa annars "
                                         "skulle avslöja. Filen innehåller inga enskilda händelser.",
                                         "Version for publishing: counts from 1 to {0} are hidden, and so are counts a total "
                                         "would otherwise give back. The file holds no single incidents.")),
                          minCount);
    const std::string footer =
        fmt::format(fmt::runtime(T("Framställd {} med Trygg {}.\nKällor: {}.\n\n{}", "Made {} with Trygg {}.\nSources: {}.\n\n{}")),
                    value(in.md, "run.finished_utc").substr(0, 10), value(in.md, "trygg.version"), sources(in.md), note);

    std::string x = fmt::format("    <Layout name=\"{}\" units=\"mm\" printResolution=\"300\" worldFileMap=\"{}\">\n", attr(name), uuid(1));
    x += "      <Snapper tolerance=\"5\" snapToGrid=\"0\" snapToGuides=\"1\" snapToItems=\"1\"/>\n";
    x += "      <Grid resolution=\"10\" resUnits=\"mm\" offsetX=\"0\" offsetY=\"0\" offsetUnits=\"mm\"/>\n";
    x += "      <PageCollection>\n";
    x += itemStart(kPage, "", uuid(0), {0, 0, width, height}, 0, true, false, "") + "      </LayoutItem>\n";
    x += "        <GuideCollection visible=\"1\"/>\n      </PageCollection>\n";

    // The map follows the project's visible layers (keepLayerSet false), so that switching a
    // layer on in QGIS puts it in the print.
    x += itemStart(kMap, T("Karta", "Map"), uuid(1), map, 1, true, true,
                   "keepLayerSet=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" mapFlags=\"0\" followPreset=\"false\" "
                   "followPresetName=\"\" isTemporal=\"0\" labelMargin=\"0,mm\"");
    x += fmt::format("        <Extent xmin=\"{:.4f}\" ymin=\"{:.4f}\" xmax=\"{:.4f}\" ymax=\"{:.4f}\"/>\n", minX, minY, maxX, maxY);
    x += "        <LayerSet/>\n        <AtlasMap atlasDriven=\"0\" scalingMode=\"2\" margin=\"0.1\"/>\n      </LayoutItem>\n";

    x += label(T("Titel", "Title"), uuid(2), {m, 7 * s, width - 2 * m, 10 * s},
               T("Lägesbild: brott och trygghet i offentlig miljö", "Situation picture: crime and safety in public space"), 18 * s,
               true, 32);
    x += label(T("Undertitel", "Subtitle"), uuid(3), {m, 17.5 * s, width - 2 * m, 6 * s}, subtitle, 10 * s, false, 32);

    // The legend: the layers shown, only the classes that occur in the map's extent.
    x += itemStart(kLegend, T("Teckenförklaring", "Legend"), uuid(4), {panelX, top, panel, map.h * 0.6}, 3, true, false,
                   fmt::format("map_uuid=\"{}\" title=\"{}\" legendFilterByMap=\"1\" legendFilterByAtlas=\"0\" resizeToContents=\"1\" "
                               "columnCount=\"1\" splitLayer=\"1\" equalColumnWidth=\"0\" symbolWidth=\"{:.1f}\" symbolHeight=\"{:.1f}\" "
                               "boxSpace=\"1\" columnSpace=\"2\" lineSpacing=\"1\" wrapChar=\"\" titleAlignment=\"1\" "
                               "symbolAlignment=\"1\" rasterBorder=\"1\" rasterBorderWidth=\"0\" rasterBorderColor=\"0,0,0,255\" "
                               "fontColor=\"#1e1e1e\" minSymbolSize=\"0\" maxSymbolSize=\"0\"",
                               uuid(1), attr(T("Teckenförklaring", "Legend")), 6 * s, 3.5 * s));
    x += fmt::format("        <styles>\n"
                     "          <style name=\"title\" marginBottom=\"{0:.1f}\" alignment=\"1\"><styleFont description=\"{1}\" style=\"\"/></style>\n"
                     "          <style name=\"group\" marginTop=\"{2:.1f}\" alignment=\"1\"><styleFont description=\"{3}\" style=\"\"/></style>\n"
                     "          <style name=\"subgroup\" marginTop=\"{2:.1f}\" alignment=\"1\"><styleFont description=\"{3}\" style=\"\"/></style>\n"
                     "          <style name=\"symbol\" marginTop=\"{4:.1f}\" alignment=\"1\"><styleFont description=\"{5}\" style=\"\"/></style>\n"
                     "          <style name=\"symbolLabel\" marginTop=\"{4:.1f}\" marginLeft=\"1.5\" alignment=\"1\"><styleFont description=\"{5}\" style=\"\"/></style>\n"
                     "        </styles>\n",
                     2.5 * s, font(11 * s, true), 2.0 * s, font(8.5 * s, true), 1.2 * s, font(7.5 * s, false));
    x += "        <layer-tree-group>\n          <customproperties/>\n";
    for (const LayoutLayer& l : in.legend)
        x += fmt::format("          <layer-tree-layer id=\"{}\" name=\"{}\" source=\"{}\" providerKey=\"{}\" checked=\"Qt::Checked\" "
                         "expanded=\"1\"><customproperties/></layer-tree-layer>\n",
                         attr(l.id), attr(l.name), attr(l.source), attr(l.provider));
    x += "          <custom-order enabled=\"0\"/>\n        </layer-tree-group>\n      </LayoutItem>\n";

    // A scale bar in kilometres and a north arrow, inside the map's frame.
    x += itemStart(kScaleBar, T("Skalstock", "Scale bar"), uuid(5), {map.x + 4 * s, map.y + map.h - 13 * s, 60 * s, 9 * s}, 4, true,
                   false,
                   fmt::format("mapUuid=\"{}\" style=\"Single Box\" unitType=\"kilometers\" unitLabel=\"km\" "
                               "numMapUnitsPerScaleBarUnit=\"1000\" numSegments=\"2\" numSegmentsLeft=\"0\" numSubdivisions=\"1\" "
                               "subdivisionsHeight=\"1.5\" segmentSizeMode=\"1\" minBarWidth=\"{:.1f}\" maxBarWidth=\"{:.1f}\" "
                               "numUnitsPerSegment=\"1\" segmentMillimeters=\"20\" height=\"{:.1f}\" boxContentSpace=\"1.5\" "
                               "labelBarSpace=\"1.5\" outlineWidth=\"0.25\" alignment=\"0\" labelVerticalPlacement=\"0\" "
                               "labelHorizontalPlacement=\"0\" lineJoinStyle=\"miter\" lineCapStyle=\"square\"",
                               uuid(1), 18 * s, 40 * s, 2 * s));
    x += textStyle(8 * s) + "      </LayoutItem>\n";
    x += itemStart(kPicture, T("Norrpil", "North arrow"), uuid(6), {map.x + map.w - 14 * s, map.y + 4 * s, 10 * s, 15 * s}, 5, false,
                   false,
                   fmt::format("file=\"arrows/NorthArrow_02.svg\" mode=\"0\" resizeMode=\"0\" anchorPoint=\"0\" mapUuid=\"{}\" "
                               "northMode=\"0\" northOffset=\"0\" pictureRotation=\"0\" pictureWidth=\"{:.1f}\" "
                               "pictureHeight=\"{:.1f}\" svgFillColor=\"40,40,40,255\" svgBorderColor=\"255,255,255,255\" "
                               "svgBorderWidth=\"0.2\"",
                               uuid(1), 10 * s, 15 * s));
    x += "      </LayoutItem>\n";

    // Date, sources and the publishing note, at the foot of the panel.
    x += label(T("Källor", "Sources"), uuid(7), {panelX, map.y + map.h * 0.62, panel, map.h * 0.38}, footer, 7 * s, false, 64);
    x += "    </Layout>\n";
    return x;
}

} // namespace

std::string printLayoutsXml(const LayoutInput& in) {
    const std::string a4 = in.sv ? "Lägesbild A4 liggande" : "Situation picture A4 landscape";
    const std::string a3 = in.sv ? "Lägesbild A3 liggande" : "Situation picture A3 landscape";
    return "  <Layouts>\n" + layout(in, a4, 297, 210, 4) + layout(in, a3, 420, 297, 3) + "  </Layouts>\n";
}

} // namespace trygg::output
