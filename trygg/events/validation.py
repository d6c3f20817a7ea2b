"""Validation of event input. Every rule gives a message in the user's language naming the field.

Used by the web form, the API and the import batch path alike, so the rules live in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core.geo import in_sweden

from .models import Category, Precision, Source, Visibility

CLOCK_SKEW = dt.timedelta(minutes=5)
_PRECISIONS = frozenset(Precision.values)  # .values builds a new list on every call
_VISIBILITIES = frozenset(Visibility.values)

FIELD_LABELS = {
    "category": lambda: _("Category"),
    "subcategory": lambda: _("Subcategory"),
    "occurred_from": lambda: _("Time (from)"),
    "occurred_to": lambda: _("Time (to)"),
    "lat": lambda: _("Latitude"),
    "lon": lambda: _("Longitude"),
    "location": lambda: _("Location"),
    "place": lambda: _("Named place"),
    "description": lambda: _("Description"),
    "people_count": lambda: _("Number of people"),
    "assessment": lambda: _("Assessment"),
    "visibility": lambda: _("Visibility"),
    "precision": lambda: _("Location precision"),
    "organisation": lambda: _("Organisation"),
    "events": lambda: _("Events"),
}


def field_message(name: str, message: str) -> str:
    label = FIELD_LABELS.get(name)
    return f"{label()}: {message}" if label else message


class EventValidationError(Exception):
    """Errors per field; for several events the keys are prefixed (``events[1].occurred_from``)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class EventInput:
    """A validated event, ready for the write path."""

    category_id: int
    occurred_from: dt.datetime
    lat: float
    lon: float
    subcategory_id: int | None = None
    occurred_to: dt.datetime | None = None
    precision: str = Precision.POINT
    place_id: int | None = None
    description: str = ""
    people_count: int | None = None
    assessment: int | None = None
    police_notified: bool = False
    visibility: str = Visibility.PARTNERS
    source: str = Source.MANUAL
    external_id: str = ""
    source_data: dict = field(default_factory=dict)
    # When the source names its areas (a police notice naming a municipality), use these.
    area_ids: list[int] | None = None


class CategoryCatalogue:
    """The collaboration's categories by id and code, loaded once per request or batch."""

    def __init__(self, collaboration_id: int):
        self.by_id: dict[int, Category] = {}
        self.by_code: dict[str, Category] = {}
        for cat in Category.objects.filter(collaboration_id=collaboration_id):
            self.by_id[cat.pk] = cat
            self.by_code[cat.code] = cat

    def resolve(self, value: Any) -> Category | None:
        if value is None or value == "":
            return None
        if isinstance(value, Category):
            return self.by_id.get(value.pk)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = self.by_id.get(int(value))
            if found:
                return found
        return self.by_code.get(str(value))


# Reports made in Trygg (web form, API) say where as a point, a named place or at most the
# municipality, and must lie inside the collaboration's boundary; coarser precisions (the county)
# are for imports, whose sources may know no more than that.
MANUAL_PRECISIONS = frozenset({Precision.POINT, Precision.PLACE, Precision.MUNICIPALITY})
BOUNDARY_CHECKED = {
    True: frozenset({Precision.POINT, Precision.PLACE, Precision.MUNICIPALITY}),  # manual reports
    False: frozenset({Precision.POINT, Precision.PLACE}),  # imports: a municipality-level point may be a centroid
}


def _local(value: dt.datetime, name: str, errors: dict[str, str]) -> dt.datetime | None:
    """A time typed without an offset, as Stockholm time.

    A time in the hour skipped when the clocks go forward (the last Sunday of March, 02:00–02:59)
    never happened: refused. A time in the hour repeated when they go back (the last Sunday of
    October, 02:00–02:59) is read as its first occurrence, still summer time (+02:00), always.
    """
    tz = timezone.get_default_timezone()
    aware = value.replace(tzinfo=tz, fold=0)
    if aware.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != value.replace(fold=0):
        errors[name] = field_message(
            name, _("This time does not exist in Swedish time: the clocks were put forward an hour that night."))
        return None
    return aware


def _aware(value: Any, name: str, errors: dict[str, str]) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            errors[name] = field_message(name, _("Not a valid date and time."))
            return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if timezone.is_naive(value):
        return _local(value, name, errors)
    return value


def validate_event(
    data: dict,
    *,
    catalogue: CategoryCatalogue,
    boundary=None,
    places: dict | None = None,
    now: dt.datetime | None = None,
    check_boundary: bool = True,
    keep_retired: frozenset[int] | set[int] = frozenset(),
) -> EventInput:
    """Check one event's input; raise :class:`EventValidationError` naming every bad field.

    ``boundary`` is the collaboration's prepared shapely boundary (or None); ``places`` maps a
    place uuid/name (lower case) to a :class:`trygg.areas.models.Place`. ``keep_retired`` holds
    the ids of retired categories this input may keep (an edit of an event that already has
    them); no other input may use a retired category.
    """
    errors: dict[str, str] = {}
    now = now or timezone.now()

    category = catalogue.resolve(data.get("category"))
    subcategory = catalogue.resolve(data.get("subcategory"))
    if category is None:
        errors["category"] = field_message(
            "category", _("Choose a category.") if not data.get("category") else _("Unknown category.")
        )
    else:
        if category.parent_id and subcategory is None:
            category, subcategory = catalogue.by_id[category.parent_id], category
        if any(c is not None and not c.is_active and c.pk not in keep_retired for c in (category, subcategory)):
            errors["category"] = field_message("category", _("This category is retired and takes no new events."))
        if subcategory is not None and subcategory.parent_id != category.pk:
            errors["subcategory"] = field_message("subcategory", _("Does not belong to the chosen category."))

    start = _aware(data.get("occurred_from"), "occurred_from", errors)
    end = _aware(data.get("occurred_to"), "occurred_to", errors)
    if start is None and "occurred_from" not in errors:
        errors["occurred_from"] = field_message("occurred_from", _("Say when it happened."))
    if start is not None and start > now + CLOCK_SKEW:
        errors["occurred_from"] = field_message("occurred_from", _("Cannot be in the future."))
    if end is not None:
        if end > now + CLOCK_SKEW:
            errors["occurred_to"] = field_message("occurred_to", _("Cannot be in the future."))
        elif start is not None and end < start:
            errors["occurred_to"] = field_message("occurred_to", _("The window ends before it starts."))
        elif start is not None and end - start > dt.timedelta(days=settings.EVENT_MAX_WINDOW_DAYS):
            errors["occurred_to"] = field_message(
                "occurred_to", _("The window may be at most %(days)d days long.") % {"days": settings.EVENT_MAX_WINDOW_DAYS}
            )

    source = data.get("source") or Source.MANUAL
    manual = source == Source.MANUAL
    precision = data.get("precision") or Precision.POINT
    if precision not in _PRECISIONS:
        errors["precision"] = field_message("precision", _("Unknown precision."))
    elif manual and precision not in MANUAL_PRECISIONS:
        errors["precision"] = field_message(
            "precision", _("A report made in Trygg gives an exact point, a named place or the municipality."))
    place = None
    place_ref = data.get("place")
    if place_ref:
        place = (places or {}).get(str(place_ref).strip().lower())
        if place is None:
            errors["place"] = field_message("place", _("No named place is called that."))
    lat, lon = data.get("lat"), data.get("lon")
    if place is not None and (lat in (None, "") or lon in (None, "")):
        lat, lon, precision = place.lat, place.lon, Precision.PLACE
    try:
        lat = float(lat) if lat not in (None, "") else None
        lon = float(lon) if lon not in (None, "") else None
    except (TypeError, ValueError):
        errors["location"] = field_message("location", _("Coordinates must be numbers."))
        lat = lon = None
    if (lat is None or lon is None) and "location" not in errors and "place" not in errors:
        errors["location"] = field_message("location", _("Mark the place on the map or pick a named place."))
    elif lat is not None and lon is not None:
        if not in_sweden(lat, lon):
            hint = _(" Latitude and longitude may be swapped.") if in_sweden(lon, lat) else ""
            errors["location"] = field_message("location", _("The point is not in Sweden.") + hint)
        elif check_boundary and boundary is not None and precision in BOUNDARY_CHECKED[manual]:
            import shapely

            if not shapely.intersects_xy(boundary, lon, lat):
                errors["location"] = field_message("location", _("The point is outside the municipality."))

    description = (data.get("description") or "").strip()
    if len(description) > settings.EVENT_DESCRIPTION_MAX:
        errors["description"] = field_message(
            "description", _("At most %(max)d characters (now %(n)d).") % {"max": settings.EVENT_DESCRIPTION_MAX, "n": len(description)}
        )
    people = data.get("people_count")
    if people in ("",):
        people = None
    if people is not None:
        try:
            people = int(people)
            if people < 0 or people > 10000:
                raise ValueError
        except (TypeError, ValueError):
            errors["people_count"] = field_message("people_count", _("A whole number from 0 to 10000."))
    assessment = data.get("assessment")
    if assessment in ("",):
        assessment = None
    if assessment is not None:
        try:
            assessment = int(assessment)
            if assessment not in (1, 2, 3):
                raise ValueError
        except (TypeError, ValueError):
            errors["assessment"] = field_message("assessment", _("Choose 1, 2 or 3."))
    visibility = data.get("visibility") or Visibility.PARTNERS
    if visibility not in _VISIBILITIES:
        errors["visibility"] = field_message("visibility", _("Unknown visibility."))

    if errors:
        raise EventValidationError(errors)
    # In UTC from here on: an aware time in a DST fold or gap never compares equal to the same
    # instant in another zone (PEP 495), which would make an unchanged event look changed.
    return EventInput(
        category_id=category.pk,
        subcategory_id=subcategory.pk if subcategory else None,
        occurred_from=start.astimezone(dt.timezone.utc),
        occurred_to=end.astimezone(dt.timezone.utc) if end is not None else None,
        lat=lat,
        lon=lon,
        precision=precision,
        place_id=place.pk if place is not None else None,
        description=description,
        people_count=people,
        assessment=assessment,
        police_notified=bool(data.get("police_notified")),
        visibility=visibility,
        source=source,
        external_id=str(data.get("external_id") or ""),
        source_data=data.get("source_data") or {},
        area_ids=data.get("area_ids"),
    )
