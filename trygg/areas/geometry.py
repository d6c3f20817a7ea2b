"""Geometry helpers: GeoJSON normalisation and the point → area index (shapely 2 STRtree).

A point belongs to an area when it lies inside it or on its boundary; a point in a hole does
not. Per area type a point gets at most one area: on a boundary shared by two areas of the same
type the one with the smallest code wins, so counts per type always add up to the total.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import mapping, shape


class GeometryError(ValueError):
    pass


def normalise_geometry(geometry: dict) -> tuple[dict, tuple[float, float, float, float]]:
    """Validate a GeoJSON Polygon/MultiPolygon (WGS84) and return it as a MultiPolygon + bounds."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError("geometry must be a GeoJSON Polygon or MultiPolygon")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several kinds for malformed rings
        raise GeometryError(f"invalid geometry: {exc}") from exc
    if geom.is_empty:
        raise GeometryError("geometry is empty")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in {"Polygon", "MultiPolygon"}]
        geom = shapely.union_all(polys) if polys else geom
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon":
        raise GeometryError("geometry is not a polygon after repair")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= 180 and -90 <= miny <= 90 and -180 <= maxx <= 180 and -90 <= maxy <= 90):
        raise GeometryError("coordinates are not WGS84 degrees (longitude, latitude)")
    return mapping(geom) | {"coordinates": _lists(mapping(geom)["coordinates"])}, (minx, miny, maxx, maxy)


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


@dataclass
class AreaIndex:
    """Point → area lookup for one collaboration's areas."""

    area_ids: np.ndarray  # int64, one per area
    type_ids: np.ndarray  # int64
    levels: np.ndarray  # int64
    codes: list[str]
    geoms: np.ndarray  # shapely geometries, prepared
    valid_from: np.ndarray  # int64 day ordinal, or min
    valid_to: np.ndarray  # int64 day ordinal, or max
    tree: shapely.STRtree = field(repr=False)
    uuids: dict = field(default_factory=dict, repr=False)  # area id → uuid string (when known)
    level_of: dict = field(default_factory=dict, repr=False)  # area id → area type level

    @classmethod
    def build(cls, rows) -> "AreaIndex":
        """rows: iterable of (id, type_id, level, code, geojson, valid_from date|None, valid_to date|None[, uuid])."""
        rows = list(rows)
        # Smallest code first: on shared boundaries the first match per type wins.
        rows.sort(key=lambda r: (r[2], str(r[3]), r[0]))
        geoms = np.array([shape(r[4]) for r in rows], dtype=object) if rows else np.array([], dtype=object)
        shapely.prepare(geoms)
        lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        return cls(
            area_ids=np.array([r[0] for r in rows], dtype=np.int64),
            type_ids=np.array([r[1] for r in rows], dtype=np.int64),
            levels=np.array([r[2] for r in rows], dtype=np.int64),
            codes=[str(r[3]) for r in rows],
            geoms=geoms,
            valid_from=np.array([r[5].toordinal() if r[5] else lo for r in rows], dtype=np.int64),
            valid_to=np.array([r[6].toordinal() if r[6] else hi for r in rows], dtype=np.int64),
            tree=shapely.STRtree(geoms),
            uuids={r[0]: str(r[7]) for r in rows if len(r) > 7},
            level_of={r[0]: r[2] for r in rows},
        )

    def __len__(self) -> int:
        return len(self.area_ids)

    def pairs(self, lon, lat, days=None, levels: set[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """All (point index, area id) pairs, at most one area per (point, area type).

        ``days`` (day ordinals) limits matches to areas valid on that day; ``levels`` to
        area types of those levels.
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if len(self) == 0 or lon.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        points = shapely.points(lon, lat)
        # Bounding-box candidates from the tree, then an exact test per area on its prepared polygon.
        pt_idx, area_idx = self.tree.query(points)
        if pt_idx.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        if levels is not None:
            keep = np.isin(self.levels[area_idx], list(levels))
            pt_idx, area_idx = pt_idx[keep], area_idx[keep]
        order = np.argsort(area_idx, kind="stable")
        pt_idx, area_idx = pt_idx[order], area_idx[order]
        hit = np.zeros(pt_idx.size, dtype=bool)
        bounds = np.flatnonzero(np.diff(area_idx)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [area_idx.size]))
        for s, e in zip(starts, ends):
            a = area_idx[s]
            p = pt_idx[s:e]
            hit[s:e] = shapely.intersects_xy(self.geoms[a], lon[p], lat[p])
        pt_idx, area_idx = pt_idx[hit], area_idx[hit]
        if days is not None:
            d = np.asarray(days, dtype=np.int64)[pt_idx]
            keep = (self.valid_from[area_idx] <= d) & (d <= self.valid_to[area_idx])
            pt_idx, area_idx = pt_idx[keep], area_idx[keep]
        # One area per (point, type): area_idx order is the sort order (smallest code first).
        key = np.stack([pt_idx, self.type_ids[area_idx], area_idx])
        order = np.lexsort((key[2], key[1], key[0]))
        pt_idx, area_idx = pt_idx[order], area_idx[order]
        types = self.type_ids[area_idx]
        first = np.ones(pt_idx.size, dtype=bool)
        first[1:] = (pt_idx[1:] != pt_idx[:-1]) | (types[1:] != types[:-1])
        return pt_idx[first], self.area_ids[area_idx[first]]

    def geometry_for(self, area_id: int):
        """The prepared shapely geometry of one indexed area (None when not indexed)."""
        hits = np.flatnonzero(self.area_ids == area_id)
        return self.geoms[hits[0]] if hits.size else None

    def areas_for_point(self, lon: float, lat: float, day: int | None = None) -> list[int]:
        _pts, areas = self.pairs([lon], [lat], None if day is None else [day])
        return areas.tolist()


_cache: dict[int, tuple[tuple, AreaIndex]] = {}
_lock = threading.Lock()


def index_for(collaboration_id: int, stamp: tuple | None = None) -> AreaIndex:
    """The cached index of a collaboration's areas, rebuilt when areas change.

    ``stamp`` is (number of areas, latest change) when the caller already read it.
    """
    from django.db.models import Count, Max

    from .models import Area

    if stamp is None:
        found = Area.objects.filter(collaboration_id=collaboration_id).aggregate(n=Count("id"), t=Max("updated_at"))
        stamp = (found["n"], found["t"])
    key = tuple(stamp)
    with _lock:
        cached = _cache.get(collaboration_id)
        if cached and cached[0] == key:
            return cached[1]
    rows = Area.objects.filter(collaboration_id=collaboration_id).values_list(
        "id", "type_id", "type__level", "code", "geometry", "valid_from", "valid_to", "uuid"
    )
    index = AreaIndex.build(rows)
    with _lock:
        _cache[collaboration_id] = (key, index)
    return index


def boundary_geometry(collaboration, index: AreaIndex | None = None):
    """The collaboration's boundary as a prepared shapely geometry, or None when not set.

    Taken from the (cached) area index when the boundary is one of the collaboration's areas.
    """
    if collaboration.boundary_id is None:
        return None
    if index is not None:
        cached = index.geometry_for(collaboration.boundary_id)
        if cached is not None:
            return cached
    geom = shape(collaboration.boundary.geometry)
    shapely.prepare(geom)
    return geom
