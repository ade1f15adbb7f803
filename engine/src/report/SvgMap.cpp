#include "SvgMap.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Xml.hpp"
#include "trygg/geom/Geos.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <geos_c.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace trygg::report {
namespace {

std::string esc(const std::string& s) { return escapeXml(s); }

// Appends a line or ring in pixels, leaving out a point that rounds to the pixel of the one before.
void linePath(const OGRSimpleCurve* line, const Frame& f, bool close, std::string& d) {
    std::string last;
    const int n = line->getNumPoints();
    for (int i = 0; i < n; ++i) {
        std::string xy = fmt::format("{:.1f} {:.1f}", f.px(line->getX(i)), f.py(line->getY(i)));
        if (xy == last && i + 1 < n) continue;
        d += (i == 0 ? "M" : "L") + xy;
        last = std::move(xy);
    }
    if (close) d += "Z";
}

std::string rawPathOf(const OGRGeometry* g, const Frame& f) {
    std::string d;
    if (!g) return d;
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPolygon) {
        for (const auto* ring : *g->toPolygon()) linePath(ring, f, true, d);
    } else if (type == wkbLineString) {
        linePath(g->toLineString(), f, false, d);
    } else if (type == wkbMultiPolygon || type == wkbMultiLineString || type == wkbGeometryCollection) {
        for (const auto* part : *g->toGeometryCollection()) d += rawPathOf(part, f);
    }
    return d;
}

std::size_t pointCount(const OGRGeometry* g) {
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPolygon) {
        std::size_t n = 0;
        for (const auto* ring : *g->toPolygon()) n += static_cast<std::size_t>(ring->getNumPoints());
        return n;
    }
    if (type == wkbLineString) return static_cast<std::size_t>(g->toLineString()->getNumPoints());
    if (type == wkbMultiPolygon || type == wkbMultiLineString || type == wkbGeometryCollection) {
        std::size_t n = 0;
        for (const auto* part : *g->toGeometryCollection()) n += pointCount(part);
        return n;
    }
    return 0;
}

// The centre and radius (metres) of the largest circle inside a polygonal geometry (GEOS's
// maximum inscribed circle, to `tolerance` metres): where a label sits well inside it, not on
// its edge or its bounding box's corner.
struct Inscribed {
    double x = 0, y = 0, r = 0;
};
std::optional<Inscribed> inscribedCircle(const geom::GeosContext& geos, const OGRGeometry* g, double tolerance) {
    if (!g || g->IsEmpty() || g->getDimension() != 2) return std::nullopt;
    std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
    if (g->exportToWkb(wkbNDR, wkb.data()) != OGRERR_NONE) return std::nullopt;
    const geom::GeomPtr poly = geom::fromWkb(geos, wkb);
    if (!poly) return std::nullopt;
    const geom::GeomPtr line(GEOSMaximumInscribedCircle_r(geos.handle(), poly.get(), tolerance), {geos.handle()});
    if (!line) return std::nullopt;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(geos.handle(), line.get());
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    if (!seq || !GEOSCoordSeq_getXY_r(geos.handle(), seq, 0, &x0, &y0) || !GEOSCoordSeq_getXY_r(geos.handle(), seq, 1, &x1, &y1))
        return std::nullopt;
    return Inscribed{x0, y0, std::hypot(x1 - x0, y1 - y0)};
}

// The width of a label in pixels at `size` (sans-serif: about 0.58 em per character).
double textWidth(const std::string& s, double size) {
    std::size_t chars = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++chars;  // UTF-8: count characters, not bytes
    return 0.58 * size * static_cast<double>(chars);
}

// The nearest of 1, 2, 5 x 10^k at or below v.
double niceBelow(double v) {
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {5.0, 2.0, 1.0})
        if (m * p <= v) return m * p;
    return p;
}

} // namespace

std::string pathOf(const OGRGeometry* g, const Frame& f) {
    if (!g) return {};
    if (pointCount(g) > 64) {
        std::unique_ptr<OGRGeometry> simple(g->SimplifyPreserveTopology(0.5 / f.scale));
        if (simple && !simple->IsEmpty()) return rawPathOf(simple.get(), f);
    }
    return rawPathOf(g, f);
}

std::vector<OGRLayer*> contextLayers(GDALDataset& ds) {
    std::vector<OGRLayer*> out;
    for (OGRLayer* l : ds.GetLayers())
        if (std::string(l->GetName()).rfind("context_", 0) == 0) out.push_back(l);
    return out;
}

Basemap makeBasemap(GDALDataset& ds, double widthPx, const std::array<double, 4>* focus) {
    Basemap b;
    OGREnvelope env;
    OGRLayer* study = ds.GetLayerByName("study_area");
    if (!study || study->GetExtent(&env, TRUE) != OGRERR_NONE) throw IoError("report: no study_area layer to frame the maps");
    if (focus) {
        const double minW = (env.MaxX - env.MinX) / 3, fw = (*focus)[2] - (*focus)[0], fh = (*focus)[3] - (*focus)[1];
        const double padX = std::max(0.1 * fw, (minW - fw) / 2), padY = std::max(0.1 * fh, (minW * 0.6 - fh) / 2);
        env.MinX = (*focus)[0] - padX, env.MaxX = (*focus)[2] + padX;
        env.MinY = (*focus)[1] - padY, env.MaxY = (*focus)[3] + padY;
    }
    const double w = env.MaxX - env.MinX, h = env.MaxY - env.MinY;
    Frame& frame = b.frame;
    frame.minX = env.MinX - 0.02 * w;
    frame.maxY = env.MaxY + 0.02 * h;
    frame.scale = widthPx / (1.04 * w);
    frame.width = widthPx;
    frame.height = 1.04 * h * frame.scale + 36;  // room for the scale bar below the area
    std::string studyPath;
    for (auto& f : *study) studyPath += pathOf(f->GetGeometryRef(), frame);
    b.below = fmt::format("<path d=\"{}\" fill=\"#f4f4f4\" stroke=\"none\"/>", studyPath);
    for (OGRLayer* l : contextLayers(ds)) {
        std::string lines, areas;
        for (auto& f : *l) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g) continue;
            if (g->getDimension() == 1) lines += pathOf(g, frame);
            if (g->getDimension() == 2) areas += pathOf(g, frame);
        }
        if (!areas.empty())
            b.below += fmt::format("<path d=\"{}\" fill=\"#e6e6e6\" stroke=\"#bbb\" stroke-width=\"0.6\"/>", areas);
        if (!lines.empty())
            b.below += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#b4b4b4\" stroke-width=\"0.6\"/>", lines);
    }
    b.studyOutline = fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1\"/>", studyPath);
    return b;
}

SvgMap::SvgMap(GDALDataset& ds, const Basemap& base) : m_ds(ds), m_base(base), m_frame(base.frame) {
    m_svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0f} {:.0f}\" class=\"map\">",
                        m_frame.width, m_frame.height) +
            base.below;
    // The scale bar's and the north arrow's corners are taken before any label.
    m_taken.push_back({0, m_frame.height - 40, 260, m_frame.height});
    m_taken.push_back({m_frame.width - 50, 0, m_frame.width, 70});
}

ScanOnly::ScanOnly(OGRLayer& layer, const std::vector<std::string>& keep, const std::string& where) : m_layer(layer) {
    CPLStringList ignored;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const char* name = defn->GetFieldDefn(i)->GetNameRef();
        if (std::find(keep.begin(), keep.end(), name) == keep.end()) ignored.AddString(name);
    }
    ignored.AddString("OGR_STYLE");
    layer.SetIgnoredFields(const_cast<const char**>(ignored.List()));
    if (!where.empty() && layer.SetAttributeFilter(where.c_str()) != OGRERR_NONE)
        throw Error("report: the filter '" + where + "' on " + layer.GetName() + " failed; this is a bug, please report it");
    layer.ResetReading();
}

ScanOnly::~ScanOnly() {
    m_layer.SetAttributeFilter(nullptr);
    m_layer.SetIgnoredFields(nullptr);
    m_layer.ResetReading();
}

std::string colouredClasses(const std::string& field, const std::map<int, std::string>& colours) {
    std::string in;
    for (const auto& [v, c] : colours)
        if (c != "none") in += fmt::format("{}{}", in.empty() ? "" : ",", v);
    return fmt::format("\"{}\" IN ({})", field, in.empty() ? "NULL" : in);
}

std::size_t SvgMap::classes(const std::string& layerName, const std::string& field,
                            const std::map<int, std::string>& colours, double opacity) {
    OGRLayer* l = m_ds.GetLayerByName(layerName.c_str());
    if (!l) return 0;
    const int idx = l->GetLayerDefn()->GetFieldIndex(field.c_str());
    if (idx < 0) return 0;
    std::size_t drawn = 0;
    std::map<int, std::string> paths;
    const ScanOnly only(*l, {field}, colouredClasses(field, colours));
    for (auto& f : *l) {
        if (!f->IsFieldSetAndNotNull(idx)) continue;
        const int v = f->GetFieldAsInteger(idx);
        const auto c = colours.find(v);
        if (c == colours.end() || c->second == "none") continue;
        paths[v] += pathOf(f->GetGeometryRef(), m_frame);
        ++drawn;
    }
    for (const auto& [v, d] : paths)
        m_svg += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.3\"/>", d,
                             colours.at(v), opacity);
    return drawn;
}

void SvgMap::graduated(const std::string& layerName, const std::string& field, const std::vector<double>& breaks,
                       const std::vector<std::string>& colours) {
    OGRLayer* l = m_ds.GetLayerByName(layerName.c_str());
    if (!l) return;
    const int idx = l->GetLayerDefn()->GetFieldIndex(field.c_str());
    if (idx < 0) return;
    std::vector<std::string> paths(colours.size());
    l->ResetReading();
    for (auto& f : *l) {
        if (!f->IsFieldSetAndNotNull(idx)) continue;
        const double v = f->GetFieldAsDouble(idx);
        std::size_t k = 0;
        while (k < breaks.size() && v >= breaks[k]) ++k;
        paths[std::min(k, colours.size() - 1)] += pathOf(f->GetGeometryRef(), m_frame);
    }
    for (std::size_t k = 0; k < colours.size(); ++k)
        if (!paths[k].empty())
            m_svg += fmt::format("<path d=\"{}\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.6\"/>", paths[k], colours[k]);
}

void SvgMap::fill(const std::string& layerName, const std::string& colour, double opacity,
                  const std::function<bool(OGRFeature&)>& keep, double haloPx) {
    OGRLayer* l = m_ds.GetLayerByName(layerName.c_str());
    if (!l) return;
    std::string d;
    l->ResetReading();
    for (auto& f : *l)
        if (!keep || keep(*f)) d += pathOf(f->GetGeometryRef(), m_frame);
    if (d.empty()) return;
    const std::string stroke =
        haloPx > 0 ? fmt::format("stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"", colour, haloPx)
                   : std::string("stroke=\"none\"");
    m_svg += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"{}\" {}/>", d, colour, opacity, stroke);
}

void SvgMap::outlines(const std::string& layerName, const std::string& colour, double width, bool dashed) {
    OGRLayer* l = m_ds.GetLayerByName(layerName.c_str());
    if (!l) return;
    std::string d;
    l->ResetReading();
    for (auto& f : *l) d += pathOf(f->GetGeometryRef(), m_frame);
    if (!d.empty())
        m_svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>", d, colour, width,
                             dashed ? " stroke-dasharray=\"4 3\"" : "");
}

bool SvgMap::take(const Box& b) {
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > m_frame.width || b.y1 > m_frame.height) return false;
    for (const Box& t : m_taken)
        if (t.overlaps(b)) return false;
    m_taken.push_back(b);
    return true;
}

void SvgMap::numberedOutlines(const std::string& layerName, const std::string& numberField, const std::string& kindField,
                              const std::string& kind, const std::string& colour, bool dashed) {
    numberedOutlines(
        layerName,
        [&](OGRFeature& f) -> std::string {
            if (!kindField.empty() && f.GetFieldAsString(kindField.c_str()) != kind) return "";
            return f.GetFieldAsString(numberField.c_str());
        },
        colour, dashed);
}

void SvgMap::numberedOutlines(const std::string& layerName, const Numbering& numberOf, const std::string& colour,
                              bool dashed, bool besideWhenSmall) {
    OGRLayer* l = m_ds.GetLayerByName(layerName.c_str());
    if (!l) return;
    const geom::GeosContext geos;
    struct Item {
        std::string number;
        double x, y, r;  // pixels: the inscribed circle
    };
    std::vector<Item> items;
    std::string d;
    l->ResetReading();
    for (auto& f : *l) {
        const std::string number = numberOf(*f);
        const OGRGeometry* g = f->GetGeometryRef();
        if (number.empty() || !g) continue;
        d += pathOf(g, m_frame);
        if (const auto c = inscribedCircle(geos, g, 0.5 / m_frame.scale))
            items.push_back({number, m_frame.px(c->x), m_frame.py(c->y), c->r * m_frame.scale});
    }
    if (d.empty()) return;
    m_svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{}/>", d, colour,
                         dashed ? " stroke-dasharray=\"5 3\"" : "");
    // The largest first: they have the most room, the small ones then find theirs around them.
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.r > b.r; });
    constexpr double kR = 12;  // the badge's radius
    // Small areas keep their own few pixels free of badges and place names.
    if (besideWhenSmall)
        for (const Item& it : items)
            if (it.r < kR) m_taken.push_back({it.x - 2 * it.r - 3, it.y - 2 * it.r - 3, it.x + 2 * it.r + 3, it.y + 2 * it.r + 3});
    for (const Item& it : items) {
        const double w = std::max(2 * kR, textWidth(it.number, 15) + 10);
        const auto badge = [&](double cx, double cy) { return Box{cx - w / 2, cy - kR, cx + w / 2, cy + kR}; };
        bool placed = false;
        // Inside: at the centre, or as far from it as the circle leaves room.
        for (const auto& [dx, dy] : {std::pair{0.0, 0.0}, {0.0, -1.0}, {0.0, 1.0}, {-1.0, 0.0}, {1.0, 0.0}}) {
            if (besideWhenSmall && it.r < kR) break;
            const double room = std::max(0.0, it.r - kR);
            const double cx = it.x + dx * room, cy = it.y + dy * room;
            if (take(badge(cx, cy))) {
                m_labels += fmt::format("<g class=\"badge\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                                        "rx=\"{:.0f}\" fill=\"#fff\" stroke=\"{}\" stroke-width=\"2\"/><text x=\"{:.1f}\" y=\"{:.1f}\" "
                                        "fill=\"{}\">{}</text></g>",
                                        cx - w / 2, cy - kR, w, 2 * kR, kR, colour, cx, cy + 5, colour, esc(it.number));
                placed = true;
                break;
            }
        }
        // Beside it, with a leader line, at the first free place on rings around it.
        const double first = besideWhenSmall ? std::max(24.0, it.r + kR + 4) : 24.0;
        for (double dist = first; !placed && dist <= first + 96; dist += 16)
            for (int k = 0; k < 12 && !placed; ++k) {
                const double a = k * M_PI / 6 - M_PI / 2;
                const double cx = it.x + dist * std::cos(a), cy = it.y + dist * std::sin(a);
                if (!take(badge(cx, cy))) continue;
                m_labels += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                                        "stroke-width=\"1\"/><g class=\"badge\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                                        "height=\"{:.1f}\" rx=\"{:.0f}\" fill=\"#fff\" stroke=\"{}\" stroke-width=\"2\"/><text x=\"{:.1f}\" "
                                        "y=\"{:.1f}\" fill=\"{}\">{}</text></g>",
                                        it.x, it.y, cx, cy, colour, cx - w / 2, cy - kR, w, 2 * kR, kR, colour, cx, cy + 5,
                                        colour, esc(it.number));
                placed = true;
            }
    }
}

void SvgMap::placeNames() {
    const geom::GeosContext geos;
    struct Name {
        std::string text;
        double x, y;   // pixels: a town's inscribed centre, a station's point
        bool point;
    };
    std::vector<Name> names;
    for (OGRLayer* l : contextLayers(m_ds)) {
        const int idx = l->GetLayerDefn()->GetFieldIndex("label");
        if (idx < 0) continue;
        l->ResetReading();
        for (auto& f : *l) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g || !f->IsFieldSetAndNotNull(idx)) continue;
            if (g->getDimension() == 2) {
                if (const auto c = inscribedCircle(geos, g, 1.0 / m_frame.scale))
                    names.push_back({f->GetFieldAsString(idx), m_frame.px(c->x), m_frame.py(c->y), false});
            } else if (g->getDimension() == 0) {
                OGREnvelope e;
                g->getEnvelope(&e);
                names.push_back({f->GetFieldAsString(idx), m_frame.px(e.MinX), m_frame.py(e.MinY), true});
            }
        }
    }
    // The stations' dots first (a name must not cover one), then the towns' names in the middle of
    // them or just above or below, then the stations' names right, left, above or below their dot.
    for (const Name& n : names)
        if (n.point) {
            m_taken.push_back({n.x - 4, n.y - 4, n.x + 4, n.y + 4});
            m_labels += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#333\" stroke=\"#fff\"/>", n.x, n.y);
        }
    for (const Name& n : names) {
        if (n.point) continue;
        const double w = textWidth(n.text, 13);
        for (double dy : {0.0, -16.0, 16.0, -28.0, 28.0})
            if (take({n.x - w / 2 - 2, n.y + dy - 12, n.x + w / 2 + 2, n.y + dy + 5})) {
                m_labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"place\" text-anchor=\"middle\">{}</text>", n.x,
                                        n.y + dy, esc(n.text));
                break;
            }
    }
    for (const Name& n : names) {
        if (!n.point) continue;
        const double w = textWidth(n.text, 11);
        const std::pair<double, double> spots[] = {{n.x + 6, n.y + 4}, {n.x - 6 - w, n.y + 4}, {n.x - w / 2, n.y - 8}, {n.x - w / 2, n.y + 16}};
        for (const auto& [tx, ty] : spots)
            if (take({tx - 2, ty - 11, tx + w + 2, ty + 4})) {
                m_labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"place small-place\">{}</text>", tx, ty, esc(n.text));
                break;
            }
    }
}

std::string SvgMap::scaleBar(bool english) const {
    // A bar of a round length, about a fifth of the map's width, at the bottom left.
    const double metres = niceBelow(m_frame.width / 5 / m_frame.scale);
    const double len = metres * m_frame.scale, x = 12, y = m_frame.height - 16;
    const std::string text = metres >= 1000 ? fmt::format("{:g} km", metres / 1000) : fmt::format("{:g} m", metres);
    return fmt::format("<g class=\"scalebar\" aria-label=\"{}\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"5\" "
                       "fill=\"#222\"/><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"5\" fill=\"#fff\" stroke=\"#222\" "
                       "stroke-width=\"0.8\"/><text x=\"{:.1f}\" y=\"{:.1f}\">0</text><text x=\"{:.1f}\" y=\"{:.1f}\" "
                       "text-anchor=\"middle\">{}</text></g>",
                       english ? "scale bar" : "skalstock", x, y, len / 2, x + len / 2, y, len / 2, x - 3, y - 4,
                       x + len, y - 4, text);
}

std::string SvgMap::northArrow() const {
    const double x = m_frame.width - 26, y = 14;
    return fmt::format("<g class=\"north\" aria-label=\"N\"><path d=\"M{0:.1f} {1:.1f}L{2:.1f} {3:.1f}L{0:.1f} {4:.1f}Z\" "
                       "fill=\"#222\"/><path d=\"M{0:.1f} {1:.1f}L{5:.1f} {3:.1f}L{0:.1f} {4:.1f}Z\" fill=\"#fff\" "
                       "stroke=\"#222\" stroke-width=\"0.8\"/><text x=\"{0:.1f}\" y=\"{6:.1f}\" text-anchor=\"middle\">N</text></g>",
                       x, y + 10, x + 8, y + 36, y + 30, x - 8, y + 50);
}

std::string SvgMap::finish(bool english) {
    placeNames();
    return m_svg + m_base.studyOutline + m_labels + scaleBar(english) + northArrow() + "</svg>";
}

} // namespace trygg::report
