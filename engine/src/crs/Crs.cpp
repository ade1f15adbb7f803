#include "trygg/crs/Crs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "trygg/core/Error.hpp"

#include <proj.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

namespace trygg::crs {

void PjDeleter::operator()(PJconsts* pj) const { proj_destroy(pj); }

namespace {

std::string lastError(PJ_CONTEXT* ctx) {
    const int code = proj_context_errno(ctx);
    const char* msg = proj_context_errno_string(ctx, code);
    return msg ? msg : "unknown PROJ error";
}

// Idle PROJ contexts, handed to the next Transformer. A fresh context opens proj.db and looks its
// operations up anew (tens of milliseconds per Transformer); an idle one keeps the database open
// and its lookups cached. A context serves one Transformer at a time, as PROJ requires; the pool
// is never destroyed, so a Transformer destroyed at exit can still give its context back.
class ContextPool {
public:
    static ContextPool& instance() {
        static ContextPool* pool = new ContextPool;
        return *pool;
    }
    PJ_CONTEXT* take() {
        {
            const std::lock_guard lock(m_mutex);
            if (!m_idle.empty()) {
                PJ_CONTEXT* ctx = m_idle.back();
                m_idle.pop_back();
                return ctx;
            }
        }
        PJ_CONTEXT* ctx = proj_context_create();
        proj_log_level(ctx, PJ_LOG_NONE);
        return ctx;
    }
    void giveBack(PJ_CONTEXT* ctx) {
        if (!ctx) return;
        {
            const std::lock_guard lock(m_mutex);
            if (m_idle.size() < kMaxIdle) {
                m_idle.push_back(ctx);
                return;
            }
        }
        proj_context_destroy(ctx);
    }

private:
    static constexpr std::size_t kMaxIdle = 16;
    std::mutex m_mutex;
    std::vector<PJ_CONTEXT*> m_idle;
};

bool allDigits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

} // namespace

Crs::Crs(std::string userInput, PjPtr pj) : m_userInput(std::move(userInput)), m_pj(std::move(pj)) {}

Crs::Crs(const Crs& other) : m_userInput(other.m_userInput), m_pj(proj_clone(nullptr, other.m_pj.get())) {}

Crs& Crs::operator=(const Crs& other) {
    if (this != &other) {
        m_userInput = other.m_userInput;
        m_pj.reset(proj_clone(nullptr, other.m_pj.get()));
    }
    return *this;
}

Crs Crs::fromUserInput(const std::string& text) {
    static const bool quiet = [] {  // the engine never prints: errors come back as exceptions
        proj_log_level(nullptr, PJ_LOG_NONE);
        return true;
    }();
    (void)quiet;
    std::string def = text;
    if (allDigits(def)) def = "EPSG:" + def;
    PjPtr pj(proj_create(nullptr, def.c_str()));
    if (!pj) {
        throw CrsError("crs: unknown coordinate reference system '" + text + "': " + lastError(nullptr) +
                       ". Give it as EPSG:N, for example EPSG:3006 for SWEREF 99 TM");
    }
    const PJ_TYPE type = proj_get_type(pj.get());
    if (type == PJ_TYPE_BOUND_CRS) {
        pj.reset(proj_get_source_crs(nullptr, pj.get()));
    }
    if (!proj_is_crs(pj.get())) {
        throw CrsError("crs: '" + text + "' is not a coordinate reference system. Give it as EPSG:N");
    }
    return Crs(text, std::move(pj));
}

std::string Crs::name() const {
    const char* n = proj_get_name(m_pj.get());
    return n ? n : "";
}

std::string Crs::authorityCode() const {
    const char* auth = proj_get_id_auth_name(m_pj.get(), 0);
    const char* code = proj_get_id_code(m_pj.get(), 0);
    if (!auth || !code) return "";
    return std::string(auth) + ":" + code;
}

bool Crs::isGeographic() const {
    const PJ_TYPE t = proj_get_type(m_pj.get());
    return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS || t == PJ_TYPE_GEOGRAPHIC_CRS;
}

bool Crs::isProjected() const { return proj_get_type(m_pj.get()) == PJ_TYPE_PROJECTED_CRS; }

double Crs::linearUnitToMetre() const {
    PjPtr cs(proj_crs_get_coordinate_system(nullptr, m_pj.get()));
    if (!cs) return 0.0;
    double factor = 0.0;
    const char* unitName = nullptr;
    if (!proj_cs_get_axis_info(nullptr, cs.get(), 0, nullptr, nullptr, nullptr, &factor, &unitName, nullptr,
                               nullptr))
        return 0.0;
    if (proj_cs_get_type(nullptr, cs.get()) != PJ_CS_TYPE_CARTESIAN) return 0.0;
    return factor;
}

std::string Crs::toWkt() const {
    const char* wkt = proj_as_wkt(nullptr, m_pj.get(), PJ_WKT2_2019, nullptr);
    return wkt ? wkt : "";
}

std::optional<LonLatBounds> Crs::areaOfUse() const {
    LonLatBounds b;
    if (!proj_get_area_of_use(nullptr, m_pj.get(), &b.west, &b.south, &b.east, &b.north, nullptr)) return {};
    if (b.west == -1000) return {};  // PROJ's "unknown"
    return b;
}

std::string utmZoneCode(double lon, double lat) {
    const int zone = std::clamp(static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1, 1, 60);
    return (lat >= 0 ? "EPSG:326" : "EPSG:327") + std::string(zone < 10 ? "0" : "") + std::to_string(zone);
}

CrsChoice chooseAnalysisCrs(double lon, double lat) {
    if (!(lat <= 84.0 && lat >= -80.0) || !(lon >= -180.0 && lon <= 180.0))
        throw CrsError(fmt::format("crs: the data's centre ({:.3f}, {:.3f}) lies beyond the UTM zones; give the "
                                   "analysis CRS ([analysis] crs, --analysis-crs), such as a polar stereographic one",
                                   lon, lat));
    const Crs sweref = Crs::fromUserInput("EPSG:3006");
    if (const auto b = sweref.areaOfUse(); b && lon >= b->west && lon <= b->east && lat >= b->south && lat <= b->north)
        return {"EPSG:3006", fmt::format("automatic: SWEREF 99 TM, as the data's centre ({:.4f} E, {:.4f} N) lies in "
                                         "its area of use (Sweden)",
                                         lon, lat)};
    const std::string code = utmZoneCode(lon, lat);
    const Crs utm = Crs::fromUserInput(code);
    return {code, fmt::format("automatic: {} ({}), the UTM zone of the data's centre ({:.4f}, {:.4f})", utm.name(), code,
                              lon, lat)};
}

void Crs::requireMetricProjected(const std::string& what) const {
    if (isGeographic() || !isProjected()) {
        throw CrsError("crs: " + what + " '" + m_userInput + "' (" + name() +
                       ") is not a projected CRS: distances and areas need metres. Use a projected CRS "
                       "in metres: EPSG:3006 (SWEREF 99 TM) for Sweden, EPSG:3008 (SWEREF 99 13 30) for "
                       "Skåne, or the UTM zone of the data (EPSG:326NN)");
    }
    const double f = linearUnitToMetre();
    if (std::abs(f - 1.0) > 1e-12) {
        throw CrsError("crs: " + what + " '" + m_userInput + "' (" + name() +
                       ") does not use metres. Use a projected CRS in metres such as EPSG:3006");
    }
}

Transformer::Transformer(const Crs& from, const Crs& to) {
    if (proj_is_equivalent_to(from.pj(), to.pj(), PJ_COMP_EQUIVALENT)) {
        m_noop = true;
        return;
    }
    m_ctx = ContextPool::instance().take();
    PjPtr raw(proj_create_crs_to_crs_from_pj(m_ctx, from.pj(), to.pj(), nullptr, nullptr));
    if (!raw) {
        const std::string err = lastError(m_ctx);
        proj_context_destroy(m_ctx);  // not given back: it holds the error
        m_ctx = nullptr;
        throw CrsError("crs: no transformation from '" + from.userInput() + "' to '" + to.userInput() + "': " +
                       err);
    }
    m_pj.reset(proj_normalize_for_visualization(m_ctx, raw.get()));
    if (!m_pj) {
        const std::string err = lastError(m_ctx);
        raw.reset();
        proj_context_destroy(m_ctx);
        m_ctx = nullptr;
        throw CrsError("crs: cannot settle the axis order from '" + from.userInput() + "' to '" +
                       to.userInput() + "': " + err);
    }
}

// Gives the context back with its error state cleared (a point that failed to transform leaves
// its error on the context).
void Transformer::release() {
    if (m_pj) proj_errno_reset(m_pj.get());
    m_pj.reset();
    ContextPool::instance().giveBack(m_ctx);
    m_ctx = nullptr;
}

Transformer::~Transformer() { release(); }

Transformer::Transformer(Transformer&& other) noexcept
    : m_ctx(other.m_ctx), m_pj(std::move(other.m_pj)), m_noop(other.m_noop) {
    other.m_ctx = nullptr;
}

Transformer& Transformer::operator=(Transformer&& other) noexcept {
    if (this != &other) {
        release();
        m_ctx = other.m_ctx;
        m_pj = std::move(other.m_pj);
        m_noop = other.m_noop;
        other.m_ctx = nullptr;
    }
    return *this;
}

bool Transformer::transform(double& x, double& y) const {
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    if (m_noop) return true;
    PJ_COORD c = proj_coord(x, y, 0, 0);
    PJ_COORD r = proj_trans(m_pj.get(), PJ_FWD, c);
    if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y) || r.xy.x == HUGE_VAL) {
        proj_errno_reset(m_pj.get());
        return false;
    }
    x = r.xy.x;
    y = r.xy.y;
    return true;
}

std::optional<Transformer::Box> Transformer::transformBounds(const Box& box) const {
    if (m_noop) return box;
    Box out{};
    if (!proj_trans_bounds(m_ctx, m_pj.get(), PJ_FWD, box.minX, box.minY, box.maxX, box.maxY, &out.minX, &out.minY,
                           &out.maxX, &out.maxY, 21)) {
        proj_errno_reset(m_pj.get());
        return std::nullopt;
    }
    return out;
}

void Transformer::transform(std::span<double> x, std::span<double> y) const {
    if (m_noop) return;
    const size_t n = std::min(x.size(), y.size());
    proj_trans_generic(m_pj.get(), PJ_FWD, x.data(), sizeof(double), n, y.data(), sizeof(double), n, nullptr, 0,
                       0, nullptr, 0, 0);
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || x[i] == HUGE_VAL) {
            x[i] = std::numeric_limits<double>::quiet_NaN();
            y[i] = std::numeric_limits<double>::quiet_NaN();
        }
    }
    proj_errno_reset(m_pj.get());
}

} // namespace trygg::crs
