"""Vectorised conditional permutation engine shared by Gi* and Local Moran's I.

For every cell i with k_i neighbours (binary weights) we need R sums of k_i values drawn
*without replacement* from the other n − 1 cells, and how many of them are ≥ / ≤ the
observed neighbour sum. No Python loop over cells:

* Cells are grouped by k and processed in chunks of consecutive indices. Each chunk gets
  a fresh draw ``S`` (R × k) of distinct indices in ``range(n − 1)`` (rows sorted;
  rows with a repeated index are redrawn — rare when k² ≪ n; for small n random keys +
  argpartition are used instead). Index ``s`` means cell ``s`` if ``s < i`` else ``s + 1``
  (the "other cells" of cell i), so one draw serves every cell of the chunk.
* With ``A_r`` / ``B_r`` the prefix sums of ``v[S_r]`` / ``v[S_r + 1]`` and
  ``m = #{c : S_rc < i}``, the permuted sum for cell i is ``A_r[m] + B_r[k] − B_r[m]``.
  ``m`` for all cells in the chunk comes from a bincount + cumsum over the chunk's index
  span (or a direct comparison when the chunk is sparse), so the work is O(R × cells).
"""

from __future__ import annotations

import numpy as np

_CHUNK = 2048


def _distinct_rows(rng: np.random.Generator, R: int, k: int, m: int) -> np.ndarray:
    """R rows of k distinct sorted integers from range(m)."""
    if k > m:
        raise ValueError(f"cannot draw {k} distinct neighbours from {m} other cells")
    if k * k > m:  # duplicates would be frequent: random keys
        keys = rng.random((R, m))
        out = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < m else np.tile(
            np.arange(m), (R, 1))
        return np.sort(out, axis=1)
    out = np.sort(rng.integers(0, m, size=(R, k)), axis=1)
    while True:
        bad = np.nonzero((np.diff(out, axis=1) == 0).any(axis=1))[0]
        if bad.size == 0:
            return out
        out[bad] = np.sort(rng.integers(0, m, size=(bad.size, k)), axis=1)


def permutation_counts(values, k, observed, permutations, rng, keep=False, tol=None):
    """For each cell i, draw R = ``permutations`` random neighbour sums.

    Parameters
    ----------
    values : (n,) float — the values that are permuted.
    k : (n,) int — number of (non-self) neighbours of each cell.
    observed : (n,) float — observed neighbour sum of each cell.
    permutations : R.
    rng : numpy Generator.
    keep : also return the (n, R) matrix of permuted sums.
    tol : absolute tolerance for ties (default scales with |values|).

    Returns ``(n_ge, n_le, sims)``: counts of permuted sums ≥ / ≤ the observed one (cells
    with k = 0 get R and R — every draw ties), and the sims matrix or None.
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    k = np.asarray(k, dtype=np.int64)
    obs = np.asarray(observed, dtype=np.float64)
    R = int(permutations)
    n_ge = np.full(n, R, dtype=np.int64)
    n_le = np.full(n, R, dtype=np.int64)
    sims = np.zeros((n, R)) if keep else None
    if tol is None:
        tol = 1e-9 * (1.0 + float(np.abs(v).max(initial=0.0)))
    for kk in np.unique(k):
        if kk == 0:
            continue
        cells = np.nonzero(k == kk)[0]
        tol_k = tol * kk
        for c0 in range(0, cells.size, _CHUNK):
            I = cells[c0 : c0 + _CHUNK]
            S = _distinct_rows(rng, R, int(kk), n - 1)
            A = np.zeros((R, kk + 1))
            B = np.zeros((R, kk + 1))
            np.cumsum(v[S], axis=1, out=A[:, 1:])
            np.cumsum(v[S + 1], axis=1, out=B[:, 1:])
            C = A - B  # sum = B[:, k] + C[r, m]
            lo, hi = int(I[0]), int(I[-1])
            span = hi - lo + 1
            if span <= 4 * I.size + 64:
                base = (S < lo).sum(axis=1)
                inside = (S >= lo) & (S < hi)
                rr = np.nonzero(inside)[0]
                pos = rr * span + (S[inside] - lo) + 1
                cnt = np.bincount(pos, minlength=R * span).reshape(R, span)
                M = np.cumsum(cnt, axis=1)  # M[r, j] = #{S_r in [lo, lo + j)}
                M += base[:, None]
                m = M[:, I - lo]  # (R, c)
            else:
                m = (S[:, None, :] < I[None, :, None]).sum(axis=2)
            flat = m + (np.arange(R) * (kk + 1))[:, None]
            sums = B[:, kk][:, None] + C.ravel()[flat]  # (R, c)
            o = obs[I][None, :]
            n_ge[I] = (sums >= o - tol_k).sum(axis=0)
            n_le[I] = (sums <= o + tol_k).sum(axis=0)
            if keep:
                sims[I] = sums.T
    return n_ge, n_le, sims


def pseudo_p(n_ge, n_le, permutations):
    """Folded ("directed") and two-sided pseudo p-values.

    ``M = min(#≥, #≤)`` — the permuted values at least as extreme as the observed one on
    the side where it lies; without ties this equals esda's fold (``larger`` replaced by
    ``R − larger`` when ``R − larger < larger``). Directed ``p = (M + 1)/(R + 1)``;
    two-sided ``p = min(1, 2·(M + 1)/(R + 1))``.
    """
    R = float(permutations)
    M = np.minimum(n_ge, n_le)
    p_dir = (M + 1.0) / (R + 1.0)
    return p_dir, np.minimum(1.0, 2.0 * p_dir)
