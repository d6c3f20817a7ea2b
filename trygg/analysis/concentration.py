"""Concentration of events on places: the "80-20 table".

Places (grid cells, hexagons, areas, addresses) are ranked by count, highest first. For a
share s of places the number of places is ``ceil(s · N)`` (at least 1), so "the top 5 %"
of 30 places is 2 places — never a fractional place. Ties in count do not matter: whichever
tied places are taken, the sum is the same. By default only places with at least one event
are counted (``include_zero=False``); pass ``include_zero=True`` with the full list of places
(zeros included) to express shares of *all* places — the more honest figure when the set of
places is fixed (e.g. all cells of the municipality grid).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["ConcentrationRow", "Concentration", "concentration"]


class ConcentrationRow(NamedTuple):
    place_share: float  # requested share of places, e.g. 0.2
    places: int  # ceil(place_share · N)
    events: float  # events in those places
    event_share: float  # events / total
    sentence: str  # "20 % of the places (4 of 20) hold 63 % of the events."


class Concentration(NamedTuple):
    rows: tuple[ConcentrationRow, ...]
    n_places: int  # N: places considered
    total_events: float
    half_places: int  # fewest places holding at least half the events
    half_place_share: float  # half_places / N
    half_sentence: str


def _pct(v: float) -> str:
    return f"{round(100 * v):d} %"


def concentration(counts, shares=(0.05, 0.10, 0.20), include_zero: bool = False) -> Concentration:
    """Share of events in the top ``shares`` of places and the share of places holding half.

    ``counts``: one non-negative number per place. Returns a :class:`Concentration`; with no
    events every share is 0 and the sentences say so.
    """
    c = np.asarray(counts, dtype=float).ravel()
    if np.any(c < 0) or np.isnan(c).any():
        raise ValueError("counts must be non-negative numbers")
    if not include_zero:
        c = c[c > 0]
    N = int(c.size)
    total = float(c.sum())
    srt = np.sort(c)[::-1]
    cum = np.cumsum(srt)
    rows = []
    for s in shares:
        if not 0 < s <= 1:
            raise ValueError("shares must be in (0, 1]")
        k = max(1, math.ceil(s * N - 1e-9)) if N else 0
        ev = float(cum[k - 1]) if k else 0.0
        share = ev / total if total > 0 else 0.0
        sentence = (f"{_pct(s)} of the places ({k} of {N}) hold {_pct(share)} of the events."
                    if total > 0 else "There are no events.")
        rows.append(ConcentrationRow(float(s), k, ev, share, sentence))
    if total > 0:
        half = int(np.searchsorted(cum, total / 2.0 - 1e-9 * total) + 1)
        hs = half / N
        half_sentence = (f"Half of the events happen in {_pct(hs)} of the places "
                         f"({half} of {N}).")
    else:
        half, hs, half_sentence = 0, 0.0, "There are no events."
    return Concentration(tuple(rows), N, total, half, hs, half_sentence)
