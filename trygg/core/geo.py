"""Coordinates: WGS84 (EPSG:4326) ⇄ SWEREF 99 TM (EPSG:3006), vectorised, one transformer per process."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

# Sweden's extent in WGS84, a little generous (Treriksröset to Smygehuk, Koster to Haparanda).
SWEDEN_LAT = (55.0, 69.2)
SWEDEN_LON = (10.5, 24.3)


@lru_cache(maxsize=1)
def _to_sweref() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def to_sweref(lon, lat):
    """(lon, lat) degrees → (x easting, y northing) metres; scalars or arrays."""
    x, y = _to_sweref().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    if np.ndim(x) == 0:
        return float(x), float(y)
    return x, y


def to_wgs84(x, y):
    """SWEREF 99 TM (x easting, y northing) metres → (lon, lat) degrees."""
    lon, lat = _to_wgs84().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if np.ndim(lon) == 0:
        return float(lon), float(lat)
    return lon, lat


def in_sweden(lat: float, lon: float) -> bool:
    return SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1] and SWEDEN_LON[0] <= lon <= SWEDEN_LON[1]
