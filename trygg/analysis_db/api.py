"""/api/v1/analysis/<analysis>?…: every analysis as JSON (``?format=csv`` where tabular).

The collaboration is the caller's (``?samverkan=<uuid>`` to choose; anyone else's is 404), and
only events the caller may see are counted. Parameters are echoed back under ``parameters``.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from trygg.core.api_errors import ApiError
from trygg.core.decorators import get_collaboration_for_user
from trygg.events.filters import FilterError

from .output import as_csv, as_json, parameters_header
from .params import parse
from .scope import scope_for
from .services import SERVICES

PREFIX = "/analysis"
router = Router(tags=["analysis"])

DESCRIPTIONS = {
    "weekly": "Counts per area × category for an ISO week with the mean of the previous weeks, the same week "
              "last year and the Poisson-band flag (week, level, z, prior_weeks + event filters).",
    "compare": "Two periods compared with z = 2(√current − √baseline) (from, to, base_from, base_to, level, "
               "threshold).",
    "aoristic": "Aoristic day-of-week × hour table and hour/month profiles (event filters).",
    "hotspots": "Getis–Ord Gi* with permutation p and Benjamini–Hochberg (shape grid|hex|areas, cell, level, "
                "permutations, seed, fdr).",
    "emerging": "Recurring and emerging hot spots over the last weeks (weeks, week, recurring + hotspots options).",
    "moran": "Local Moran's I clusters and outliers (same options as hotspots).",
    "kde": "Quartic kernel density surface in events per km² (cell, bandwidth).",
    "concentration": "Share of events in the top 5/10/20 % of places (shape, cell, level, include_empty).",
    "effect": "WDD and WDQ for a target area, a comparison area and a buffer ring (target, comparison, buffer, "
              "before_from, before_to, after_from, after_to, confidence).",
}


def run(request, analysis: str):
    params = request.GET
    collaboration = get_collaboration_for_user(request.user, params.get("samverkan") or params.get("collaboration"))
    scope = scope_for(request.user, collaboration)
    fmt = params.get("format", "json")
    try:
        if fmt not in ("json", "csv"):
            raise FilterError({"format": _("format: choose json or csv.")})
        req = parse(analysis, params)
        result = SERVICES[analysis](scope, req)
        if fmt == "csv":
            response = HttpResponse(as_csv(analysis, result), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{analysis}.csv"'
            response["X-Trygg-Parameters"] = parameters_header(result)
            return response
    except FilterError as exc:
        raise ApiError(400, "invalid_parameters", _("Some parameters are invalid."), exc.errors) from exc
    return JsonResponse(as_json(result), json_dumps_params={"ensure_ascii": False})


def _operation(analysis: str):
    def view(request):
        return run(request, analysis)

    view.__name__ = f"analysis_{analysis}"
    return view


for _name, _description in DESCRIPTIONS.items():
    router.add_api_operation(f"/{_name}", ["GET"], _operation(_name), summary=_description,
                             operation_id=f"analysis_{_name}", url_name=f"analysis-{_name}")
