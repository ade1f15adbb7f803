#include "trygg/grid/Lattice.hpp"

#include "trygg/core/Error.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <cmath>
#include <cstdio>
#include <string>

namespace trygg::grid {
namespace {

constexpr double kSqrt3 = 1.7320508075688772;

// Whole cells in a lattice, in double so that no size computed from input overflows before it is
// checked. 2^40 cells is far beyond any machine (max_cells is at most 10^12 < 2^40).
constexpr double kMaxCells = 1099511627776.0;

// floor(a / b) as an integer, refusing quotients an int64 cannot hold (a cell size of 1e-300 m).
std::int64_t floorDiv(double a, double b) {
    const double q = std::floor(a / b);
    if (!(std::abs(q) < 4.0e18)) {
        char text[200];
        std::snprintf(text, sizeof text, "grid: coordinate %.10g is %.3g cells of %g m from the origin, too many to count",
                      a, a / b, b);
        throw InputError(text);
    }
    return static_cast<std::int64_t>(q);
}

// Refuses a lattice of cols x rows (computed in double) that no machine could hold, before the
// int64 product can overflow.
void requireCountable(double cols, double rows, double cellSizeM, const Extent& extent) {
    if (cols * rows <= kMaxCells) return;
    char text[256];
    std::snprintf(text, sizeof text,
                  "grid: a %g m grid over %.3g x %.3g km would need about %.3g cells, far more than any machine "
                  "holds. Use a larger cell size",
                  cellSizeM, extent.width() / 1000, extent.height() / 1000, cols * rows);
    throw InputError(text);
}

} // namespace

Lattice Lattice::cover(Shape shape, double cellSizeM, const Extent& extent, Alignment alignment) {
    if (!(cellSizeM > 0) || !std::isfinite(cellSizeM))
        throw InputError("grid: cell size " + std::to_string(cellSizeM) + " m is not a positive number");
    if (!std::isfinite(extent.minX) || !std::isfinite(extent.minY) || !std::isfinite(extent.maxX) ||
        !std::isfinite(extent.maxY) || extent.maxX < extent.minX || extent.maxY < extent.minY)
        throw InputError("grid: the extent to cover is not a finite rectangle");
    Lattice l;
    l.m_shape = shape;
    l.m_alignment = alignment;
    l.m_cellSizeM = cellSizeM;
    const double s = cellSizeM;
    if (shape == Shape::Square) {
        if (alignment == Alignment::Snapped) {
            requireCountable(std::floor(extent.width() / s) + 2, std::floor(extent.height() / s) + 2, s, extent);
            l.m_globalCol0 = floorDiv(extent.minX, s);
            l.m_globalRow0 = floorDiv(extent.minY, s);
            l.m_originX = static_cast<double>(l.m_globalCol0) * s;
            l.m_originY = static_cast<double>(l.m_globalRow0) * s;
            l.m_cols = floorDiv(extent.maxX - l.m_originX, s) + 1;
            l.m_rows = floorDiv(extent.maxY - l.m_originY, s) + 1;
        } else {
            // st_make_grid: ceiling of the extent over the cell size, at least one cell.
            requireCountable(std::ceil(extent.width() / s), std::ceil(extent.height() / s), s, extent);
            l.m_originX = extent.minX;
            l.m_originY = extent.minY;
            l.m_cols = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(extent.width() / s)));
            l.m_rows = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(extent.height() / s)));
        }
        return l;
    }
    // Hexagons, pointy-topped, odd rows shifted right by half a cell ("odd-r" offset layout).
    const double h = s * kSqrt3 / 2.0;  // row spacing
    requireCountable(std::floor(extent.width() / s) + 3, std::floor(extent.height() / h) + 4, s, extent);
    std::int64_t col0 = floorDiv(extent.minX, s) - 1;
    std::int64_t row0 = floorDiv(extent.minY, h) - 1;
    if (row0 % 2 != 0) row0 -= 1;  // keep row parity global, so rows line up across runs
    double ox = static_cast<double>(col0) * s;
    double oy = static_cast<double>(row0) * h;
    if (alignment == Alignment::Extent) {
        col0 = row0 = 0;
        ox = extent.minX;
        oy = extent.minY;
    }
    l.m_globalCol0 = col0;
    l.m_globalRow0 = row0;
    l.m_originX = ox;
    l.m_originY = oy;
    l.m_cols = floorDiv(extent.maxX - ox, s) + 2;
    l.m_rows = floorDiv(extent.maxY - oy, h) + 2;
    return l;
}

double Lattice::cellAreaM2() const {
    return m_shape == Shape::Square ? m_cellSizeM * m_cellSizeM : m_cellSizeM * m_cellSizeM * kSqrt3 / 2.0;
}

std::int64_t Lattice::cellOf(double x, double y) const {
    const double s = m_cellSizeM;
    if (m_shape == Shape::Square) {
        const double fx = (x - m_originX) / s;
        const double fy = (y - m_originY) / s;
        if (!(fx >= 0) || !(fy >= 0)) return -1;
        auto c = static_cast<std::int64_t>(fx);
        auto r = static_cast<std::int64_t>(fy);
        if (c == m_cols && fx == static_cast<double>(m_cols)) c = m_cols - 1;
        if (r == m_rows && fy == static_cast<double>(m_rows)) r = m_rows - 1;
        if (c >= m_cols || r >= m_rows) return -1;
        return r * m_cols + c;
    }
    // Fractional axial coordinates of a pointy-top hexagon of circumradius R = s / sqrt(3), then
    // cube rounding (Red Blob Games, "Hexagonal Grids", the standard construction).
    const double px = x - m_originX;
    const double py = y - m_originY;
    const double radius = s / kSqrt3;
    const double q = (kSqrt3 / 3.0 * px - py / 3.0) / radius;
    const double rr = (2.0 / 3.0 * py) / radius;
    const double cx = q, cz = rr, cy = -q - rr;
    double rx = std::round(cx), ry = std::round(cy), rz = std::round(cz);
    const double dx = std::abs(rx - cx), dy = std::abs(ry - cy), dz = std::abs(rz - cz);
    if (dx > dy && dx > dz)
        rx = -ry - rz;
    else if (dy > dz)
        ry = -rx - rz;
    else
        rz = -rx - ry;
    const auto row = static_cast<std::int64_t>(rz);
    const auto col = static_cast<std::int64_t>(rx) + (row - (row & 1)) / 2;
    if (col < 0 || row < 0 || col >= m_cols || row >= m_rows) return -1;
    return row * m_cols + col;
}

Point Lattice::centre(CellIndex c) const {
    const double s = m_cellSizeM;
    if (m_shape == Shape::Square) {
        return {m_originX + (static_cast<double>(c.col) + 0.5) * s, m_originY + (static_cast<double>(c.row) + 0.5) * s};
    }
    return {m_originX + (static_cast<double>(c.col) + 0.5 * static_cast<double>(c.row & 1)) * s,
            m_originY + static_cast<double>(c.row) * s * kSqrt3 / 2.0};
}

Extent Lattice::blockBounds(std::int64_t c0, std::int64_t c1, std::int64_t r0, std::int64_t r1) const {
    Extent b{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
             std::numeric_limits<double>::lowest()};
    std::array<double, 7> xs{}, ys{};
    for (const std::int64_t r : {r0, r1 - 1, std::min(r0 + 1, r1 - 1)})
        for (const std::int64_t c : {c0, c1 - 1}) {
            const int n = ring({c, r}, xs, ys);
            for (int k = 0; k < n; ++k) {
                b.minX = std::min(b.minX, xs[k]);
                b.maxX = std::max(b.maxX, xs[k]);
                b.minY = std::min(b.minY, ys[k]);
                b.maxY = std::max(b.maxY, ys[k]);
            }
        }
    return b;
}

int Lattice::ring(CellIndex c, std::span<double, 7> xs, std::span<double, 7> ys) const {
    const double s = m_cellSizeM;
    if (m_shape == Shape::Square) {
        const double x0 = m_originX + static_cast<double>(c.col) * s;
        const double y0 = m_originY + static_cast<double>(c.row) * s;
        const double x1 = x0 + s, y1 = y0 + s;
        const double rx[5] = {x0, x1, x1, x0, x0};
        const double ry[5] = {y0, y0, y1, y1, y0};
        std::copy(rx, rx + 5, xs.begin());
        std::copy(ry, ry + 5, ys.begin());
        return 5;
    }
    const Point p = centre(c);
    const double radius = s / kSqrt3;
    // Pointy-top: vertices at 30 + 60k degrees, counter-clockwise (as GeoPackage prefers exterior rings).
    static constexpr double kCos[6] = {0.8660254037844387, 0.0, -0.8660254037844387, -0.8660254037844387, 0.0,
                                       0.8660254037844387};
    static constexpr double kSin[6] = {0.5, 1.0, 0.5, -0.5, -1.0, -0.5};
    for (int k = 0; k < 6; ++k) {
        xs[k] = p.x + radius * kCos[k];
        ys[k] = p.y + radius * kSin[k];
    }
    xs[6] = xs[0];
    ys[6] = ys[0];
    return 7;
}

double Lattice::offsetDistanceM(int rowParity, std::int64_t dcol, std::int64_t drow) const {
    const double s = m_cellSizeM;
    if (m_shape == Shape::Square) return s * std::hypot(static_cast<double>(dcol), static_cast<double>(drow));
    const std::int64_t targetParity = (rowParity + drow) & 1;
    const double dx = (static_cast<double>(dcol) + 0.5 * static_cast<double>(targetParity - rowParity)) * s;
    const double dy = static_cast<double>(drow) * s * kSqrt3 / 2.0;
    return std::hypot(dx, dy);
}

double autoCellSizeM(const Extent& extent) {
    const double side = std::min(extent.width(), extent.height());
    if (!(side > 0)) return 0.0;
    const double floored = std::floor(side / 50.0 / 100.0) * 100.0;
    return floored > 0 ? floored : side / 50.0;
}

} // namespace trygg::grid
