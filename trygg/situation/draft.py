"""The numbers of a weekly lägesbild, computed by the analysis engine (``trygg.analysis_db``).

:func:`build_numbers` returns a JSON-ready dict for one caller scope and one ISO week: the
weekly table (area × category against the prior 8 weeks and the same week last year, with the
engine's flag), the same per partner organisation, the aoristic day × hour table, Gi* hot spots
and recurring hot spots, and the week's event points for the map. Nothing is counted here that
the engine does not count: every figure is copied from a service result, so the draft equals the
engine for the same filters (tested).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from trygg.accounts.models import Collaboration
from trygg.analysis_db import services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import Scope
from trygg.analysis_db.units import default_level
from trygg.areas.models import AreaType
from trygg.events.filters import FilterError
from trygg.events.models import Category, Event

PRIOR_WEEKS = 8
Z = 3.0  # the engine's default band width for the weekly flag
HOTSPOT_CELL = 250
HOTSPOT_FDR = 0.05
RECURRING_WEEKS = 12
RECURRING_MIN = 4
MAX_POINTS = 2000  # more dots than this are unreadable on a municipality map; evenly thinned


def week_key(label: str) -> int:
    """"2026-W47" → 202647 (ValueError when malformed)."""
    year, wk = label.upper().split("-W")
    dt.date.fromisocalendar(int(year), int(wk), 1)
    return int(year) * 100 + int(wk)


def week_label(key: int) -> str:
    return f"{key // 100}-W{key % 100:02d}"


def previous_week(key: int) -> int:
    monday = dt.date.fromisocalendar(key // 100, key % 100, 1) - dt.timedelta(days=7)
    y, w, _d = monday.isocalendar()
    return y * 100 + w


def current_week_key(now: dt.datetime | None = None) -> int:
    y, w, _d = timezone.localtime(now or timezone.now()).isocalendar()
    return y * 100 + w


def partner_scope(collaboration) -> Scope:
    """What every partner may see: no restricted events (not even one organisation's own)."""
    return Scope(collaboration_id=collaboration.pk, see_restricted=False, own_organisations=())


def _cell(row: dict) -> dict:
    keys = ("count", "prior_mean", "last_year", "expected_low", "expected_high", "flag", "direction", "z")
    return {k: row.get(k) for k in keys}


def _category_names(collaboration_id: int) -> dict[str, dict]:
    return {c.code: {"code": c.code, "sv": c.name_sv, "en": c.name_en, "colour": c.colour, "order": c.sort_order}
            for c in Category.objects.filter(collaboration_id=collaboration_id)}


def _weekly(scope: Scope, week: str, level: str, **flt) -> dict:
    return services.weekly(scope, parse("weekly", {"week": week, "level": level,
                                                   "prior_weeks": str(PRIOR_WEEKS), **flt}))


def _split_rows(result: dict, cats: dict) -> tuple[dict | None, list[dict], dict[str, dict]]:
    """(total row, category rows, {area uuid: {"total", "categories"}}) from a weekly result."""
    total, categories, areas = None, [], {}
    for row in result["rows"]:
        cat = row["category"]
        entry = _cell(row) | ({"category": cat["code"]} if cat else {})
        if row["area"] is None:
            if cat is None:
                total = entry
            else:
                categories.append(entry)
        else:
            a = areas.setdefault(row["area"]["uuid"], {"total": None, "categories": []})
            if cat is None:
                a["total"] = entry
            else:
                a["categories"].append(entry)
    return total, categories, areas


def _clean(v) -> float | int | None:
    """As the engine rounds its figures: 4 decimals, whole numbers as int, NaN as None."""
    v = round(float(v), 4)
    return None if v != v else int(v) if v.is_integer() else v


def partner_rows(collaboration, scope: Scope, iso_week: int) -> list[dict]:
    """Events per organisation this week against its previous weeks and the same week last year.

    One GROUP BY over the engine's visible events (``analysis_db.data.events``) and one call of the
    engine's trend (``trygg.analysis.week_trend``, the function behind ``services.weekly``) for all
    organisations at once: the same figures as ``services.weekly`` filtered by each organisation
    (tested), in one query instead of one per organisation.
    """
    import numpy as np
    from django.db.models import Count

    from trygg import analysis as A
    from trygg.analysis_db import data

    run = [A.shift_week(iso_week, -k) for k in range(PRIOR_WEEKS, 0, -1)] + [iso_week]
    last_year = A.same_week_last_year(iso_week)
    orgs = list(collaboration.organisations.order_by("name"))
    index = {o.pk: i for i, o in enumerate(orgs)}
    col = {w: j for j, w in enumerate(run)}
    cube, ly = np.zeros((len(orgs), len(run))), np.zeros(len(orgs))
    rows = (data.events(scope).filter(iso_week__in=run + [last_year]).values_list("organisation_id", "iso_week")
            .annotate(n=Count("pk")).order_by())
    for org_id, week, n in rows:
        if org_id not in index:
            continue
        if week in col:
            cube[index[org_id], col[week]] += n
        if week == last_year:
            ly[index[org_id]] += n
    if not orgs:
        return []
    trend = A.week_trend(cube, iso_week, week_keys=run, n_prior=PRIOR_WEEKS, z=Z)
    out = []
    for i, org in enumerate(orgs):
        flag = bool(trend.flag[i])
        total = {"count": _clean(trend.count[i]), "prior_mean": _clean(trend.prior_mean[i]),
                 "last_year": _clean(ly[i]), "expected_low": _clean(trend.low[i]),
                 "expected_high": _clean(trend.high[i]), "flag": flag,
                 "direction": {1: "up", -1: "down"}.get(int(trend.direction[i]), "") if flag else "",
                 "z": _clean(trend.z[i])}
        if total["count"] or total["prior_mean"] or total["last_year"]:
            out.append({"uuid": str(org.uuid), "name": org.name, "kind": org.kind, "total": total})
    return out


def recurring_places(scope: Scope, week: str) -> list[dict]:
    """Grid cells that were Gi* hot spots in at least ``RECURRING_MIN`` of the last ``RECURRING_WEEKS``
    weeks: the engine's ``services.emerging`` computation (same units, counts, ``emerging_hotspots``
    and ``recurring_places``; tested equal), describing only the recurring cells instead of every
    cell with an event (thousands on a large collaboration)."""
    import numpy as np

    from trygg import analysis as A
    from trygg.analysis_db import units as U
    from trygg.events.filters import EventFilter

    try:
        units = U.build(scope, "grid", float(HOTSPOT_CELL))
    except FilterError:
        return []
    weeks = [A.shift_week(week, -k) for k in range(RECURRING_WEEKS - 1, -1, -1)]
    x, _unplaced = U.counts(units, scope, EventFilter(), weeks=weeks)
    res = A.emerging_hotspots(x, units.w, permutations=0, seed=0, fdr=HOTSPOT_FDR)
    flags = A.recurring_places(res.hot, k=min(RECURRING_MIN, RECURRING_WEEKS))
    out = []
    for i in np.flatnonzero(flags):
        cell = units.describe(int(i))
        out.append({"id": cell["id"], "centre": cell.get("centre"), "polygon": cell.get("polygon"),
                    "hot_weeks": int(res.hot_weeks[i]), "label": str(res.label[i]),
                    "events": int(x[:, i].sum()), "this_week": int(x[-1, i])})
    out.sort(key=lambda r: (-r["hot_weeks"], -r["events"], r["id"]))
    return out


def build_numbers(collaboration: Collaboration, iso_week: int, scope: Scope, *, level: str = "") -> dict:
    """All figures of one week's lägesbild for one scope (JSON-ready, deterministic order)."""
    cid = collaboration.pk
    week = week_label(iso_week)
    level = level or default_level(cid)
    cats = _category_names(cid)
    weekly = _weekly(scope, week, level)
    total, categories, by_area = _split_rows(weekly, cats)
    area_rows = []
    from trygg.analysis_db import data

    for area in data.areas(cid, level=level):
        a = by_area.get(str(area.uuid), {"total": None, "categories": []})
        area_rows.append({"uuid": str(area.uuid), "name": area.name, "code": area.code,
                          "geometry": area.geometry, **a})
    flags = []
    for row in weekly["rows"]:
        if row["flag"]:
            flags.append({"area": row["area"]["name"] if row["area"] else None,
                          "category": row["category"]["code"] if row["category"] else None,
                          **_cell(row)})
    flags.sort(key=lambda f: (-abs(f["z"] or 0), f["area"] or "", f["category"] or ""))

    partners = partner_rows(collaboration, scope, iso_week)

    aoristic = services.aoristic(scope, parse("aoristic", {"week": week}))

    hotspots = {"p_source": "normal", "fdr": HOTSPOT_FDR, "cell": HOTSPOT_CELL, "hot": 0, "cold": 0,
                "min_p": None, "cells": [], "note": ""}
    try:
        hs = services.hotspots(scope, parse("hotspots", {"week": week, "permutations": "0",
                                                         "cell": str(HOTSPOT_CELL), "fdr": str(HOTSPOT_FDR)}))
        hotspots.update(hot=hs.get("hot", 0), cold=hs.get("cold", 0), min_p=hs.get("min_p"),
                        note=str(hs.get("note", "")),
                        cells=[{"id": c["id"], "polygon": c["polygon"], "count": c["count"], "z": c["z"],
                                "p": c["p"], "class": c["class"]}
                               for c in hs.get("cells", []) if c.get("class") == "hot"])
    except FilterError as exc:
        hotspots["note"] = "; ".join(exc.errors.values())

    recurring = recurring_places(scope, week)

    events = list(Event.objects.filter(scope.event_q(), iso_week=iso_week, precision__in=("point", "place"))
                  .order_by("occurred_from", "pk").values_list("lon", "lat", "category__colour"))
    points_total = len(events)
    if points_total > MAX_POINTS:
        step = points_total / MAX_POINTS
        events = [events[int(i * step)] for i in range(MAX_POINTS)]
    points = [[round(lon, 5), round(lat, 5), colour] for lon, lat, colour in events]
    level_name = AreaType.objects.filter(collaboration_id=cid, code=level).values_list("name", flat=True).first()

    return {
        "week": week, "iso_week": iso_week,
        "week_start": dt.date.fromisocalendar(iso_week // 100, iso_week % 100, 1).isoformat(),
        "week_end": dt.date.fromisocalendar(iso_week // 100, iso_week % 100, 7).isoformat(),
        "prior_weeks": weekly["prior_weeks"], "same_week_last_year": weekly["same_week_last_year"],
        "level": level, "level_name": level_name or "", "scope": scope.key,
        "total": total or {"count": 0, "prior_mean": 0, "last_year": 0, "flag": False, "direction": "", "z": None},
        "categories": categories, "areas": area_rows, "partners": partners, "flags": flags,
        "category_names": cats,
        "day_hour": aoristic["day_hour"], "aoristic_events": aoristic["events"],
        "aoristic_with_window": aoristic["events_with_window"],
        "hotspots": hotspots, "recurring": recurring[:20], "points": points, "points_total": points_total,
    }
