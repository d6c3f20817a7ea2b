"""Square-grid and hexagon binning of projected points (SWEREF 99 TM, metres).

Square grid: cell (col, row) covers ``[ox + col·size, ox + (col+1)·size) ×
[oy + row·size, oy + (row+1)·size)``; the default origin (0, 0) makes cells stable across
queries (a point always falls in the same cell whatever else is in the data set).

Hexagons: ``size`` is the circumradius (centre to corner) in metres. Cells are addressed by
axial coordinates (q, r) (see https://www.redblobgames.com/grids/hexagons/); "pointy" hexes
have a corner at the top, "flat" hexes a flat top. Points are assigned by cube rounding, so
every point goes to the hexagon whose centre is nearest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "GridBins",
    "HexBins",
    "DenseGrid",
    "square_bin",
    "square_grid_counts",
    "hex_bin",
    "hex_centres",
    "hex_polygons",
    "square_polygons",
]

_SQRT3 = np.sqrt(3.0)


class GridBins(NamedTuple):
    """Occupied square cells (length-m arrays) and the point → cell mapping (length n)."""

    point_cell: np.ndarray  # index into the cell arrays for each input point
    col: np.ndarray  # cell column (int64)
    row: np.ndarray  # cell row (int64)
    cell_id: np.ndarray  # stable string id "E{col}N{row}" (object array)
    centre: np.ndarray  # (m, 2) x, y of cell centres
    count: np.ndarray  # (m,) number (or summed weight) of points
    polygon: np.ndarray  # (m, 5, 2) closed ring of corner coordinates (counter-clockwise)


class HexBins(NamedTuple):
    point_cell: np.ndarray
    q: np.ndarray  # axial q
    r: np.ndarray  # axial r
    cell_id: np.ndarray  # "Q{q}R{r}"
    centre: np.ndarray  # (m, 2)
    count: np.ndarray
    polygon: np.ndarray  # (m, 7, 2) closed ring


class DenseGrid(NamedTuple):
    """Full rectangular grid (row-major, row 0 = southernmost) for hot-spot analysis."""

    counts: np.ndarray  # (rows, cols)
    x0: float  # x of the west edge of column 0
    y0: float  # y of the south edge of row 0
    cell_size: float
    centre: np.ndarray  # (rows*cols, 2) centres in row-major order (matches weights.grid_queen)
    point_index: np.ndarray  # flat row-major cell index per point


def _xy(x, y):
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("coordinates must be finite")
    return x, y


def _weights(w, n):
    if w is None:
        return None
    w = np.asarray(w, dtype=float).ravel()
    if w.shape != (n,):
        raise ValueError("weights must have one value per point")
    return w


def square_polygons(col, row, cell_size: float, origin=(0.0, 0.0)) -> np.ndarray:
    """(m, 5, 2) closed counter-clockwise rings of square cells."""
    x0 = origin[0] + np.asarray(col) * cell_size
    y0 = origin[1] + np.asarray(row) * cell_size
    dx = np.array([0, 1, 1, 0, 0]) * cell_size
    dy = np.array([0, 0, 1, 1, 0]) * cell_size
    return np.stack([x0[:, None] + dx, y0[:, None] + dy], axis=-1)


def square_bin(x, y, cell_size: float, origin=(0.0, 0.0), weights=None) -> GridBins:
    """Bin points into square cells of ``cell_size`` metres; only occupied cells returned."""
    if cell_size <= 0:
        raise ValueError("cell_size must be positive")
    x, y = _xy(x, y)
    w = _weights(weights, x.size)
    col = np.floor((x - origin[0]) / cell_size).astype(np.int64)
    row = np.floor((y - origin[1]) / cell_size).astype(np.int64)
    keys, inv = np.unique(np.stack([col, row], axis=1), axis=0, return_inverse=True)
    inv = inv.ravel()
    ucol, urow = keys[:, 0], keys[:, 1]
    count = np.bincount(inv, weights=w, minlength=len(keys)).astype(float)
    centre = np.stack(
        [origin[0] + (ucol + 0.5) * cell_size, origin[1] + (urow + 0.5) * cell_size], axis=1
    )
    ids = np.array([f"E{c}N{r}" for c, r in zip(ucol, urow)], dtype=object)
    return GridBins(inv, ucol, urow, ids, centre, count,
                    square_polygons(ucol, urow, cell_size, origin))


def square_grid_counts(x, y, cell_size: float, bounds=None, origin=(0.0, 0.0),
                       weights=None) -> DenseGrid:
    """Counts on a full rectangular grid covering ``bounds`` (xmin, ymin, xmax, ymax; default
    the points' extent), snapped outward to the grid defined by ``origin`` and
    ``cell_size``. Zero cells are included — what Gi* and KDE need. Points outside
    ``bounds`` are dropped (``point_index`` = -1)."""
    if cell_size <= 0:
        raise ValueError("cell_size must be positive")
    x, y = _xy(x, y)
    w = _weights(weights, x.size)
    if bounds is None:
        if x.size == 0:
            raise ValueError("bounds needed when there are no points")
        bounds = (x.min(), y.min(), x.max(), y.max())
    xmin, ymin, xmax, ymax = bounds
    c0 = int(np.floor((xmin - origin[0]) / cell_size))
    r0 = int(np.floor((ymin - origin[1]) / cell_size))
    c1 = int(np.floor((xmax - origin[0]) / cell_size))
    r1 = int(np.floor((ymax - origin[1]) / cell_size))
    cols, rows = c1 - c0 + 1, r1 - r0 + 1
    col = np.floor((x - origin[0]) / cell_size).astype(np.int64) - c0
    row = np.floor((y - origin[1]) / cell_size).astype(np.int64) - r0
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    idx = np.where(inside, row * cols + col, -1)
    counts = np.bincount(idx[inside], weights=None if w is None else w[inside],
                         minlength=rows * cols).astype(float).reshape(rows, cols)
    x0 = origin[0] + c0 * cell_size
    y0 = origin[1] + r0 * cell_size
    cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
    centre = np.stack([x0 + (cc.ravel() + 0.5) * cell_size,
                       y0 + (rr.ravel() + 0.5) * cell_size], axis=1)
    return DenseGrid(counts, float(x0), float(y0), float(cell_size), centre, idx)


def _check_orientation(orientation: str) -> str:
    if orientation not in ("pointy", "flat"):
        raise ValueError("orientation must be 'pointy' or 'flat'")
    return orientation


def hex_centres(q, r, size: float, orientation: str = "pointy", origin=(0.0, 0.0)):
    """(m, 2) centres of axial hex cells."""
    _check_orientation(orientation)
    q = np.asarray(q, dtype=float)
    r = np.asarray(r, dtype=float)
    if orientation == "pointy":
        cx = size * _SQRT3 * (q + r / 2.0)
        cy = size * 1.5 * r
    else:
        cx = size * 1.5 * q
        cy = size * _SQRT3 * (r + q / 2.0)
    return np.stack([origin[0] + cx, origin[1] + cy], axis=-1)


def hex_polygons(q, r, size: float, orientation: str = "pointy", origin=(0.0, 0.0)):
    """(m, 7, 2) closed counter-clockwise rings of the hexagons."""
    c = hex_centres(q, r, size, orientation, origin)
    start = 30.0 if orientation == "pointy" else 0.0
    ang = np.deg2rad(start + 60.0 * np.arange(7))
    return np.stack(
        [c[:, 0:1] + size * np.cos(ang), c[:, 1:2] + size * np.sin(ang)], axis=-1
    )


def _axial_round(qf, rf):
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_bin(x, y, size: float, orientation: str = "pointy", origin=(0.0, 0.0),
            weights=None) -> HexBins:
    """Bin points into hexagons of circumradius ``size`` metres; occupied cells only."""
    if size <= 0:
        raise ValueError("size must be positive")
    _check_orientation(orientation)
    x, y = _xy(x, y)
    w = _weights(weights, x.size)
    px, py = (x - origin[0]) / size, (y - origin[1]) / size
    if orientation == "pointy":
        qf = _SQRT3 / 3.0 * px - py / 3.0
        rf = 2.0 / 3.0 * py
    else:
        qf = 2.0 / 3.0 * px
        rf = -px / 3.0 + _SQRT3 / 3.0 * py
    q, r = _axial_round(qf, rf)
    keys, inv = np.unique(np.stack([q, r], axis=1), axis=0, return_inverse=True)
    inv = inv.ravel()
    uq, ur = keys[:, 0], keys[:, 1]
    count = np.bincount(inv, weights=w, minlength=len(keys)).astype(float)
    ids = np.array([f"Q{a}R{b}" for a, b in zip(uq, ur)], dtype=object)
    return HexBins(inv, uq, ur, ids, hex_centres(uq, ur, size, orientation, origin), count,
                   hex_polygons(uq, ur, size, orientation, origin))
