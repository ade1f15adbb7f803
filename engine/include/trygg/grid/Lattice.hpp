#pragma once
// Square and hexagonal lattices in a metric CRS. Plain C++: no GDAL, PROJ or GEOS types here.
//
// Square cells have sides of cellSizeM. Hexagons are pointy-topped (two vertical flat sides) and
// cellSizeM is the distance between opposite flat sides, which is also the distance between the
// centres of neighbouring cells (sf::st_make_grid's meaning of cellsize for hexagons).
#include <array>
#include <cstdint>
#include <span>

namespace trygg::grid {

enum class Shape { Square, Hex };

// How the lattice's origin is placed.
//   Snapped: cell edges (square) or centres (hex) at whole multiples of the cell size from the
//            CRS's origin, so that grids from different runs over different extents line up.
//   Extent:  the lower-left corner of the extent, as sf::st_make_grid does (for comparisons).
enum class Alignment { Snapped, Extent };

struct Extent {
    double minX = 0, minY = 0, maxX = 0, maxY = 0;
    double width() const { return maxX - minX; }
    double height() const { return maxY - minY; }
};

struct Point {
    double x = 0, y = 0;
};

// Column and row of a cell in the lattice (0-based, row 0 at the bottom).
struct CellIndex {
    std::int64_t col = 0, row = 0;
};

class Lattice {
public:
    // The lattice of `shape` cells that covers `extent`. Throws InputError when cellSizeM is not
    // positive and finite. Its size is cols() x rows(); check cellCount() before allocating.
    static Lattice cover(Shape shape, double cellSizeM, const Extent& extent, Alignment alignment);

    Shape shape() const { return m_shape; }
    double cellSizeM() const { return m_cellSizeM; }
    Alignment alignment() const { return m_alignment; }
    std::int64_t cols() const { return m_cols; }
    std::int64_t rows() const { return m_rows; }
    std::int64_t cellCount() const { return m_cols * m_rows; }
    double cellAreaM2() const;

    std::int64_t linear(CellIndex c) const { return c.row * m_cols + c.col; }
    CellIndex cellAt(std::int64_t linearIndex) const { return {linearIndex % m_cols, linearIndex / m_cols}; }

    // The cell containing (x, y), or -1 when outside the lattice. Square cells are half-open
    // [x0, x0 + s) x [y0, y0 + s), except that the lattice's upper and right edges belong to the
    // last column and row, so a point on the extent's boundary is never lost.
    std::int64_t cellOf(double x, double y) const;

    Point centre(CellIndex c) const;

    // The bounding box of the cells [c0, c1) x [r0, r1) (a non-empty block): their corner cells'
    // rings, and on a hex lattice the second row's too, as odd rows are shifted by half a cell.
    Extent blockBounds(std::int64_t c0, std::int64_t c1, std::int64_t r0, std::int64_t r1) const;

    // The cell's boundary as a closed ring, counter-clockwise: 5 points for a square, 7 for a
    // hexagon. Returns the number of points written.
    int ring(CellIndex c, std::span<double, 7> xs, std::span<double, 7> ys) const;

    // The column and row of the cell in the lattice anchored at the CRS's origin, stable across
    // runs with Snapped alignment.
    CellIndex globalIndex(CellIndex c) const { return {c.col + m_globalCol0, c.row + m_globalRow0}; }

    // Offsets (dcol, drow) of the cells whose centres lie within distanceM of a cell's centre
    // (with a relative tolerance of 1e-9), the cell itself included when includeSelf. Hex lattices
    // depend on the row's parity: `rowParity` is 0 or 1.
    template <class Fn>
    void forEachOffsetWithin(double distanceM, bool includeSelf, int rowParity, Fn&& fn) const;

    // Centre-to-centre distance between cell c and the cell at offset (dcol, drow).
    double offsetDistanceM(int rowParity, std::int64_t dcol, std::int64_t drow) const;

private:
    Shape m_shape = Shape::Square;
    Alignment m_alignment = Alignment::Snapped;
    double m_cellSizeM = 0;
    double m_originX = 0, m_originY = 0;  // square: lower-left corner of cell (0,0); hex: its centre
    std::int64_t m_cols = 0, m_rows = 0;
    std::int64_t m_globalCol0 = 0, m_globalRow0 = 0;
};

template <class Fn>
void Lattice::forEachOffsetWithin(double distanceM, bool includeSelf, int rowParity, Fn&& fn) const {
    const double limit = distanceM * (1.0 + 1e-9);
    const double rowStep = m_shape == Shape::Square ? m_cellSizeM : m_cellSizeM * 0.8660254037844386;
    const auto reachCols = static_cast<std::int64_t>(limit / m_cellSizeM) + 1;
    const auto reachRows = static_cast<std::int64_t>(limit / rowStep) + 1;
    for (std::int64_t dr = -reachRows; dr <= reachRows; ++dr) {
        for (std::int64_t dc = -reachCols; dc <= reachCols; ++dc) {
            if (dr == 0 && dc == 0) {
                if (includeSelf) fn(dc, dr);
                continue;
            }
            if (offsetDistanceM(rowParity, dc, dr) <= limit) fn(dc, dr);
        }
    }
}

// sfhotspot's default cell size: 1/50 of the shorter side of the extent, floored to a multiple of
// 100 m; when that is zero (an extent under 5 km), 1/50 of the shorter side. Returns 0 for an empty extent.
double autoCellSizeM(const Extent& extent);

} // namespace trygg::grid
