"""Boundary files → areas (mapit style: a plain module the CLI and the admin share).

Reads GeoJSON, GeoPackage and zipped shapefiles through pyogrio (GDAL ships in its wheel; no
system packages), reprojects from the CRS the file declares (SWEREF 99 TM, EPSG:3006, is the
usual one) to WGS84, repairs invalid polygons or rejects the feature naming its number, and
plans every change first: ``plan_import`` is the dry run, ``apply_plan`` commits it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from .geometry import GeometryError, normalise_geometry
from .models import Area, AreaType

NAME_FIELDS = ["name", "namn", "kom_namn", "kommunnamn", "lan_namn", "regsonamn", "regso", "omrade", "område"]
CODE_FIELDS = ["code", "kod", "id", "kommunkod", "kom_kod", "lanskod", "l_id", "deso", "desokod", "regsokod"]
LEVELS = {"county": AreaType.Level.COUNTY, "municipality": AreaType.Level.MUNICIPALITY,
          "district": AreaType.Level.DISTRICT, "neighbourhood": AreaType.Level.NEIGHBOURHOOD,
          "site": AreaType.Level.SITE}


class BoundaryFileError(ValueError):
    """The file as a whole cannot be used (missing, unreadable, no usable fields)."""


@dataclass
class PlannedArea:
    action: str  # create | update | unchanged | reject
    number: int  # feature number in the file, from 1
    name: str = ""
    code: str = ""
    geometry: dict | None = None
    bounds: tuple | None = None
    message: str = ""
    changes: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


class PlanCounts:
    """Counts by action for a dry-run plan (a dataclass) whose ``items`` each have an ``action``."""

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "reject")}


@dataclass
class ImportPlan(PlanCounts):
    collaboration: object
    type_code: str
    level: int
    source_crs: str
    items: list[PlannedArea]
    name_field: str
    code_field: str
    parent: Area | None = None
    notes: list[str] = field(default_factory=list)


def _pick(fields: list[str], wanted: str | None, candidates: list[str], what: str) -> str:
    if wanted:
        if wanted not in fields:
            raise BoundaryFileError(_("The file has no field “%(field)s” (its fields: %(fields)s).")
                                    % {"field": wanted, "fields": ", ".join(fields)})
        return wanted
    lower = {f.lower(): f for f in fields}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    raise BoundaryFileError(_("Say which field holds the %(what)s (--%(what_opt)s-field); the file has: %(fields)s.")
                            % {"what": _("name") if what == "name" else _("code"), "what_opt": what,
                               "fields": ", ".join(fields)})


def _value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (np.integer,)):
        v = int(v)
    return str(v).strip()


def read_features(path, *, layer=None, crs: str | None = None):
    """(meta, records, source_crs): records are (number, properties dict, shapely geometry | None)."""
    import pyogrio
    from pyogrio.raw import read

    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(_("No such file: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise BoundaryFileError(_("The file is empty (0 bytes)."))
    try:
        meta, _fids, geometry, field_data = read(str(path), layer=layer, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        raise BoundaryFileError(_("The file cannot be read as GeoJSON, GeoPackage or a zipped shapefile: %(error)s")
                                % {"error": str(exc).splitlines()[0][:200]}) from exc
    fields = [str(f) for f in meta["fields"]]
    records = []
    for i in range(len(geometry)):
        props = {f: field_data[j][i] for j, f in enumerate(fields)}
        wkb = geometry[i]
        records.append((i + 1, props, shapely.from_wkb(wkb) if wkb is not None else None))
    return meta, fields, records, crs or meta.get("crs")


def _transformer(source_crs: str | None):
    from pyproj import CRS, Transformer

    if not source_crs:
        return None
    src = CRS.from_user_input(source_crs)
    if src.equals(CRS.from_epsg(4326)) or src.equals(CRS.from_user_input("OGC:CRS84")):
        return None
    return Transformer.from_crs(src, "EPSG:4326", always_xy=True)


def plan_import(path, collaboration, *, type_code: str, level: str | int | None = None, name_field=None,
                code_field=None, parent_code: str | None = None, layer=None, crs: str | None = None) -> ImportPlan:
    """The dry run: what would be created, changed, left as it is, or rejected (and why)."""
    meta, fields, records, source_crs = read_features(path, layer=layer, crs=crs)
    name_field = _pick(fields, name_field, NAME_FIELDS, "name")
    code_field = _pick(fields, code_field, CODE_FIELDS, "code")
    area_type = AreaType.objects.filter(collaboration=collaboration, code=type_code).first()
    lvl = area_type.level if area_type else (LEVELS.get(level, level) if level else AreaType.Level.DISTRICT)
    notes = []
    parent = None
    if parent_code:
        parent = Area.objects.filter(collaboration=collaboration, code=parent_code).order_by("type__level").first()
        if parent is None:
            raise BoundaryFileError(_("The collaboration has no area with code %(code)s (--parent-code).")
                                    % {"code": parent_code})
    # Legacy GeoJSON sometimes carries SWEREF 99 TM metres without saying so.
    if not crs and (not source_crs or "4326" in str(source_crs)):
        xs = [g.bounds for _n, _p, g in records if g is not None and not g.is_empty]
        if xs and max(abs(b[2]) for b in xs) > 180:
            source_crs = "EPSG:3006"
            notes.append(_("The coordinates are metres, not degrees: read as SWEREF 99 TM (EPSG:3006)."))
    transformer = _transformer(source_crs)
    existing = {a.code: a for a in Area.objects.filter(collaboration=collaboration, type=area_type)} if area_type else {}
    items: list[PlannedArea] = []
    seen: set[str] = set()
    for number, props, geom in records:
        name, code = _value(props.get(name_field)), _value(props.get(code_field))
        raw = {k: _value(v) for k, v in props.items()}
        item = PlannedArea("reject", number, name, code, raw=raw)
        items.append(item)
        if not name:
            item.message = _("Feature %(n)d: the name (field %(field)s) is empty.") % {"n": number, "field": name_field}
            continue
        if not code:
            item.message = _("Feature %(n)d: the code (field %(field)s) is empty.") % {"n": number, "field": code_field}
            continue
        if code in seen:
            item.message = _("Feature %(n)d: the code %(code)s occurs twice in the file.") % {"n": number, "code": code}
            continue
        seen.add(code)
        if geom is None or geom.is_empty:
            item.message = _("Feature %(n)d (%(name)s): it has no geometry.") % {"n": number, "name": name}
            continue
        if transformer is not None:
            geom = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
        try:
            item.geometry, item.bounds = normalise_geometry(mapping(geom))
        except GeometryError as exc:
            item.message = _("Feature %(n)d (%(name)s): the geometry cannot be used (%(error)s).") % {
                "n": number, "name": name, "error": exc}
            continue
        if not geom.is_valid:
            item.changes.append(_("invalid geometry repaired"))
        old = existing.get(code)
        if old is None:
            item.action = "create"
            continue
        if old.name != name:
            item.changes.append(_("name %(old)s → %(new)s") % {"old": old.name, "new": name})
        if old.geometry != item.geometry:
            item.changes.append(_("boundary"))
        if parent is not None and old.parent_id != parent.pk:
            item.changes.append(_("parent area"))
        item.action = "update" if [c for c in item.changes if c != _("invalid geometry repaired")] else "unchanged"
    return ImportPlan(collaboration, type_code, lvl, str(source_crs or "EPSG:4326"), items, name_field, code_field,
                      parent, notes)


def apply_plan(plan: ImportPlan, *, user=None, filename: str = "", run=None, progress=None) -> dict[str, int]:
    """Commit a plan in one transaction (all or nothing).

    With ``run`` (an import run the caller started before the real work and finishes after it),
    the rejected features and the counts go to that run. Without it, when imports is installed, a
    run is started here, before the writing, and finished after it. ``progress(done, total)`` is
    called after each area written.
    """
    from .import_runs import start_boundary_run

    own_run = run is None
    if own_run:
        run = start_boundary_run(plan.collaboration, filename=filename, user=user)
    if run is None:
        return _write(plan, progress)
    from trygg.imports import runs

    run.options = {**run.options, "type": plan.type_code, "crs": plan.source_crs}
    with runs.running(run):
        counts = _write(plan, progress, run=run)
        if own_run:
            runs.finish_run(run, counts)
    counts["run"] = str(run.uuid)
    return counts


def _write(plan: ImportPlan, progress=None, *, run=None) -> dict[str, int]:
    collaboration = plan.collaboration
    writes = plan.count("create") + plan.count("update")
    with transaction.atomic():
        area_type, _created = AreaType.objects.get_or_create(
            collaboration=collaboration, code=plan.type_code,
            defaults={"name": plan.type_code.replace("-", " ").capitalize(), "level": plan.level})
        existing = {a.code: a for a in Area.objects.filter(collaboration=collaboration, type=area_type)}
        new, changed = [], []
        for item in plan.items:
            if item.action == "create" and item.code not in existing:
                area = Area(collaboration=collaboration, type=area_type, name=item.name, code=item.code,
                            parent=plan.parent, geometry=item.geometry)
                area.min_lon, area.min_lat, area.max_lon, area.max_lat = item.bounds
                new.append(area)
            elif item.action in ("update", "create"):
                area = existing[item.code]
                area.name, area.geometry = item.name, item.geometry
                area.min_lon, area.min_lat, area.max_lon, area.max_lat = item.bounds
                if plan.parent is not None:
                    area.parent = plan.parent
                changed.append(area)
        for done, area in enumerate([*new, *changed], start=1):  # save() so the audit log records each area
            area.save()
            if progress:
                progress(done, writes)
        counts = {"read": len(plan.items), "created": len(new), "updated": len(changed),
                  "unchanged": plan.count("unchanged"), "rejected": plan.count("reject")}
        if run is not None:
            from trygg.imports import runs

            runs.record_rejected_many(run, [(i.number, i.message, i.raw) for i in plan.items if i.action == "reject"])
            run.save(update_fields=["options"])
    return counts
