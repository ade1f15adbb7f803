#include "Measures.hpp"

#include "trygg/io/Values.hpp"

#include <fmt/format.h>
#include <geos_c.h>

#include <set>

namespace trygg::pipeline::steps::measure {
namespace {

// The measure's area from its geometry: polygons as they are, points and lines buffered.
geom::GeomPtr areaOf(const geom::GeosContext& geos, const GEOSGeometry* g, double radiusM) {
    auto h = geos.handle();
    geom::GeomPtr poly = geom::polygonalPart(geos, geom::own(geos, GEOSGeom_clone_r(h, g), "copying a measure's place"));
    double a = 0;
    if (poly && GEOSArea_r(h, poly.get(), &a) == 1 && a > 0) return poly;
    return geom::own(geos, GEOSBuffer_r(h, g, radiusM, 16), "drawing radius_m around a measure's point or line");
}

} // namespace

std::string dayText(std::int64_t wallSeconds) {
    int y = 0, m = 0, d = 0;
    io::civilFromDays(wallSeconds >= 0 ? wallSeconds / kDay : (wallSeconds - kDay + 1) / kDay, y, m, d);
    return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

MeasuresResult readMeasures(const Analysis& a) {
    const MeasuresConfig& mc = *a.cfg.measures;
    io::MeasureRegister reg = io::readMeasureRegister(mc.register_, a.analysisCrs, a.geos);
    MeasuresResult out;
    out.layerName = reg.layerName;
    std::vector<io::NamedFeatures> places;
    for (const auto& spec : mc.places) places.push_back(a.inputs.namedFeatures(spec));
    std::set<std::string> kinds, ids;
    for (const auto& k : mc.kinds) kinds.insert(io::lowerUtf8(k));
    const auto reject = [&](const io::MeasureRow& r, const char* field, const char* reason, std::string detail) {
        out.rejected.push_back({r.sourceRow, r.id, field, reason, std::move(detail)});
    };
    for (auto& r : reg.rows) {
        if (r.id.empty()) {
            reject(r, "id", "missing_id", "a measure needs an id, which the report and the åtgärdsplan name it by");
            continue;
        }
        if (!ids.insert(r.id).second) {
            reject(r, "id", "duplicate_id", "the id '" + r.id + "' is taken by an earlier row");
            continue;
        }
        if (r.name.empty()) {
            reject(r, "name", "missing_name", "a measure needs a name");
            continue;
        }
        if (!kinds.count(io::lowerUtf8(r.kind))) {
            reject(r, "kind", "unknown_kind",
                   fmt::format("'{}' is not one of the kinds: {} ([measures] kinds)", r.kind, fmt::join(mc.kinds, ", ")));
            continue;
        }
        const auto start = io::parseDateTime(r.start);
        if (!start) {
            reject(r, "start", "bad_date", "'" + r.start + "' is not a date such as 2024-03-01");
            continue;
        }
        Measure m;
        m.start = start->wallSeconds() / kDay * kDay;
        if (!r.end.empty()) {
            const auto end = io::parseDateTime(r.end);
            if (!end) {
                reject(r, "end", "bad_date", "'" + r.end + "' is not a date such as 2024-06-30");
                continue;
            }
            m.end = end->wallSeconds() / kDay * kDay + kDay;  // through that day
            if (m.end <= m.start) {
                reject(r, "end", "end_before_start", fmt::format("it ends ({}) before it starts ({})", r.end, r.start));
                continue;
            }
        }
        if (!r.badGeometry.empty()) {
            reject(r, "place", "bad_geometry", "'" + r.badGeometry + "' is not WKT such as POINT (381863 6184692)");
            continue;
        }
        if (!r.geometryProblem.empty()) {
            reject(r, "place", "bad_geometry", r.geometryProblem);
            continue;
        }
        geom::GeomPtr g;
        if (r.geom) {
            g = std::move(r.geom);
        } else if (!r.place.empty()) {
            for (std::size_t k = 0; k < places.size() && !g; ++k)
                for (const auto& f : places[k].features)
                    if (f.name == r.place) {
                        g = geom::own(a.geos, GEOSGeom_clone_r(a.geos.handle(), f.geom.get()), "copying a place");
                        m.placeLayer = places[k].layerName;
                        break;
                    }
            if (!g) {
                reject(r, "place", "place_not_found",
                       fmt::format("no feature named '{}' in the [[measures.places]] layers", r.place));
                continue;
            }
        } else {
            reject(r, "place", "no_place", "the row has no geometry and no place naming a feature of a map layer");
            continue;
        }
        // GEOS gives up on a geometry now and then (NULL, its message kept): the row is rejected
        // with that message, every geometry made so far owned and freed.
        try {
            geom::GeomPtr area = areaOf(a.geos, g.get(), mc.radiusM);
            if (a.area()) area = a.area()->clip(area.get());
            m.areaWkb = geom::toWkb(a.geos, area.get());
            m.area = std::make_unique<geom::Area>(a.geos, std::vector<std::vector<unsigned char>>{m.areaWkb}, nullptr);
            m.areaM2 = m.area->areaM2();
            if (!(m.areaM2 > 0)) {
                reject(r, "place", "outside_study_area", "its area lies outside the study area");
                continue;
            }
            const geom::GeomPtr zone =
                geom::own(a.geos, GEOSBuffer_r(a.geos.handle(), area.get(), mc.bufferM, 16), "drawing buffer_m around a measure");
            m.zone = std::make_unique<geom::Area>(
                a.geos, std::vector<std::vector<unsigned char>>{geom::toWkb(a.geos, zone.get())}, nullptr);
        } catch (const GeometryError& e) {
            reject(r, "place", "bad_geometry", e.what());
            continue;
        }
        m.row = std::move(r);
        out.measures.push_back(std::move(m));
    }
    return out;
}

} // namespace trygg::pipeline::steps::measure
