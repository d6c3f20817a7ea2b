"""Getis–Ord Gi* hot spots with analytic z, fast conditional permutation and BH FDR.

Formulas (binary weights, w_ii = 1, n cells, x̄ and s the mean and *population* standard
deviation of all n values):

* ``G*_i = Σ_j w_ij x_j / Σ_j x_j``, ``E[G*_i] = W_i / n`` with ``W_i = Σ_j w_ij``
* ``z_i = (Σ_j w_ij x_j − x̄ W_i) / (s √((n Σ_j w_ij² − W_i²)/(n − 1)))``

Permutation inference conditions on x_i and draws the values of its k_i neighbours from the
other n − 1 cells without replacement (see ``_permutation``). Pseudo p-values are folded as
esda does, then doubled for a two-sided test; BH controls the FDR over all cells.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats as _st

from ._permutation import permutation_counts, pseudo_p
from .stats import benjamini_hochberg
from .weights import check_binary

__all__ = ["GiStarResult", "gi_star", "gi_star_z", "HOT", "COLD", "NOT_SIGNIFICANT"]

HOT, COLD, NOT_SIGNIFICANT = 1, -1, 0


class GiStarResult(NamedTuple):
    """Per-cell arrays (length n) from :func:`gi_star`."""

    g: np.ndarray  # G*_i
    expected: np.ndarray  # E[G*_i] = W_i / n
    z: np.ndarray  # analytic z (NaN when all values are equal)
    p_norm: np.ndarray  # two-sided normal p-value of z
    p_sim: np.ndarray  # two-sided permutation pseudo p = min(1, 2(M+1)/(R+1)); NaN if R = 0
    p_sim_folded: np.ndarray  # (M+1)/(R+1): esda's G_Local.p_sim convention
    q_value: np.ndarray  # BH-adjusted p-values of the p used for classification
    significant: np.ndarray  # bool, BH at level fdr
    classification: np.ndarray  # int8: HOT (1), COLD (-1), NOT_SIGNIFICANT (0)
    permutations: int
    fdr: float
    min_p: float  # smallest attainable p for classification: 2/(R+1) for "sim"
    sims: np.ndarray | None  # (n, R) permuted G* values if keep_simulations


def gi_star_z(x, w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Analytic Gi*: returns ``(g, expected, z)``. ``w`` binary, self-loops optional."""
    x = np.asarray(x, dtype=np.float64).ravel()
    w = check_binary(w)
    n = x.size
    if w.shape[0] != n:
        raise ValueError("weights and values differ in size")
    if n < 2:
        raise ValueError("need at least two cells")
    lag = w @ x + x  # Σ_j w_ij x_j with w_ii = 1
    Wi = np.diff(w.indptr).astype(np.float64) + 1.0
    total = x.sum()
    xbar = total / n
    s = np.sqrt(((x - xbar) ** 2).sum() / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = lag / total if total != 0 else np.full(n, np.nan)
        den = s * np.sqrt((n * Wi - Wi**2) / (n - 1))  # Σ w² = W for binary weights
        z = (lag - xbar * Wi) / den
    if s == 0:
        z = np.full(n, np.nan)
    return g, Wi / n, z


def gi_star(
    x,
    w,
    permutations: int = 999,
    seed=None,
    fdr: float = 0.05,
    keep_simulations: bool = False,
    p_source: str = "sim",
) -> GiStarResult:
    """Getis–Ord Gi* hot-spot analysis.

    Parameters
    ----------
    x : (n,) counts (or any non-negative values) per cell/area; for a grid use
        ``counts.ravel()`` (row-major) with :func:`weights.grid_queen`.
    w : (n, n) binary symmetric neighbour matrix (CSR), *without* the self-weight —
        w_ii = 1 is added here (a diagonal that is present is ignored).
    permutations : R conditional permutations (999; 0 = analytic only, then the normal
        p-value is used for classification).
    seed : int / numpy Generator / None — for reproducible permutations.
    fdr : Benjamini–Hochberg level q over all cells (0.05).
    keep_simulations : also return the (n, R) permuted G* values (memory n·R·8 bytes).
    p_source : "sim" (default when R > 0) or "normal" — which p-value BH uses. With R
        permutations the smallest two-sided pseudo p is 2/(R+1); BH over m cells can only
        reject if some k cells have p ≤ k·q/m, so on large grids with weak signals consider
        more permutations or "normal".

    Classification: significant after BH and z > 0 → HOT, z < 0 → COLD.
    """
    if p_source not in ("sim", "normal"):
        raise ValueError("p_source must be 'sim' or 'normal'")
    x = np.asarray(x, dtype=np.float64).ravel()
    wb = check_binary(w)
    g, expected, z = gi_star_z(x, wb)
    p_norm = 2.0 * _st.norm.sf(np.abs(z))
    n = x.size
    sims = None
    if permutations and permutations > 0:
        rng = np.random.default_rng(seed)
        k = np.diff(wb.indptr)
        nb_sum = wb @ x
        n_ge, n_le, raw = permutation_counts(x, k, nb_sum, permutations, rng,
                                             keep=keep_simulations)
        p_fold, p_sim = pseudo_p(n_ge, n_le, permutations)
        if keep_simulations:
            sims = (raw + x[:, None]) / x.sum()
        p_used = p_sim if p_source == "sim" else p_norm
    else:
        p_fold = p_sim = np.full(n, np.nan)
        p_used = p_norm
    p_used = np.where(np.isnan(z), np.nan, p_used)
    bh = benjamini_hochberg(p_used, fdr)
    cls = np.where(bh.reject & (z > 0), HOT, np.where(bh.reject & (z < 0), COLD,
                                                       NOT_SIGNIFICANT)).astype(np.int8)
    use_sim = bool(permutations) and p_source == "sim"
    min_p = 2.0 / (permutations + 1.0) if use_sim else 0.0
    return GiStarResult(g, expected, z, p_norm, p_sim, p_fold, bh.p_adjusted,
                        bh.reject, cls, int(permutations or 0), fdr, min_p, sims)
