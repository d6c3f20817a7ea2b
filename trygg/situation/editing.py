"""Saving the meeting's work with optimistic locking: never lose an edit.

Every save names the version it was based on. The update is one conditional ``UPDATE … WHERE
version = base``; when someone else saved in between, nothing is written and a :class:`Conflict`
carries both versions (theirs as stored now, yours as submitted) so the user can choose or merge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AreaAssessment, Decision, DecisionStatus, PriorityItem, Status, WeekPicture


class EditError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Conflict:
    theirs: dict
    yours: dict
    version: int  # the current version, to base a resolved save on
    by: str = ""


def _int(raw, name: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise EditError({name: _("%(field)s: not a number.") % {"field": name}}) from None


def save_assessment(assessment: AreaAssessment, *, base_version, status: str, text: str, user):
    """Returns (assessment, conflict or None)."""
    base = _int(base_version, "version")
    status = status or ""
    if status and status not in Status.values:
        raise EditError({"status": _("status: choose green, yellow or red.")})
    text = (text or "").strip()
    if len(text) > 5000:
        raise EditError({"text": _("text: at most 5000 characters.")})
    updated = AreaAssessment.objects.filter(pk=assessment.pk, version=base).update(
        status=status, text=text, version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    assessment.refresh_from_db()
    if updated:
        return assessment, None
    by = assessment.updated_by.get_full_name() or assessment.updated_by.get_username() if assessment.updated_by else ""
    return assessment, Conflict(theirs={"status": assessment.status, "text": assessment.text},
                                yours={"status": status, "text": text}, version=assessment.version, by=by)


def _parse_date(raw, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise EditError({name: _("%(field)s: not a date (YYYY-MM-DD).") % {"field": name}}) from None


def decision_values(picture: WeekPicture, data) -> dict:
    errors = {}
    text = (data.get("text") or "").strip()
    if not text:
        errors["text"] = _("text: write the decision.")
    elif len(text) > 300:
        errors["text"] = _("text: at most 300 characters.")
    org = picture.collaboration.organisations.filter(uuid=data.get("organisation") or None).first() \
        if _is_uuid(data.get("organisation")) else None
    if org is None:
        errors["organisation"] = _("organisation: choose the responsible organisation.")
    try:
        due = _parse_date(data.get("due"), "due")
    except EditError as exc:
        errors.update(exc.errors)
        due = None
    area = None
    if data.get("area"):
        from trygg.areas.models import Area

        area = Area.objects.filter(collaboration_id=picture.collaboration_id, uuid=data.get("area")).first() \
            if _is_uuid(data.get("area")) else None
        if area is None:
            errors["area"] = _("area: no such area.")
    intervention = (data.get("intervention") or "").strip() or None
    if intervention and not _is_uuid(intervention):
        errors["intervention"] = _("intervention: not a valid reference.")
    status = data.get("status") or DecisionStatus.OPEN
    if status not in DecisionStatus.values:
        errors["status"] = _("status: unknown value.")
    if errors:
        raise EditError(errors)
    return {"text": text, "organisation": org, "due": due, "area": area, "intervention_uuid": intervention,
            "status": status, "follow_up": (data.get("follow_up") or "").strip()[:300]}


def _is_uuid(raw) -> bool:
    import uuid

    try:
        uuid.UUID(str(raw))
        return True
    except (TypeError, ValueError):
        return False


def add_decision(picture: WeekPicture, data) -> Decision:
    return Decision.objects.create(picture=picture, **decision_values(picture, data))


def update_decision(decision: Decision, data):
    """Returns (decision, conflict or None)."""
    base = _int(data.get("version"), "version")
    values = decision_values(decision.picture, data)
    updated = Decision.objects.filter(pk=decision.pk, version=base).update(version=F("version") + 1, **values)
    decision.refresh_from_db()
    if updated:
        return decision, None
    theirs = {"text": decision.text, "organisation": decision.organisation.name, "due": decision.due.isoformat(),
              "status": decision.status, "follow_up": decision.follow_up}
    yours = {"text": values["text"], "organisation": values["organisation"].name, "due": values["due"].isoformat(),
             "status": values["status"], "follow_up": values["follow_up"]}
    return decision, Conflict(theirs=theirs, yours=yours, version=decision.version)


def change_priorities(picture: WeekPicture, data) -> Conflict | None:
    """add / up / down / remove on the ordered focus list, guarded by the list's version."""
    base = _int(data.get("version"), "version")
    action = data.get("action")
    with transaction.atomic():
        if not WeekPicture.objects.filter(pk=picture.pk, priorities_version=base).update(
                priorities_version=F("priorities_version") + 1):
            picture.refresh_from_db()
            return Conflict(theirs={"items": [p.label for p in picture.priorities.all()]}, yours={"action": action},
                            version=picture.priorities_version)
        items = list(picture.priorities.all())
        if action == "add":
            from trygg.areas.models import Area, Place

            area = Area.objects.filter(collaboration_id=picture.collaboration_id, uuid=data.get("area")).first() \
                if _is_uuid(data.get("area")) else None
            place = Place.objects.filter(collaboration_id=picture.collaboration_id, uuid=data.get("place")).first() \
                if _is_uuid(data.get("place")) else None
            note = (data.get("note") or "").strip()[:200]
            if not (area or place or note):
                raise EditError({"note": _("note: choose an area or a place, or describe the focus.")})
            top = picture.priorities.aggregate(m=Max("position"))["m"]
            PriorityItem.objects.create(picture=picture, area=area, place=place, note=note,
                                        position=(top + 1) if top is not None else 0)
        elif action in ("up", "down", "remove"):
            pk = _int(data.get("item"), "item")
            index = next((i for i, p in enumerate(items) if p.pk == pk), None)
            if index is None:
                raise EditError({"item": _("item: not in this list.")})
            if action == "remove":
                items.pop(index).delete()
            else:
                other = index - 1 if action == "up" else index + 1
                if 0 <= other < len(items):
                    items[index], items[other] = items[other], items[index]
            for pos, item in enumerate(items):
                if item.position != pos:
                    PriorityItem.objects.filter(pk=item.pk).update(position=pos)
        else:
            raise EditError({"action": _("action: unknown action.")})
    picture.refresh_from_db()
    return None
