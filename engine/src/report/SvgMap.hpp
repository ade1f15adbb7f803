#pragma once
// The report's static maps: SVG drawn from the GeoPackage's layers, north up, with a scale bar
// and a north arrow. Areas named in a table carry their number inside them, at the centre of
// their largest inscribed circle (GEOS), and no label is drawn over another: a number that does
// not fit inside its area is set beside it with a leader line; a place name that finds no free
// room is left out. Internal to the report.
#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

class GDALDataset;
class OGRFeature;
class OGRGeometry;
class OGRLayer;

namespace trygg::report {

// Analysis-CRS metres to SVG pixels, north up.
struct Frame {
    double minX = 0, maxY = 0, scale = 1, width = 0, height = 0;
    double px(double x) const { return (x - minX) * scale; }
    double py(double y) const { return (maxY - y) * scale; }
};

// While it lives, `layer` reads only the geometry and the `keep` fields, of the features `where`
// (an OGR SQL filter; "" for all) selects: a national grid of millions of cells is then read for
// its few thousand coloured ones. The layer is restored to read everything on destruction.
class ScanOnly {
public:
    ScanOnly(OGRLayer& layer, const std::vector<std::string>& keep, const std::string& where);
    ~ScanOnly();
    ScanOnly(const ScanOnly&) = delete;
    ScanOnly& operator=(const ScanOnly&) = delete;

private:
    OGRLayer& m_layer;
};

// The filter `"field" IN (...)` of the classes with a colour other than "none".
std::string colouredClasses(const std::string& field, const std::map<int, std::string>& colours);
// A layer's coloured classes as a key ("table|filter"), for counts shared between maps.
inline std::string drawnKey(const std::string& table, const std::string& field, const std::map<int, std::string>& colours) {
    return table + "|" + colouredClasses(field, colours);
}

// An SVG path of a geometry, simplified to half a pixel when it has many points.
std::string pathOf(const OGRGeometry* g, const Frame& f);

// The context layers (context_*), in the file's order.
std::vector<OGRLayer*> contextLayers(GDALDataset& ds);

// What every map of a report shares, drawn once: the frame, the study area's fill and the
// context layers below the classes, and the study area's outline on top.
struct Basemap {
    Frame frame;
    std::string below, studyOutline;
};
// Framed on the study area, or on `focus` (the analysis CRS's metres: minX, minY, maxX, maxY)
// when given, widened to at least a third of the study area's width so that the places around
// still show; what lies outside the frame is cut off.
Basemap makeBasemap(GDALDataset& ds, double widthPx, const std::array<double, 4>* focus = nullptr);

// A rectangle in pixels, for labels that must not overlap.
struct Box {
    double x0, y0, x1, y1;
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

class SvgMap {
public:
    SvgMap(GDALDataset& ds, const Basemap& base);

    // Polygons of `layer` filled by the integer `field`'s class colour ("none": not drawn); returns
    // how many were drawn.
    std::size_t classes(const std::string& layer, const std::string& field, const std::map<int, std::string>& colours,
                        double opacity = 1.0);
    // Polygons filled by a real field on class breaks: value < breaks[0] gets colours[0], ...;
    // NULL is not drawn.
    void graduated(const std::string& layer, const std::string& field, const std::vector<double>& breaks,
                   const std::vector<std::string>& colours);
    // Outlines of `layer`'s polygons (only those whose `kindField` is `kind` when given), each
    // numbered by `numberField` inside it.
    void numberedOutlines(const std::string& layer, const std::string& numberField, const std::string& kindField,
                          const std::string& kind, const std::string& colour, bool dashed = false);
    // The same with the number a function gives each feature ("" leaves it out).
    using Numbering = std::function<std::string(OGRFeature&)>;
    // `besideWhenSmall`: a number whose badge does not fit inside its area goes beside it, so that
    // the area still shows.
    void numberedOutlines(const std::string& layer, const Numbering& number, const std::string& colour, bool dashed = false,
                          bool besideWhenSmall = false);
    // Every polygon of `layer` in one colour; `haloPx` above 0 draws its edge that wide in the same
    // colour, so that areas of a few pixels still show.
    void fill(const std::string& layer, const std::string& colour, double opacity,
              const std::function<bool(OGRFeature&)>& keep = {}, double haloPx = 0);
    // Outlines without numbers.
    void outlines(const std::string& layer, const std::string& colour, double width, bool dashed = false);

    // The finished SVG: the place names where there is room, the study area's outline, the scale
    // bar and the north arrow. `language` for the scale bar's unit words ("sv"/"en").
    std::string finish(bool english);

private:
    bool take(const Box& b);
    void placeNames();
    std::string scaleBar(bool english) const;
    std::string northArrow() const;

    GDALDataset& m_ds;
    const Basemap& m_base;
    Frame m_frame;
    std::string m_svg, m_labels;
    std::vector<Box> m_taken;
};

} // namespace trygg::report
