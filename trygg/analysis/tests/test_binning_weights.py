"""Square and hexagon binning; neighbour structures against libpysal."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.analysis import (
    grid_queen,
    hex_bin,
    hex_neighbours,
    hex_polygons,
    polygon_queen,
    square_bin,
    square_grid_counts,
    with_self,
)


def test_square_bin_assigns_points_to_cells_aligned_on_the_origin():
    x = [674_010.0, 674_249.9, 674_250.0, 674_100]
    y = [6_580_010.0, 6_580_010, 6_580_010, 6_580_300]
    b = square_bin(x, y, 250.0)
    assert b.col.tolist() == [2696, 2696, 2697]
    assert b.row.tolist() == [26320, 26321, 26320]
    assert b.count.tolist() == [2, 1, 1]
    assert b.point_cell.tolist() == [0, 0, 2, 1]
    assert b.cell_id[0] == "E2696N26320"
    assert b.centre[0].tolist() == [674_125.0, 6_580_125.0]
    assert b.polygon.shape == (3, 5, 2)
    assert b.polygon[0, 0].tolist() == [674_000.0, 6_580_000.0]
    assert b.polygon[0, 2].tolist() == [674_250.0, 6_580_250.0]


def test_square_grid_counts_include_zero_cells_in_row_major_order():
    g = square_grid_counts([5, 15, 15, 25], [5, 5, 15, 25], 10.0)
    assert g.counts.shape == (3, 3)
    assert g.counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert g.centre[1].tolist() == [15.0, 5.0]
    assert g.point_index.tolist() == [0, 1, 4, 8]


@pytest.mark.parametrize("orientation", ["pointy", "flat"])
def test_hex_bin_puts_each_point_in_the_hexagon_with_the_nearest_centre(orientation):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 2000, 3000), rng.uniform(0, 2000, 3000)
    b = hex_bin(x, y, 100.0, orientation)
    assert b.count.sum() == 3000
    d_own = np.hypot(x - b.centre[b.point_cell, 0], y - b.centre[b.point_cell, 1])
    d_all = np.hypot(x[:, None] - b.centre[None, :, 0], y[:, None] - b.centre[None, :, 1])
    assert np.allclose(d_own, d_all.min(axis=1))
    assert (d_own <= 100.0 + 1e-9).all()


@pytest.mark.parametrize("orientation", ["pointy", "flat"])
def test_hex_polygons_are_regular_hexagons_of_the_given_size(orientation):
    shapely = pytest.importorskip("shapely")
    p = hex_polygons([0, 1], [0, 0], 100.0, orientation)
    assert p.shape == (2, 7, 2)
    a = shapely.Polygon(p[0])
    assert a.area == pytest.approx(3 * np.sqrt(3) / 2 * 100**2)
    assert a.is_valid
    # neighbouring hexagons share an edge, not overlap
    b = shapely.Polygon(p[1])
    assert a.intersection(b).area == pytest.approx(0, abs=1e-6)
    # they share a whole edge of length 100 (up to floating point in the corners)
    assert a.buffer(1e-6).intersection(b).area / 1e-6 == pytest.approx(100.0, rel=1e-3)
    top = p[0][:, 1].argmax()
    if orientation == "pointy":
        assert np.isclose(p[0][top, 0], 0.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1,
                max_size=200), st.floats(1, 5000))
def test_binning_counts_sum_to_the_number_of_points(pts, size):
    x, y = np.array(pts).T
    assert square_bin(x, y, size).count.sum() == len(pts)
    assert hex_bin(x, y, size).count.sum() == len(pts)
    assert hex_bin(x, y, size, "flat").count.sum() == len(pts)


def test_grid_queen_equals_libpysal_lat2w():
    libpysal = pytest.importorskip("libpysal")
    for rows, cols, rook in [(5, 7, False), (1, 6, False), (4, 4, True), (30, 20, False)]:
        ref = libpysal.weights.lat2W(rows, cols, rook=rook).sparse
        assert (grid_queen(rows, cols, rook=rook) != ref).nnz == 0


def test_hex_neighbours_match_polygon_queen_of_the_hexagons():
    shapely = pytest.importorskip("shapely")
    rng = np.random.default_rng(2)
    for orientation in ("pointy", "flat"):
        b = hex_bin(rng.uniform(0, 1500, 400), rng.uniform(0, 1500, 400), 100.0, orientation)
        wh = hex_neighbours(b.q, b.r)
        polys = [shapely.Polygon(p) for p in b.polygon]
        wp = polygon_queen([shapely.buffer(p, 1e-6) for p in polys])
        assert (wh != wp).nnz == 0
        assert wh.sum(axis=1).max() <= 6


def test_polygon_queen_counts_a_shared_corner_as_contiguity():
    shapely = pytest.importorskip("shapely")
    a = shapely.box(0, 0, 1, 1)
    b = shapely.box(1, 1, 2, 2)  # touches a at one point
    c = shapely.box(3, 3, 4, 4)
    w = polygon_queen([a, b, c]).toarray()
    assert w.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_with_self_sets_the_diagonal_to_one():
    w = with_self(grid_queen(2, 2))
    assert w.diagonal().tolist() == [1, 1, 1, 1]
    assert w.sum() == 4 + 12
