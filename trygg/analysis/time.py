"""ISO weeks and aoristic (time-window) weighting in Europe/Stockholm local time.

Conventions
-----------
* Instants are stored and passed in UTC: either epoch seconds (int/float, NaN = missing)
  or ``numpy.datetime64`` values (naive, meaning UTC; ``NaT`` = missing).
* Local time is obtained with :mod:`zoneinfo` (default ``Europe/Stockholm``).
* Hour-of-week index ``how = 24 * weekday + hour`` with Monday = 0 and local hour 0–23.

Aoristic rules (see docs/analysis.md): a window ``[start, end)`` spreads a weight of 1 over
the local hour-of-week cells it touches, in proportion to the *real* (elapsed) time spent in
each; a window of one week or longer spreads uniformly (1/168 per cell); an event without an
end (or with ``end == start``) puts its whole weight in its hour. Local hours that do not
exist (spring-forward night) receive nothing; the repeated hour (autumn-back night) receives
the time of both real hours. The window midpoint is never used.

Implementation: Stockholm's UTC offsets are whole hours, so local hour boundaries coincide
with UTC hour boundaries. Each window is split over a global timeline of UTC hours with a
difference array (partial first/last hour + constant weight on the full hours between), so
the cost is O(events + hours spanned by the data), with no per-event Python loop.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

__all__ = [
    "DEFAULT_TZ",
    "WeekBounds",
    "to_epoch_seconds",
    "iso_week_of",
    "iso_week_key",
    "iso_week_int",
    "parse_week",
    "week_bounds",
    "weeks_in_iso_year",
    "shift_week",
    "same_week_last_year",
    "hour_of_week",
    "aoristic_week_table",
    "aoristic_hour_profile",
    "aoristic_month_profile",
]

DEFAULT_TZ = "Europe/Stockholm"
HOUR = 3600
WEEK_SECONDS = 7 * 24 * HOUR
_UTC = _dt.timezone.utc
# 1970-01-01 was a Thursday: hours since the Monday 1969-12-29 00:00 = hours since epoch + 72.
_EPOCH_WEEKDAY_HOURS = 72


class WeekBounds(NamedTuple):
    """Half-open UTC bounds ``[start, end)`` of one ISO week in local time."""

    key: str  # "2026-W47"
    start_utc: _dt.datetime  # aware, UTC; Monday 00:00 local
    end_utc: _dt.datetime  # aware, UTC; next Monday 00:00 local
    start_epoch: int
    end_epoch: int


# --------------------------------------------------------------------------- conversions


def to_epoch_seconds(values) -> np.ndarray:
    """Return float64 epoch seconds (UTC); NaT/None/NaN become NaN.

    Accepts epoch seconds (numbers), ``numpy.datetime64`` arrays (naive = UTC) or sequences
    of aware :class:`datetime.datetime`.
    """
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        ns = arr.astype("datetime64[ns]")
        out = ns.astype(np.int64).astype(np.float64) / 1e9
        out[np.isnat(ns)] = np.nan
        return out
    if arr.dtype == object:
        out = np.empty(arr.shape, dtype=np.float64)
        flat = arr.ravel()
        res = out.ravel()
        for i, v in enumerate(flat):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                res[i] = np.nan
            elif isinstance(v, _dt.datetime):
                if v.tzinfo is None:
                    raise ValueError("naive datetime given; pass aware datetimes or UTC epochs")
                res[i] = v.timestamp()
            else:
                res[i] = float(v)
        return out
    return arr.astype(np.float64)


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


@lru_cache(maxsize=200_000)
def _offset_at(tz: str, epoch: int) -> int:
    """UTC offset in seconds of ``tz`` at the UTC instant ``epoch``."""
    d = _dt.datetime.fromtimestamp(epoch, tz=_zone(tz))
    return int(d.utcoffset().total_seconds())


def _hour_offsets(h0: int, h1: int, tz: str) -> np.ndarray:
    """Offsets (in whole hours) for each UTC hour index in ``[h0, h1]``.

    Evaluates zoneinfo at every UTC midnight; days whose offset differs from the next day's
    are resolved hour by hour. Raises if the zone has non-whole-hour offsets.
    """
    d0, d1 = h0 // 24, h1 // 24
    days = np.arange(d0, d1 + 2)
    offs = np.array([_offset_at(tz, int(d) * 86400) for d in days], dtype=np.int64)
    if np.any(offs % HOUR):
        raise ValueError(f"time zone {tz} has offsets that are not whole hours")
    per_hour = np.repeat(offs[:-1] // HOUR, 24)
    changed = np.nonzero(offs[:-1] != offs[1:])[0]
    for di in changed:
        base = (d0 + di) * 24
        for k in range(24):
            o = _offset_at(tz, int((base + k) * HOUR))
            if o % HOUR:
                raise ValueError(f"time zone {tz} has offsets that are not whole hours")
            per_hour[di * 24 + k] = o // HOUR
    return per_hour[h0 - d0 * 24 : h1 - d0 * 24 + 1]


def _local_hour_index(utc_hours: np.ndarray, tz: str) -> np.ndarray:
    """Local hours since the epoch (wall clock) for integer UTC hour indices."""
    utc_hours = np.asarray(utc_hours, dtype=np.int64)
    if utc_hours.size == 0:
        return utc_hours.copy()
    h0, h1 = int(utc_hours.min()), int(utc_hours.max())
    offs = _hour_offsets(h0, h1, tz)
    return utc_hours + offs[utc_hours - h0]


def hour_of_week(times, tz: str = DEFAULT_TZ) -> np.ndarray:
    """Local hour-of-week (0 = Monday 00–01, 167 = Sunday 23–24) of UTC instants."""
    t = to_epoch_seconds(times)
    if np.isnan(t).any():
        raise ValueError("missing time in hour_of_week")
    loc = _local_hour_index(np.floor(t / HOUR).astype(np.int64), tz)
    return (loc + _EPOCH_WEEKDAY_HOURS) % 168


# --------------------------------------------------------------------------- ISO weeks


def iso_week_of(times, tz: str = DEFAULT_TZ) -> tuple[np.ndarray, np.ndarray]:
    """ISO (year, week) arrays of UTC instants, evaluated in local time (vectorised)."""
    t = to_epoch_seconds(times)
    if np.isnan(t).any():
        raise ValueError("missing time in iso_week_of")
    loc_hours = _local_hour_index(np.floor(np.atleast_1d(t) / HOUR).astype(np.int64), tz)
    day = np.floor_divide(loc_hours, 24)  # local days since 1970-01-01
    weekday = (day + 3) % 7  # Monday = 0
    thursday = (day - weekday + 3).astype("datetime64[D]")
    year = thursday.astype("datetime64[Y]")
    week = (thursday - year.astype("datetime64[D]")).astype(np.int64) // 7 + 1
    iso_year = year.astype(np.int64) + 1970
    shape = np.shape(t)
    return iso_year.reshape(shape), week.reshape(shape)


def iso_week_int(times, tz: str = DEFAULT_TZ) -> np.ndarray:
    """ISO week as int ``YYYYWW`` (e.g. 202647) for each UTC instant."""
    y, w = iso_week_of(times, tz)
    return y * 100 + w


def iso_week_key(times, tz: str = DEFAULT_TZ):
    """ISO week key ``"YYYY-Www"`` for one instant (str) or an array (object array)."""
    y, w = iso_week_of(times, tz)
    if np.ndim(y) == 0:
        return f"{int(y):04d}-W{int(w):02d}"
    out = np.array([f"{a:04d}-W{b:02d}" for a, b in zip(y.ravel(), w.ravel())], dtype=object)
    return out.reshape(np.shape(y))


def parse_week(key) -> tuple[int, int]:
    """Parse ``"2026-W47"``, ``"2026W47"``, ``202647`` or ``(2026, 47)`` to ``(2026, 47)``."""
    if isinstance(key, tuple):
        y, w = int(key[0]), int(key[1])
    elif isinstance(key, (int, np.integer)):
        y, w = divmod(int(key), 100)
    else:
        s = str(key).strip().upper().replace("-", "")
        if "W" not in s:
            raise ValueError(f"not an ISO week key: {key!r}")
        a, b = s.split("W")
        y, w = int(a), int(b)
    if not 1 <= w <= weeks_in_iso_year(y):
        raise ValueError(f"ISO year {y} has no week {w}")
    return y, w


def weeks_in_iso_year(year: int) -> int:
    """52 or 53: the ISO week number of 28 December."""
    return _dt.date(year, 12, 28).isocalendar()[1]


def week_bounds(key, tz: str = DEFAULT_TZ) -> WeekBounds:
    """UTC bounds of an ISO week: Monday 00:00 local to the next Monday 00:00 local.

    A week containing a DST change is 167 or 169 real hours long.
    """
    y, w = parse_week(key)
    zone = _zone(tz)
    monday = _dt.date.fromisocalendar(y, w, 1)
    start = _dt.datetime.combine(monday, _dt.time(0), tzinfo=zone).astimezone(_UTC)
    end = _dt.datetime.combine(monday + _dt.timedelta(days=7), _dt.time(0), tzinfo=zone)
    end = end.astimezone(_UTC)
    return WeekBounds(
        f"{y:04d}-W{w:02d}", start, end, int(start.timestamp()), int(end.timestamp())
    )


def shift_week(key, weeks: int) -> int:
    """The ISO week ``weeks`` weeks after ``key`` (negative = before), as int YYYYWW."""
    y, w = parse_week(key)
    d = _dt.date.fromisocalendar(y, w, 1) + _dt.timedelta(weeks=weeks)
    iy, iw, _ = d.isocalendar()
    return iy * 100 + iw


def same_week_last_year(key) -> int:
    """Same ISO week number one ISO year earlier (``YYYYWW``); week 53 maps to week 52
    when the previous year has only 52 weeks. By key, so it is 52 or 53 weeks back."""
    y, w = parse_week(key)
    w2 = min(w, weeks_in_iso_year(y - 1))
    return (y - 1) * 100 + w2


# --------------------------------------------------------------------------- aoristic


def _prepare_windows(start, end) -> tuple[np.ndarray, np.ndarray]:
    s = np.atleast_1d(to_epoch_seconds(start)).astype(np.float64)
    if end is None:
        e = np.full_like(s, np.nan)
    else:
        e = np.atleast_1d(to_epoch_seconds(end)).astype(np.float64)
        if e.shape != s.shape:
            raise ValueError("start and end must have the same shape")
    if np.isnan(s).any():
        raise ValueError("every event needs a start time")
    if np.any(e < s):
        raise ValueError("an event ends before it starts")
    return s, e


def _hourly_timeline(s: np.ndarray, e: np.ndarray):
    """Spread each window over UTC hours exactly (real-time proportions).

    Returns ``(h0, weights)`` with ``weights[j]`` the total weight in UTC hour ``h0 + j``.
    Point events (NaN end or end == start) put weight 1 in their hour.
    """
    point = np.isnan(e) | (e <= s)
    hs = np.floor(s / HOUR).astype(np.int64)
    he = np.where(point, hs, np.ceil(np.where(point, s, e) / HOUR).astype(np.int64) - 1)
    he = np.maximum(he, hs)
    h0 = int(hs.min())
    size = int(he.max()) - h0 + 2
    w = np.zeros(size)
    single = point | (hs == he)
    w += np.bincount(hs[single] - h0, minlength=size)
    multi = ~single
    if multi.any():
        sm, em, a, b = s[multi], e[multi], hs[multi], he[multi]
        dur = em - sm
        first = ((a + 1) * HOUR - sm) / dur
        last = (em - b * HOUR) / dur
        full = HOUR / dur
        w += np.bincount(a - h0, weights=first, minlength=size)
        w += np.bincount(b - h0, weights=last, minlength=size)
        diff = np.bincount(a + 1 - h0, weights=full, minlength=size)
        diff -= np.bincount(b - h0, weights=full, minlength=size)
        w += np.cumsum(diff)
    return h0, w[:-1]


def aoristic_week_table(start, end=None, tz: str = DEFAULT_TZ) -> np.ndarray:
    """7 × 24 aoristic table (rows Monday..Sunday, columns local hour 0..23).

    Parameters
    ----------
    start, end : array-like of UTC instants (epoch seconds or datetime64). ``end`` may be
        ``None`` or contain NaN/NaT for point-in-time events. Windows are ``[start, end)``.
    tz : IANA zone for local time (default Europe/Stockholm).

    Returns a float64 (7, 24) array whose cells sum to the number of events.
    """
    s, e = _prepare_windows(start, end)
    table = np.zeros(168)
    if s.size == 0:
        return table.reshape(7, 24)
    long = ~np.isnan(e) & ((e - s) >= WEEK_SECONDS)
    if long.any():
        table += long.sum() / 168.0
    keep = ~long
    if keep.any():
        h0, w = _hourly_timeline(s[keep], e[keep])
        hours = np.arange(h0, h0 + w.size, dtype=np.int64)
        nz = w != 0
        how = (_local_hour_index(hours[nz], tz) + _EPOCH_WEEKDAY_HOURS) % 168
        table += np.bincount(how, weights=w[nz], minlength=168)
    # The hourly timeline is built from cumulative sums: clear float residue (|x| ~ 1e-17)
    # so an empty cell is exactly 0 and never negative.
    table[np.abs(table) < 1e-12] = 0.0
    return table.reshape(7, 24)


def aoristic_hour_profile(start, end=None, tz: str = DEFAULT_TZ) -> np.ndarray:
    """24-vector: aoristic weight per local hour of day (sum = number of events)."""
    return aoristic_week_table(start, end, tz).sum(axis=0)


def aoristic_month_profile(start, end=None, tz: str = DEFAULT_TZ) -> np.ndarray:
    """12-vector (January..December): aoristic weight per local calendar month.

    Unlike the week table there is no length cut-off: every window is spread over the
    months in proportion to the real time it spends in each. Sum = number of events.
    """
    s, e = _prepare_windows(start, end)
    if s.size == 0:
        return np.zeros(12)
    h0, w = _hourly_timeline(s, e)
    hours = np.arange(h0, h0 + w.size, dtype=np.int64)
    nz = w != 0
    loc = _local_hour_index(hours[nz], tz)
    month = (np.floor_divide(loc, 24).astype("datetime64[D]").astype("datetime64[M]")
             .astype(np.int64) % 12)
    profile = np.bincount(month, weights=w[nz], minlength=12)
    profile[np.abs(profile) < 1e-12] = 0.0
    return profile
