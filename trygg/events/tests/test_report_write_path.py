"""The report write path: plain-SQL inserts for a report's few events, and the answer built
without validating it again. Both must give exactly what the ORM path and the schema give."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from trygg.events.tests.test_api_support import send, token_client


def event(**extra):
    return {"category": "klotter", "occurred_from": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "lat": 59.5, "lon": 17.85} | extra


EVENTS = [
    event(description="Nytt klotter", people_count=2, assessment=2),
    event(category="brand", subcategory="brand-soptunna", lon=17.93, police_notified=True,
          occurred_to=(timezone.now() - dt.timedelta(hours=1)).isoformat()),
    event(category="samling-trapphus", visibility="restricted"),
]

COMPARED = [f for f in (
    "collaboration_id", "organisation_id", "category_id", "subcategory_id", "occurred_from", "occurred_to",
    "iso_week", "lat", "lon", "x", "y", "precision", "place_id", "outside", "description", "people_count",
    "assessment", "police_notified", "visibility", "source", "external_id", "source_data", "created_by_id",
    "version")]


def stored(report):
    from trygg.events.models import Event, EventArea

    events = list(Event.objects.filter(report=report).order_by("pk"))
    areas = [sorted(EventArea.objects.filter(event=e).values_list("area_id", "category_id_copy", "iso_week"))
             for e in events]
    return [{f: getattr(e, f) for f in COMPARED} for e in events], areas


def test_a_reports_events_are_stored_as_the_bulk_path_stores_them(reporter_a, org_a, monkeypatch):
    from trygg.events import services

    fast, _created = services.create_report(reporter_a, org_a, EVENTS)
    monkeypatch.setattr(services, "SMALL_INSERT", 0)  # every batch through bulk_create
    slow, _created = services.create_report(reporter_a, org_a, EVENTS)
    fast_rows, fast_areas = stored(fast)
    slow_rows, slow_areas = stored(slow)
    assert fast_rows == slow_rows and fast_areas == slow_areas
    assert [e.pk for e in fast.written_events] == sorted(e.pk for e in fast.written_events)
    from trygg.events.models import Event

    for written in fast.written_events:
        row = Event.objects.get(pk=written.pk)
        assert (row.uuid, row.created_at, row.updated_at) == (written.uuid, written.created_at, written.updated_at)
        assert not written._state.adding


def test_a_report_marks_its_weeks_for_recounting_and_bumps_the_data_version(reporter_a, org_a, collab_a):
    from trygg.analysis_db.counts import data_version, ensure_counted
    from trygg.analysis_db.models import CountedWeek
    from trygg.events import services
    from trygg.events.services import iso_week_key

    week = iso_week_key(timezone.now() - dt.timedelta(hours=2))
    ensure_counted(collab_a.pk, [week])
    before = data_version(collab_a.pk)
    assert CountedWeek.objects.filter(collaboration=collab_a, iso_week=week).exists()
    services.create_report(reporter_a, org_a, EVENTS[:1])
    assert data_version(collab_a.pk) == before + 1
    assert not CountedWeek.objects.filter(collaboration=collab_a, iso_week=week).exists()


def test_the_answer_to_a_new_report_is_what_the_schema_would_give(reporter_a, org_a):
    from trygg.events import api
    from trygg.events.api_schemas import ReportOut
    from trygg.events.models import Report

    response = send(token_client(reporter_a), "post", "/api/v1/reports",
                    {"organisation": str(org_a.uuid), "events": EVENTS})
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    answer = response.json()
    assert len(answer["events"]) == 3

    # The same report read back and put through the schema's validation gives the same JSON,
    # field for field and in the same order.
    report = Report.objects.select_related("organisation", "collaboration").get(uuid=answer["uuid"])
    data = api._report_dict(report, api._report_events(reporter_a, report))
    validated = ReportOut.model_validate(data).model_dump()
    assert response.content.decode() == json.dumps(validated, cls=NinjaJSONEncoder)


def test_a_report_through_the_api_takes_twelve_statements(reporter_a, org_a):
    client = token_client(reporter_a)
    send(client, "post", "/api/v1/reports", {"organisation": str(org_a.uuid), "events": EVENTS[:1]})
    with CaptureQueriesContext(connection) as ctx:
        response = send(client, "post", "/api/v1/reports", {"organisation": str(org_a.uuid), "events": EVENTS})
    assert response.status_code == 201
    # token, memberships, client_id probe (none here: no client_id), reference stamps, BEGIN,
    # report, events, event areas, data version, counted weeks, audit entry, COMMIT
    assert len(ctx.captured_queries) <= 12, [q["sql"][:80] for q in ctx.captured_queries]


def test_a_new_report_is_audited_with_who_and_the_ids_of_its_events(reporter_a, org_a):
    from trygg.accounts.models import AuditLog
    from trygg.events import services
    from trygg.events.models import Event

    report, _created = services.create_report(reporter_a, org_a, EVENTS)
    entry = AuditLog.objects.get(action="create", object_type="events.report")
    assert entry.actor == reporter_a and entry.object_id == str(report.uuid)
    assert entry.detail["events"] == 3
    assert sorted(entry.detail["event_uuids"]) == sorted(
        str(u) for u in Event.objects.filter(report=report).values_list("uuid", flat=True))
