"""Sparse binary neighbour structures (scipy.sparse CSR, float64 ones, no self-loops).

Row i lists the neighbours of cell/area i; the matrices are symmetric. Gi* adds the
self-weight itself (see :func:`with_self`), Local Moran row-standardises internally.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = [
    "grid_queen",
    "hex_neighbours",
    "polygon_queen",
    "from_pairs",
    "with_self",
    "cardinalities",
    "check_binary",
]


def from_pairs(i, j, n: int) -> sparse.csr_matrix:
    """Symmetric binary CSR from index pairs (duplicates and self-pairs dropped)."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    keep = i != j
    i, j = i[keep], j[keep]
    ii = np.concatenate([i, j])
    jj = np.concatenate([j, i])
    m = sparse.csr_matrix((np.ones(ii.size), (ii, jj)), shape=(n, n))
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return m


def grid_queen(rows: int, cols: int, rook: bool = False) -> sparse.csr_matrix:
    """Queen (8-neighbour; ``rook=True`` → 4-neighbour) contiguity of a rows × cols grid.

    Cells are numbered row-major, ``i = row * cols + col`` — the same order as
    ``libpysal.weights.lat2W(rows, cols, rook=False)`` and
    :func:`trygg.analysis.binning.square_grid_counts` (``counts.ravel()``).
    """
    if rows < 1 or cols < 1:
        raise ValueError("rows and cols must be positive")
    idx = np.arange(rows * cols).reshape(rows, cols)
    offsets = [(0, 1), (1, 0)] if rook else [(0, 1), (1, 0), (1, 1), (1, -1)]
    pi, pj = [], []
    for dr, dc in offsets:
        r0, r1 = 0, rows - dr
        c0, c1 = max(0, -dc), cols - max(0, dc)
        a = idx[r0:r1, c0:c1]
        b = idx[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
        pi.append(a.ravel())
        pj.append(b.ravel())
    return from_pairs(np.concatenate(pi), np.concatenate(pj), rows * cols)


_HEX_DIRS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)])


def hex_neighbours(q, r) -> sparse.csr_matrix:
    """Neighbours among the given axial hex cells (6-neighbourhood; same for both
    orientations). Cells absent from the list have no entry."""
    q = np.asarray(q, dtype=np.int64)
    r = np.asarray(r, dtype=np.int64)
    n = q.size
    order = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(q, r))}
    if len(order) != n:
        raise ValueError("duplicate hex cells")
    pi, pj = [], []
    # vectorised lookup via sorted keys
    span = int(max(np.abs(q).max(initial=0), np.abs(r).max(initial=0))) + 2
    key = (q + span) * (4 * span) + (r + span)
    srt = np.argsort(key)
    skey = key[srt]
    for dq, dr in _HEX_DIRS[::2]:  # each undirected pair once
        nk = (q + dq + span) * (4 * span) + (r + dr + span)
        pos = np.searchsorted(skey, nk)
        pos = np.minimum(pos, n - 1)
        hit = skey[pos] == nk
        pi.append(np.nonzero(hit)[0])
        pj.append(srt[pos[hit]])
    if n == 0:
        return sparse.csr_matrix((0, 0))
    return from_pairs(np.concatenate(pi), np.concatenate(pj), n)


def polygon_queen(geometries) -> sparse.csr_matrix:
    """Queen contiguity of shapely (2.x) polygons: areas sharing at least one boundary
    point (a corner is enough) are neighbours. Uses an STRtree with the ``intersects``
    predicate, so overlapping polygons are neighbours too."""
    from shapely import STRtree

    geoms = np.asarray(list(geometries), dtype=object)
    n = geoms.size
    if n == 0:
        return sparse.csr_matrix((0, 0))
    tree = STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    # shapely's intersects is exact; touching at a single vertex counts
    return from_pairs(a[keep], b[keep], n)


def with_self(w) -> sparse.csr_matrix:
    """Binary weights plus the identity (w_ii = 1), as Gi* uses."""
    w = sparse.csr_matrix(w, dtype=float).copy()
    w.setdiag(0)
    w.eliminate_zeros()
    return (w + sparse.identity(w.shape[0], format="csr")).tocsr()


def cardinalities(w) -> np.ndarray:
    """Number of neighbours (excluding self) per row."""
    w = sparse.csr_matrix(w)
    diag = w.diagonal() != 0
    return np.diff(w.indptr) - diag.astype(np.int64)


def check_binary(w) -> sparse.csr_matrix:
    """Return ``w`` as CSR without self-loops, checking it is square, binary and symmetric."""
    w = sparse.csr_matrix(w, dtype=float).copy()
    if w.shape[0] != w.shape[1]:
        raise ValueError("weights must be square")
    w.setdiag(0)
    w.eliminate_zeros()
    if w.nnz and not np.all(w.data == 1.0):
        raise ValueError("weights must be binary (0/1); row standardisation is done inside")
    if (w != w.T).nnz:
        raise ValueError("weights must be symmetric")
    w.sort_indices()
    return w
