"""Getis–Ord Gi* and local Moran's I against PySAL esda, plus BH and speed."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.analysis import (
    COLD,
    HOT,
    benjamini_hochberg,
    gi_star,
    gi_star_z,
    grid_queen,
    local_moran,
    polygon_queen,
)
from trygg.analysis._permutation import permutation_counts

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def esda_g(y, w, seed=0, permutations=999):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, transform="B", star=True, permutations=permutations,
                            seed=seed, n_jobs=1)


def esda_moran(y, w, seed=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.Moran_Local(y, w, permutations=999, seed=seed)


def counts(rows, cols, seed, hot=True):
    rng = np.random.default_rng(seed)
    y = rng.poisson(2.0, rows * cols).astype(float)
    if hot:
        g = y.reshape(rows, cols)
        g[1:4, 1:4] += 6  # a clear hot spot
    return y


def assert_p_within_monte_carlo_error(ours, ref, R=999):
    """Two independent Monte Carlo estimates of the same p: compare with their SE."""
    p = np.clip((ours + ref) / 2, 1 / (R + 1), 1)
    se = np.sqrt(2 * p * (1 - p) / R) + 1 / (R + 1)
    d = np.abs(ours - ref)
    assert (d <= 5 * se + 0.002).all(), d.max()
    assert np.mean(d <= 2 * se + 0.002) > 0.9
    assert abs(np.mean(ours - ref)) < 0.02


@pytest.mark.parametrize("rows,cols", [(30, 20), (7, 11), (1, 25), (40, 40)])
def test_gi_star_z_equals_esda_zs_on_queen_grids(rows, cols):
    y = counts(rows, cols, seed=rows * cols)
    z = gi_star_z(y, grid_queen(rows, cols))[2]
    ref = esda_g(y, libpysal.weights.lat2W(rows, cols, rook=False), permutations=0)
    assert np.max(np.abs(z - ref.Zs)) <= 1e-9
    assert np.max(np.abs(gi_star_z(y, grid_queen(rows, cols))[0] - ref.Gs)) <= 1e-12


def test_gi_star_z_equals_esda_zs_on_a_30_by_20_grid_with_rook_weights():
    y = counts(30, 20, seed=1)
    z = gi_star_z(y, grid_queen(30, 20, rook=True))[2]
    ref = esda_g(y, libpysal.weights.lat2W(30, 20, rook=True), permutations=0)
    assert np.max(np.abs(z - ref.Zs)) <= 1e-9


def test_gi_star_z_equals_esda_zs_on_polygon_areas_with_queen_contiguity():
    shapely = pytest.importorskip("shapely")
    rng = np.random.default_rng(5)
    # irregular areas: a jittered 9 x 8 lattice of quadrilaterals (shared corners)
    xs = np.arange(10) * 100.0
    ys = np.arange(9) * 100.0
    X, Y = np.meshgrid(xs, ys)
    X = X + rng.uniform(-30, 30, X.shape)
    Y = Y + rng.uniform(-30, 30, Y.shape)
    polys = []
    for r in range(8):
        for c in range(9):
            ring = [(X[r, c], Y[r, c]), (X[r, c + 1], Y[r, c + 1]),
                    (X[r + 1, c + 1], Y[r + 1, c + 1]), (X[r + 1, c], Y[r + 1, c])]
            polys.append(shapely.Polygon(ring))
    w_ours = polygon_queen(polys)
    w_ref = libpysal.weights.Queen.from_iterable(polys)
    assert (w_ours != w_ref.sparse).nnz == 0
    y = rng.poisson(4, len(polys)) + rng.random(len(polys))  # continuous: no ties
    ours = gi_star(y, w_ours, permutations=999, seed=3)
    ref = esda_g(y, w_ref, seed=4)
    assert np.max(np.abs(ours.z - ref.Zs)) <= 1e-9
    assert_p_within_monte_carlo_error(ours.p_sim_folded, ref.p_sim.astype(float))


def test_gi_star_permutation_p_values_agree_with_esda_within_monte_carlo_error():
    rng = np.random.default_rng(11)
    y = counts(30, 20, seed=2) + rng.random(600)  # continuous: no tie conventions involved
    ours = gi_star(y, grid_queen(30, 20), permutations=999, seed=1)
    ref = esda_g(y, libpysal.weights.lat2W(30, 20, rook=False), seed=2)
    assert_p_within_monte_carlo_error(ours.p_sim_folded, ref.p_sim.astype(float))
    assert np.allclose(ours.p_sim, np.minimum(1, 2 * ours.p_sim_folded))


def test_permutation_sums_match_a_slow_per_cell_reference_distribution():
    rng = np.random.default_rng(0)
    n = 40
    v = rng.random(n)
    k = rng.integers(0, 7, n)
    obs = rng.random(n) * 3
    R = 20000
    ge, le, sims = permutation_counts(v, k, obs, R, np.random.default_rng(1), keep=True)
    for i in range(n):
        if k[i] == 0:
            assert ge[i] == le[i] == R
            continue
        others = np.delete(v, i)
        # exact mean and variance of a without-replacement sum of k[i] values
        mu = k[i] * others.mean()
        var = k[i] * others.var() * (n - 1 - k[i]) / (n - 2)
        assert abs(sims[i].mean() - mu) < 5 * np.sqrt(var / R) + 1e-12
        assert abs(sims[i].var() - var) < 0.06 * var + 1e-12
        assert ge[i] == (sims[i] >= obs[i] - 1e-9).sum()


def test_permutation_draws_never_repeat_a_cell_or_use_the_cell_itself():
    n = 12
    v = 10.0 ** np.arange(n)  # every subset has a unique sum: decode the draw
    k = np.full(n, 4)
    _, _, sims = permutation_counts(v, k, np.zeros(n), 300, np.random.default_rng(2),
                                    keep=True)
    for i in range(n):
        for s in sims[i]:
            digits = [int(ch) for ch in f"{int(round(s)):0{n}d}"[::-1]]
            assert sum(digits) == 4 and max(digits) == 1 and digits[i] == 0


def test_gi_star_finds_the_planted_hot_spot_after_fdr_with_normal_p():
    y = counts(30, 20, seed=3)
    r = gi_star(y, grid_queen(30, 20), permutations=999, seed=0, p_source="normal")
    hot = np.nonzero(r.classification == HOT)[0]
    assert {1 * 20 + 1, 2 * 20 + 2, 3 * 20 + 3} <= set(hot.tolist())
    assert (r.classification[r.z < 0] != HOT).all()
    assert (r.classification[r.z > 0] != COLD).all()


def test_gi_star_permutation_fdr_can_only_reject_when_enough_cells_reach_the_p_floor():
    # With R = 999 the smallest two-sided pseudo p is 0.002; BH over 600 cells needs k
    # cells with p ≤ k·0.05/600, i.e. at least 24 cells at the floor. A 3 x 3 hot spot
    # cannot reach that; a 10 x 10 hot region can.
    small = counts(30, 20, seed=3)
    r = gi_star(small, grid_queen(30, 20), permutations=999, seed=0)
    assert r.min_p == pytest.approx(0.002)
    assert r.p_sim[2 * 20 + 2] == pytest.approx(0.002)
    rng = np.random.default_rng(3)
    big = rng.poisson(2.0, 600).astype(float)
    big.reshape(30, 20)[5:15, 5:15] += 6
    r = gi_star(big, grid_queen(30, 20), permutations=999, seed=0)
    hot = set(np.nonzero(r.classification == HOT)[0].tolist())
    assert {r_ * 20 + c for r_ in range(7, 13) for c in range(7, 13)} <= hot
    assert (r.classification[r.z < 0] != HOT).all()
    assert (r.classification[r.z > 0] != COLD).all()


def test_gi_star_is_reproducible_with_a_seed():
    y = counts(20, 20, seed=4)
    a = gi_star(y, grid_queen(20, 20), seed=42)
    b = gi_star(y, grid_queen(20, 20), seed=42)
    assert np.array_equal(a.p_sim, b.p_sim)


def test_gi_star_on_constant_values_flags_nothing():
    r = gi_star(np.full(25, 3.0), grid_queen(5, 5), permutations=99, seed=0)
    assert np.isnan(r.z).all() and not r.significant.any()


def test_gi_star_on_a_100_by_100_grid_with_999_permutations_gives_the_analytic_z_and_valid_p():
    # Its speed is measured against esda in bench/bench_gistar.py, never asserted here.
    y = counts(100, 100, seed=5)
    w = grid_queen(100, 100)
    result = gi_star(y, w, permutations=999, seed=0)
    assert np.allclose(result.z, gi_star_z(y, w)[2], atol=1e-12)
    assert ((result.p_sim >= 1 / 1000) & (result.p_sim <= 1)).all()


def test_local_moran_matches_esda_is_quadrants_and_p_values():
    rng = np.random.default_rng(7)
    y = counts(30, 20, seed=6) + rng.random(600)
    ours = local_moran(y, grid_queen(30, 20), permutations=999, seed=0)
    ref = esda_moran(y, libpysal.weights.lat2W(30, 20, rook=False), seed=1)
    assert np.max(np.abs(ours.Is - ref.Is)) <= 1e-9
    assert np.array_equal(ours.q, ref.q)
    assert_p_within_monte_carlo_error(ours.p_sim_folded, ref.p_sim)


def test_local_moran_labels_outliers_and_clusters():
    y = np.zeros(49)
    y[24] = 50.0  # a single high cell among lows: high-low outlier
    y[:3] = [20, 20, 20]
    r = local_moran(y, grid_queen(7, 7), permutations=999, seed=0, fdr=0.5)
    assert r.q[24] == 4
    assert r.label[24] in ("high-low outlier", "not significant")
    assert set(r.label) <= {"high-high cluster", "low-low cluster", "high-low outlier",
                            "low-high outlier", "not significant"}


def test_benjamini_hochberg_matches_a_hand_worked_example():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    r = benjamini_hochberg(p, q=0.05)
    # sorted: .005 (≤.01) .01 (≤.02) .03 (≤.03) .04 (>.04? no: .04 ≤ .04) .5
    assert r.reject.tolist() == [True, True, True, True, False]
    assert r.p_adjusted[3] == pytest.approx(0.025)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=200), st.floats(0.001, 0.5))
def test_benjamini_hochberg_never_flags_more_than_raw_p_below_q(p, q):
    p = np.array(p)
    r = benjamini_hochberg(p, q)
    assert r.reject.sum() <= (p <= q).sum()
    assert (p[r.reject] <= q).all()
    # monotone: anything smaller than a rejected p is rejected
    if r.reject.any():
        assert r.reject[p <= p[r.reject].max()].all()
