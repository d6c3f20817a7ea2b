"""What the start page says about the lägesbild (journey J2, step 1).

"Week 47 draft is ready; 3 flagged changes; 4 decisions from last week to follow up" — for the
people who run the meeting; the latest published version for everyone else.
"""

from __future__ import annotations

from django.utils import timezone

from trygg.analysis import shift_week
from trygg.events.services import iso_week_key

from .models import DecisionStatus, PublishedVersion, WeekPicture
from .service import can_read_draft


def _key(iso_week: int) -> str:
    return f"{iso_week // 100}-W{iso_week % 100:02d}"


def start_summary(user, collaboration, now=None) -> dict:
    """The week the meeting looks at (last ISO week), its draft and its follow-ups."""
    now = now or timezone.now()
    week = shift_week(iso_week_key(now), -1)  # the meeting looks back at last week
    previous = shift_week(week, -1)
    result = {"week": week, "week_number": week % 100, "week_label": _key(week), "can_draft": False,
              "draft_ready": False, "published": None, "flags": 0, "follow_up": 0, "overdue_decisions": 0}
    latest = (PublishedVersion.objects.filter(picture__collaboration=collaboration)
              .select_related("picture").order_by("-picture__iso_week", "-number").first())
    if latest is not None:
        result["published"] = {"week_label": latest.picture.week_label, "number": latest.number,
                               "week_number": latest.picture.week_number}
    if not can_read_draft(user, collaboration):
        return result
    result["can_draft"] = True
    picture = WeekPicture.objects.filter(collaboration=collaboration, iso_week=week).first()
    if picture is not None and picture.drafted_at:
        result["draft_ready"] = True
        result["drafted_at"] = picture.drafted_at
        result["flags"] = len((picture.draft or {}).get("flags", []))
        result["this_week_published"] = picture.versions.exists()
    last = WeekPicture.objects.filter(collaboration=collaboration, iso_week=previous).first()
    if last is not None:
        open_decisions = last.decisions.filter(status=DecisionStatus.OPEN)
        result["follow_up"] = open_decisions.count()
        result["overdue_decisions"] = open_decisions.filter(due__lt=timezone.localdate(now)).count()
    return result
