"""API: categories, reports (exactly-once creation) and events (list, GeoJSON, read, edit, delete, history).

Everything goes through the service layer: ``create_report`` / ``update_event`` / ``delete_event``
write, ``visible_events`` decides what a caller sees, ``EventFilter`` reads the filters.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod

from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from trygg.accounts import audit
from trygg.accounts.models import Organisation, Role
from trygg.core.api_errors import ApiError, errors
from trygg.core.api_pagination import MAX_PAGE_SIZE, paginate
from trygg.core.decorators import get_collaboration_for_user

from . import services
from .api_schemas import (
    MAX_GEOJSON_PAGE_SIZE, CategoryOut, EventFeatureCollection, EventOut, EventPage, EventPatch, EventQuery,
    HistoryOut, ReportIn, ReportOut, ReportPage, ReportQuery, event_dict, event_feature, event_rows, local,
)
from .filters import EventFilter
from .models import Category, Event, EventHistory, Report, Visibility
from .privacy import mask_personal_data

PREFIX = ""
router = Router()

READ_ERRORS = errors(401, 404, 422, 429)


# --- helpers -------------------------------------------------------------------------------------
def _serialise(qs, user, collaboration) -> list[dict]:
    """Events of ``qs`` as dicts for ``user``; logs reads of other organisations' restricted events."""
    rows = event_rows(qs)
    own = {m.organisation_id for m in user.active_memberships}
    restricted = [r["pk"] for r in rows if r["visibility"] == Visibility.RESTRICTED and r["organisation_id"] not in own]
    if restricted:
        audit.record_reads(user, Event.objects.filter(pk__in=restricted).select_related("category"),
                           collaboration=collaboration, reason="api")
    return [event_dict(r, user, own_orgs=own) for r in rows]


def _visible_event(user, uuid) -> Event:
    """The event if the caller may see it, else 404 (the same for outsiders and for hidden events)."""
    collab_id = Event.objects.filter(uuid=uuid).values_list("collaboration_id", flat=True).first()
    if collab_id is None or not user.memberships_in(collab_id):
        raise Http404
    collaboration = user.memberships_in(collab_id)[0].organisation.collaboration
    event = services.visible_events(user, collaboration).select_related("collaboration").filter(uuid=uuid).first()
    if event is None:
        raise Http404
    return event


def _filtered(request, params: EventQuery):
    collaboration = get_collaboration_for_user(request.user, params.collaboration)
    event_filter = EventFilter.from_params(request.GET)
    bad = {}
    for name, values in (("area", event_filter.areas), ("organisation", event_filter.organisations)):
        for value in values:
            try:
                uuid_mod.UUID(value)
            except ValueError:
                bad[name] = _("%(param)s: not a valid id (UUID): %(value)s") % {"param": name, "value": value[:40]}
                break
    if bad:
        raise ApiError(422, "validation_error", None, bad)
    qs = event_filter.apply(services.visible_events(request.user, collaboration))
    return collaboration, qs.order_by("-occurred_from", "-pk")


def _report_dict(report: Report, events: list[dict]) -> dict:
    return {
        "uuid": str(report.uuid), "collaboration": str(report.collaboration.uuid),
        "organisation": str(report.organisation.uuid),
        "client_id": str(report.client_id) if report.client_id else None,
        "created_at": local(report.created_at), "events": events,
    }


def _report_events(user, report: Report) -> list[dict]:
    written = getattr(report, "written_events", None)
    if written:
        # Just written by this user for their own organisation: every event is visible to them
        # and unmasked; answer from memory instead of reading the rows back.
        rows = [_written_row(report, event) for event in written]
        own = {m.organisation_id for m in user.active_memberships}
        return [event_dict(r, user, own_orgs=own) for r in rows]
    qs = services.visible_events(user, report.collaboration).filter(report=report).order_by("pk")
    return _serialise(qs, user, report.collaboration)


def _written_row(report: Report, event: Event) -> dict:
    """The row :func:`event_rows` would read for an event this request has just written."""
    writer = report.writer
    by_id = writer.catalogue.by_id
    index = writer.index
    area_ids = sorted(event.written_area_ids, key=lambda a: (index.level_of.get(a, 0), a))
    return {
        "pk": event.pk, "uuid": event.uuid, "collaboration_id": event.collaboration_id,
        "collaboration__uuid": report.collaboration.uuid, "report__uuid": report.uuid,
        "organisation_id": event.organisation_id, "organisation__uuid": report.organisation.uuid,
        "organisation__name": report.organisation.name, "category__code": by_id[event.category_id].code,
        "subcategory__code": by_id[event.subcategory_id].code if event.subcategory_id else None,
        "occurred_from": event.occurred_from, "occurred_to": event.occurred_to, "iso_week": event.iso_week,
        "lat": event.lat, "lon": event.lon, "precision": event.precision,
        "place__name": writer.place_name(event.place_id), "outside": event.outside,
        "areas": [index.uuids[a] for a in area_ids], "description": event.description,
        "people_count": event.people_count, "assessment": event.assessment,
        "police_notified": event.police_notified, "visibility": event.visibility, "source": event.source,
        "created_at": event.created_at, "updated_at": event.updated_at, "version": event.version,
        "created_by_id": event.created_by_id,
    }


# --- categories ----------------------------------------------------------------------------------
@router.get("/categories", response={200: list[CategoryOut], **READ_ERRORS}, tags=["Categories"],
            summary="The category tree")
def list_categories(request, collaboration: uuid_mod.UUID | None = None):
    """The collaboration's categories: main categories with their subcategories (two levels),
    Swedish and English names, colour, icon and whether they still take new events."""
    collab = get_collaboration_for_user(request.user, collaboration)
    rows = list(Category.objects.filter(collaboration=collab).order_by("sort_order", "code"))
    nodes = {}
    for cat in rows:
        nodes[cat.pk] = {"id": cat.pk, "code": cat.code, "name_sv": cat.name_sv, "name_en": cat.name_en,
                         "name": cat.name, "colour": cat.colour, "icon": cat.icon, "active": cat.is_active,
                         "children": []}
    roots = []
    for cat in rows:
        if cat.parent_id and cat.parent_id in nodes:
            nodes[cat.parent_id]["children"].append(nodes[cat.pk])
        elif not cat.parent_id:
            roots.append(nodes[cat.pk])
    return roots


# --- reports -------------------------------------------------------------------------------------
@router.post("/reports", response={201: ReportOut, 200: ReportOut, **errors(400, 401, 403, 404, 409, 422, 429)},
             tags=["Reports"], summary="Submit a report")
def create_report(request, payload: ReportIn):
    """Write a report with one or more events, all or nothing (201). Field errors are keyed like
    `events[1].occurred_to` (422). Sending the same `client_id` again returns the first report
    with 200 and writes nothing: safe to retry after a lost connection."""
    user = request.user
    # Usually one of the caller's own organisations: taken from the memberships already loaded.
    organisation = next((m.organisation for m in user.active_memberships
                         if m.organisation.uuid == payload.organisation), None)
    if organisation is None:
        organisation = (
            Organisation.objects.select_related("collaboration")
            .filter(uuid=payload.organisation).first()
        )
    if organisation is None or not user.memberships_in(organisation.collaboration_id):
        raise ApiError(404, "not_found", _("No such organisation."), {"organisation": _("No such organisation.")})
    if not user.is_member_of(organisation):
        raise ApiError(403, "forbidden", _("You are not a member of this organisation."),
                       {"organisation": _("You are not a member of this organisation.")})
    events = [e.model_dump(exclude_none=True) for e in payload.events]
    try:
        report, created = services.create_report(user, organisation, events, client_id=payload.client_id)
    except IntegrityError:
        # The same client_id arrived twice at the same moment: the other request won.
        report = Report.objects.filter(client_id=payload.client_id, organisation=organisation).first()
        if report is None:
            raise ApiError(409, "conflict", _("This client_id is already used by another report."),
                           {"client_id": _("Already used by another report.")}) from None
        created = False
    report.organisation, report.collaboration = organisation, organisation.collaboration
    data = _report_dict(report, _report_events(user, report))
    if created:
        # Rendered as is: :func:`_report_dict` and :func:`event_dict` give every field of
        # ReportOut in the schema's order with the schema's type (tests compare the answer with
        # the validated form); validating the nested events again would cost more CPU than
        # writing them.
        from trygg.api import api as trygg_api  # the API instance (its renderer); imported late: it imports us

        return trygg_api.create_response(request, data, status=201)
    return Status(200, data)


@router.get("/reports", response={200: ReportPage, **READ_ERRORS}, tags=["Reports"], summary="List reports")
def list_reports(request, params: Query[ReportQuery]):
    """Reports of the collaboration with at least one event the caller may see, newest first,
    each with those of its events the caller may see (restricted events only for coordinators,
    admins, police and their reporter). Filters: `organisation`, `from`/`to` (the day the report was
    sent, Stockholm time). Paginated like GET /events."""
    user = request.user
    collaboration = get_collaboration_for_user(user, params.collaboration)
    visible = services.visible_events(user, collaboration)
    qs = (Report.objects.filter(collaboration=collaboration)
          .filter(Exists(visible.filter(report_id=OuterRef("pk"))))
          .select_related("organisation"))
    organisations = [v.strip() for raw in request.GET.getlist("organisation") for v in raw.split(",") if v.strip()]
    bad = {}
    for value in organisations:
        try:
            uuid_mod.UUID(value)
        except ValueError:
            bad["organisation"] = _("%(param)s: not a valid id (UUID): %(value)s") % {
                "param": "organisation", "value": value[:40]}
    for name, raw in (("from", params.from_), ("to", params.to)):
        if raw:
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                bad[name] = _("%(param)s: not a date (YYYY-MM-DD): %(value)s") % {"param": name, "value": raw[:40]}
                continue
            start = dt.datetime.combine(day + dt.timedelta(days=name == "to"), dt.time(), timezone.get_default_timezone())
            qs = qs.filter(created_at__gte=start) if name == "from" else qs.filter(created_at__lt=start)
    if bad:
        raise ApiError(422, "validation_error", _("The request has invalid fields."), bad)
    if organisations:
        qs = qs.filter(organisation__uuid__in=organisations)
    page = paginate(request, qs.order_by("-created_at", "-pk"), params.page, params.page_size)
    events: dict[str, list] = {str(r.uuid): [] for r in page.items}
    if page.items:
        rows = visible.filter(report__in=[r.pk for r in page.items]).order_by("pk")
        for event in _serialise(rows, user, collaboration):
            events[event["report"]].append(event)
    for report in page.items:
        report.collaboration = collaboration
    return {"count": page.count, "page": page.page, "pages": page.pages, "page_size": params.page_size,
            "next": page.next, "previous": page.previous,
            "results": [_report_dict(r, events[str(r.uuid)]) for r in page.items]}


@router.get("/reports/{uuid}", response={200: ReportOut, **READ_ERRORS}, tags=["Reports"], summary="One report")
def get_report(request, uuid: uuid_mod.UUID):
    """A report and those of its events the caller may see."""
    report = Report.objects.select_related("collaboration", "organisation").filter(uuid=uuid).first()
    if report is None or not request.user.memberships_in(report.collaboration_id):
        raise Http404
    return _report_dict(report, _report_events(request.user, report))


# --- events --------------------------------------------------------------------------------------
@router.get("/events", response={200: EventPage, **READ_ERRORS}, tags=["Events"], summary="List events")
def list_events(request, params: Query[EventQuery]):
    """The caller's visible events, newest first, with the filters of the event list page.
    Paginated: `count`, `next`, `previous`, `results`."""
    collaboration, qs = _filtered(request, params)
    page = paginate(request, qs, params.page, params.page_size, max_page_size=MAX_PAGE_SIZE, rows=True)
    return {"count": page.count, "page": page.page, "pages": page.pages, "page_size": params.page_size,
            "next": page.next, "previous": page.previous,
            "results": _serialise(page.items, request.user, collaboration)}


@router.get("/events.geojson", response={200: EventFeatureCollection, **READ_ERRORS}, tags=["Events"],
            summary="List events as GeoJSON")
def list_events_geojson(request, params: Query[EventQuery]):
    """The same events and filters as GET /events, as a GeoJSON FeatureCollection of points
    ([lon, lat], WGS84), paginated like GET /events but with page_size up to 5000."""
    collaboration, qs = _filtered(request, params)
    page = paginate(request, qs, params.page, params.page_size, max_page_size=MAX_GEOJSON_PAGE_SIZE, rows=True)
    features = [event_feature(d) for d in _serialise(page.items, request.user, collaboration)]
    body = {"type": "FeatureCollection", "features": features, "count": page.count, "page": page.page,
            "pages": page.pages, "page_size": params.page_size, "next": page.next, "previous": page.previous}
    return JsonResponse(body, content_type="application/geo+json")


@router.get("/events/{uuid}", response={200: EventOut, **READ_ERRORS}, tags=["Events"], summary="One event")
def get_event(request, uuid: uuid_mod.UUID):
    """One event. 404 for events outside the caller's collaborations and for restricted events
    the caller may not see."""
    event = _visible_event(request.user, uuid)
    return _serialise(Event.objects.filter(pk=event.pk), request.user, event.collaboration)[0]


@router.patch("/events/{uuid}", response={200: EventOut, **errors(400, 401, 403, 404, 409, 422, 429)},
              tags=["Events"], summary="Change an event")
def patch_event(request, uuid: uuid_mod.UUID, payload: EventPatch):
    """Change some fields of an event. Reporters may change their own events for 48 hours,
    coordinators and admins any event (else 403). A new `category` without `subcategory` replaces
    both (a subcategory code alone implies its main category). Send the `version` you read: if someone changed
    the event since, the answer is 409 and nothing is written. Every change is kept in the history."""
    event = _visible_event(request.user, uuid)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    if "category" in changes and "subcategory" not in changes:
        changes["subcategory"] = None  # a new category replaces the old classification entirely
    if not services.can_edit_event(request.user, event):
        raise ApiError(403, "forbidden", _("You may not change this event."))
    updated = services.update_event(request.user, event, changes, expected_version=version)
    return _serialise(Event.objects.filter(pk=updated.pk), request.user, event.collaboration)[0]


@router.delete("/events/{uuid}", response={204: None, **errors(401, 403, 404, 429)}, tags=["Events"],
               summary="Delete an event")
def delete_event(request, uuid: uuid_mod.UUID):
    """Delete an event (coordinators and admins only, else 403). The deletion is audited."""
    event = _visible_event(request.user, uuid)
    services.delete_event(request.user, event)
    return HttpResponse(status=204)


@router.get("/events/{uuid}/history", response={200: list[HistoryOut], **READ_ERRORS}, tags=["Events"],
            summary="An event's change history")
def event_history(request, uuid: uuid_mod.UUID):
    """Every change to the event, oldest first: who, when, and field → [old, new]. Shows what
    GET /events/{uuid} shows (descriptions of other organisations masked, no source data); reading a
    restricted event of another organisation is audited. The history of a deleted event stays
    readable for coordinators and admins, ending with the `delete` entry (who, when, snapshot)."""
    user = request.user
    event = Event.objects.filter(uuid=uuid).only("pk").first()
    if event is not None:
        event = _visible_event(user, uuid)
        rows = EventHistory.objects.filter(event=event)
        organisation_id = event.organisation_id
        if event.is_restricted:
            audit.record_reads(user, [event], collaboration=event.collaboration, reason="history")
    else:
        rows = EventHistory.objects.filter(event_uuid=uuid, event__isnull=True)
        deletion = rows.filter(kind=EventHistory.Kind.DELETE).first()
        if deletion is None or not user.has_role(deletion.collaboration_id, Role.COORDINATOR):
            raise Http404
        organisation_id = deletion.snapshot.get("organisation_id")
    own = {m.organisation_id for m in user.active_memberships}
    masked = organisation_id not in own
    out = []
    for row in rows.select_related("changed_by").order_by("version", "pk"):
        changes = {k: v for k, v in row.changes.items() if k != "source_data"}
        snapshot = {k: v for k, v in row.snapshot.items() if k != "source_data"} if row.snapshot else None
        if masked:
            if "description" in changes:
                changes["description"] = [mask_personal_data(v) if isinstance(v, str) else v
                                          for v in changes["description"]]
            if snapshot and snapshot.get("description"):
                snapshot["description"] = mask_personal_data(snapshot["description"])
        out.append({"version": row.version, "kind": row.kind, "at": local(row.at),
                    "changed_by": row.changed_by.get_username() if row.changed_by else None,
                    "changes": changes, "snapshot": snapshot, "note": row.note})
    return out
