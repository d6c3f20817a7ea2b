"""The working copy of a week: drafting, who sees which variant, and the document dict that the
templates render (the same dict for the live draft and, frozen, for a published version)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trygg.accounts.models import Role
from trygg.analysis_db.scope import full_scope
from trygg.analysis_db.units import default_level
from trygg.areas.models import Area
from trygg.core.decorators import get_collaboration_for_user  # noqa: F401  (re-exported for views)

from .draft import build_numbers, partner_scope, previous_week
from .models import (AreaAssessment, DecisionStatus, SituationSettings, Variant, WeekPicture)


def can_edit(user, collaboration) -> bool:
    return user.has_role(collaboration, Role.COORDINATOR)


def can_read_draft(user, collaboration) -> bool:
    """The working copy shows restricted events: coordinators, admins and police (or everyone when the
    collaboration shares restricted events) may read it; everyone else reads published versions."""
    return can_edit(user, collaboration) or user.can_see_restricted(collaboration)


def variants_for(user, collaboration) -> list[str]:
    """The variants this member may open, best first."""
    if user.can_see_restricted(collaboration):
        return [Variant.FULL, Variant.PARTNER, Variant.FEEDBACK]
    return [Variant.PARTNER, Variant.FEEDBACK]


def get_picture(collaboration, iso_week: int) -> WeekPicture:
    picture, _created = WeekPicture.objects.get_or_create(
        collaboration=collaboration, iso_week=iso_week,
        defaults={"level": default_level(collaboration.pk)})
    return picture


def ensure_assessments(picture: WeekPicture) -> None:
    """One assessment row per area of the picture's level (existing rows are kept)."""
    have = set(picture.assessments.values_list("area_id", flat=True))
    qs = Area.objects.filter(collaboration_id=picture.collaboration_id)
    if picture.level:
        qs = qs.filter(type__code=picture.level)
    AreaAssessment.objects.bulk_create(
        [AreaAssessment(picture=picture, area=a) for a in qs.order_by("code", "pk") if a.pk not in have])


def draft(collaboration, iso_week: int, *, auto: bool = False) -> WeekPicture:
    """(Re)compute the week's numbers for the full scope and keep the meeting's work."""
    picture = get_picture(collaboration, iso_week)
    numbers = build_numbers(collaboration, iso_week, full_scope(collaboration), level=picture.level)
    with transaction.atomic():
        WeekPicture.objects.filter(pk=picture.pk).update(
            draft=numbers, drafted_at=timezone.now(), auto_drafted=picture.auto_drafted or auto)
        picture.refresh_from_db()
        ensure_assessments(picture)
    return picture


# --- the document dict -----------------------------------------------------------------------------
def _decision_json(d, today) -> dict:
    return {"text": d.text, "organisation": d.organisation.name, "due": d.due.isoformat(),
            "area": d.area.name if d.area_id else "", "status": d.status,
            "intervention": str(d.intervention_uuid) if d.intervention_uuid else "",
            "follow_up": d.follow_up,
            "overdue": d.status == DecisionStatus.OPEN and d.due < today}


def meeting_parts(picture: WeekPicture) -> dict:
    """The meeting's work (texts and choices) as plain data, frozen into a version at publish."""
    today = timezone.localdate()
    assessments = [{"area": str(a.area.uuid), "name": a.area.name, "status": a.status, "text": a.text}
                   for a in picture.assessments.select_related("area").order_by("area__code", "area__name", "pk")]
    priorities = [p.label for p in picture.priorities.select_related("area", "place")]
    decisions = [_decision_json(d, today) for d in
                 picture.decisions.select_related("organisation", "area").order_by("due", "pk")]
    prev = WeekPicture.objects.filter(collaboration_id=picture.collaboration_id,
                                      iso_week=previous_week(picture.iso_week)).first()
    follow = []
    if prev is not None:
        follow = [_decision_json(d, today) for d in
                  prev.decisions.select_related("organisation", "area").order_by("due", "pk")]
        follow.sort(key=lambda d: (not d["overdue"], d["status"] != DecisionStatus.OPEN, d["due"]))
    settings_obj = SituationSettings.for_collaboration(picture.collaboration)
    return {"assessments": assessments, "priorities": priorities, "decisions": decisions, "follow_up": follow,
            "criteria": settings_obj.criteria(), "threshold": settings_obj.feedback_threshold}


def document(picture: WeekPicture, variant: str, numbers: dict, parts: dict, version: dict | None = None) -> dict:
    return {"collaboration": picture.collaboration.name, "week": picture.week_label,
            "variant": str(variant), "numbers": numbers, **parts, "version": version,
            "walks_available": False}


def variant_numbers(picture: WeekPicture, variant: str) -> dict:
    """Fresh numbers for a variant: full scope, or the partner scope (no restricted events)."""
    collab = picture.collaboration
    if variant == Variant.FULL:
        return build_numbers(collab, picture.iso_week, full_scope(collab), level=picture.level)
    return build_numbers(collab, picture.iso_week, partner_scope(collab), level=picture.level)
