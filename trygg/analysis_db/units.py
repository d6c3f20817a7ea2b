"""Spatial units for the hot-spot, Moran, emerging and concentration analyses: a square grid or
hexagons (SWEREF 99 TM metres) clipped to the collaboration's boundary, or the polygons of one
area type; with their neighbour structure and the event counts per unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count
from django.utils.translation import gettext as _
from shapely.geometry import shape

from trygg import analysis as A
from trygg.accounts.models import Collaboration
from trygg.areas.models import Area, AreaType
from trygg.core.geo import to_sweref, to_wgs84
from trygg.events.filters import EventFilter, FilterError
from trygg.events.models import EventArea

from . import data
from .scope import Scope

MAX_CELLS = 250_000


def sweref_geometry(geojson: dict):
    """A WGS84 GeoJSON geometry as a shapely geometry in SWEREF 99 TM metres."""
    def project(coords):
        x, y = to_sweref(coords[:, 0], coords[:, 1])
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

    return shapely.transform(shape(geojson), project)


def boundary(collaboration_id: int):
    """The collaboration's boundary in SWEREF (its boundary area, else the union of its areas)."""
    collab = Collaboration.objects.select_related("boundary").get(pk=collaboration_id)
    if collab.boundary is not None:
        return sweref_geometry(collab.boundary.geometry)
    geoms = [sweref_geometry(g) for g in Area.objects.filter(collaboration_id=collaboration_id)
             .values_list("geometry", flat=True)]
    return shapely.union_all(geoms) if geoms else None


def _ring_wgs84(ring: np.ndarray) -> list[list[float]]:
    lon, lat = to_wgs84(ring[:, 0], ring[:, 1])
    return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat)]


@dataclass
class Units:
    kind: str  # grid | hex | areas
    ids: list[str]
    w: object  # scipy CSR, binary, no self-loops
    centres: np.ndarray | None = None  # (n, 2) SWEREF, grid/hex
    rings: np.ndarray | None = None  # (n, k, 2) SWEREF, grid/hex
    areas: list[Area] | None = None
    locate: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    level: str = ""
    cell: float = 0.0

    @property
    def n(self) -> int:
        return len(self.ids)

    def describe(self, i: int) -> dict:
        if self.kind == "areas":
            a = self.areas[i]
            return {"id": str(a.uuid), "name": a.name, "code": a.code, "type": a.type.code}
        lon, lat = to_wgs84(self.centres[i, 0], self.centres[i, 1])
        return {"id": self.ids[i], "centre": [round(lon, 6), round(lat, 6)], "polygon": _ring_wgs84(self.rings[i])}


def _grid(bound, cell: float) -> Units:
    xmin, ymin, xmax, ymax = bound.bounds
    dense = A.square_grid_counts(np.empty(0), np.empty(0), cell, bounds=(xmin, ymin, xmax, ymax))
    rows, cols = dense.counts.shape
    if rows * cols > MAX_CELLS:
        raise FilterError({"cell": _("cell: too many cells for this area; choose a larger cell size.")})
    x0, y0 = dense.centre[:, 0] - cell / 2, dense.centre[:, 1] - cell / 2
    boxes = shapely.box(x0, y0, x0 + cell, y0 + cell)
    shapely.prepare(bound)
    keep = np.flatnonzero(shapely.intersects(bound, boxes))
    lookup = np.full(rows * cols, -1, dtype=np.int64)
    lookup[keep] = np.arange(len(keep))
    w = A.grid_queen(rows, cols)[keep][:, keep].tocsr()
    col, row = keep % cols, keep // cols
    c0, r0 = int(round(dense.x0 / cell)), int(round(dense.y0 / cell))
    ids = [f"E{c0 + c}N{r0 + r}" for c, r in zip(col.tolist(), row.tolist())]
    rings = np.stack([np.array(shapely.get_coordinates(b)) for b in boxes[keep]]) if len(keep) else np.empty((0, 5, 2))

    def locate(x, y):
        c = np.floor((x - dense.x0) / cell).astype(np.int64)
        r = np.floor((y - dense.y0) / cell).astype(np.int64)
        ok = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
        return np.where(ok, lookup[np.where(ok, r * cols + c, 0)], -1)

    return Units("grid", ids, w, dense.centre[keep], rings, locate=locate, cell=cell)


def _hex(bound, size: float) -> Units:
    xmin, ymin, xmax, ymax = bound.bounds
    step = size * 0.5
    nx, ny = int((xmax - xmin) / step) + 3, int((ymax - ymin) / step) + 3
    if nx * ny > MAX_CELLS * 8:
        raise FilterError({"cell": _("cell: too many cells for this area; choose a larger cell size.")})
    gx, gy = np.meshgrid(xmin - step + np.arange(nx) * step, ymin - step + np.arange(ny) * step)
    cand = A.hex_bin(gx.ravel(), gy.ravel(), size)
    polys = shapely.polygons(cand.polygon)
    shapely.prepare(bound)
    keep = np.flatnonzero(shapely.intersects(bound, polys))
    q, r = cand.q[keep], cand.r[keep]
    index = {(a, b): i for i, (a, b) in enumerate(zip(q.tolist(), r.tolist()))}

    def locate(x, y):
        if len(x) == 0:
            return np.empty(0, dtype=np.int64)
        hb = A.hex_bin(x, y, size)
        per_cell = np.array([index.get((a, b), -1) for a, b in zip(hb.q.tolist(), hb.r.tolist())], dtype=np.int64)
        return per_cell[hb.point_cell]

    return Units("hex", list(cand.cell_id[keep]), A.hex_neighbours(q, r), cand.centre[keep], cand.polygon[keep],
                 locate=locate, cell=size)


def default_level(collaboration_id: int) -> str:
    """The finest area type that has areas (usually districts)."""
    t = (AreaType.objects.filter(collaboration_id=collaboration_id, areas__isnull=False)
         .order_by("-level").values_list("code", flat=True).first())
    return t or ""


def _areas(collaboration_id: int, level: str) -> Units:
    level = level or default_level(collaboration_id)
    chosen = data.areas(collaboration_id, level=level)
    if len(chosen) < 2:
        raise FilterError({"level": _("level: needs at least two areas of this type.")})
    geoms = [sweref_geometry(a.geometry) for a in chosen]
    return Units("areas", [str(a.uuid) for a in chosen], A.polygon_queen(geoms), areas=chosen, level=level)


def build(scope: Scope, shape_kind: str, cell: float, level: str = "") -> Units:
    if shape_kind == "areas":
        if level and not AreaType.objects.filter(collaboration_id=scope.collaboration_id, code=level).exists():
            raise FilterError({"level": _("level: no area type with this code.")})
        return _areas(scope.collaboration_id, level)
    bound = boundary(scope.collaboration_id)
    if bound is None or bound.is_empty:
        raise FilterError({"shape": _("shape: the collaboration has no boundary or areas to cover.")})
    return _grid(bound, cell) if shape_kind == "grid" else _hex(bound, cell)


def counts(units: Units, scope: Scope, flt: EventFilter, weeks: list[int] | None = None) -> tuple[np.ndarray, int]:
    """Events per unit (or (T, n) per week when ``weeks`` is given) and the number of matching
    events that could not be placed in a unit (coarser location than the unit, or outside)."""
    if units.kind == "areas":
        qs = data.events(scope, EventFilter(**{**flt.__dict__, "areas": []}))
        if weeks is not None:
            qs = qs.filter(iso_week__in=weeks)
        index = {a.pk: i for i, a in enumerate(units.areas)}
        total = qs.count()
        links = EventArea.objects.filter(event__in=qs.values("pk"), area_id__in=list(index))
        if weeks is None:
            out = np.zeros(units.n)
            for a, n in links.values_list("area_id").annotate(n=Count("pk")).order_by():
                out[index[a]] = n
        else:
            col = {w: t for t, w in enumerate(weeks)}
            out = np.zeros((len(weeks), units.n))
            for a, w, n in links.values_list("area_id", "event__iso_week").annotate(n=Count("pk")).order_by():
                out[col[w], index[a]] = n
        return out, int(total - out.sum())
    pts = data.points(scope, flt, weeks=weeks)  # read only the weeks asked for
    located = np.isin(pts.precision, ["point", "place"]) if len(pts) else np.zeros(0, bool)
    idx = units.locate(pts.x, pts.y) if len(pts) else np.empty(0, dtype=np.int64)
    idx = np.where(located, idx, -1)
    ok = idx >= 0
    if weeks is None:
        out = np.bincount(idx[ok], minlength=units.n).astype(float)
    else:
        col = {w: t for t, w in enumerate(weeks)}
        t = np.array([col[w] for w in pts.iso_week[ok].tolist()], dtype=np.int64)
        out = np.zeros((len(weeks), units.n))
        np.add.at(out, (t, idx[ok]), 1.0)
    return out, int((~ok).sum())
