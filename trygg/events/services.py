"""The event service layer: the one write path (single reports and import batches), edits with
history, area assignment and visibility. Views, the API, imports and the demo all go through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts import audit, fastsql
from trygg.accounts.models import Role
from trygg.areas.geometry import AreaIndex, boundary_geometry, index_for
from trygg.areas.models import AreaType, Place
from trygg.core.geo import to_sweref

from . import bulk_sql
from .models import Event, EventArea, EventHistory, Precision, Report, Visibility
from .validation import CategoryCatalogue, EventInput, EventValidationError, validate_event

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BATCH = 2000
# New events of a batch up to this size (a report) are inserted with one plain ``INSERT …
# RETURNING`` per table (:mod:`trygg.accounts.fastsql`) instead of ``bulk_create``: the same
# rows for a fraction of the CPU.
SMALL_INSERT = 100

# Which area levels an event may be assigned to, by its location precision: an event is never
# counted more precisely than it is known.
LEVELS_FOR_PRECISION = {
    Precision.POINT: None,
    Precision.PLACE: None,
    Precision.MUNICIPALITY: {AreaType.Level.COUNTY, AreaType.Level.MUNICIPALITY},
    Precision.COUNTY: {AreaType.Level.COUNTY},
}

# Sent inside the write transaction after bulk writes that send no model signals (inserts,
# area backfills), with ``collaboration_id`` and ``weeks`` (the yyyyww keys touched).
events_changed = Signal()

TRACKED_FIELDS = [
    "category_id", "subcategory_id", "occurred_from", "occurred_to", "lat", "lon", "precision", "place_id",
    "description", "people_count", "assessment", "police_notified", "visibility", "source_data",
]


def iso_week_key(when: dt.datetime) -> int:
    """yyyyww of the ISO week in Stockholm local time (2026-11-16 08:00 → 202647)."""
    year, week, _day = when.astimezone(STOCKHOLM).isocalendar()
    return year * 100 + week


_catalogues: dict[int, tuple[tuple, CategoryCatalogue]] = {}


def _reference_stamps(collaboration_id: int) -> tuple[tuple, tuple]:
    """One cheap query telling whether the collaboration's areas or categories changed.

    Areas: (count, latest ``updated_at``). Categories: count, highest id and id-weighted sums of
    the active flag, the parent and the code length, so that retiring, re-parenting or renaming a
    category (also through ``QuerySet.update``) gives a new stamp.
    """
    from django.db import connection

    from trygg.areas.models import Area

    from .models import Category

    area_t = connection.ops.quote_name(Area._meta.db_table)
    cat_t = connection.ops.quote_name(Category._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {area_t} WHERE collaboration_id = %s),"
            f" (SELECT MAX(updated_at) FROM {area_t} WHERE collaboration_id = %s),"
            f" COUNT(*), MAX(id), SUM(CASE WHEN is_active THEN id ELSE 0 END),"
            f" SUM(COALESCE(parent_id, 0) * id), SUM(LENGTH(code) * id)"
            f" FROM {cat_t} WHERE collaboration_id = %s",
            [collaboration_id, collaboration_id, collaboration_id],
        )
        row = cursor.fetchone()
    updated = row[1]
    if isinstance(updated, str):  # SQLite returns the text it stored
        updated = dt.datetime.fromisoformat(updated)
    if updated is not None and timezone.is_naive(updated):
        updated = timezone.make_aware(updated, dt.timezone.utc)
    return (row[0], updated), tuple(int(v or 0) for v in row[2:])


def _catalogue(collaboration_id: int, stamp: tuple) -> CategoryCatalogue:
    """The collaboration's categories, cached per process until the stamp changes."""
    cached = _catalogues.get(collaboration_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    catalogue = CategoryCatalogue(collaboration_id)
    _catalogues[collaboration_id] = (stamp, catalogue)
    return catalogue


class PermissionDenied(Exception):
    pass


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: list[Event] = field(default_factory=list)


class EventWriter:
    """Validates and writes events for one collaboration, reusing its lookups across batches."""

    def __init__(self, collaboration, *, now: dt.datetime | None = None):
        self.collaboration = collaboration
        area_stamp, category_stamp = _reference_stamps(collaboration.pk)
        self.catalogue = _catalogue(collaboration.pk, category_stamp)
        self.index: AreaIndex = index_for(collaboration.pk, area_stamp)
        self.boundary = boundary_geometry(collaboration, self.index)
        self._places: dict | None = None
        self.now = now

    @property
    def places(self) -> dict:
        if self._places is None:
            self._places = {}
            for place in Place.objects.filter(collaboration=self.collaboration):
                self._places[str(place.uuid)] = place
                self._places[place.name.lower()] = place
                for alias in place.aliases or []:
                    self._places[str(alias).lower()] = place
        return self._places

    def place_name(self, place_id: int | None) -> str | None:
        if place_id is None:
            return None
        return next((p.name for p in self.places.values() if p.pk == place_id), None)

    def validate(self, data: dict, *, check_boundary: bool = True, keep_retired=frozenset()) -> EventInput:
        return validate_event(
            data, catalogue=self.catalogue, boundary=self.boundary,
            places=self.places if data.get("place") else None,  # the gazetteer only when asked for
            now=self.now or timezone.now(), check_boundary=check_boundary, keep_retired=keep_retired,
        )

    # --- area assignment -----------------------------------------------------------------
    def assign_areas(self, inputs: list[EventInput]) -> list[list[int]]:
        result: list[list[int]] = [[] for _ in inputs]
        groups: dict[frozenset | None, list[int]] = defaultdict(list)
        for i, item in enumerate(inputs):
            if item.area_ids is not None:
                result[i] = list(item.area_ids)
            else:
                levels = LEVELS_FOR_PRECISION.get(item.precision)
                groups[frozenset(levels) if levels else None].append(i)
        for levels, members in groups.items():
            lon = np.fromiter((inputs[i].lon for i in members), float, len(members))
            lat = np.fromiter((inputs[i].lat for i in members), float, len(members))
            days = np.fromiter(
                (inputs[i].occurred_from.astimezone(STOCKHOLM).toordinal() for i in members), np.int64, len(members)
            )
            pts, areas = self.index.pairs(lon, lat, days, set(levels) if levels else None)
            for p, a in zip(pts.tolist(), areas.tolist()):
                result[members[p]].append(a)
        return result

    # --- writing -------------------------------------------------------------------------
    def _new_event(self, item: EventInput, x: float, y: float, area_ids: list[int], *, organisation_id,
                   report_id, user_id) -> Event:
        return Event(
            collaboration_id=self.collaboration.pk, report_id=report_id, organisation_id=organisation_id,
            category_id=item.category_id, subcategory_id=item.subcategory_id,
            occurred_from=item.occurred_from, occurred_to=item.occurred_to,
            iso_week=iso_week_key(item.occurred_from), lat=item.lat, lon=item.lon, x=x, y=y,
            precision=item.precision, place_id=item.place_id, outside=not area_ids,
            description=item.description, people_count=item.people_count, assessment=item.assessment,
            police_notified=item.police_notified, visibility=item.visibility, source=item.source,
            external_id=item.external_id, source_data=item.source_data, created_by_id=user_id,
        )

    def write(self, inputs: list[EventInput], *, organisation, report: Report | None = None,
              user=None, upsert: bool = False, keep_events: bool = True) -> WriteResult:
        """Write validated events in batches: areas, SWEREF x/y, the event rows and their area rows.

        With ``upsert`` an event whose (source, external id) exists is updated when its content
        changed (with a history entry) and left alone otherwise. With ``keep_events=False`` the new
        events are not returned as objects (``result.events`` holds only updated ones) and are
        inserted through plain SQL (:mod:`trygg.events.bulk_sql`): the path for large imports.
        """
        result = WriteResult()
        for start in range(0, len(inputs), BATCH):
            chunk = inputs[start:start + BATCH]
            with transaction.atomic():
                self._write_chunk(chunk, result, organisation=organisation, report=report, user=user, upsert=upsert,
                                  keep_events=keep_events)
        return result

    def _write_chunk(self, chunk, result: WriteResult, *, organisation, report, user, upsert, keep_events=True):
        existing: dict[tuple[str, str], Event] = {}
        if upsert:
            keys = defaultdict(list)
            for item in chunk:
                if item.external_id:
                    keys[item.source].append(item.external_id)
            for source, ids in keys.items():
                # .exclude(external_id=""): the unique index's condition, so that SQLite uses that index.
                found = Event.objects.filter(collaboration=self.collaboration, source=source,
                                             external_id__in=ids).exclude(external_id="")
                for ev in found:
                    existing[(source, ev.external_id)] = ev
        fresh, updates, seen = [], [], set()
        for item in chunk:
            key = (item.source, item.external_id)
            if item.external_id and key in seen:
                result.unchanged += 1  # the same notice twice in one batch
                continue
            seen.add(key)
            if item.external_id and key in existing:
                updates.append((existing[key], item))
            else:
                fresh.append(item)
        if fresh:
            areas = self.assign_areas(fresh)
            xs, ys = to_sweref([i.lon for i in fresh], [i.lat for i in fresh])
            org_id = getattr(organisation, "pk", organisation)
            if not keep_events and bulk_sql.supported():
                weeks = self._insert_fresh(fresh, np.atleast_1d(xs), np.atleast_1d(ys), areas, organisation_id=org_id,
                                           report_id=getattr(report, "pk", None), user_id=getattr(user, "pk", None))
                events_changed.send(Event, collaboration_id=self.collaboration.pk, weeks=weeks)
                result.created += len(fresh)
                fresh = []
            objs = self._new_events(fresh, xs, ys, areas, organisation_id=org_id,
                                    report_id=getattr(report, "pk", None), user_id=getattr(user, "pk", None))
            self._store_new(objs, areas, result)
        for event, item in updates:
            if self._apply(event, item, user=user, note=_("Updated by import")):
                result.updated += 1
            else:
                result.unchanged += 1
            result.events.append(event)

    def _new_events(self, fresh: list[EventInput], xs, ys, areas: list[list[int]], *, organisation_id, report_id,
                    user_id) -> list[Event]:
        return [
            self._new_event(item, float(x), float(y), a, organisation_id=organisation_id, report_id=report_id,
                            user_id=user_id)
            for item, x, y, a in zip(fresh, np.atleast_1d(xs), np.atleast_1d(ys), areas)
        ]

    def prepare_new(self, inputs: list[EventInput], *, organisation, user=None) -> tuple[list[Event], list[list[int]]]:
        """Unsaved events (areas, SWEREF x/y, every field but the report) for :meth:`store_new`:
        the work that needs no database, done before the write transaction takes the lock."""
        areas = self.assign_areas(inputs)
        xs, ys = to_sweref([i.lon for i in inputs], [i.lat for i in inputs])
        objs = self._new_events(inputs, xs, ys, areas, organisation_id=getattr(organisation, "pk", organisation),
                                report_id=None, user_id=getattr(user, "pk", None))
        return objs, areas

    def store_new(self, prepared: tuple[list[Event], list[list[int]]], *, report: Report | None = None) -> WriteResult:
        """Write events from :meth:`prepare_new` (inside the caller's transaction)."""
        objs, areas = prepared
        for o in objs:
            o.report_id = getattr(report, "pk", None)
        result = WriteResult()
        self._store_new(objs, areas, result)
        return result

    def _store_new(self, objs: list[Event], areas: list[list[int]], result: WriteResult) -> None:
        """The event rows and their area rows; ``events_changed`` for the weeks touched."""
        conn = fastsql.real(connection)
        small = len(objs) <= SMALL_INSERT and fastsql.can_insert(conn)
        if objs and small:
            fastsql.insert(objs, conn)
        elif objs:
            Event.objects.bulk_create(objs, batch_size=BATCH)
        if objs and objs[0].pk is None:  # backends without RETURNING: fetch ids by uuid
            ids = dict(Event.objects.filter(uuid__in=[o.uuid for o in objs]).values_list("uuid", "id"))
            for o in objs:
                o.pk = o.id = ids[o.uuid]
        if small:
            fastsql.insert_values(EventArea, ["event_id", "area_id", "category_id_copy", "iso_week"],
                                  [(o.pk, a, o.category_id, o.iso_week)
                                   for o, area_ids in zip(objs, areas) for a in area_ids], conn)
        else:
            EventArea.objects.bulk_create([
                EventArea(event_id=o.pk, area_id=a, category_id_copy=o.category_id, iso_week=o.iso_week)
                for o, area_ids in zip(objs, areas) for a in area_ids
            ], batch_size=BATCH * 2)
        for o, area_ids in zip(objs, areas):
            o.written_area_ids = area_ids  # lets callers answer without reading the rows back
        if objs:
            events_changed.send(Event, collaboration_id=self.collaboration.pk, weeks={o.iso_week for o in objs})
        result.created += len(objs)
        result.events.extend(objs)

    def _insert_fresh(self, fresh: list[EventInput], xs, ys, areas: list[list[int]], *, organisation_id, report_id,
                      user_id) -> set[int]:
        """The rows ``_new_event`` + ``bulk_create`` would write, as plain SQL. Returns the ISO weeks."""
        ids = bulk_sql.reserve_ids(len(fresh))
        as_dt, as_json = bulk_sql.adapters()
        uuids = bulk_sql.new_uuids(len(fresh))
        now = as_dt(timezone.now())
        collab_id = self.collaboration.pk
        rows, links, weeks = [], [], set()
        for pk, uid, item, x, y, area_ids in zip(ids, uuids, fresh, xs.tolist(), ys.tolist(), areas):
            week = iso_week_key(item.occurred_from)
            weeks.add(week)
            rows.append((
                pk, uid, collab_id, report_id, organisation_id, item.category_id,
                item.subcategory_id, as_dt(item.occurred_from), as_dt(item.occurred_to) if item.occurred_to else None,
                week, item.lat, item.lon, x, y, item.precision, item.place_id, not area_ids, item.description,
                item.people_count, item.assessment, item.police_notified, item.visibility, item.source,
                item.external_id, as_json(item.source_data), user_id, now, now, 1,
            ))
            for a in area_ids:
                links.append((pk, a, item.category_id, week))
        bulk_sql.insert(rows, links)
        return weeks

    def _apply(self, event: Event, item: EventInput, *, user, note: str = "") -> bool:
        """Apply new content to an event; record what changed. Returns False when nothing did."""
        new_values = {
            "category_id": item.category_id, "subcategory_id": item.subcategory_id,
            "occurred_from": item.occurred_from, "occurred_to": item.occurred_to, "lat": item.lat,
            "lon": item.lon, "precision": item.precision, "place_id": item.place_id,
            "description": item.description, "people_count": item.people_count,
            "assessment": item.assessment, "police_notified": item.police_notified,
            "visibility": item.visibility, "source_data": item.source_data,
        }
        changes = {}
        for name, value in new_values.items():
            old = getattr(event, name)
            if old != value:
                changes[name] = [_jsonable(old), _jsonable(value)]
                setattr(event, name, value)
        if not changes:
            return False
        if {"lat", "lon", "occurred_from", "precision"} & changes.keys() or item.area_ids is not None:
            event.x, event.y = to_sweref(event.lon, event.lat)
            event.iso_week = iso_week_key(event.occurred_from)
            area_ids = self.assign_areas([item])[0]
            event.outside = not area_ids
            EventArea.objects.filter(event=event).delete()
            EventArea.objects.bulk_create(
                [EventArea(event=event, area_id=a, category_id_copy=event.category_id, iso_week=event.iso_week)
                 for a in area_ids]
            )
        elif "category_id" in changes:
            EventArea.objects.filter(event=event).update(category_id_copy=event.category_id)
        event.version += 1
        event.save()
        EventHistory.objects.create(
            event=event, event_uuid=event.uuid, collaboration_id=event.collaboration_id, changed_by=user if getattr(user, "is_authenticated", False) else None,
            version=event.version, changes=changes, note=note[:200],
        )
        return True


def _jsonable(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return value


# --- single reports (web form and API) ----------------------------------------------------------
def create_report(user, organisation, events: list[dict], *, client_id=None, now=None) -> tuple[Report, bool]:
    """Validate every event, then write the report and all its events, or nothing.

    Returns (report, created). A repeated ``client_id`` returns the first report unchanged.
    """
    if not user.is_member_of(organisation):
        raise PermissionDenied(_("You are not a member of this organisation."))
    if client_id:
        previous = _report_with_client_id(client_id, organisation)
        if previous is not None:
            return previous, False
    if not events:
        raise EventValidationError({"events": _("A report needs at least one event.")})
    collaboration = organisation.collaboration
    writer = EventWriter(collaboration, now=now)
    inputs, errors = [], {}
    for i, data in enumerate(events):
        try:
            inputs.append(writer.validate({**data, "source": "manual", "external_id": ""}))
        except EventValidationError as exc:
            errors.update({f"events[{i}].{k}": v for k, v in exc.errors.items()})
    if errors:
        raise EventValidationError(errors)
    # Everything that needs no database first: the write transaction holds SQLite's one write
    # lock (and, in a threaded server, may wait for the GIL after each statement), so it should
    # do nothing but write.
    report = Report(collaboration=collaboration, organisation=organisation, created_by=user, client_id=client_id)
    prepared = writer.prepare_new(inputs, organisation=organisation, user=user)
    conn = fastsql.real(connection)
    with transaction.atomic():
        if fastsql.can_insert(conn):
            fastsql.insert([report], conn)  # Report has no save signal receivers
        else:
            report.save(force_insert=True)
        written = writer.store_new(prepared, report=report)
        audit.record("create", report, actor=user, collaboration=collaboration,
                     detail={"events": len(inputs), "event_uuids": [str(e.uuid) for e in written.events]})
    # The events as written (with ``written_area_ids``) and the writer's lookups, for an answer
    # built without reading them back.
    report.written_events = written.events
    report.writer = writer
    return report, True


def _report_with_client_id(client_id, organisation) -> Report | None:
    """The organisation's report with this client id: one plain-SQL probe (asked on every API
    report), the report itself read only when there is one."""
    field = Report._meta.get_field("client_id")
    conn = fastsql.real(connection)
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {conn.ops.quote_name(Report._meta.db_table)}"
            f" WHERE client_id = %s AND organisation_id = %s",
            [field.get_db_prep_value(client_id, conn), getattr(organisation, "pk", organisation)],
        )
        row = cursor.fetchone()
    return Report.objects.filter(pk=row[0]).first() if row else None


# --- reading -------------------------------------------------------------------------------------
def visible_events(user, collaboration) -> QuerySet[Event]:
    """The events of a collaboration this user may see: nothing for outsiders."""
    qs = Event.objects.filter(collaboration=collaboration)
    memberships = user.memberships_in(collaboration) if user.is_authenticated else []
    if not memberships:
        return qs.none()
    if not user.can_see_restricted(collaboration):
        qs = qs.filter(Q(visibility=Visibility.PARTNERS) | own_restricted_q(user, collaboration, memberships))
    return qs


def own_restricted_q(user, collaboration, memberships=None) -> Q:
    """The restricted events a user without the restricted view still sees: those they reported
    themselves, and their organisations' when the collaboration shares restricted events within
    the reporting organisation (docs/decisions.md)."""
    q = Q(created_by_id=user.pk)
    if collaboration.restricted_shared_with_organisation:
        memberships = memberships if memberships is not None else user.memberships_in(collaboration)
        q |= Q(organisation_id__in=[m.organisation_id for m in memberships])
    return q


def can_edit_event(user, event: Event, now: dt.datetime | None = None) -> bool:
    """Reporters edit their own events for 48 hours; coordinators and admins any time."""
    if not user.is_authenticated or not user.memberships_in(event.collaboration_id):
        return False
    if user.has_role(event.collaboration_id, Role.COORDINATOR):
        return True
    now = now or timezone.now()
    return (
        event.created_by_id == user.pk
        and user.is_member_of(event.organisation_id)
        and now - event.created_at <= dt.timedelta(hours=settings.EVENT_EDIT_HOURS)
    )


EDITABLE = ["category", "subcategory", "occurred_from", "occurred_to", "lat", "lon", "place", "precision",
            "description", "people_count", "assessment", "police_notified", "visibility"]


def event_as_input(event: Event) -> dict:
    return {
        "category": event.category_id, "subcategory": event.subcategory_id,
        "occurred_from": event.occurred_from, "occurred_to": event.occurred_to, "lat": event.lat,
        "lon": event.lon, "precision": event.precision, "description": event.description,
        "place": str(event.place.uuid) if event.place_id else None,
        "people_count": event.people_count, "assessment": event.assessment,
        "police_notified": event.police_notified, "visibility": event.visibility,
        "source": event.source, "external_id": event.external_id, "source_data": event.source_data,
    }


def update_event(user, event: Event, changes: dict, *, expected_version: int | None = None) -> Event:
    """Edit an event (permission checked), keeping every change in its history."""
    if not can_edit_event(user, event):
        raise PermissionDenied(_("You may not change this event."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise EventValidationError({k: _("This field cannot be changed.") for k in sorted(unknown)})
    if expected_version is not None and expected_version != event.version:
        raise EventValidationError({"version": _("Someone else changed this event; reload and try again.")})
    writer = EventWriter(event.collaboration)
    merged = event_as_input(event) | changes
    if "place" in changes and changes["place"] and not {"lat", "lon"} & changes.keys():
        merged["lat"] = merged["lon"] = None
    # An event of a retired category can still be edited as long as it keeps that category.
    item = writer.validate(merged, keep_retired={event.category_id, event.subcategory_id} - {None})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.version != event.version:
            raise EventValidationError({"version": _("Someone else changed this event; reload and try again.")})
        if writer._apply(locked, item, user=user):
            audit.record("update", locked, actor=user, detail={"version": locked.version})
    return locked


def delete_event(user, event: Event) -> None:
    """Delete an event (coordinators only). Its history stays: a last DELETE entry says who and
    when, with a snapshot of the event as it was."""
    if not user.has_role(event.collaboration_id, Role.COORDINATOR):
        raise PermissionDenied(_("Only coordinators may delete events."))
    with transaction.atomic():
        audit.record("delete", event, actor=user)
        EventHistory.objects.create(
            event=event, event_uuid=event.uuid, collaboration_id=event.collaboration_id,
            kind=EventHistory.Kind.DELETE, changed_by=user, version=event.version + 1,
            snapshot=event_snapshot(event),
        )
        event.delete()


def event_snapshot(event: Event) -> dict:
    """The event's content as JSON (ids for related rows), kept in the history when it is deleted."""
    data = {name: _jsonable(getattr(event, name)) for name in TRACKED_FIELDS}
    data.update({
        "uuid": str(event.uuid), "organisation_id": event.organisation_id, "report_id": event.report_id,
        "source": event.source, "external_id": event.external_id, "created_by_id": event.created_by_id,
        "created_at": _jsonable(event.created_at), "version": event.version,
    })
    return data


def backfill_areas(collaboration, *, progress=None) -> int:
    """Recompute every event's areas after the areas changed. Returns how many events moved."""
    writer = EventWriter(collaboration)
    changed = 0
    qs = Event.objects.filter(collaboration=collaboration).order_by("pk")
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).values(
            "pk", "lat", "lon", "precision", "occurred_from", "category_id", "iso_week", "source_data")[:BATCH])
        if not rows:
            break
        last = rows[-1]["pk"]
        inputs = [
            EventInput(category_id=r["category_id"], occurred_from=r["occurred_from"], lat=r["lat"], lon=r["lon"],
                       precision=r["precision"],
                       area_ids=(r["source_data"] or {}).get("area_ids"))
            for r in rows
        ]
        areas = writer.assign_areas(inputs)
        current = defaultdict(set)
        for ev_id, area_id in EventArea.objects.filter(event_id__in=[r["pk"] for r in rows]).values_list(
                "event_id", "area_id"):
            current[ev_id].add(area_id)
        with transaction.atomic():
            for r, new in zip(rows, areas):
                if set(new) != current[r["pk"]]:
                    changed += 1
                    EventArea.objects.filter(event_id=r["pk"]).delete()
                    EventArea.objects.bulk_create(
                        [EventArea(event_id=r["pk"], area_id=a, category_id_copy=r["category_id"],
                                   iso_week=r["iso_week"]) for a in new]
                    )
                    Event.objects.filter(pk=r["pk"]).update(outside=not new)
                    events_changed.send(Event, collaboration_id=collaboration.pk, weeks={r["iso_week"]})
        if progress:
            progress(len(rows))
    return changed
