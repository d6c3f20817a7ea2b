"""/api/v1/situation: the weekly lägesbild.

- ``GET /weeks``: weeks with a draft or a published version (newest first).
- ``GET /{week}/versions/{n}``: the frozen numbers of version n in the caller's variant (full for
  those who may see restricted events, else partner; ``?variant=feedback`` for the reduced one).
- ``POST /{week}/draft``: (re)compute the draft (coordinators and admins).
"""

from __future__ import annotations

import uuid as uuid_mod

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from trygg.core.api_errors import ApiError
from trygg.core.decorators import get_collaboration_for_user

from .draft import week_key
from .models import PublishedVersion, Variant, WeekPicture
from .service import can_edit, draft, variants_for
from .summary import suppress

PREFIX = "/situation"
router = Router(tags=["Lägesbild"])


def _collaboration(request):
    raw = request.GET.get("collaboration") or request.GET.get("samverkan")
    if raw:
        try:
            uuid_mod.UUID(raw)
        except ValueError:
            raise ApiError(400, "invalid_parameters", _("Some parameters are invalid."),
                           {"collaboration": _("Not a valid UUID.")}) from None
    return get_collaboration_for_user(request.user, raw or None)


def _week(raw: str) -> int:
    try:
        return week_key(raw)
    except (ValueError, TypeError):
        raise ApiError(400, "invalid_parameters", _("Some parameters are invalid."),
                       {"week": _("week: use the form 2026-W47.")}) from None


@router.get("/weeks", summary="Weeks with a lägesbild (draft or published), newest first.")
def weeks(request):
    collab = _collaboration(request)
    out = []
    for p in WeekPicture.objects.filter(collaboration=collab).prefetch_related("versions").order_by("-iso_week")[:520]:
        versions = sorted(p.versions.all(), key=lambda v: v.number)
        out.append({"week": p.week_label, "drafted_at": p.drafted_at.isoformat() if p.drafted_at else None,
                     "versions": [{"number": v.number, "published_at": v.published_at.isoformat(),
                                   "change_note": v.change_note} for v in versions]})
    return JsonResponse({"collaboration": str(collab.uuid), "weeks": out}, json_dumps_params={"ensure_ascii": False})


def _feedback_numbers(doc: dict) -> dict:
    n = doc["numbers"]
    t = doc.get("threshold", 3)
    names = n.get("category_names", {})
    return {"week": n["week"], "threshold": t, "total": suppress((n["total"] or {}).get("count") or 0, t),
            "categories": [{"code": c["category"], "name": names.get(c["category"], {}).get("sv", ""),
                            "count": suppress(c.get("count") or 0, t)} for c in n["categories"]]}


@router.get("/{week}/versions/{number}", summary="The frozen numbers of a published version (your variant).")
def version(request, week: str, number: int, variant: str | None = None):
    collab = _collaboration(request)
    key = _week(week)
    allowed = variants_for(request.user, collab)
    chosen = variant or allowed[0]
    if chosen not in Variant.values:
        raise ApiError(400, "invalid_parameters", _("Some parameters are invalid."),
                       {"variant": _("variant: choose full, partner or feedback.")})
    if chosen not in allowed:
        raise ApiError(404, "not_found", _("Not found."))
    v = PublishedVersion.objects.filter(picture__collaboration=collab, picture__iso_week=key, number=number).first()
    if v is None:
        raise ApiError(404, "not_found", _("Not found."))
    doc = v.snapshots[chosen]
    body = {"week": v.picture.week_label, "version": v.number, "published_at": v.published_at.isoformat(),
            "change_note": v.change_note, "variant": chosen,
            "assessments": [{k: a[k] for k in ("area", "name", "status", "text")} for a in doc["assessments"]],
            "priorities": doc["priorities"], "decisions": doc["decisions"]}
    if chosen == Variant.FEEDBACK:
        body["numbers"] = _feedback_numbers(doc)
        body["decisions"] = [{k: d[k] for k in ("text", "organisation", "due")} for d in doc["decisions"]]
    else:
        n = dict(doc["numbers"])
        for a in n.get("areas", []):
            a.pop("geometry", None)
        body["numbers"] = n
        body["follow_up"] = doc["follow_up"]
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@router.post("/{week}/draft", summary="(Re)compute the week's draft (coordinators and admins).")
def draft_week(request, week: str):
    collab = _collaboration(request)
    key = _week(week)
    if not can_edit(request.user, collab):
        raise ApiError(403, "forbidden", _("Only coordinators and administrators may draft the lägesbild."))
    picture = draft(collab, key)
    d = picture.draft
    return JsonResponse({"week": picture.week_label, "drafted_at": picture.drafted_at.isoformat(),
                         "total": d["total"], "flags": d["flags"]}, status=201,
                        json_dumps_params={"ensure_ascii": False})
