"""Geometry of the demo: the real boundary of Upplands Väsby, Stockholm County, synthetic
districts (a Voronoi partition clipped to the boundary) and a small gazetteer.

The municipal and county boundaries are real (from ../shared/data/geo, with a copy of just those
two features shipped in ``trygg/demo/data`` for when the shared data is absent). The districts
are NOT real district boundaries: they are Voronoi cells around fixed points, named after places
in Upplands Väsby and labelled "(demoområde)" so nobody mistakes them for official areas.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

DATA = Path(__file__).resolve().parent / "data"
SHARED_GEO = Path(
    os.environ.get("TRYGG_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")
) / "data" / "geo"

MUNICIPALITY_CODE = "0114"
MUNICIPALITY_NAME = "Upplands Väsby"
COUNTY_CODE = "01"
COUNTY_NAME = "Stockholms län"
DEMO_LABEL = "demoområde"

# District code, name and the fixed point its Voronoi cell grows from (lon, lat), and a relative
# "activity" weight (how much of the background event volume lands there).
DISTRICTS = [
    ("D01", "Centrum", (17.912, 59.518), 1.6),
    ("D02", "Runby", (17.885, 59.527), 1.2),
    ("D03", "Vilunda", (17.937, 59.505), 1.2),
    ("D04", "Fresta", (17.958, 59.535), 0.8),
    ("D05", "Breddenparken", (17.930, 59.488), 0.7),
    ("D06", "Smedby", (17.902, 59.503), 1.0),
    ("D07", "Bollstanäs", (17.930, 59.523), 0.9),
    ("D08", "Sigma", (17.895, 59.487), 0.7),
    ("D09", "Grimstaby", (17.970, 59.512), 0.6),
    ("D10", "Johannesdal", (17.865, 59.505), 0.6),
    ("D11", "Eds glesbygd", (17.835, 59.548), 0.3),
    ("D12", "Odenslunda", (17.985, 59.482), 0.7),
]


@dataclass(frozen=True)
class DemoPlace:
    key: str
    name: str
    lon: float
    lat: float
    aliases: tuple[str, ...] = ()


# The gazetteer. Coordinates are approximate and the places carry "(demo)" in their names: the
# events planted around them are synthetic and say nothing about the real places.
PLACES = [
    DemoPlace("station", "Väsby station (demo)", 17.9125, 59.5185, ("Väsby station", "Pendeltågsstationen")),
    DemoPlace("vilundaparken", "Vilundaparken (demo)", 17.9370, 59.5060, ("Vilundaparken",)),
    DemoPlace("smedby-skola", "Smedby skolgård (demo)", 17.9030, 59.5030, ("Smedby skola",)),
    DemoPlace("vasby-centrum", "Väsby centrum (demo)", 17.9105, 59.5205, ("Väsby centrum", "Centrum")),
    DemoPlace("runby-torg", "Runby torg (demo)", 17.8850, 59.5270, ("Runby torg",)),
    DemoPlace("messingen", "Messingen (demo)", 17.9135, 59.5160, ("Messingen",)),
    DemoPlace("fresta-idrott", "Frestavallen (demo)", 17.9580, 59.5360, ("Frestavallen",)),
    DemoPlace("edssjon", "Edssjöbadet (demo)", 17.8600, 59.5280, ("Edssjöbadet",)),
]


def _load_feature(filename: str, shipped: str, match) -> dict:
    path = SHARED_GEO / filename
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for feature in json.load(fh)["features"]:
                if match(feature["properties"]):
                    return feature
    with (DATA / shipped).open(encoding="utf-8") as fh:
        return json.load(fh)["features"][0]


def municipality_feature() -> dict:
    """The real boundary of Upplands Väsby (kommun 0114) as a GeoJSON feature."""
    return _load_feature(
        "swedish_municipalities.geojson", "upplands_vasby_0114.geojson",
        lambda p: str(p.get("id")) == MUNICIPALITY_CODE,
    )


def county_feature() -> dict:
    """Stockholm County (län 01) as a GeoJSON feature."""
    return _load_feature(
        "swedish_regions.geojson", "stockholms_lan.geojson", lambda p: str(p.get("l_id")) == "1"
    )


def boundary_shape():
    return shape(municipality_feature()["geometry"])


def voronoi_cells(seeds, clip) -> list:
    """Voronoi cells around ``seeds`` [(lon, lat)] clipped to ``clip``, in the order of the seeds.

    The diagram is computed with longitudes scaled by cos(latitude), so cells are round on the
    ground rather than in degrees; the cells are then cut from the (unscaled) clip geometry, so
    neighbouring cells share their edges exactly and together cover ``clip``.
    """
    pts = np.asarray(seeds, dtype=float)
    k = math.cos(math.radians(float(np.mean(pts[:, 1]))))
    scaled = shapely.MultiPoint(np.column_stack([pts[:, 0] * k, pts[:, 1]]))
    minx, miny, maxx, maxy = clip.bounds
    frame = shapely.box(minx * k - 1, miny - 1, maxx * k + 1, maxy + 1)
    diagram = shapely.voronoi_polygons(scaled, extend_to=frame)
    cells = [shapely.transform(c, lambda xy: xy / np.array([k, 1.0])) for c in diagram.geoms]
    # voronoi_polygons does not keep the input order: match each cell to the seed inside it.
    ordered = []
    for lon, lat in pts:
        cell = next(c for c in cells if c.covers(shapely.Point(lon, lat)))
        ordered.append(shapely.intersection(cell, clip))
    return ordered


def district_shapes(boundary=None) -> list[tuple[str, str, object, float]]:
    """[(code, name, shapely geometry, weight)] for the demo districts."""
    boundary = boundary if boundary is not None else boundary_shape()
    cells = voronoi_cells([d[2] for d in DISTRICTS], boundary)
    return [(code, name, cell, weight) for (code, name, _pt, weight), cell in zip(DISTRICTS, cells)]


def district_label(name: str) -> str:
    return f"{name} ({DEMO_LABEL})"


def as_geojson(geom) -> dict:
    return mapping(geom)


def random_points_in(geom, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside ``geom`` (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    lon_out, lat_out = np.empty(0), np.empty(0)
    while lon_out.size < n:
        want = max(64, int((n - lon_out.size) * 1.6))
        lon = rng.uniform(minx, maxx, want)
        lat = rng.uniform(miny, maxy, want)
        inside = shapely.contains_xy(geom, lon, lat)
        lon_out = np.concatenate([lon_out, lon[inside]])
        lat_out = np.concatenate([lat_out, lat[inside]])
    return lon_out[:n], lat_out[:n]


def bench_cells(n: int, *, seed: int = 1, vertices: int = 120, bbox=(17.60, 59.20, 18.40, 59.60)):
    """``n`` realistic-sized polygons for benchmarks: Voronoi cells of seeded random points in
    ``bbox`` (about a large municipality), their edges densified so each cell has on the order of
    ``vertices`` vertices (real district boundaries follow streets and shores). Returns
    (cells as shapely polygons, the bbox as a shapely polygon)."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(*bbox)
    seeds = np.column_stack([rng.uniform(bbox[0], bbox[2], n), rng.uniform(bbox[1], bbox[3], n)])
    cells = voronoi_cells(seeds, frame)
    # A Voronoi cell has about 6 edges; split each into vertices/6 pieces.
    mean_perimeter = float(np.mean([c.length for c in cells]))
    step = mean_perimeter / max(vertices, 4)
    return [shapely.segmentize(c, step) for c in cells], frame
