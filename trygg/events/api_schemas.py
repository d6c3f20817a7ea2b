"""Schemas (request and response bodies) of the events API, and the serialisers that fill them.

Times are returned in ISO 8601 with the Europe/Stockholm offset (they are stored in UTC).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod

from django.utils import timezone
from ninja import Field, Schema

from trygg.core.api_pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

from .privacy import mask_personal_data

MAX_EVENTS_PER_REPORT = 50
MAX_GEOJSON_PAGE_SIZE = 5000


# --- categories ----------------------------------------------------------------------------------
class CategoryOut(Schema):
    id: int = Field(description="Numeric id; events accept it or the code as `category`.")
    code: str = Field(description="Stable code, e.g. `klotter`.")
    name_sv: str
    name_en: str
    name: str = Field(description="The name in the caller's language.")
    colour: str = Field(description="Hex colour for maps and charts, e.g. `#8e44ad`.")
    icon: str
    active: bool = Field(description="Retired categories keep their events but take no new ones.")
    children: list["CategoryOut"] = Field(default_factory=list, description="Subcategories (one level).")


# --- events --------------------------------------------------------------------------------------
class EventIn(Schema):
    category: str | int = Field(description="Main category or subcategory: code (e.g. `klotter`) or id. "
                                            "A subcategory alone implies its main category.")
    subcategory: str | int | None = Field(None, description="Subcategory code or id.")
    occurred_from: dt.datetime = Field(description="When it happened (or the start of the window). "
                                                   "ISO 8601; without an offset it is Stockholm time.")
    occurred_to: dt.datetime | None = Field(None, description="End of the window (at most 14 days).")
    lat: float | None = Field(None, description="Latitude, WGS84. Give lat and lon, or `place`.")
    lon: float | None = Field(None, description="Longitude, WGS84.")
    place: str | None = Field(None, description="A named place of the collaboration (its id or name).")
    precision: str | None = Field(None, description="point (default), place or kommun; the point must be inside "
                                                    "the boundary in every case (lan: imports only).")
    description: str | None = Field(None, description="Free text about the event (no personal data; "
                                                      "at most 2000 characters; may be empty).")
    people_count: int | None = Field(None, description="Number of people involved (0–10000).")
    assessment: int | None = Field(None, description="1 minor, 2 noticeable, 3 serious.")
    police_notified: bool | None = Field(None, description="Whether the police were told.")
    visibility: str | None = Field(None, description="partners (default) or restricted "
                                                     "(coordinators and police only).")


class ReportIn(Schema):
    organisation: uuid_mod.UUID = Field(description="The organisation reporting (the caller must be a member).")
    client_id: uuid_mod.UUID | None = Field(
        None, description="A UUID the client makes up once per report. Sending the same report again with "
                          "the same client_id returns the first one (200) instead of a duplicate.")
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_REPORT,
                                  description=f"One to {MAX_EVENTS_PER_REPORT} events, written all or nothing.")


class EventPatch(Schema):
    version: int = Field(description="The `version` you read. A different current version is a 409.")
    category: str | int | None = None
    subcategory: str | int | None = None
    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    precision: str | None = None
    description: str | None = None
    people_count: int | None = None
    assessment: int | None = None
    police_notified: bool | None = None
    visibility: str | None = None


class EventOut(Schema):
    uuid: str = Field(description="The event's id.")
    collaboration: str = Field(description="The collaboration's id.")
    report: str | None = Field(description="The report's id (null for imported events).")
    organisation: str = Field(description="The reporting organisation's id.")
    organisation_name: str
    category: str = Field(description="Main category code.")
    subcategory: str | None = Field(description="Subcategory code, or null.")
    occurred_from: dt.datetime = Field(description="ISO 8601 with the Europe/Stockholm offset.")
    occurred_to: dt.datetime | None
    iso_week: str = Field(description="ISO week (Stockholm time) of occurred_from, e.g. `2026-W47`.")
    lat: float
    lon: float
    precision: str
    place: str | None = Field(description="The named place's name, or null.")
    outside: bool = Field(description="True when the point lies in none of the collaboration's areas.")
    areas: list[str] = Field(description="Ids of the areas the event lies in (one per area type).")
    description: str = Field(description="Personal data is masked (▇▇▇) for callers outside the reporting "
                                         "organisation.")
    people_count: int | None
    assessment: int | None
    police_notified: bool
    visibility: str = Field(description="partners or restricted.")
    source: str = Field(description="manual, polisen, table or demo.")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Increases with every change; send it back with PATCH.")
    can_edit: bool = Field(description="Whether the caller may PATCH this event now.")


class _Page(Schema):
    """The pagination fields every list answer shares."""

    count: int = Field(description="Number of items matching the filters (all pages).")
    page: int
    pages: int
    page_size: int
    next: str | None = Field(description="Link to the next page, or null on the last.")
    previous: str | None = Field(description="Link to the previous page, or null on the first.")


class EventPage(_Page):
    results: list[EventOut]


class ReportOut(Schema):
    uuid: str
    collaboration: str
    organisation: str
    client_id: str | None
    created_at: dt.datetime
    events: list[EventOut] = Field(description="The report's events that the caller may see.")


class ReportPage(_Page):
    results: list[ReportOut]


class ReportQuery(Schema):
    """Filters of GET /reports."""

    collaboration: uuid_mod.UUID | None = Field(None, description="Collaboration id (default: the caller's first).")
    organisation: str | None = Field(None, description="Organisation id(s) that reported; comma-separated or repeated.")
    from_: str | None = Field(None, alias="from", description="First day the report was sent, YYYY-MM-DD "
                                                              "(Stockholm time).")
    to: str | None = Field(None, description="Last day, inclusive, YYYY-MM-DD.")
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE,
                           description=f"Items per page (at most {MAX_PAGE_SIZE}).")


class HistoryOut(Schema):
    version: int = Field(description="The event's version after this change.")
    kind: str = Field(description="`change`, or `delete` for the deletion (the last entry of a deleted event).")
    at: dt.datetime
    changed_by: str | None = Field(description="Username of whoever made the change (null: system).")
    changes: dict = Field(description="Field → [old, new]. Category and place changes give ids.")
    snapshot: dict | None = Field(description="For `delete`: the event as it was when deleted; else null.")
    note: str


class PointFeature(Schema):
    type: str = Field("Feature", description="Always `Feature`.")
    id: str
    geometry: dict = Field(description="`{\"type\": \"Point\", \"coordinates\": [lon, lat]}` (WGS84).")
    properties: dict = Field(description="The event's fields as in GET /events (without lat, lon).")


class EventFeatureCollection(Schema):
    type: str = Field("FeatureCollection", description="Always `FeatureCollection`.")
    features: list[PointFeature]
    count: int = Field(description="Number of events matching the filters (all pages).")
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None


class EventQuery(Schema):
    """The filters of the event list page (same names, same meaning)."""

    collaboration: uuid_mod.UUID | None = Field(None, description="Collaboration id (default: the caller's first).")
    from_: str | None = Field(None, alias="from", description="First day, YYYY-MM-DD (Stockholm time).")
    to: str | None = Field(None, description="Last day, inclusive, YYYY-MM-DD.")
    week: str | None = Field(None, description="ISO week, e.g. `2026-W47`.")
    area: str | None = Field(None, description="Area id(s); comma-separated or repeated.")
    category: str | None = Field(None, description="Category or subcategory code(s); comma-separated or repeated.")
    organisation: str | None = Field(None, description="Organisation id(s); comma-separated or repeated.")
    source: str | None = Field(None, description="manual, polisen, table, demo; comma-separated or repeated.")
    q: str | None = Field(None, description="Text in the description.")
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_GEOJSON_PAGE_SIZE,
                           description=f"Items per page: at most {MAX_PAGE_SIZE} (events.geojson: "
                                       f"{MAX_GEOJSON_PAGE_SIZE}).")


# --- serialisers ---------------------------------------------------------------------------------
def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


def week_label(iso_week: int) -> str:
    return f"{iso_week // 100}-W{iso_week % 100:02d}"


ROW_FIELDS = (
    "pk", "uuid", "collaboration_id", "collaboration__uuid", "report__uuid", "organisation_id", "organisation__uuid",
    "organisation__name", "category__code", "subcategory__code", "occurred_from", "occurred_to", "iso_week", "lat",
    "lon", "precision", "place__name", "outside", "description", "people_count", "assessment", "police_notified",
    "visibility", "source", "created_at", "updated_at", "version", "created_by_id",
)


def event_rows(qs) -> list[dict]:
    """The events of ``qs`` as plain rows (one query, no model instances) plus their area ids
    (one more query): lean enough for the hot path of POST /reports."""
    from .models import EventArea

    rows = list(qs.values(*ROW_FIELDS))
    if rows:
        areas: dict[int, list[str]] = {r["pk"]: [] for r in rows}
        for event_id, area_uuid in EventArea.objects.filter(event_id__in=list(areas)).values_list(
                "event_id", "area__uuid").order_by("area__type__level", "area_id"):
            areas[event_id].append(str(area_uuid))
        for r in rows:
            r["areas"] = areas[r["pk"]]
    return rows


class _EditView:
    """What ``services.can_edit_event`` reads, without loading the model."""

    __slots__ = ("collaboration_id", "created_by_id", "organisation_id", "created_at")

    def __init__(self, row: dict):
        self.collaboration_id, self.created_by_id = row["collaboration_id"], row["created_by_id"]
        self.organisation_id, self.created_at = row["organisation_id"], row["created_at"]


def event_dict(row: dict, user, *, own_orgs: set[int] | None = None) -> dict:
    """An event row for ``user``: description masked unless the user belongs to the reporting organisation."""
    from .services import can_edit_event

    if own_orgs is None:
        own_orgs = {m.organisation_id for m in user.active_memberships}
    description = row["description"]
    if row["organisation_id"] not in own_orgs:
        description = mask_personal_data(description)
    return {
        "uuid": str(row["uuid"]),
        "collaboration": str(row["collaboration__uuid"]),
        "report": str(row["report__uuid"]) if row["report__uuid"] else None,
        "organisation": str(row["organisation__uuid"]),
        "organisation_name": row["organisation__name"],
        "category": row["category__code"],
        "subcategory": row["subcategory__code"],
        "occurred_from": local(row["occurred_from"]),
        "occurred_to": local(row["occurred_to"]),
        "iso_week": week_label(row["iso_week"]),
        "lat": row["lat"],
        "lon": row["lon"],
        "precision": row["precision"],
        "place": row["place__name"],
        "outside": row["outside"],
        "areas": row["areas"],
        "description": description,
        "people_count": row["people_count"],
        "assessment": row["assessment"],
        "police_notified": row["police_notified"],
        "visibility": row["visibility"],
        "source": row["source"],
        "created_at": local(row["created_at"]),
        "updated_at": local(row["updated_at"]),
        "version": row["version"],
        "can_edit": can_edit_event(user, _EditView(row)),
    }


def event_feature(data: dict) -> dict:
    props = {k: v for k, v in data.items() if k not in ("lat", "lon")}
    for key in ("occurred_from", "occurred_to", "created_at", "updated_at"):
        if props.get(key) is not None:
            props[key] = props[key].isoformat()
    return {"type": "Feature", "id": data["uuid"],
            "geometry": {"type": "Point", "coordinates": [data["lon"], data["lat"]]}, "properties": props}
