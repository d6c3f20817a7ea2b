"""The statutory lägesbild (Lag 2023:196) for a year or any period, from the same data as the weekly
picture: multi-year trends per category and area, concentration, the police's notices beside the
partners' reports, the areas' status history and the partners' assessments."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from trygg.analysis_db import data, services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import Scope
from trygg.analysis_db.units import default_level
from trygg.core import svg
from trygg.events.filters import EventFilter, FilterError
from trygg.events.models import Category, Source

from .models import PublishedVersion, Variant
from .summary import fmt

TREND_YEARS = 5
PALETTE = ["#0b5394", "#c0392b", "#1e8a3c", "#b08800", "#7b1fa2", "#00838f", "#5d4037", "#455a64", "#d81b60"]


def _years(date_from: dt.date, date_to: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    first = min(date_from.year, date_to.year - TREND_YEARS + 1)
    out = []
    for year in range(first, date_to.year + 1):
        start = dt.date(year, 1, 1)
        end = min(dt.date(year, 12, 31), date_to)
        out.append((year, start, end))
    return out


def build(collaboration, scope: Scope, date_from: dt.date, date_to: dt.date) -> dict:
    cid = collaboration.pk
    mains = list(Category.objects.filter(collaboration_id=cid, parent__isnull=True).order_by("sort_order", "code"))
    level = default_level(cid)
    areas = data.areas(cid, level=level)
    area_ids = [a.pk for a in areas]
    years = _years(date_from, date_to)
    by_cat: dict[int, list[int]] = {c.pk: [0] * len(years) for c in mains}
    by_area: dict[int, list[int]] = {a: [0] * len(years) for a in area_ids}
    for j, (_y, start, end) in enumerate(years):
        counts = data.period_counts(scope, EventFilter(), start, end, area_ids=area_ids)
        for (a, c), n in counts.items():
            if a is None and c in by_cat:
                by_cat[c][j] += n
            elif a in by_area:
                by_area[a][j] += n
    labels = [str(y) for y, _s, _e in years]
    cat_rows = [(c, by_cat[c.pk]) for c in mains if any(by_cat[c.pk])]
    cat_rows.sort(key=lambda r: -sum(r[1]))
    trend_cat_svg = svg.lines([(c.name, vals, PALETTE[i % len(PALETTE)]) for i, (c, vals) in enumerate(cat_rows[:8])],
                              labels, title=_("Events per year and category"),
                              desc=_("The eight largest categories, one line each.")) if cat_rows else ""
    area_rows = [(a, by_area[a.pk]) for a in areas]
    trend_area_svg = svg.lines([(a.name, vals, PALETTE[i % len(PALETTE)]) for i, (a, vals) in enumerate(area_rows[:9])],
                               labels, title=_("Events per year and area"),
                               desc=_("One line per area.")) if area_rows else ""
    # police notices beside the partners' reports, for the period
    period_from, period_to = date_from, date_to
    police = data.period_counts(scope, EventFilter(sources=[Source.POLISEN]), period_from, period_to, area_ids=[])
    partners = data.period_counts(scope, EventFilter(sources=[s for s in Source.values if s != Source.POLISEN]),
                                  period_from, period_to, area_ids=[])
    source_rows = [{"category": c.name, "police": police.get((None, c.pk), 0), "partners": partners.get((None, c.pk), 0)}
                   for c in mains if police.get((None, c.pk)) or partners.get((None, c.pk))]
    try:
        conc = services.concentration(scope, parse("concentration", {"from": period_from.isoformat(),
                                                                     "to": period_to.isoformat()}))
    except FilterError:
        conc = None
    latest: dict[int, PublishedVersion] = {}
    lo = period_from.isocalendar()
    hi = period_to.isocalendar()
    for v in (PublishedVersion.objects.filter(picture__collaboration_id=cid,
                                              picture__iso_week__gte=lo[0] * 100 + lo[1],
                                              picture__iso_week__lte=hi[0] * 100 + hi[1])
              .select_related("picture").order_by("picture__iso_week", "-number")):
        latest.setdefault(v.picture.iso_week, v)
    names: dict[str, str] = {}
    status: dict[str, dict[int, str]] = {}
    assessments = []
    for k in sorted(latest):
        for a in latest[k].snapshots.get(Variant.FULL, {}).get("assessments", []):
            names.setdefault(a["area"], a["name"])
            status.setdefault(a["area"], {})[k] = a["status"] or None
            if a["text"]:
                assessments.append({"week": f"{k // 100}-W{k % 100:02d}", "area": a["name"], "status": a["status"],
                                    "text": a["text"]})
    weeks = sorted(latest)
    strip_rows = [(names[u], [status[u].get(k) for k in weeks]) for u in sorted(names, key=lambda u: names[u])]
    strip_svg = svg.status_strip(strip_rows, [f"v{k % 100}" for k in weeks], title=_("Status per area over the weeks"),
                                 desc=_("One row per area, one cell per published week.")) if strip_rows else ""
    total_period = sum(partners.get((None, c.pk), 0) + police.get((None, c.pk), 0) for c in mains)
    return {
        "date_from": date_from, "date_to": date_to, "years": labels,
        "category_trends": [{"name": c.name, "values": vals} for c, vals in cat_rows],
        "area_trends": [{"name": a.name, "values": vals} for a, vals in area_rows],
        "trend_cat_svg": trend_cat_svg, "trend_area_svg": trend_area_svg,
        "source_rows": source_rows, "total_period": total_period,
        "concentration": conc, "strip_svg": strip_svg,
        "strip_rows": [(n, [s or "" for s in vals]) for n, vals in strip_rows],
        "strip_weeks": [f"{k // 100}-W{k % 100:02d}" for k in weeks],
        "assessments": assessments, "fmt": fmt,
    }
