"""Rendering a lägesbild document: the same template for the screen, the print page and the PDF.

Charts and the map are deterministic inline SVG (:mod:`trygg.core.svg`), so the printed page and
the PDF carry exactly what the screen shows. The full and partner variants show everything their
numbers hold; the feedback variant (återkoppling) shows only the total per category with small
counts suppressed, the areas' status, the focus list and the decisions.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from trygg.core import svg

from .models import DecisionStatus, Status, Variant
from .summary import category_name, fmt, sentences, suppress

CSS_PATH = Path(__file__).resolve().parent / "static" / "situation" / "lagesbild.css"


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else _("Not assessed")


def _day_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _row(numbers: dict, cell: dict | None, label: str, threshold: int | None) -> dict:
    cell = cell or {}
    show = (lambda v: suppress(v or 0, threshold)) if threshold is not None else (lambda v: fmt(v, 0))
    return {"label": label, "count": show(cell.get("count")),
            "prior_mean": fmt(cell.get("prior_mean")) if threshold is None else show(cell.get("prior_mean")),
            "last_year": show(cell.get("last_year")), "flag": bool(cell.get("flag")),
            "direction": cell.get("direction") or "",
            "flag_text": (_("Rising") if cell.get("direction") == "up" else _("Falling")) if cell.get("flag") else ""}


def _map_svg(numbers: dict, statuses: dict[str, str]) -> str:
    areas = [{"geometry": a["geometry"], "name": f"{a['name']} ({status_label(statuses.get(a['uuid'], ''))})",
              "fill": svg.STATUS_COLOURS.get(statuses.get(a["uuid"]) or None)} for a in numbers["areas"]]
    for a, src in zip(areas, numbers["areas"]):
        a["label"] = True
        a["name"] = src["name"]
    cells = [{"polygon": c["polygon"], "fill": "#7b1fa2"} for c in numbers["hotspots"]["cells"] if c.get("polygon")]
    points = [(p[0], p[1], p[2]) for p in numbers["points"]]
    desc = _("%(events)s events of the week as dots, %(hot)s significant hot-spot cells shaded, areas coloured "
             "by their status.") % {"events": len(points), "hot": len(cells)}
    total = numbers.get("points_total", len(points))
    if total > len(points):
        desc += " " + _("Every %(k)s. of the %(total)s located events is drawn.") % {
            "k": fmt(total / len(points), 1), "total": total}
    return svg.area_map(areas, points, cells, title=_("Map of week %(week)s") % {"week": numbers["iso_week"] % 100},
                        desc=desc)


def context(doc: dict) -> dict:
    """Everything the document template needs, computed in the active language."""
    numbers = doc["numbers"]
    variant = doc["variant"]
    feedback = variant == Variant.FEEDBACK
    threshold = doc.get("threshold", 3) if feedback else None
    statuses = {a["area"]: a["status"] for a in doc["assessments"]}
    assessments = [a | {"status_label": status_label(a["status"])} for a in doc["assessments"]]
    cat_rows = [_row(numbers, c, category_name(numbers, c["category"]), threshold)
                for c in sorted(numbers["categories"], key=lambda c: (
                    numbers["category_names"].get(c["category"], {}).get("order", 0), c["category"]))
                if (c.get("count") or c.get("prior_mean") or c.get("last_year"))]
    ctx = {
        "doc": doc, "variant": variant, "feedback": feedback, "threshold": threshold,
        "variant_label": str(Variant(variant).label),
        "summary": sentences(numbers, threshold=threshold),
        "total": _row(numbers, numbers["total"], _("All events"), threshold),
        "category_rows": cat_rows, "assessments": assessments,
        "criteria": [(status_label(s), doc["criteria"].get(s, ""), s) for s in Status.values],
        "decisions": [d | {"status_label": str(DecisionStatus(d["status"]).label)} for d in doc["decisions"]],
        "follow_up": [d | {"status_label": str(DecisionStatus(d["status"]).label)} for d in doc["follow_up"]],
        "weeks_compared": len(numbers.get("prior_weeks", [])),
        "week_number": numbers["iso_week"] % 100,
    }
    if feedback:
        return ctx
    ctx["flags"] = [{"text": s} for s in sentences(numbers)[:len(numbers["flags"])]]
    area_rows = []
    for a in numbers["areas"]:
        changes = [_("%(category)s %(count)s (mean %(mean)s)") % {
            "category": category_name(numbers, c["category"]), "count": fmt(c["count"], 0),
            "mean": fmt(c["prior_mean"])} for c in sorted(a["categories"], key=lambda c: -abs(c.get("z") or 0))
            if c.get("flag")]
        area_rows.append({"name": a["name"], "total": _row(numbers, a["total"], a["name"], None),
                          "changes": changes, "status": status_label(statuses.get(a["uuid"], "")),
                          "status_value": statuses.get(a["uuid"], "")})
    ctx["area_rows"] = area_rows
    ctx["partners"] = [{"name": p["name"], "total": _row(numbers, p["total"], p["name"], None),
                        } for p in numbers["partners"]]
    ctx["map_svg"] = _map_svg(numbers, statuses) if numbers["areas"] else ""
    total_points = numbers.get("points_total", len(numbers["points"]))
    ctx["map_note"] = _("Every %(k)s. of the %(total)s located events is drawn.") % {
        "k": fmt(total_points / len(numbers["points"]), 1), "total": total_points} \
        if total_points > len(numbers["points"]) else ""
    days = _day_labels()
    hours = [f"{h:02d}" for h in range(24)]
    ctx["heatmap_svg"] = svg.heatmap(numbers["day_hour"], days, hours,
                                     title=_("Events by day of week and hour"),
                                     desc=_("Events with a time window are spread over the hours it covers."))
    ctx["day_hour_rows"] = [{"day": days[d], "cells": [fmt(v) for v in numbers["day_hour"][d]],
                             "total": fmt(sum(numbers["day_hour"][d]))} for d in range(7)]
    ctx["hours"] = hours
    hs = numbers["hotspots"]
    ctx["hotspots"] = hs
    ctx["hotspot_text"] = (
        _("%(n)s significant hot-spot cells (Getis–Ord Gi*, %(cell)s m grid, analytic normal p-values as in "
          "ArcGIS, Benjamini–Hochberg false discovery rate %(fdr)s %%).")
        % {"n": hs["hot"], "cell": hs["cell"], "fdr": fmt(hs["fdr"] * 100, 0)} if hs["hot"] else
        _("No statistically significant hot spots (Getis–Ord Gi*, %(cell)s m grid, analytic normal p-values, "
          "Benjamini–Hochberg false discovery rate %(fdr)s %%; smallest p-value %(min_p)s).")
        % {"cell": hs["cell"], "fdr": fmt(hs["fdr"] * 100, 0),
           "min_p": fmt(hs["min_p"], 4) if hs["min_p"] is not None else "–"})
    ctx["recurring"] = [r | {"where": f"{r['centre'][1]:.4f}, {r['centre'][0]:.4f}" if r.get("centre") else r["id"]}
                        for r in numbers["recurring"]]
    return ctx


def render_fragment(doc: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string("situation/document.html", context(doc))


def render_print(doc: dict, language: str, fragment: str | None = None) -> str:
    with translation.override(language):
        fragment = fragment if fragment is not None else render_to_string("situation/document.html", context(doc))
        return render_to_string("situation/print.html", {
            "fragment": fragment, "css": CSS_PATH.read_text(encoding="utf-8"), "doc": doc, "language": language,
            "title": _("Lägesbild week %(week)s") % {"week": doc["numbers"]["iso_week"] % 100}})


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]
