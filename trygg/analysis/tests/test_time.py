"""ISO weeks and aoristic tables in Europe/Stockholm, including both DST nights."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.analysis import time as T

STHLM = ZoneInfo("Europe/Stockholm")
UTC = dt.timezone.utc
MON, TUE, WED, SUN = 0, 1, 2, 6


def local(*args, fold=0):
    return dt.datetime(*args, tzinfo=STHLM, fold=fold).timestamp()


def cells(table):
    return {(int(d), int(h)): float(table[d, h]) for d, h in zip(*np.nonzero(table))}


# ----------------------------------------------------------------------------- ISO weeks


def test_week_key_and_int_are_taken_in_local_time_not_utc():
    # Sunday 2026-03-29 23:30 local is still week 13; in UTC it is 21:30 the same day.
    # Monday 00:30 local (= Sunday 22:30 UTC) already belongs to week 14.
    assert T.iso_week_key(local(2026, 3, 29, 23, 30)) == "2026-W13"
    assert T.iso_week_key(local(2026, 3, 30, 0, 30)) == "2026-W14"
    assert T.iso_week_int(local(2026, 11, 18, 12)) == 202647
    assert list(T.iso_week_key([local(2026, 11, 16, 0, 0), local(2026, 11, 22, 23, 59)])) == [
        "2026-W47", "2026-W47"]


def test_iso_year_differs_from_calendar_year_at_new_year():
    assert T.iso_week_key(local(2021, 1, 3, 12)) == "2020-W53"
    assert T.iso_week_key(local(2024, 12, 30, 12)) == "2025-W01"


def test_vectorised_iso_weeks_agree_with_python_isocalendar_for_every_hour_of_two_years():
    t = np.arange(local(2025, 1, 1), local(2027, 1, 1), 3600.0)
    y, w = T.iso_week_of(t)
    ref = [dt.datetime.fromtimestamp(s, STHLM).isocalendar()[:2] for s in t[::7]]
    assert list(zip(y[::7].tolist(), w[::7].tolist())) == ref


def test_week_bounds_run_from_monday_midnight_local_to_next_monday_across_spring_dst():
    b = T.week_bounds("2026-W13")  # contains Sunday 29 March, clocks go 02:00 -> 03:00
    assert b.start_utc == dt.datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert b.end_utc == dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert b.end_epoch - b.start_epoch == 167 * 3600


def test_week_bounds_across_autumn_dst_are_169_hours_long():
    b = T.week_bounds(202643)  # contains Sunday 25 October, clocks go 03:00 -> 02:00
    assert b.start_utc == dt.datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert b.end_utc == dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert b.end_epoch - b.start_epoch == 169 * 3600


def test_parse_week_accepts_keys_ints_and_tuples_and_rejects_week_53_in_52_week_years():
    assert T.parse_week("2026-W47") == T.parse_week(202647) == T.parse_week((2026, 47))
    assert T.weeks_in_iso_year(2026) == 53 and T.weeks_in_iso_year(2025) == 52
    with pytest.raises(ValueError):
        T.parse_week("2025-W53")


def test_same_week_last_year_is_by_key_and_week_53_falls_back_to_52():
    assert T.same_week_last_year("2026-W47") == 202547
    assert T.same_week_last_year("2026-W53") == 202552
    assert T.same_week_last_year("2021-W10") == 202010  # 2020 has 53 weeks: 53 weeks back
    assert T.shift_week("2021-W10", -53) == 202010
    assert T.shift_week("2026-W01", -1) == 202552


# ----------------------------------------------------------------------------- aoristic


def test_point_event_puts_its_whole_weight_in_its_local_hour():
    t = T.aoristic_week_table([local(2026, 1, 7, 14, 59)])  # Wednesday
    assert cells(t) == {(WED, 14): 1.0}


def test_window_across_midnight_splits_by_minutes():
    t = T.aoristic_week_table([local(2026, 1, 6, 23, 30)], [local(2026, 1, 7, 1, 30)])
    assert cells(t) == pytest.approx({(TUE, 23): 0.25, (WED, 0): 0.5, (WED, 1): 0.25})


def test_window_across_the_week_boundary_wraps_from_sunday_to_monday():
    t = T.aoristic_week_table([local(2026, 1, 11, 23, 0)], [local(2026, 1, 12, 1, 0)])
    assert cells(t) == pytest.approx({(SUN, 23): 0.5, (MON, 0): 0.5})


def test_spring_forward_night_gives_nothing_to_the_missing_hour():
    # 2026-03-29 01:30-03:30 local is one real hour: 01:30-02:00 and 03:00-03:30.
    t = T.aoristic_week_table([local(2026, 3, 29, 1, 30)], [local(2026, 3, 29, 3, 30)])
    assert cells(t) == pytest.approx({(SUN, 1): 0.5, (SUN, 3): 0.5})
    assert t[SUN, 2] == 0


def test_fall_back_night_gives_the_repeated_hour_both_real_hours():
    # 2026-10-25 01:30 CEST -> 03:30 CET is three real hours; 02:00-03:00 happens twice.
    t = T.aoristic_week_table([local(2026, 10, 25, 1, 30)], [local(2026, 10, 25, 3, 30)])
    assert cells(t) == pytest.approx({(SUN, 1): 1 / 6, (SUN, 2): 4 / 6, (SUN, 3): 1 / 6})


def test_point_events_in_both_repeated_october_hours_land_in_the_same_cell():
    first = local(2026, 10, 25, 2, 30, fold=0)
    second = local(2026, 10, 25, 2, 30, fold=1)
    assert second - first == 3600
    assert cells(T.aoristic_week_table([first, second])) == {(SUN, 2): 2.0}


def test_a_two_day_three_hour_window_is_not_truncated_to_three_hours():
    # timedelta.seconds would see 3 hours; total_seconds sees 51.
    s = dt.datetime(2026, 1, 5, 10, 0, tzinfo=STHLM)
    e = s + dt.timedelta(days=2, hours=3)
    assert (e - s).seconds == 3 * 3600  # the trap
    t = T.aoristic_week_table([s.timestamp()], [e.timestamp()])
    nz = cells(t)
    assert len(nz) == 51
    assert all(v == pytest.approx(1 / 51) for v in nz.values())
    assert t.sum() == pytest.approx(1.0)


def test_windows_of_a_week_or_more_spread_uniformly():
    s = local(2026, 1, 5, 10)
    t = T.aoristic_week_table([s], [s + 8 * 86400])
    assert np.allclose(t, 1 / 168)


def test_datetime64_input_with_nat_end_means_point_event():
    s = np.array(["2026-01-07T13:15", "2026-01-07T13:15"], dtype="datetime64[s]")  # UTC
    e = np.array(["NaT", "2026-01-07T15:15"], dtype="datetime64[s]")
    t = T.aoristic_week_table(s, e)  # 14:15 local (CET = UTC+1); window 14:15-16:15 local
    assert cells(t) == pytest.approx({(WED, 14): 1.375, (WED, 15): 0.5, (WED, 16): 0.125})


def test_end_before_start_is_rejected():
    with pytest.raises(ValueError):
        T.aoristic_week_table([10.0], [5.0])


def test_hour_and_month_profiles_are_aoristic_and_sum_to_n():
    s = [local(2026, 1, 31, 23, 0), local(2026, 3, 29, 1, 30)]
    e = [local(2026, 2, 1, 1, 0), np.nan]
    hp = T.aoristic_hour_profile(s, e)
    assert hp[23] == pytest.approx(0.5) and hp[0] == pytest.approx(0.5) and hp[1] == 1
    mp = T.aoristic_month_profile(s, e)
    assert mp[0] == pytest.approx(0.5) and mp[1] == pytest.approx(0.5) and mp[2] == 1
    assert mp.sum() == pytest.approx(2)


def test_month_profile_spreads_long_windows_by_real_time():
    s, e = local(2026, 1, 1), local(2026, 3, 1)  # 59 days, January 31 / February 28
    mp = T.aoristic_month_profile([s], [e])
    assert mp[0] == pytest.approx(31 / 59) and mp[1] == pytest.approx(28 / 59)


def _reference_table(starts, ends):
    """Slow minute-by-minute reference (windows < 1 week)."""
    ref = np.zeros((7, 24))
    for s, e in zip(starts, ends):
        if np.isnan(e) or e == s:
            d = dt.datetime.fromtimestamp(s, STHLM)
            ref[d.weekday(), d.hour] += 1
            continue
        ts = np.arange(s, e, 60.0) + 30.0
        for x in ts:
            d = dt.datetime.fromtimestamp(x, STHLM)
            ref[d.weekday(), d.hour] += 1 / len(ts)
    return ref


def test_aoristic_table_matches_a_minute_by_minute_reference_around_both_dst_nights():
    rng = np.random.default_rng(3)
    base = np.array([local(2026, 3, 28, 20), local(2026, 10, 24, 20)])
    starts = np.repeat(base, 10) + rng.integers(0, 10 * 60, 20) * 60.0
    ends = starts + rng.integers(0, 12 * 60, 20) * 60.0
    got = T.aoristic_week_table(starts, ends)
    assert np.allclose(got, _reference_table(starts, ends), atol=1e-9)


window = st.tuples(
    st.integers(1_577_836_800, 1_893_456_000),  # 2020..2030
    st.one_of(st.none(), st.integers(0, 10 * 86400)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(window, min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_aoristic_cells_sum_to_the_number_of_events_whatever_the_order(events, rnd):
    s = np.array([a for a, _ in events], dtype=float)
    e = np.array([np.nan if d is None else a + d for a, d in events], dtype=float)
    t = T.aoristic_week_table(s, e)
    assert t.sum() == pytest.approx(len(events), abs=1e-9)
    assert (t >= 0).all()
    order = list(range(len(events)))
    rnd.shuffle(order)
    assert np.allclose(T.aoristic_week_table(s[order], e[order]), t, atol=1e-12)
    assert T.aoristic_month_profile(s, e).sum() == pytest.approx(len(events), abs=1e-9)


def test_aoristic_table_for_300_000_events_sums_to_the_event_count():
    rng = np.random.default_rng(0)
    n = 300_000
    s = local(2020, 1, 1) + rng.random(n) * 5 * 365 * 86400
    e = s + rng.exponential(6 * 3600, n)
    e[rng.random(n) < 0.3] = np.nan
    t = T.aoristic_week_table(s, e)  # speed is measured in bench/, never asserted in tests
    assert t.sum() == pytest.approx(n)
    assert (t >= 0).all()
