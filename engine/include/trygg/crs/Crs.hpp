#pragma once
// Coordinate reference systems and transforms, through PROJ. Axis order is settled here, once:
// every coordinate in Trygg is (x = easting or longitude, y = northing or latitude), whatever
// order the CRS's authority defines.
#include <memory>
#include <optional>
#include <span>
#include <string>

struct PJconsts;  // PROJ's PJ
struct pj_ctx;    // PROJ's PJ_CONTEXT

namespace trygg::crs {

struct PjDeleter {
    void operator()(PJconsts* pj) const;
};
using PjPtr = std::unique_ptr<PJconsts, PjDeleter>;

struct LonLatBounds {
    double west = 0, south = 0, east = 0, north = 0;
};

// The analysis CRS Trygg chooses when none is given, for data centred at (lon, lat): SWEREF 99 TM
// (EPSG:3006) inside its area of use, else the WGS 84 UTM zone of the centre (EPSG:326NN north of
// the equator, 327NN south). `rule` says why, for the summary and run_metadata. Throws CrsError
// beyond UTM's latitudes (84° N, 80° S).
struct CrsChoice {
    std::string code;
    std::string rule;
};
CrsChoice chooseAnalysisCrs(double lon, double lat);
// "EPSG:32633" for the UTM zone of (lon, lat).
std::string utmZoneCode(double lon, double lat);

// A coordinate reference system. Not thread-safe: one per thread.
class Crs {
public:
    // From "EPSG:3006", "epsg:4326", a bare code "3006", WKT or a PROJ string.
    // Throws CrsError naming the text when PROJ does not know it.
    static Crs fromUserInput(const std::string& text);

    Crs(const Crs& other);
    Crs& operator=(const Crs& other);
    Crs(Crs&&) noexcept = default;
    Crs& operator=(Crs&&) noexcept = default;
    ~Crs() = default;

    const std::string& userInput() const { return m_userInput; }
    std::string name() const;
    // "EPSG:3006", or "" when the CRS has no authority code.
    std::string authorityCode() const;
    bool isGeographic() const;
    bool isProjected() const;
    // Metres per unit of the first axis; 0 when not a linear unit.
    double linearUnitToMetre() const;
    std::string toWkt() const;
    std::optional<LonLatBounds> areaOfUse() const;

    // Throws CrsError unless this is a projected CRS in metres, suitable for distances and areas.
    void requireMetricProjected(const std::string& what) const;

    PJconsts* pj() const { return m_pj.get(); }

private:
    Crs(std::string userInput, PjPtr pj);
    std::string m_userInput;
    PjPtr m_pj;
};

// Transforms coordinates from one CRS to another, in the (x, y) order settled above.
// Holds a PROJ context of its own while it lives (taken from a pool of idle ones): one per thread.
class Transformer {
public:
    Transformer(const Crs& from, const Crs& to);
    ~Transformer();
    Transformer(const Transformer&) = delete;
    Transformer& operator=(const Transformer&) = delete;
    Transformer(Transformer&&) noexcept;
    Transformer& operator=(Transformer&&) noexcept;

    // Transforms one point in place; false (and the point unchanged) when it cannot be
    // transformed (outside the projection's domain, not finite).
    bool transform(double& x, double& y) const;

    // Transforms arrays in place; points that fail become NaN.
    void transform(std::span<double> x, std::span<double> y) const;

    // The bounding box, in the target CRS, of a box in the source CRS (its edges densified so that
    // curved edges are covered); nullopt when PROJ cannot transform it.
    struct Box {
        double minX, minY, maxX, maxY;
    };
    std::optional<Box> transformBounds(const Box& box) const;

    bool isNoop() const { return m_noop; }

private:
    void release();
    pj_ctx* m_ctx = nullptr;  // from a pool of idle contexts, given back on destruction
    PjPtr m_pj;
    bool m_noop = false;
};

} // namespace trygg::crs
