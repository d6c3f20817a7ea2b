"""Is this week unusual? Poisson band and square-root two-count comparison.

Both use the variance-stabilising square-root transform of Poisson counts
(``Var(√X) ≈ 1/4``), so thresholds are comparable across small and large counts.
All functions are vectorised over any number of series.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .time import parse_week, same_week_last_year, shift_week

__all__ = [
    "PoissonBand",
    "TwoCountZ",
    "WeekTrend",
    "poisson_band",
    "two_count_z",
    "week_trend",
]

UP, NONE, DOWN = 1, 0, -1


class PoissonBand(NamedTuple):
    low: np.ndarray  # lower edge of the expected range
    high: np.ndarray  # upper edge of the expected range
    flag: np.ndarray  # bool: count outside [low, high]
    direction: np.ndarray  # int8: +1 above, -1 below, 0 inside (or no baseline)


class TwoCountZ(NamedTuple):
    z: np.ndarray  # 2(√current − √baseline)
    flag: np.ndarray  # |z| ≥ threshold
    direction: np.ndarray  # int8 +1 / -1 / 0


class WeekTrend(NamedTuple):
    """Per-series result of :func:`week_trend` for one chosen week (arrays of length S)."""

    count: np.ndarray  # this week's count
    prior_mean: np.ndarray  # mean of the previous `n_prior` weeks (NaN if none available)
    n_prior: np.ndarray  # number of prior weeks actually averaged (≤ n_prior)
    last_year: np.ndarray  # same ISO week last year (NaN when outside the cube)
    low: np.ndarray
    high: np.ndarray
    flag: np.ndarray  # bool: outside the Poisson band
    direction: np.ndarray  # +1 / -1 / 0
    z: np.ndarray  # two-count z of count vs prior mean


def poisson_band(mu, count=None, z: float = 3.0) -> PoissonBand:
    """Expected range ``(max(0, √μ − z/2)², (√μ + z/2)²)`` for a Poisson count with mean μ.

    ``count`` (optional, same shape) is flagged when strictly outside the range. A NaN μ
    (no baseline) gives NaN edges and no flag.
    """
    mu = np.asarray(mu, dtype=float)
    if np.any(mu < 0):
        raise ValueError("mu must be non-negative")
    r = np.sqrt(mu)
    low = np.maximum(0.0, r - z / 2.0) ** 2
    high = (r + z / 2.0) ** 2
    if count is None:
        flag = np.zeros(mu.shape, dtype=bool)
        direction = np.zeros(mu.shape, dtype=np.int8)
    else:
        c = np.asarray(count, dtype=float)
        with np.errstate(invalid="ignore"):
            above = c > high
            below = c < low
        direction = np.where(above, UP, np.where(below, DOWN, NONE)).astype(np.int8)
        flag = above | below
    return PoissonBand(low, high, flag, direction)


def two_count_z(current, baseline, threshold: float = 3.0) -> TwoCountZ:
    """``z = 2(√current − √baseline)``; flag ``|z| ≥ threshold`` (default 3).

    ``baseline`` may be a mean (non-integer). NaN inputs give NaN z and no flag.
    """
    c = np.asarray(current, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if np.any(c < 0) or np.any(b < 0):
        raise ValueError("counts must be non-negative")
    z = 2.0 * (np.sqrt(c) - np.sqrt(b))
    with np.errstate(invalid="ignore"):
        flag = np.abs(z) >= threshold
    direction = np.where(flag & (z > 0), UP, np.where(flag & (z < 0), DOWN, NONE))
    return TwoCountZ(z, flag, direction.astype(np.int8))


def week_trend(
    counts,
    week,
    week_keys=None,
    n_prior: int = 8,
    z: float = 3.0,
    min_prior: int = 1,
) -> WeekTrend:
    """Trend figures for one week of a counts cube.

    Parameters
    ----------
    counts : array (S, W) — S series (e.g. area × category) by W consecutive weeks.
    week : the chosen week — a column index (int) when ``week_keys`` is None, otherwise a
        week key (``"2026-W47"``, ``202647`` or ``(2026, 47)``) found in ``week_keys``.
    week_keys : optional length-W sequence of ISO week ints ``YYYYWW`` (or keys) labelling
        the columns. With keys, "same week last year" is looked up by key (same ISO week
        number one ISO year back, week 53 → 52 if needed) — 52 or 53 weeks back; without
        keys it is the column 52 positions back.
    n_prior : number of immediately preceding weeks averaged into the baseline μ (8).
    z : band width in √-units (3).
    min_prior : fewer prior weeks available than this → μ is NaN and nothing is flagged.
    """
    c = np.asarray(counts, dtype=float)
    if c.ndim == 1:
        c = c[None, :]
    if c.ndim != 2:
        raise ValueError("counts must be a (series, weeks) array")
    S, W = c.shape
    if week_keys is not None:
        keys = [y * 100 + w for y, w in (parse_week(k) for k in week_keys)]
        if len(keys) != W:
            raise ValueError("week_keys must have one key per column")
        for a, b in zip(keys[:-1], keys[1:]):
            if shift_week(a, 1) != b:
                raise ValueError(f"week_keys must be consecutive ISO weeks ({a} → {b})")
        index = {k: i for i, k in enumerate(keys)}
        yy, ww = parse_week(week)
        col = index.get(yy * 100 + ww)
        if col is None:
            raise KeyError(f"week {week!r} not in week_keys")
        ly = index.get(same_week_last_year((yy, ww)))
    else:
        col = int(week)
        if not -W <= col < W:
            raise IndexError("week column out of range")
        col %= W
        ly = col - 52 if col - 52 >= 0 else None
    lo = max(0, col - n_prior)
    k = col - lo
    cur = c[:, col]
    if k >= max(min_prior, 1):
        mu = c[:, lo:col].mean(axis=1)
    else:
        mu = np.full(S, np.nan)
    last_year = c[:, ly] if ly is not None else np.full(S, np.nan)
    band = poisson_band(np.where(np.isnan(mu), 0.0, mu), cur, z=z)
    nan = np.isnan(mu)
    low = np.where(nan, np.nan, band.low)
    high = np.where(nan, np.nan, band.high)
    flag = band.flag & ~nan
    direction = np.where(nan, 0, band.direction).astype(np.int8)
    zz = two_count_z(cur, np.where(nan, 0.0, mu)).z
    zz = np.where(nan, np.nan, zz)
    return WeekTrend(cur, mu, np.full(S, k if not np.all(nan) else 0), last_year,
                     low, high, flag, direction, zz)
