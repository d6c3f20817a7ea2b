"""Did the intervention work? Counts for the treated area (T), a comparison area (C), a
displacement buffer ring around T (D) and a ring around C as the buffer's comparison (DC),
before and after; WDD and WDQ from :mod:`trygg.analysis.effect`.

T and C are counted as everywhere else (the areas the write path assigned). The rings are
geometric: ``buffer(T, width) − T`` in SWEREF 99 TM metres, and ``buffer(C, width) − C`` minus
T's buffered zone (so no event counts twice); only events located at a point or named place
can fall in a ring.
"""

from __future__ import annotations

import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from shapely.geometry import mapping

from trygg import analysis as A
from trygg.core.geo import to_wgs84
from trygg.events.filters import EventFilter, FilterError

from . import data
from .cache import cached
from .params import Request
from .scope import Scope
from .units import sweref_geometry

LABELS = {
    "diffusion of benefits": gettext_noop("diffusion of benefits"),
    "no displacement or diffusion": gettext_noop("no displacement or diffusion"),
    "partial displacement": gettext_noop("partial displacement"),
    "displacement larger than the effect": gettext_noop("displacement larger than the effect"),
}


def _label(text: str) -> str:
    if text in LABELS:
        return _(LABELS[text])
    if text.startswith("not interpretable"):
        return _("not interpretable (the treated area got worse relative to the comparison)")
    if text.startswith("undefined (no events"):
        return _("undefined (no events in the comparison area)")
    if text.startswith("undefined"):
        return _("undefined (no change in the treated area relative to the comparison)")
    return text


def _reason(text: str) -> str:
    if text.startswith("fewer than"):
        return _("fewer than %(n)s events in the treated area before and after together") % {
            "n": A.MIN_TREATED_EVENTS}
    names = {"treated area before": _("no events in the treated area before"),
             "comparison area before": _("no events in the comparison area before"),
             "comparison area after": _("no events in the comparison area after"),
             "buffer before": _("no events in the buffer before"),
             "buffer comparison before": _("no events in the buffer's comparison before")}
    for key, value in names.items():
        if text == f"no events in the {key}":
            return value
    return text


def _geojson_wgs84(geom) -> dict:
    def back(coords):
        import numpy as np

        lon, lat = to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)])

    return mapping(shapely.set_precision(shapely.transform(geom, back), 1e-6))


def effect(scope: Scope, req: Request) -> dict:
    return cached("effect", scope, req.echo(), lambda: _effect(scope, req))


def _effect(scope: Scope, req: Request) -> dict:
    o, flt = req.options, req.filter
    found = {str(a.uuid): a for a in data.areas(scope.collaboration_id, uuids=[o["target"], o["comparison"]])}
    errors = {name: _("%(param)s: no such area.") % {"param": name}
              for name in ("target", "comparison") if o[name] not in found}
    if not errors and o["target"] == o["comparison"]:
        errors["comparison"] = _("comparison: must differ from the target area.")
    if errors:
        raise FilterError(errors)
    target, comparison = found[o["target"]], found[o["comparison"]]
    width = float(o["buffer"])
    t_geom, c_geom = sweref_geometry(target.geometry), sweref_geometry(comparison.geometry)
    rings = None
    if width > 0:
        t_zone = t_geom.buffer(width)
        rings = (t_zone.difference(t_geom), c_geom.buffer(width).difference(c_geom).difference(t_zone))
        for r in rings:
            shapely.prepare(r)
    periods = {"before": (o["before_from"], o["before_to"]), "after": (o["after_from"], o["after_to"])}
    counts: dict[str, dict[str, int]] = {"target": {}, "comparison": {}, "buffer": {}, "buffer_comparison": {}}
    for name, (start, end) in periods.items():
        pf = EventFilter(**{**flt.__dict__, "areas": [], "week": "", "date_from": start, "date_to": end})
        per_area = data.area_counts(scope, pf, [target.pk, comparison.pk])
        counts["target"][name] = per_area.get(target.pk, 0)
        counts["comparison"][name] = per_area.get(comparison.pk, 0)
        if rings is not None:
            pts = data.points(scope, pf, point_precision_only=True)
            counts["buffer"][name] = int(shapely.contains_xy(rings[0], pts.x, pts.y).sum()) if len(pts) else 0
            counts["buffer_comparison"][name] = (
                int(shapely.contains_xy(rings[1], pts.x, pts.y).sum()) if len(pts) else 0)
    days_before = (o["before_to"] - o["before_from"]).days + 1
    days_after = (o["after_to"] - o["after_from"]).days + 1
    t, c, d, dc = (counts[k] for k in ("target", "comparison", "buffer", "buffer_comparison"))
    kw = {}
    if rings is not None:
        kw = {"d_before": d["before"], "d_after": d["after"], "dc_before": dc["before"], "dc_after": dc["after"]}
    res = A.wdd(t["before"], t["after"], c["before"], c["after"], **kw, days_before=days_before,
                days_after=days_after, confidence=float(o["confidence"]))
    from .services import _num

    out = {
        "parameters": req.echo(),
        "target": {"uuid": str(target.uuid), "name": target.name},
        "comparison": {"uuid": str(comparison.uuid), "name": comparison.name},
        "days_before": days_before, "days_after": days_after, "counts": counts,
        "wdd": {"estimate": _num(res.estimate), "se": _num(res.se), "z": _num(res.z),
                "ci_low": _num(res.ci_low), "ci_high": _num(res.ci_high), "p": _num(res.p_value, 6),
                "confidence": res.confidence, "per_day": res.rate_adjusted},
        "too_few_events": res.too_few_events,
        "reasons": [_reason(r) for r in res.reasons],
        "conclusion": (_("Too few events to conclude anything.") if res.too_few_events else
                       _("Fewer events than expected.") if res.ci_high < 0 else
                       _("More events than expected.") if res.ci_low > 0 else
                       _("No clear change compared with the comparison area.")),
        "wdq": None,
        "columns": ["unit", "before", "after"],
        "table": [[k, v.get("before"), v.get("after")] for k, v in counts.items() if v],
    }
    if rings is not None:
        q = A.wdq(t["before"], t["after"], c["before"], c["after"], d["before"], d["after"])
        out["wdq"] = {"value": _num(q.value), "defined": q.defined, "label": _label(q.label),
                      "success_measure": _num(q.success_measure), "buffer_measure": _num(q.buffer_measure)}
        out["buffer_geometry"] = _geojson_wgs84(rings[0])
        out["buffer_comparison_geometry"] = _geojson_wgs84(rings[1])
    return out
