"""Quartic KDE, the concentration table and WDD / WDQ."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.analysis import (
    MIN_TREATED_EVENTS,
    concentration,
    default_bandwidth,
    quartic_kde,
    quartic_kde_grid,
    quartic_kernel,
    wdd,
    wdq,
)

# ----------------------------------------------------------------------------- KDE


def brute_kde(x, y, qx, qy, h, w=None):
    d = np.hypot(qx.ravel()[:, None] - x[None, :], qy.ravel()[:, None] - y[None, :])
    k = np.where(d < h, 3 / (np.pi * h * h) * (1 - (d / h) ** 2) ** 2, 0.0)
    if w is not None:
        k = k * w[None, :]
    return k.sum(axis=1).reshape(qx.shape)


def test_kde_equals_brute_force_evaluation_with_and_without_weights():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 300, 500), rng.normal(0, 200, 500)
    x[:3] = y[:3] = 0.0  # events exactly on a query point
    w = rng.uniform(0.5, 2, 500)
    qx, qy = np.meshgrid(np.arange(-800, 801, 50.0), np.arange(-600, 601, 50.0))
    for weights in (None, w):
        got = quartic_kde(x, y, qx, qy, bandwidth=250.0, weights=weights, chunk=97)
        assert np.allclose(got, brute_kde(x, y, qx, qy, 250.0, weights), rtol=1e-12,
                           atol=1e-18)


def test_kde_surface_integrates_to_the_weighted_number_of_events():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1000, 200), rng.uniform(0, 1000, 200)
    w = rng.uniform(0, 3, 200)
    g = quartic_kde_grid(x, y, 5.0, bandwidth=150.0, weights=w)
    assert g.density.sum() * 25.0 == pytest.approx(w.sum(), rel=1e-3)
    g2 = quartic_kde_grid(x, y, 5.0, bandwidth=150.0, per_km2=True)
    assert g2.density.sum() * 25.0 / 1e6 == pytest.approx(200, rel=1e-3)
    assert g2.units == "events per km²"


def test_quartic_kernel_integrates_to_one_and_vanishes_at_the_bandwidth():
    r = np.linspace(0, 100, 200_001)
    integral = np.trapezoid(quartic_kernel(r, 100.0) * 2 * np.pi * r, r)
    assert integral == pytest.approx(1.0, rel=1e-6)
    assert quartic_kernel(100.0, 100.0) == 0 and quartic_kernel(0.0, 100.0) == pytest.approx(
        3 / (np.pi * 1e4))


def test_default_bandwidth_is_twice_the_standard_distance_times_n_to_minus_one_sixth():
    rng = np.random.default_rng(2)
    x, y = rng.normal(0, 1000, 1000), rng.normal(0, 1000, 1000)
    sd = np.sqrt(np.mean((x - x.mean()) ** 2 + (y - y.mean()) ** 2))
    assert default_bandwidth(x, y) == pytest.approx(2 * sd * 1000 ** (-1 / 6))
    assert default_bandwidth([0, 1], [0, 1]) == 100.0  # floor
    assert default_bandwidth([0, 1e6], [0, 1e6]) == 2000.0  # ceiling
    assert default_bandwidth([5.0], [5.0]) == 100.0


# ----------------------------------------------------------------------------- concentration


def test_concentration_table_uses_ceil_of_the_share_of_places():
    counts = [30, 20, 10, 10, 5, 5, 5, 5, 5, 5, 0, 0]
    c = concentration(counts)  # 10 places with events
    assert [r.places for r in c.rows] == [1, 1, 2]
    assert [r.event_share for r in c.rows] == pytest.approx([0.3, 0.3, 0.5])
    assert c.rows[2].sentence == "20 % of the places (2 of 10) hold 50 % of the events."
    assert c.half_places == 2 and c.half_place_share == pytest.approx(0.2)
    call = concentration(counts, include_zero=True)  # 12 places
    assert [r.places for r in call.rows] == [1, 2, 3]
    assert call.n_places == 12


def test_concentration_with_no_events_says_so():
    c = concentration([0, 0, 0])
    assert c.total_events == 0 and c.rows[0].sentence == "There are no events."


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=300), st.booleans())
def test_concentration_shares_are_monotone_and_bounded(counts, include_zero):
    c = concentration(counts, shares=(0.05, 0.1, 0.2, 0.5, 1.0), include_zero=include_zero)
    shares = [r.event_share for r in c.rows]
    assert all(a <= b + 1e-12 for a, b in zip(shares, shares[1:]))
    assert all(0 <= s <= 1 + 1e-12 for s in shares)
    # top p % of places hold at least p % of the events
    for r in c.rows:
        if c.total_events:
            assert r.event_share >= r.places / c.n_places - 1e-12
    if c.total_events:
        assert shares[-1] == pytest.approx(1.0)
        assert c.rows[-1].places == c.n_places


# ----------------------------------------------------------------------------- WDD / WDQ


def test_wdd_example_from_the_methods_note():
    r = wdd(t_before=20, t_after=10, c_before=20, c_after=20)
    assert r.estimate == -10
    assert r.variance == 70
    assert r.se == pytest.approx(math.sqrt(70)) and r.se == pytest.approx(8.37, abs=0.005)
    assert r.z == pytest.approx(-10 / math.sqrt(70))
    assert (r.ci_low, r.ci_high) == pytest.approx((-10 - 1.6448536 * r.se,
                                                  -10 + 1.6448536 * r.se))
    assert r.p_value == pytest.approx(0.2320, abs=1e-4)
    assert not r.too_few_events


def test_wdd_with_a_buffer_uses_all_eight_counts():
    r = wdd(40, 20, 30, 33, d_before=10, d_after=14, dc_before=12, dc_after=12)
    assert r.estimate == (20 - 40) - (33 - 30) + (14 - 10) - (12 - 12)
    assert r.variance == 40 + 20 + 30 + 33 + 10 + 14 + 12 + 12
    with pytest.raises(ValueError):
        wdd(40, 20, 30, 33, d_before=10)


def test_rate_adjusted_wdd_works_per_day_and_propagates_poisson_variance():
    r = wdd(30, 10, 60, 40, days_before=30, days_after=20)
    assert r.rate_adjusted
    assert r.estimate == pytest.approx((10 / 20 - 30 / 30) - (40 / 20 - 60 / 30))
    assert r.variance == pytest.approx((10 + 40) / 20**2 + (30 + 60) / 30**2)
    same = wdd(30, 10, 60, 40, days_before=30, days_after=30)
    assert not same.rate_adjusted and same.estimate == -20 + 20


def test_wdd_says_when_there_are_too_few_events():
    r = wdd(8, 3, 10, 9)
    assert r.too_few_events and "fewer than 20" in r.reasons[0]
    assert MIN_TREATED_EVENTS == 20
    assert wdd(20, 0, 15, 14).too_few_events is False  # T after = 0 is a success
    assert wdd(25, 10, 0, 9).too_few_events


def test_wdq_labels_diffusion_partial_displacement_and_larger_displacement():
    # T 100 -> 50 with C flat: success measure −0.5 (C = 100 both periods)
    assert wdq(100, 50, 100, 100, 40, 30).label == "diffusion of benefits"
    r = wdq(100, 50, 100, 100, 40, 50)
    assert r.value == pytest.approx(-0.2) and r.label == "partial displacement"
    assert wdq(100, 50, 100, 100, 40, 100).label == "displacement larger than the effect"
    assert wdq(100, 50, 100, 100, 40, 40).label == "no displacement or diffusion"
    assert wdq(100, 50, 100, 100, 40, 90).value == pytest.approx(-1.0)


def test_wdq_is_undefined_when_the_denominator_or_a_comparison_count_is_zero():
    assert not wdq(10, 10, 20, 20, 5, 8).defined  # no change in T relative to C
    assert not wdq(10, 5, 0, 20, 5, 8).defined
    assert np.isnan(wdq(10, 5, 20, 0, 5, 8).value)
