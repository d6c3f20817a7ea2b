"""Mann–Kendall, recurring places and emerging hot spots."""

import numpy as np
import pytest
from scipy import stats

from trygg.analysis import emerging_hotspots, grid_queen, mann_kendall, recurring_places


def test_mann_kendall_without_continuity_matches_scipy_kendall_tau_against_time():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (30, 15)).astype(float)  # many ties
    mk = mann_kendall(x, continuity=False)
    for row, z, p in zip(x, mk.z, mk.p):
        ref = stats.kendalltau(np.arange(15), row, method="asymptotic")
        assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)


def test_mann_kendall_hand_example_with_ties():
    mk = mann_kendall([1, 2, 2, 3])
    # pairs: (1,2)+ (1,2)+ (1,3)+ (2,2)0 (2,3)+ (2,3)+ → S = 5
    assert mk.s[0] == 5
    assert mk.var_s[0] == pytest.approx((4 * 3 * 13 - 2 * 1 * 9) / 18)
    assert mk.z[0] == pytest.approx(4 / np.sqrt(mk.var_s[0]))
    assert mann_kendall([3, 3, 3]).p[0] == 1.0


def test_recurring_places_counts_hot_weeks_in_the_last_n():
    hot = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0], [1, 1, 0]], dtype=bool)
    assert recurring_places(hot, k=2, n=3).tolist() == [True, True, False]
    assert recurring_places(hot, k=3).tolist() == [True, False, False]


def _cube(seed, T=12, rows=20, cols=20):
    rng = np.random.default_rng(seed)
    c = rng.poisson(1.0, (T, rows * cols)).astype(float)
    return c, c.reshape(T, rows, cols)


@pytest.mark.slow
def test_emerging_hot_spots_label_persistent_and_new_cells():
    c, g = _cube(4)
    g[:, 2:8, 2:8] += 8  # hot every week at a steady level
    g[-1, 12:18, 12:18] += 12  # hot only in the last week
    r = emerging_hotspots(c, grid_queen(20, 20), permutations=999, seed=0)
    lab = r.label.reshape(20, 20)
    assert lab[5, 5] == "persistent"
    assert lab[15, 15] == "new"
    assert lab[0, 19] == ""
    assert r.hot.shape == (12, 400)


@pytest.mark.slow
def test_emerging_hot_spots_label_intensifying_and_relatively_diminishing_cells():
    # Gi* z is relative to each week's mean and SD: a steady hot spot next to a rising one
    # loses ground and is labelled "diminishing" (documented behaviour).
    c, g = _cube(4)
    g[:, 2:8, 2:8] += 8
    g[:, 12:18, 12:18] += np.linspace(5, 16, 12)[:, None, None]
    r = emerging_hotspots(c, grid_queen(20, 20), permutations=999, seed=0)
    lab = r.label.reshape(20, 20)
    assert lab[15, 15] == "intensifying"
    assert lab[5, 5] == "diminishing"
    assert r.mk_trend.reshape(20, 20)[15, 15] == 1
