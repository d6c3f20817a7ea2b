"""Local Moran's I (Anselin 1995) with row-standardised weights, as esda's default.

``z = (y − ȳ)/s`` (population s), ``lag_i = Σ_j w_ij z_j`` with ``w_ij = 1/k_i``,
``I_i = (n − 1) z_i lag_i / Σ_j z_j²``. Quadrants as esda (``geoda_quads=False``):
HH = 1 (z > 0, lag > 0), LH = 2, LL = 3, HL = 4 — zero counts as "low".
Permutation p-values: conditional permutation of the neighbours' z values, folded and
doubled exactly as for Gi* (see :mod:`trygg.analysis.hotspots`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._permutation import permutation_counts, pseudo_p
from .stats import benjamini_hochberg
from .weights import check_binary

__all__ = ["LocalMoranResult", "local_moran", "QUADRANT_LABELS", "CLUSTER_LABELS"]

HH, LH, LL, HL = 1, 2, 3, 4
QUADRANT_LABELS = {HH: "HH", LH: "LH", LL: "LL", HL: "HL"}
#: label for a significant cell by quadrant; non-significant cells get "not significant"
CLUSTER_LABELS = {
    HH: "high-high cluster",
    LL: "low-low cluster",
    HL: "high-low outlier",
    LH: "low-high outlier",
}


class LocalMoranResult(NamedTuple):
    Is: np.ndarray  # local I_i
    q: np.ndarray  # quadrant 1..4 (HH, LH, LL, HL)
    p_sim: np.ndarray  # two-sided pseudo p, min(1, 2(M+1)/(R+1))
    p_sim_folded: np.ndarray  # (M+1)/(R+1): esda Moran_Local.p_sim convention
    q_value: np.ndarray  # BH-adjusted p
    significant: np.ndarray  # bool after BH at level fdr
    label: np.ndarray  # object array: CLUSTER_LABELS[q] or "not significant"
    permutations: int


def local_moran(y, w, permutations: int = 999, seed=None, fdr: float = 0.05) -> LocalMoranResult:
    """Local Moran's I with binary neighbour matrix ``w`` (row-standardised inside).

    Cells without neighbours get I = 0, p = 1. Constant ``y`` gives NaN I and p = NaN.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    wb = check_binary(w)
    n = y.size
    if wb.shape[0] != n:
        raise ValueError("weights and values differ in size")
    if n < 3:
        raise ValueError("need at least three cells")
    if permutations < 1:
        raise ValueError("permutations must be ≥ 1")
    k = np.diff(wb.indptr)
    sd = y.std()
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - y.mean()) / sd
    nb_sum = wb @ z
    kk = np.maximum(k, 1)
    lag = nb_sum / kk
    den = (z * z).sum()
    Is = (n - 1) * z * lag / den
    zp, lp = z > 0, lag > 0
    q = np.where(zp & lp, HH, np.where(~zp & lp, LH, np.where(~zp & ~lp, LL, HL))).astype(
        np.int8)
    if sd == 0:
        nan = np.full(n, np.nan)
        return LocalMoranResult(nan, q, nan, nan, nan, np.zeros(n, bool),
                                np.full(n, "not significant", dtype=object), permutations)
    rng = np.random.default_rng(seed)
    n_ge, n_le, _ = permutation_counts(z, k, nb_sum, permutations, rng)
    p_fold, p_sim = pseudo_p(n_ge, n_le, permutations)
    bh = benjamini_hochberg(p_sim, fdr)
    label = np.array([CLUSTER_LABELS[int(a)] for a in q], dtype=object)
    label[~bh.reject] = "not significant"
    return LocalMoranResult(Is, q, p_sim, p_fold, bh.p_adjusted, bh.reject, label,
                            int(permutations))
