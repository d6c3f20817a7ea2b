"""Quartic (biweight) kernel density estimation on a grid, via a KD-tree.

``K(d) = 3/(π h²) · (1 − d²/h²)²`` for ``d < h``, else 0. This kernel integrates to 1 over
the plane, so the surface ``f(p) = Σ_i w_i K(|p − x_i|)`` integrates to the (weighted)
number of events: it is a density in **events per square metre** (multiply by 1e6 for
events per km², which ``per_km2=True`` does). Divide by the total weight for a probability
density.

Default bandwidth (metres): ``h = 2 · SD · n^(−1/6)`` clamped to ``[h_min, h_max]``
(default 100 m – 2000 m), where SD is the (weighted) standard distance
``√(Σ w((x − x̄)² + (y − ȳ)²) / Σ w)`` and n the number of events (Σ w when weighted). This
is Scott's rule for two dimensions (a Gaussian kernel with σ = SD/√2 · n^(−1/6) per axis)
translated to the quartic kernel with the same variance (per-axis variance of the quartic
kernel is h²/8, so h = √8 σ).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["KDEGrid", "default_bandwidth", "quartic_kernel", "quartic_kde", "quartic_kde_grid"]

H_MIN = 100.0
H_MAX = 2000.0


class KDEGrid(NamedTuple):
    density: np.ndarray  # (rows, cols); row 0 = southernmost
    x: np.ndarray  # (cols,) x of cell centres
    y: np.ndarray  # (rows,) y of cell centres
    bandwidth: float  # metres
    cell_size: float  # metres
    units: str  # "events per m²" or "events per km²"


def quartic_kernel(d, h: float) -> np.ndarray:
    """Quartic kernel value at distance(s) ``d`` (metres) for bandwidth ``h``."""
    d = np.asarray(d, dtype=float)
    u = 1.0 - (d / h) ** 2
    return np.where(d < h, 3.0 / (np.pi * h * h) * u * u, 0.0)


def default_bandwidth(x, y, weights=None, h_min: float = H_MIN, h_max: float = H_MAX) -> float:
    """``2 · SD · n^(−1/6)`` clamped to ``[h_min, h_max]`` (see module docstring)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    tw = w.sum()
    if x.size < 2 or tw <= 0:
        return float(h_min)
    mx, my = (w * x).sum() / tw, (w * y).sum() / tw
    sd = np.sqrt((w * ((x - mx) ** 2 + (y - my) ** 2)).sum() / tw)
    h = 2.0 * sd * tw ** (-1.0 / 6.0)
    return float(np.clip(h, h_min, h_max))


def quartic_kde(x, y, qx, qy, bandwidth=None, weights=None, per_km2: bool = False,
                chunk: int = 20000) -> np.ndarray:
    """Quartic KDE of events (x, y) evaluated at query points (qx, qy), all in metres.

    ``bandwidth`` None → :func:`default_bandwidth`. Returns density per m² (per km² with
    ``per_km2``), the same shape as ``qx``. Cost ~ number of (event, query) pairs closer
    than h; queries are processed in chunks to bound memory.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    w = None if weights is None else np.asarray(weights, dtype=float).ravel()
    if w is not None and w.shape != x.shape:
        raise ValueError("weights must have one value per event")
    qx = np.asarray(qx, dtype=float)
    qy = np.asarray(qy, dtype=float)
    shape = qx.shape
    qpts = np.stack([qx.ravel(), qy.ravel()], axis=1)
    h = default_bandwidth(x, y, w) if bandwidth is None else float(bandwidth)
    if h <= 0:
        raise ValueError("bandwidth must be positive")
    out = np.zeros(qpts.shape[0])
    if x.size == 0 or qpts.shape[0] == 0:
        return out.reshape(shape)
    etree = cKDTree(np.stack([x, y], axis=1))
    c = 3.0 / (np.pi * h * h)
    for a in range(0, qpts.shape[0], chunk):
        qt = cKDTree(qpts[a : a + chunk])
        pairs = qt.sparse_distance_matrix(etree, h, output_type="ndarray")
        d = pairs["v"]
        u = 1.0 - (d / h) ** 2
        val = np.where(d < h, c * u * u, 0.0)  # zero distances are kept by scipy
        if w is not None:
            val = val * w[pairs["j"]]
        out[a : a + chunk] = np.bincount(pairs["i"], weights=val, minlength=qt.n)
    if per_km2:
        out *= 1e6
    return out.reshape(shape)


def quartic_kde_grid(x, y, cell_size: float, bounds=None, bandwidth=None, weights=None,
                     per_km2: bool = False) -> KDEGrid:
    """Quartic KDE at the centres of a square grid (``cell_size`` metres) covering
    ``bounds`` = (xmin, ymin, xmax, ymax) (default: the events' extent padded by h)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    h = default_bandwidth(x, y, weights) if bandwidth is None else float(bandwidth)
    if bounds is None:
        if x.size == 0:
            raise ValueError("bounds needed when there are no events")
        bounds = (x.min() - h, y.min() - h, x.max() + h, y.max() + h)
    xmin, ymin, xmax, ymax = bounds
    gx = np.arange(xmin + cell_size / 2.0, xmax, cell_size)
    gy = np.arange(ymin + cell_size / 2.0, ymax, cell_size)
    QX, QY = np.meshgrid(gx, gy)
    dens = quartic_kde(x, y, QX, QY, bandwidth=h, weights=weights, per_km2=per_km2)
    return KDEGrid(dens, gx, gy, h, float(cell_size),
                   "events per km²" if per_km2 else "events per m²")
