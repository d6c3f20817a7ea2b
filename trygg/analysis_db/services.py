"""What the lägesbild, the intervention pages, the API and the CLI call.

Each function takes the caller's :class:`Scope` and a parsed :class:`params.Request` and
returns a JSON-ready dict with ``parameters`` echoed back (results are cached per data
version, see :mod:`.cache`). Tabular results also carry ``columns`` and ``table`` for CSV.
The statistics come from the framework-free :mod:`trygg.analysis`.
"""

from __future__ import annotations

import math

import numpy as np
from django.utils.translation import gettext as _

from trygg import analysis as A
from trygg.areas.models import AreaType
from trygg.events.filters import FilterError
from trygg.events.models import Category

from . import data
from .cache import cached
from .params import Request
from .scope import Scope
from .weekly import weekly_table

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _num(value, digits: int = 4):
    """JSON-safe number: NaN/inf → None, floats rounded."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round(value, digits) if not value.is_integer() else int(value) if abs(value) < 2**53 else value


def _direction(d) -> str:
    return "up" if d > 0 else "down" if d < 0 else ""


def _categories(collaboration_id: int) -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.filter(collaboration_id=collaboration_id)}


def _category_json(cat: Category | None) -> dict | None:
    if cat is None:
        return None
    return {"code": cat.code, "name": cat.name}


def _area_json(area) -> dict | None:
    if area is None:
        return None
    return {"uuid": str(area.uuid), "name": area.name, "code": area.code, "type": area.type.code}


def check_level(collaboration_id: int, level: str) -> None:
    if level and not AreaType.objects.filter(collaboration_id=collaboration_id, code=level).exists():
        raise FilterError({"level": _("level: no area type with this code.")})


def _row_areas(scope: Scope, req: Request):
    level = req.options.get("level", "")
    check_level(scope.collaboration_id, level)
    if level or req.filter.areas:
        chosen = data.areas(scope.collaboration_id, level=level, uuids=req.filter.areas, with_geometry=False)
        if req.filter.areas and not chosen:
            raise FilterError({"area": _("area: no such area.")})
        return chosen
    return data.areas(scope.collaboration_id, with_geometry=False)


# --- 1. weekly table ----------------------------------------------------------------------------
def weekly(scope: Scope, req: Request) -> dict:
    return cached("weekly", scope, req.echo(), lambda: _weekly(scope, req))


def _weekly(scope: Scope, req: Request) -> dict:
    level = req.options.get("level", "")
    check_level(scope.collaboration_id, level)
    restrict = bool(level or req.filter.areas)
    row_areas = _row_areas(scope, req)
    return weekly_table(scope, req, row_areas, restrict, _categories(scope.collaboration_id))


# --- 1b. two-period comparison -------------------------------------------------------------------
def compare(scope: Scope, req: Request) -> dict:
    return cached("compare", scope, req.echo(), lambda: _compare(scope, req))


def _compare(scope: Scope, req: Request) -> dict:
    opts, flt = req.options, req.filter
    row_areas = _row_areas(scope, req)
    area_ids = [a.pk for a in row_areas]
    include_total = not flt.areas
    days_cur = (flt.date_to - flt.date_from).days + 1
    days_base = (opts["base_to"] - opts["base_from"]).days + 1
    cur = data.period_counts(scope, flt, flt.date_from, flt.date_to, area_ids=area_ids, include_total=include_total)
    base = data.period_counts(scope, flt, opts["base_from"], opts["base_to"], area_ids=area_ids,
                              include_total=include_total)
    sums: dict[tuple, list[float]] = {}
    for which, counts in ((0, cur), (1, base)):
        for (a, c), n in counts.items():
            for k in ((a, c), (a, None)):
                sums.setdefault(k, [0.0, 0.0])[which] += n
    by_area = {a.pk: a for a in row_areas}
    cats = _categories(scope.collaboration_id)
    keys = sorted(sums, key=lambda k: (k[0] is not None, by_area[k[0]].type.level if k[0] else 0,
                                       by_area[k[0]].name if k[0] else "", k[1] is not None,
                                       (cats[k[1]].sort_order, cats[k[1]].code) if k[1] else (0, "")))
    scale = days_cur / days_base
    current = np.array([sums[k][0] for k in keys])
    baseline = np.array([sums[k][1] for k in keys])
    res = A.two_count_z(current, baseline * scale, threshold=float(opts["threshold"])) if keys else None
    rows = []
    for j, k in enumerate(keys):
        rows.append({
            "area": _area_json(by_area.get(k[0])) if k[0] else None,
            "category": _category_json(cats.get(k[1])) if k[1] else None,
            "current": _num(current[j]), "baseline": _num(baseline[j]),
            "baseline_scaled": _num(baseline[j] * scale), "z": _num(res.z[j]), "flag": bool(res.flag[j]),
            "direction": _direction(res.direction[j]) if res.flag[j] else "",
        })
    return {
        "parameters": req.echo(), "days": days_cur, "base_days": days_base, "scale": _num(scale, 6),
        "rows": rows,
        "columns": ["area", "area_type", "category", "current", "baseline", "baseline_scaled", "z", "flag",
                    "direction"],
        "table": [[(r["area"] or {}).get("name", _("All areas")), (r["area"] or {}).get("type", ""),
                   (r["category"] or {}).get("code", _("all")), r["current"], r["baseline"], r["baseline_scaled"],
                   r["z"], r["flag"], r["direction"]] for r in rows],
    }


# --- 2. time ------------------------------------------------------------------------------------
def aoristic(scope: Scope, req: Request) -> dict:
    return cached("aoristic", scope, req.echo(), lambda: _aoristic(scope, req))


def _aoristic(scope: Scope, req: Request) -> dict:
    pts = data.points(scope, req.filter)
    table = A.aoristic_week_table(pts.start, pts.end) if len(pts) else np.zeros((7, 24))
    hours = A.aoristic_hour_profile(pts.start, pts.end) if len(pts) else np.zeros(24)
    months = A.aoristic_month_profile(pts.start, pts.end) if len(pts) else np.zeros(12)
    with_window = int(np.sum(~np.isnan(pts.end))) if len(pts) else 0
    return {
        "parameters": req.echo(), "events": len(pts), "events_with_window": with_window,
        "timezone": A.DEFAULT_TZ,
        "day_hour": [[_num(v) for v in row] for row in table],
        "days": DAYS,
        "hour_profile": [_num(v) for v in hours],
        "month_profile": [_num(v) for v in months],
        "columns": ["day", *[f"h{h:02d}" for h in range(24)], "total"],
        "table": [[DAYS[d], *[_num(v) for v in table[d]], _num(table[d].sum())] for d in range(7)],
    }


# The spatial analyses and the effect estimate live beside this module (size); re-exported here so
# callers have one place to look.
from .effect import effect  # noqa: E402
from .spatial import concentration, emerging, hotspots, kde, moran  # noqa: E402

SERVICES = {
    "weekly": weekly, "compare": compare, "aoristic": aoristic, "hotspots": hotspots, "emerging": emerging,
    "moran": moran, "kde": kde, "concentration": concentration, "effect": effect,
}

__all__ = ["SERVICES", "aoristic", "compare", "concentration", "effect", "emerging", "hotspots", "kde", "moran",
           "weekly"]
