"""Poisson band, two-count z and the weekly trend cube."""

import numpy as np
import pytest

from trygg.analysis import poisson_band, two_count_z, week_trend


def test_poisson_band_matches_the_formula_and_flags_outside_counts():
    b = poisson_band([4.0, 0.0, 100.0], count=[11, 3, 70], z=3)
    assert b.low.tolist() == pytest.approx([0.25, 0.0, 72.25])
    assert b.high.tolist() == pytest.approx([12.25, 2.25, 132.25])
    assert b.flag.tolist() == [False, True, True]
    assert b.direction.tolist() == [0, 1, -1]


def test_poisson_band_lower_edge_never_goes_negative():
    b = poisson_band(np.linspace(0, 2, 21))
    assert (b.low >= 0).all()
    assert (b.low[np.sqrt(np.linspace(0, 2, 21)) <= 1.5] == 0).all()


def test_two_count_z_is_twice_the_difference_of_square_roots():
    r = two_count_z([25, 4, 9], [9, 25, 9])
    assert r.z.tolist() == pytest.approx([4.0, -6.0, 0.0])
    assert r.flag.tolist() == [True, True, False]
    assert r.direction.tolist() == [1, -1, 0]
    assert two_count_z([16], [4], threshold=5).flag.tolist() == [False]


def test_week_trend_reports_count_prior_mean_last_year_and_flag_per_series():
    W = 60
    cube = np.full((3, W), 4.0)
    cube[0, -1] = 20  # spike
    cube[1, -1] = 0  # drop: below band? low = (2-1.5)^2 = 0.25 → 0 < 0.25 flagged
    cube[2, W - 1 - 52] = 7
    r = week_trend(cube, W - 1)
    assert r.count.tolist() == [20, 0, 4]
    assert r.prior_mean.tolist() == [4, 4, 4]
    assert r.last_year.tolist() == [4, 4, 7]
    assert r.flag.tolist() == [True, True, False]
    assert r.direction.tolist() == [1, -1, 0]
    assert r.z[0] == pytest.approx(2 * (np.sqrt(20) - 2))


def test_week_trend_looks_up_last_year_by_iso_week_key_not_position():
    # 2020 has 53 ISO weeks: 2021-W10 is 53 columns after 2020-W10.
    from trygg.analysis.time import shift_week

    keys = [shift_week("2020-W01", i) for i in range(70)]
    cube = np.arange(70, dtype=float)[None, :]
    col = keys.index(202110)
    r = week_trend(cube, "2021-W10", week_keys=keys)
    assert r.count[0] == col
    assert r.last_year[0] == keys.index(202010) == col - 53
    assert r.prior_mean[0] == pytest.approx(np.mean(np.arange(col - 8, col)))
    r_pos = week_trend(cube, col)
    assert r_pos.last_year[0] == col - 52


def test_week_trend_with_too_few_prior_weeks_has_no_baseline_and_no_flag():
    r = week_trend(np.array([[5.0, 50.0]]), 0)
    assert np.isnan(r.prior_mean[0]) and not r.flag[0] and np.isnan(r.low[0])
    r = week_trend(np.array([[5.0, 50.0]]), 1)
    assert r.prior_mean[0] == 5 and r.n_prior[0] == 1 and r.flag[0]


def test_week_trend_rejects_non_consecutive_week_keys():
    with pytest.raises(ValueError):
        week_trend(np.zeros((1, 3)), 202603, week_keys=[202601, 202602, 202604])


def test_week_trend_is_vectorised_over_many_series():
    rng = np.random.default_rng(0)
    cube = rng.poisson(5, (50_000, 20))
    r = week_trend(cube, 19)
    assert r.flag.shape == (50_000,)
    assert 0 < r.flag.mean() < 0.05
