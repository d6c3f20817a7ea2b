"""Named places in bulk: GeoJSON points, or CSV with a name and WGS 84 lat/lon or SWEREF 99 TM x/y.

``plan_places`` is the dry run (what would be created, changed, left as it is, or rejected, and
why, naming the row); ``apply_places`` commits it in one transaction. A place is known by its
name within the collaboration, so loading the same file again changes nothing. Points outside the
collaboration's boundary are rejected: a place there cannot be picked for an event in it.

SWEREF 99 TM columns may be called x/y either way round (surveyors call the northing x, GIS tools
call it y): the northing is the value above 1,000,000 m.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .importer import PlanCounts
from .models import Place

NAME_FIELDS = ["name", "namn", "platsnamn", "plats", "benamning", "benämning"]
KIND_FIELDS = ["kind", "typ", "type", "kategori", "slag"]
LAT_FIELDS = ["lat", "latitud", "latitude"]
LON_FIELDS = ["lon", "lng", "long", "longitud", "longitude"]
SWEREF_PAIRS = [("x", "y"), ("n", "e"), ("northing", "easting"), ("nord", "ost"), ("sweref_n", "sweref_e")]
NORTHING_MIN = 1_000_000  # SWEREF 99 TM: northings 6.1–7.7 million m, eastings 0.2–1 million m
NAME_MAX = Place._meta.get_field("name").max_length
KIND_MAX = Place._meta.get_field("kind").max_length
MOVED_METRES = 1.0


class GazetteerFileError(ValueError):
    """The file as a whole cannot be used (unreadable, no name or coordinate columns)."""


@dataclass
class PlannedPlace:
    action: str  # create | update | unchanged | reject
    row: int  # CSV: the line in the file (the header is line 1); GeoJSON: the feature number from 1
    where: str = ""  # "Row 3" or "Feature 3", to start a message
    name: str = ""
    kind: str = ""
    lat: float | None = None
    lon: float | None = None
    message: str = ""
    changes: list[str] = field(default_factory=list)


@dataclass
class PlacePlan(PlanCounts):
    collaboration: object
    items: list[PlannedPlace]
    name_field: str
    kind_field: str
    source_crs: str
    notes: list[str] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------

def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GazetteerFileError(_("The file is neither UTF-8 nor Windows-1252 text."))


def _find(fields: list[str], wanted: str | None, candidates: list[str], *, option: str = "") -> str:
    if wanted:
        if wanted not in fields:
            raise GazetteerFileError(_("The file has no column “%(field)s” (its columns: %(fields)s).")
                                     % {"field": wanted, "fields": ", ".join(fields)})
        return wanted
    lower = {f.strip().lower(): f for f in fields}
    found = next((lower[c] for c in candidates if c in lower), "")
    if not found and option:
        raise GazetteerFileError(_("Say which column holds the name (%(option)s); the file has: %(fields)s.")
                                 % {"option": option, "fields": ", ".join(fields)})
    return found


def _number(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value or "").strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _csv_records(text: str):
    """(columns, [(line, row dict)]) of a CSV with a header; the delimiter is , ; or a tab."""
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise GazetteerFileError(_("The file has no header row with column names."))
    header = [h.strip() for h in header]
    records = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        records.append((line, dict(zip(header, (c.strip() for c in cells)))))
    return header, records


def _geojson_features(text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GazetteerFileError(_("The file is not valid GeoJSON: %(error)s") % {"error": exc}) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise GazetteerFileError(_("The file is not a GeoJSON FeatureCollection."))
    crs = str(((data.get("crs") or {}).get("properties") or {}).get("name", ""))
    return data["features"], ("EPSG:3006" if "3006" in crs else "")


# --- Planning ---------------------------------------------------------------------------------

def _sweref_to_wgs84(x: float, y: float) -> tuple[float, float]:
    from trygg.core.geo import to_wgs84

    lon, lat = to_wgs84([x], [y])
    return float(lat[0]), float(lon[0])


def _metres_between(lat1, lon1, lat2, lon2) -> float:
    k = math.pi / 180
    dx = (lon2 - lon1) * k * math.cos((lat1 + lat2) / 2 * k)
    return 6_371_000 * math.hypot(dx, (lat2 - lat1) * k)


class _Boundary:
    def __init__(self, collaboration):
        self.area = collaboration.boundary
        self.shape = None
        if self.area is not None:
            import shapely
            from shapely.geometry import shape

            self.shape = shape(self.area.geometry)
            shapely.prepare(self.shape)

    def covers(self, lat: float, lon: float) -> bool:
        if self.shape is None:
            return True
        from shapely.geometry import Point

        return self.shape.covers(Point(lon, lat))


def plan_places(path, collaboration, *, name_field: str | None = None, kind_field: str | None = None,
                filename: str = "") -> PlacePlan:
    """The dry run of a gazetteer file (``.geojson``/``.json`` or ``.csv``/``.txt``)."""
    path = Path(path)
    if not path.exists():
        raise GazetteerFileError(_("No such file: %(path)s") % {"path": path})
    data = path.read_bytes()
    if not data.strip():
        raise GazetteerFileError(_("The file is empty (0 bytes)."))
    text = _text(data)
    suffix = Path(filename or path.name).suffix.lower()
    is_geojson = suffix in (".geojson", ".json") or (suffix not in (".csv", ".txt") and text.lstrip()[:1] == "{")
    rows = _geojson_rows(text, name_field, kind_field) if is_geojson else _csv_rows(text, name_field, kind_field)
    items, name_field, kind_field, source_crs, notes = rows
    boundary = _Boundary(collaboration)
    if boundary.area is None:
        notes.append(_("The collaboration has no boundary: the points were not checked against it."))
    existing = {p.name: p for p in Place.objects.filter(collaboration=collaboration)}
    seen: dict[str, str] = {}
    for item in items:
        if item.action == "reject":
            continue
        label = {"where": item.where, "name": item.name}
        if item.name in seen:
            item.action = "reject"
            item.message = _("%(where)s: the name %(name)s occurs again (first at %(first)s).") % {
                **label, "first": seen[item.name]}
            continue
        seen[item.name] = item.where
        if not boundary.covers(item.lat, item.lon):
            item.action = "reject"
            item.message = _("%(where)s (%(name)s): the point %(lat).5f, %(lon).5f lies outside the "
                             "collaboration's boundary (%(boundary)s).") % {
                **label, "lat": item.lat, "lon": item.lon, "boundary": boundary.area.name}
            continue
        old = existing.get(item.name)
        if old is None:
            item.action = "create"
            continue
        moved = _metres_between(old.lat, old.lon, item.lat, item.lon)
        if moved >= MOVED_METRES:
            item.changes.append(_("moved %(m)d m") % {"m": round(moved)})
        if kind_field and old.kind != item.kind:
            item.changes.append(_("kind %(old)s → %(new)s") % {"old": old.kind or "–", "new": item.kind or "–"})
        item.action = "update" if item.changes else "unchanged"
    return PlacePlan(collaboration, items, name_field, kind_field, source_crs, notes)


def _check(item: PlannedPlace, lat, lon, *, what: str) -> None:
    """Fill lat/lon or reject the item naming its row; ``what`` names the columns for the message."""
    label = {"where": item.where, "name": item.name, "columns": what}
    if lat is None or lon is None:
        item.message = _("%(where)s (%(name)s): the coordinates (%(columns)s) are missing or not numbers.") % label
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        item.message = _("%(where)s (%(name)s): %(lat)s, %(lon)s is not a latitude and longitude (%(columns)s).") % {
            **label, "lat": lat, "lon": lon}
    else:
        item.action, item.lat, item.lon = "create", round(lat, 7), round(lon, 7)


def _start(row: int, where: str, name, kind, name_field: str) -> PlannedPlace:
    name, kind = str(name or "").strip(), str(kind or "").strip()[:KIND_MAX]
    item = PlannedPlace("reject", row, where, name, kind)
    if not name:
        item.message = _("%(where)s: the name (%(field)s) is empty.") % {"where": where, "field": name_field}
    elif len(name) > NAME_MAX:
        item.message = _("%(where)s: the name is longer than %(max)d characters.") % {"where": where, "max": NAME_MAX}
    return item


def _csv_rows(text: str, name_field, kind_field):
    header, records = _csv_records(text)
    name_field = _find(header, name_field, NAME_FIELDS, option="--name-field")
    kind_field = _find(header, kind_field, KIND_FIELDS)
    lower = {h.lower(): h for h in header}
    lat_col, lon_col = _find(header, None, LAT_FIELDS), _find(header, None, LON_FIELDS)
    pair = next(((lower[a], lower[b]) for a, b in SWEREF_PAIRS if a in lower and b in lower), None)
    if not (lat_col and lon_col) and pair is None:
        raise GazetteerFileError(_("The file needs the columns lat and lon (WGS 84) or x and y (SWEREF 99 TM); "
                                   "it has: %(fields)s.") % {"fields": ", ".join(header)})
    source_crs = "EPSG:4326" if lat_col and lon_col else "EPSG:3006"
    items = []
    for line, row in records:
        item = _start(line, _("Row %(n)d") % {"n": line}, row.get(name_field), row.get(kind_field) if kind_field else "", name_field)
        items.append(item)
        if item.message:
            continue
        if source_crs == "EPSG:4326":
            _check(item, _number(row.get(lat_col)), _number(row.get(lon_col)), what=f"{lat_col}, {lon_col}")
            continue
        a, b = _number(row.get(pair[0])), _number(row.get(pair[1]))
        what = f"{pair[0]}, {pair[1]}"
        if a is None or b is None:
            _check(item, None, None, what=what)
            continue
        northing, easting = (a, b) if a >= b else (b, a)
        if northing < NORTHING_MIN or not (0 < easting < NORTHING_MIN):
            item.message = _("%(where)s (%(name)s): %(a)s, %(b)s are not SWEREF 99 TM metres (%(columns)s).") % {
                "where": item.where, "name": item.name, "a": a, "b": b, "columns": what}
            continue
        lat, lon = _sweref_to_wgs84(easting, northing)
        _check(item, lat, lon, what=what)
    return items, name_field, kind_field, source_crs, []


def _geojson_rows(text: str, name_field, kind_field):
    features, declared = _geojson_features(text)
    fields: list[str] = []
    for feat in features:
        for key in ((feat or {}).get("properties") or {}):
            if key not in fields:
                fields.append(key)
    if not fields:
        raise GazetteerFileError(_("The features in the file have no properties (no name)."))
    name_field = _find(fields, name_field, NAME_FIELDS, option="--name-field")
    kind_field = _find(fields, kind_field, KIND_FIELDS)
    coords = [((f or {}).get("geometry") or {}).get("coordinates") for f in features]
    metres = declared == "EPSG:3006" or any(
        isinstance(c, list) and len(c) >= 2 and all(isinstance(v, (int, float)) for v in c[:2]) and abs(c[0]) > 180
        for c in coords)
    notes = [] if declared or not metres else [
        _("The coordinates are metres, not degrees: read as SWEREF 99 TM (EPSG:3006).")]
    items = []
    for number, feat in enumerate(features, start=1):
        props = (feat or {}).get("properties") or {}
        item = _start(number, _("Feature %(n)d") % {"n": number}, props.get(name_field), props.get(kind_field) if kind_field else "", name_field)
        items.append(item)
        if item.message:
            continue
        geometry = (feat or {}).get("geometry") or {}
        if geometry.get("type") != "Point":
            item.message = _("%(where)s (%(name)s): the geometry is %(type)s, not a point.") % {
                "where": item.where, "name": item.name, "type": geometry.get("type") or _("missing")}
            continue
        c = geometry.get("coordinates") or []
        x, y = (_number(c[0]), _number(c[1])) if len(c) >= 2 else (None, None)
        if metres and x is not None and y is not None:
            lat, lon = _sweref_to_wgs84(x, y)
        else:
            lat, lon = y, x
        _check(item, lat, lon, what=_("the point's coordinates"))
    return items, name_field, kind_field, "EPSG:3006" if metres else "EPSG:4326", notes


# --- Committing -------------------------------------------------------------------------------

def import_places(plan: PlacePlan, *, filename: str = "", user=None) -> tuple[dict[str, int], object]:
    """Apply the plan and record it as an import run (who, when, counts, duration, every rejected
    row with its reason): ``(counts, run)``; the run is None without the imports app."""
    from django.conf import settings

    if "trygg.imports" not in settings.INSTALLED_APPS:
        return apply_places(plan), None
    from trygg.imports import runs
    from trygg.imports.models import ImportRun

    run = runs.start_run(plan.collaboration, ImportRun.Kind.PLACES, source=str(filename),
                         filename=Path(filename).name if filename else "", user=user)
    with runs.running(run):
        counts = apply_places(plan)
        runs.record_rejected_many(run, [(i.row, i.message, {"name": i.name, "kind": i.kind}, "")
                                        for i in plan.items if i.action == "reject"])
        runs.finish_run(run, counts)
    return counts, run


def apply_places(plan: PlacePlan) -> dict[str, int]:
    """Create and change the planned places in one transaction (all or nothing)."""
    collaboration = plan.collaboration
    created = updated = 0
    with transaction.atomic():
        existing = {p.name: p for p in Place.objects.select_for_update().filter(collaboration=collaboration)}
        for item in plan.items:
            if item.action not in ("create", "update"):
                continue
            place = existing.get(item.name) or Place(collaboration=collaboration, name=item.name)
            is_new = place.pk is None
            place.lat, place.lon = item.lat, item.lon
            if plan.kind_field or is_new:
                place.kind = item.kind
            place.save()  # save() so the audit log records each place
            created, updated = created + is_new, updated + (not is_new)
    return {"read": len(plan.items), "created": created, "updated": updated,
            "unchanged": plan.count("unchanged"), "rejected": plan.count("reject")}
