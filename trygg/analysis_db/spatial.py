"""Where: Gi* hot spots, emerging and recurring hot spots, local Moran, KDE and concentration."""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _

from trygg import analysis as A

from . import data, units as U
from .cache import cached
from .params import Request, current_week
from .scope import Scope

CLASS = {A.HOT: "hot", A.COLD: "cold", A.NOT_SIGNIFICANT: ""}


def _num(v, digits=4):
    from .services import _num as num

    return num(v, digits)


def _space_echo(units: U.Units) -> dict:
    return {"shape": units.kind, "units": units.n, "cell": units.cell or None, "level": units.level or None}


# --- Gi* -----------------------------------------------------------------------------------------
def hotspots(scope: Scope, req: Request) -> dict:
    return cached("hotspots", scope, req.echo(), lambda: _hotspots(scope, req))


def _hotspots(scope: Scope, req: Request) -> dict:
    o = req.options
    units = U.build(scope, o["shape"], o["cell"], o["level"])
    x, unplaced = U.counts(units, scope, req.filter)
    out = {"parameters": req.echo(), **_space_echo(units), "events": int(x.sum()), "not_placed": unplaced}
    if x.sum() == 0 or np.all(x == x[0]):
        return out | {"hot": 0, "cold": 0, "cells": [], "note": _("No variation in the counts: nothing to test."),
                      "columns": [], "table": []}
    res = A.gi_star(x, units.w, permutations=int(o["permutations"]), seed=int(o["seed"]), fdr=float(o["fdr"]))
    p = res.p_sim if res.permutations else res.p_norm
    cells = []
    for i in np.flatnonzero((x > 0) | (res.classification != 0)):
        cells.append(units.describe(i) | {
            "count": _num(x[i]), "z": _num(res.z[i]), "p": _num(p[i], 6), "q": _num(res.q_value[i], 6),
            "class": CLASS[int(res.classification[i])]})
    return out | {
        "hot": int((res.classification == A.HOT).sum()), "cold": int((res.classification == A.COLD).sum()),
        "min_p": _num(res.min_p, 6), "cells": cells,
        "columns": ["id", "count", "z", "p", "q", "class"],
        "table": [[c["id"], c["count"], c["z"], c["p"], c["q"], c["class"]] for c in cells],
    }


# --- emerging and recurring ------------------------------------------------------------------------
def emerging(scope: Scope, req: Request) -> dict:
    return cached("emerging", scope, req.echo(), lambda: _emerging(scope, req))


def _emerging(scope: Scope, req: Request) -> dict:
    o = req.options
    last = o.get("week") or current_week()
    n_weeks = int(o["weeks"])
    weeks = [A.shift_week(last, -k) for k in range(n_weeks - 1, -1, -1)]
    units = U.build(scope, o["shape"], o["cell"], o["level"])
    x, unplaced = U.counts(units, scope, req.filter, weeks=weeks)
    res = A.emerging_hotspots(x, units.w, permutations=int(o["permutations"]), seed=int(o["seed"]),
                              fdr=float(o["fdr"]))
    recurring = A.recurring_places(res.hot, k=min(int(o["recurring"]), n_weeks))
    cells = []
    for i in np.flatnonzero((x.sum(axis=0) > 0) | (res.hot_weeks > 0)):
        cells.append(units.describe(i) | {
            "counts": [_num(v) for v in x[:, i]], "hot_weeks": int(res.hot_weeks[i]),
            "recurring": bool(recurring[i]), "label": str(res.label[i]),
            "trend_z": _num(res.mk_z[i]), "trend_p": _num(res.mk_p[i], 6)})
    return {
        "parameters": req.echo(), **_space_echo(units), "weeks": [f"{w // 100}-W{w % 100:02d}" for w in weeks],
        "events": int(x.sum()), "not_placed": unplaced, "recurring": int(recurring.sum()), "cells": cells,
        "columns": ["id", "hot_weeks", "recurring", "label", "trend_z", "trend_p"],
        "table": [[c["id"], c["hot_weeks"], c["recurring"], c["label"], c["trend_z"], c["trend_p"]] for c in cells],
    }


# --- local Moran ------------------------------------------------------------------------------------
def moran(scope: Scope, req: Request) -> dict:
    return cached("moran", scope, req.echo(), lambda: _moran(scope, req))


def _moran(scope: Scope, req: Request) -> dict:
    o = req.options
    units = U.build(scope, o["shape"], o["cell"], o["level"])
    if units.n < 3:
        from trygg.events.filters import FilterError

        name = "level" if units.kind == "areas" else "cell"
        raise FilterError({name: _("%(param)s: local Moran's I needs at least three places.") % {"param": name}})
    x, unplaced = U.counts(units, scope, req.filter)
    out = {"parameters": req.echo(), **_space_echo(units), "events": int(x.sum()), "not_placed": unplaced}
    if x.sum() == 0 or np.all(x == x[0]):
        return out | {"cells": [], "note": _("No variation in the counts: nothing to test."), "columns": [],
                      "table": []}
    res = A.local_moran(x, units.w, permutations=int(o["permutations"]), seed=int(o["seed"]), fdr=float(o["fdr"]))
    from trygg.analysis.moran import QUADRANT_LABELS

    cells = []
    for i in np.flatnonzero((x > 0) | res.significant):
        cells.append(units.describe(i) | {
            "count": _num(x[i]), "I": _num(res.Is[i], 6), "quadrant": QUADRANT_LABELS.get(int(res.q[i]), ""),
            "p": _num(res.p_sim[i], 6), "q": _num(res.q_value[i], 6), "significant": bool(res.significant[i]),
            "label": str(res.label[i])})
    return out | {
        "clusters": int(res.significant.sum()), "cells": cells,
        "columns": ["id", "count", "I", "quadrant", "p", "q", "significant", "label"],
        "table": [[c["id"], c["count"], c["I"], c["quadrant"], c["p"], c["q"], c["significant"], c["label"]]
                  for c in cells],
    }


# --- KDE -------------------------------------------------------------------------------------------
def kde(scope: Scope, req: Request) -> dict:
    return cached("kde", scope, req.echo(), lambda: _kde(scope, req))


def _kde(scope: Scope, req: Request) -> dict:
    o = req.options
    bound = U.boundary(scope.collaboration_id)
    pts = data.points(scope, req.filter, point_precision_only=True)
    if bound is None:
        from trygg.events.filters import FilterError

        raise FilterError({"cell": _("cell: the collaboration has no boundary or areas to cover.")})
    xmin, ymin, xmax, ymax = bound.bounds
    cell = float(o["cell"])
    if ((xmax - xmin) / cell + 1) * ((ymax - ymin) / cell + 1) > U.MAX_CELLS:
        from trygg.events.filters import FilterError

        raise FilterError({"cell": _("cell: too many cells for this area; choose a larger cell size.")})
    if len(pts) == 0:
        return {"parameters": req.echo(), "events": 0, "note": _("No events with a point location."),
                "density": [], "bandwidth": o["bandwidth"], "cell": cell}
    bandwidth = o["bandwidth"] or A.default_bandwidth(pts.x, pts.y)
    grid = A.quartic_kde_grid(pts.x, pts.y, cell, bounds=(xmin, ymin, xmax, ymax), bandwidth=bandwidth,
                              per_km2=True)
    return {
        "parameters": req.echo(), "events": len(pts), "bandwidth": _num(grid.bandwidth, 2),
        "bandwidth_rule": "default" if not o["bandwidth"] else "given", "cell": grid.cell_size,
        "units": "events per km²", "crs": "EPSG:3006",
        "x": [_num(v, 1) for v in grid.x], "y": [_num(v, 1) for v in grid.y],
        "max": _num(grid.density.max(), 6),
        "density": [[_num(v, 6) for v in row] for row in grid.density],
    }


# --- concentration ------------------------------------------------------------------------------------
def concentration(scope: Scope, req: Request) -> dict:
    return cached("concentration", scope, req.echo(), lambda: _concentration(scope, req))


def _concentration(scope: Scope, req: Request) -> dict:
    o = req.options
    units = U.build(scope, o["shape"], o["cell"], o["level"])
    x, unplaced = U.counts(units, scope, req.filter)
    res = A.concentration(x, include_zero=o["include_empty"] == "yes")
    rows = [{
        "place_share": r.place_share, "places": r.places, "events": _num(r.events), "event_share": _num(r.event_share),
        "sentence": _("%(places)s %% of the places hold %(events)s %% of the events.") % {
            "places": round(r.place_share * 100), "events": round(r.event_share * 100)},
    } for r in res.rows]
    return {
        "parameters": req.echo(), **_space_echo(units), "events": _num(res.total_events), "not_placed": unplaced,
        "places_considered": res.n_places, "rows": rows, "half_places": res.half_places,
        "half_place_share": _num(res.half_place_share),
        "half_sentence": _("%(share)s %% of the places hold half of the events.") % {
            "share": round(res.half_place_share * 100)} if res.total_events else _("No events."),
        "columns": ["place_share", "places", "events", "event_share"],
        "table": [[r["place_share"], r["places"], r["events"], r["event_share"]] for r in rows],
    }
