"""Form parsing for the event pages.

The report form posts one block of fields per event (``events-0-category``, ``events-1-lat`` …),
so a report can hold several events; the edit form posts one event. Validation itself lives in
:mod:`trygg.events.validation` (through the service layer): here we only turn what the browser
sent into the dicts the services take, and the services' errors into messages per field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Category, Event, Visibility

STOCKHOLM = ZoneInfo("Europe/Stockholm")
EVENT_FIELDS = ("category", "subcategory", "when", "occurred_from", "occurred_to", "lat", "lon", "place",
                "description", "people_count", "assessment", "police_notified", "visibility")
FIELD_RE = re.compile(r"^events-(\d{1,2})-([a-z_]+)$")
MAX_EVENTS = 20
NIGHT_START, NIGHT_END = dt.time(22, 0), dt.time(6, 0)
# A queued report may be sent days later: its "now" is when the reporter pressed Send, as long as
# that is plausible (not in the future and not older than this).
MAX_QUEUE_AGE = dt.timedelta(days=7)

WHEN_CHOICES = [
    ("now", gettext_lazy("Now")),
    ("today", gettext_lazy("Earlier today")),
    ("night", gettext_lazy("Last night")),
    ("window", gettext_lazy("Between …")),
]


def local_input(value: dt.datetime | None) -> str:
    """An aware datetime as the value of a datetime-local input (Stockholm time)."""
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_composed_at(raw: str | None, now: dt.datetime) -> dt.datetime:
    """When the reporter pressed Send (sent by the page), else now."""
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return now
        if timezone.is_naive(value):
            value = value.replace(tzinfo=STOCKHOLM)
        if now - MAX_QUEUE_AGE <= value <= now:
            return value
    return now


def resolve_when(when: str, base: dt.datetime, raw_from: str, raw_to: str) -> tuple:
    """(occurred_from, occurred_to) for a "när" choice; ``base`` is the reporter's now."""
    local = base.astimezone(STOCKHOLM)
    today = local.date()
    if when == "today":
        return dt.datetime.combine(today, dt.time(0, 0), STOCKHOLM), base
    if when == "night":
        if local.time() >= NIGHT_START:
            return dt.datetime.combine(today, NIGHT_START, STOCKHOLM), base
        start = dt.datetime.combine(today - dt.timedelta(days=1), NIGHT_START, STOCKHOLM)
        end = dt.datetime.combine(today, NIGHT_END, STOCKHOLM)
        return start, min(end, base)
    if when == "window":
        return (raw_from or None), (raw_to or None)
    return base, None


def event_indexes(data) -> list[int]:
    found = set()
    for key in data.keys():
        match = FIELD_RE.match(key)
        if match and match.group(2) in EVENT_FIELDS:
            found.add(int(match.group(1)))
    return sorted(found)[:MAX_EVENTS]


@dataclass
class ReportBlock:
    """One event block of the report form as typed (for showing it again) and as service input."""

    index: int
    raw: dict
    data: dict
    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def parse_report(data, *, now: dt.datetime) -> list[ReportBlock]:
    base = parse_composed_at(data.get("composed_at"), now)
    blocks = []
    for position, index in enumerate(event_indexes(data) or [0]):
        raw = {name: (data.get(f"events-{index}-{name}") or "").strip() for name in EVENT_FIELDS}
        raw["when"] = raw["when"] or "now"
        start, end = resolve_when(raw["when"], base, raw["occurred_from"], raw["occurred_to"])
        blocks.append(ReportBlock(index=position, raw=raw, data={
            "category": raw["subcategory"] or raw["category"],
            "subcategory": raw["subcategory"] or None,
            "occurred_from": start, "occurred_to": end,
            "lat": raw["lat"] or None, "lon": raw["lon"] or None, "place": raw["place"] or None,
            "description": raw["description"], "people_count": raw["people_count"] or None,
            "assessment": raw["assessment"] or None, "police_notified": raw["police_notified"] in ("on", "1", "true"),
            "visibility": raw["visibility"] or Visibility.PARTNERS,
        }))
    # the category tile chosen is the main category; a chosen subcategory implies it
    for block in blocks:
        if block.raw["subcategory"] and block.raw["category"]:
            block.data["category"] = block.raw["category"]
    return blocks


# The form shows "when" errors on the when-group, and location errors by the map.
ERROR_FIELD = {"occurred_from": "when", "occurred_to": "when", "lat": "location", "lon": "location",
               "precision": "location"}


def attach_errors(blocks: list[ReportBlock], errors: dict[str, str]) -> list[str]:
    """Put ``events[i].field`` errors on their block; return the errors of the whole report."""
    general = []
    for key, message in errors.items():
        match = re.match(r"^events\[(\d+)\]\.(\w+)$", key)
        if match and int(match.group(1)) < len(blocks):
            name = match.group(2)
            target = ERROR_FIELD.get(name, name)
            block = blocks[int(match.group(1))]
            block.errors[target] = (block.errors[target] + " " + message) if target in block.errors else message
        else:
            general.append(message)
    return general


# --- categories ----------------------------------------------------------------------------------
def categories_for(collaboration, organisation=None) -> tuple[list[Category], list[Category]]:
    """(main categories, subcategories) that take new events; the organisation's most used first."""
    cats = list(Category.objects.filter(collaboration=collaboration, is_active=True).order_by("sort_order", "code"))
    mains = [c for c in cats if c.parent_id is None]
    subs = [c for c in cats if c.parent_id is not None]
    if organisation is not None:
        since = timezone.now() - dt.timedelta(days=365)
        usage = dict(
            Event.objects.filter(organisation=organisation, created_at__gte=since)
            .values_list("category_id").annotate(n=Count("id")).values_list("category_id", "n")
        )
        mains.sort(key=lambda c: (-usage.get(c.pk, 0), c.sort_order, c.code))
    for c in mains:
        c.subs = [s for s in subs if s.parent_id == c.pk]
    return mains, subs


# --- the edit form -------------------------------------------------------------------------------
EDIT_FIELDS = ("category", "subcategory", "occurred_from", "occurred_to", "lat", "lon", "place",
               "description", "people_count", "assessment", "police_notified", "visibility")


def edit_initial(event: Event) -> dict[str, str]:
    """The edit form's values as strings, so a field counts as changed only if the user changed it."""
    return {
        "category": event.category.code,
        "subcategory": event.subcategory.code if event.subcategory_id else "",
        "occurred_from": local_input(event.occurred_from),
        "occurred_to": local_input(event.occurred_to),
        "lat": f"{event.lat:.6f}", "lon": f"{event.lon:.6f}",
        "place": event.place.name if event.place_id else "",
        "description": event.description,
        "people_count": "" if event.people_count is None else str(event.people_count),
        "assessment": "" if event.assessment is None else str(event.assessment),
        "police_notified": "on" if event.police_notified else "",
        "visibility": event.visibility,
    }


def edit_changes(event: Event, data, *, may_edit_description: bool) -> tuple[dict, dict]:
    """(changes for services.update_event, the posted values) from the edit form."""
    initial = edit_initial(event)
    posted = {name: (data.get(name) or "").strip() for name in EDIT_FIELDS}
    posted["police_notified"] = "on" if data.get("police_notified") in ("on", "1", "true") else ""
    if not may_edit_description:
        posted["description"] = initial["description"]
    changes: dict = {}
    for name in EDIT_FIELDS:
        if posted[name] == initial[name]:
            continue
        value = posted[name]
        if name == "police_notified":
            changes[name] = value == "on"
        elif name == "description":
            changes[name] = data.get(name) or ""
        else:
            changes[name] = value or None
    if "category" in changes and "subcategory" not in changes and event.subcategory_id:
        changes["subcategory"] = None  # a new main category drops the old subcategory
    if "subcategory" in changes and changes["subcategory"] and "category" not in changes:
        changes["category"] = initial["category"]
    moved = {"lat", "lon"} & changes.keys()
    if moved:
        changes.setdefault("lat", posted["lat"] or None)
        changes.setdefault("lon", posted["lon"] or None)
        if "place" not in changes:
            changes["precision"] = "point"
    if "place" in changes and not changes["place"]:
        changes["precision"] = "point"
    elif "place" not in changes and event.place_id:
        # keep the place (the services would otherwise drop it) without moving the point
        changes["place"] = str(event.place.uuid)
        changes.setdefault("lat", event.lat)
        changes.setdefault("lon", event.lon)
    return changes, posted

