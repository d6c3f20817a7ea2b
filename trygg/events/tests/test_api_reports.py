"""POST /api/v1/reports (all or nothing, exactly once) and GET /api/v1/reports/{uuid}."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from trygg.events.tests.test_api_support import assert_error, send, token_client


def event(**extra):
    return {"category": "klotter", "occurred_from": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "lat": 59.5, "lon": 17.85} | extra


def test_it_creates_a_report_with_its_events(reporter_a, org_a):
    from trygg.events.models import Event

    body = {"organisation": str(org_a.uuid), "events": [
        event(description="Nytt klotter", people_count=2, assessment=2),
        event(category="brand", subcategory="brand-soptunna", lon=17.93, police_notified=True),
        event(category="samling-trapphus", visibility="restricted"),
    ]}
    response = send(token_client(reporter_a), "post", "/api/v1/reports", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["organisation"] == str(org_a.uuid)
    assert [(e["category"], e["subcategory"]) for e in data["events"]] == [
        ("skadegorelse", "klotter"), ("brand", "brand-soptunna"), ("samling", "samling-trapphus")]
    assert data["events"][0]["description"] == "Nytt klotter"
    assert data["events"][1]["police_notified"] is True
    assert data["events"][2]["visibility"] == "restricted"
    assert all(e["report"] == data["uuid"] for e in data["events"])
    assert Event.objects.filter(report__uuid=data["uuid"], created_by=reporter_a).count() == 3


def test_it_writes_nothing_when_one_event_is_bad_and_names_it(reporter_a, org_a):
    from trygg.events.models import Event, Report

    start = timezone.now() - dt.timedelta(hours=3)
    body = {"organisation": str(org_a.uuid), "events": [
        event(), event(occurred_from=start.isoformat(), occurred_to=(start - dt.timedelta(hours=1)).isoformat()),
        event(lat=17.85, lon=59.5)]}
    error = assert_error(send(token_client(reporter_a), "post", "/api/v1/reports", body), 422, "validation_error")
    assert set(error["fields"]) == {"events[1].occurred_to", "events[2].location"}
    assert "swapped" in error["fields"]["events[2].location"]
    assert not Report.objects.exists() and not Event.objects.exists()


def test_it_needs_at_least_one_event(reporter_a, org_a):
    error = assert_error(send(token_client(reporter_a), "post", "/api/v1/reports",
                              {"organisation": str(org_a.uuid), "events": []}), 422)
    assert list(error["fields"]) == ["events"]


def test_the_same_client_id_twice_gives_the_first_report_once(reporter_a, org_a):
    from trygg.events.models import Event, Report

    client = token_client(reporter_a)
    body = {"organisation": str(org_a.uuid), "client_id": str(uuid.uuid4()), "events": [event(), event()]}
    first = send(client, "post", "/api/v1/reports", body)
    again = send(client, "post", "/api/v1/reports", body | {"events": [event(description="changed")]})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["uuid"] == first.json()["uuid"]
    assert [e["uuid"] for e in again.json()["events"]] == [e["uuid"] for e in first.json()["events"]]
    assert Report.objects.count() == 1 and Event.objects.count() == 2


def test_a_client_id_used_by_another_organisation_is_a_409(reporter_a, partner_a, org_a, partner_org_a):
    client_id = str(uuid.uuid4())
    assert send(token_client(reporter_a), "post", "/api/v1/reports",
                {"organisation": str(org_a.uuid), "client_id": client_id, "events": [event()]}).status_code == 201
    response = send(token_client(partner_a), "post", "/api/v1/reports",
                    {"organisation": str(partner_org_a.uuid), "client_id": client_id, "events": [event()]})
    error = assert_error(response, 409, "conflict")
    assert "client_id" in error["fields"]


def test_times_without_offset_are_stockholm_time(reporter_a, org_a):
    body = {"organisation": str(org_a.uuid), "events": [event(occurred_from="2026-01-15T12:00:00")]}
    data = send(token_client(reporter_a), "post", "/api/v1/reports", body).json()
    assert data["events"][0]["occurred_from"] == "2026-01-15T12:00:00+01:00"
    body = {"organisation": str(org_a.uuid), "events": [event(occurred_from="2026-01-15T12:00:00Z")]}
    data = send(token_client(reporter_a), "post", "/api/v1/reports", body).json()
    assert data["events"][0]["occurred_from"] == "2026-01-15T13:00:00+01:00"


def test_get_report_returns_it(reporter_a, org_a):
    client = token_client(reporter_a)
    created = send(client, "post", "/api/v1/reports", {"organisation": str(org_a.uuid), "events": [event()]}).json()
    fetched = client.get(f"/api/v1/reports/{created['uuid']}").json()
    assert fetched == created


def test_posting_a_report_costs_the_same_queries_for_one_or_three_events(reporter_a, org_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(reporter_a)
    send(client, "post", "/api/v1/reports", {"organisation": str(org_a.uuid), "events": [event()]})  # warm up
    counts = []
    for n in (1, 3):
        body = {"organisation": str(org_a.uuid), "client_id": str(uuid.uuid4()), "events": [event()] * n}
        with CaptureQueriesContext(connection) as ctx:
            assert send(client, "post", "/api/v1/reports", body).status_code == 201
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 24  # auth, lookups, the writes and the answer; savepoints included
