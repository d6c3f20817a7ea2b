"""Small statistical building blocks: Benjamini–Hochberg FDR and the Mann–Kendall test."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats as _st

__all__ = ["FDRResult", "benjamini_hochberg", "MannKendall", "mann_kendall"]


class FDRResult(NamedTuple):
    reject: np.ndarray  # bool: discoveries at level q
    p_adjusted: np.ndarray  # BH-adjusted p-values (q-values), capped at 1
    threshold: float  # largest raw p-value rejected (0.0 when none)


def benjamini_hochberg(p, q: float = 0.05) -> FDRResult:
    """Benjamini–Hochberg step-up procedure over all m p-values.

    Sort p ascending, find the largest rank k with ``p_(k) ≤ k q / m`` and reject the k
    smallest. NaN p-values count in m and are never rejected (conservative). A rejected
    p-value is always < q·(k/m) ≤ q, so BH never flags more than raw ``p ≤ q``.
    """
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    p = np.asarray(p, dtype=float)
    shape = p.shape
    pf = np.where(np.isnan(p.ravel()), 1.0, p.ravel())
    if np.any((pf < 0) | (pf > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    m = pf.size
    if m == 0:
        return FDRResult(np.zeros(shape, bool), np.zeros(shape), 0.0)
    order = np.argsort(pf, kind="stable")
    ranked = pf[order]
    ranks = np.arange(1, m + 1)
    below = ranked <= ranks * q / m
    reject = np.zeros(m, dtype=bool)
    thr = 0.0
    if below.any():
        kmax = int(np.nonzero(below)[0].max())
        reject[order[: kmax + 1]] = True
        thr = float(ranked[kmax])
    adj_sorted = np.minimum.accumulate((ranked * m / ranks)[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = np.minimum(adj_sorted, 1.0)
    adj[np.isnan(p.ravel())] = np.nan
    reject &= ~np.isnan(p.ravel())
    return FDRResult(reject.reshape(shape), adj.reshape(shape), thr)


class MannKendall(NamedTuple):
    s: np.ndarray  # Kendall S statistic per series
    var_s: np.ndarray  # variance of S with tie correction
    z: np.ndarray  # normal score (with continuity correction if requested)
    p: np.ndarray  # two-sided p-value
    trend: np.ndarray  # int8: +1 increasing, -1 decreasing, 0 none (at level alpha)


def mann_kendall(x, alpha: float = 0.05, continuity: bool = True) -> MannKendall:
    """Mann–Kendall trend test on each row of ``x`` (series × time), vectorised.

    ``S = Σ_{i<j} sign(x_j − x_i)``,
    ``Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18`` (t = sizes of tied groups),
    ``Z = (S − 1)/√Var`` if S > 0, ``(S + 1)/√Var`` if S < 0, else 0 (``continuity=False``
    drops the ±1). Two-sided p from the normal distribution. NaN values are not allowed.
    Rows with Var = 0 (constant) get Z = 0, p = 1.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if np.isnan(x).any():
        raise ValueError("NaN in Mann–Kendall input")
    n = x.shape[1]
    iu, ju = np.triu_indices(n, k=1)
    s = np.sign(x[:, ju] - x[:, iu]).sum(axis=1)
    # tie groups per row
    xs = np.sort(x, axis=1)
    newgrp = np.ones_like(xs, dtype=bool)
    newgrp[:, 1:] = xs[:, 1:] != xs[:, :-1]
    # group sizes via run lengths
    ties = np.zeros(x.shape[0])
    starts = np.nonzero(newgrp.ravel())[0]
    ends = np.append(starts[1:], newgrp.size)
    t = (ends - starts).astype(float)
    row = starts // n
    ties = np.bincount(row, weights=t * (t - 1) * (2 * t + 5), minlength=x.shape[0])
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    cc = 1.0 if continuity else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(s > 0, (s - cc) / np.sqrt(var), np.where(s < 0, (s + cc) / np.sqrt(var),
                                                               0.0))
    z = np.where(var > 0, z, 0.0)
    p = 2.0 * _st.norm.sf(np.abs(z))
    trend = np.where(p <= alpha, np.sign(z), 0).astype(np.int8)
    return MannKendall(s, var, z, p, trend)
