"""Small rules of editing: the reporter's 48-hour window to the minute, outsiders change nothing,
and times typed without an offset on the two DST nights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trygg.events.models import Event, EventHistory
from trygg.events.tests.test_api_support import send, token_client

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc


@pytest.fixture
def frozen(monkeypatch):
    """timezone.now() stands still at one instant for the whole test."""
    instant = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    return instant


@pytest.fixture
def own_event(collab_a, org_a, reporter_a, make_event):
    return make_event(collab_a, org_a, user=reporter_a, description="Klotter på garaget")


def created_ago(event, now, **delta):
    Event.objects.filter(pk=event.pk).update(created_at=now - dt.timedelta(**delta))


@pytest.mark.parametrize("age, status", [
    (dt.timedelta(hours=47, minutes=59), 200),
    (dt.timedelta(hours=48), 200),
    (dt.timedelta(hours=48, minutes=1), 403),
])
def test_the_reporter_may_edit_for_exactly_48_hours(reporter_a, own_event, frozen, age, status):
    created_ago(own_event, frozen, seconds=age.total_seconds())
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{own_event.uuid}",
                    {"version": 1, "description": "Sanerat"})
    assert response.status_code == status, response.content
    own_event.refresh_from_db()
    assert own_event.description == ("Sanerat" if status == 200 else "Klotter på garaget")


def test_the_web_form_follows_the_same_window(client_for, reporter_a, own_event, frozen):
    from trygg.events.forms import edit_initial

    client = client_for(reporter_a)
    created_ago(own_event, frozen, hours=48, minutes=1)
    data = edit_initial(own_event) | {"action": "edit", "version": "1", "description": "Sanerat"}
    assert client.post(f"/handelser/{own_event.uuid}/", data).status_code == 403
    created_ago(own_event, frozen, hours=47, minutes=59)
    assert client.post(f"/handelser/{own_event.uuid}/", data).status_code == 302


def test_an_outsiders_patch_and_delete_change_nothing(outsider_b, coordinator_a, own_event):
    outsider = token_client(outsider_b)
    before = token_client(coordinator_a).get(f"/api/v1/events/{own_event.uuid}").json()
    assert send(outsider, "patch", f"/api/v1/events/{own_event.uuid}",
                {"version": 1, "description": "Hackad", "visibility": "restricted"}).status_code == 404
    assert send(outsider, "delete", f"/api/v1/events/{own_event.uuid}").status_code == 404
    after = token_client(coordinator_a).get(f"/api/v1/events/{own_event.uuid}").json()
    assert after == before
    assert (after["version"], after["description"]) == (1, "Klotter på garaget")
    assert not EventHistory.objects.filter(event_uuid=own_event.uuid).exists()


# --- the two DST nights, times typed without an offset ------------------------------------------
def report(user, org, **event):
    body = {"organisation": str(org.uuid), "events": [{"category": "klotter", "lat": 59.5, "lon": 17.85} | event]}
    return send(token_client(user), "post", "/api/v1/reports", body, HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_refuses_a_time_in_the_skipped_spring_hour(reporter_a, org_a):
    response = report(reporter_a, org_a, occurred_from="2026-03-29T01:00:00", occurred_to="2026-03-29T02:15:00")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "events[0].occurred_to": "Time (to): This time does not exist in Swedish time: the clocks were put "
                                 "forward an hour that night."}


def test_the_api_accepts_the_times_around_the_skipped_hour(reporter_a, org_a):
    response = report(reporter_a, org_a, occurred_from="2026-03-29T01:59:00", occurred_to="2026-03-29T03:00:00")
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert (event.occurred_from, event.occurred_to) == (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
                                                        dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC))


def test_the_api_reads_the_repeated_autumn_hour_as_its_first_occurrence(reporter_a, org_a):
    response = report(reporter_a, org_a, occurred_from="2026-10-25T02:30:00")
    assert response.status_code == 201, response.content
    assert Event.objects.get().occurred_from == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30+02:00
    assert response.json()["events"][0]["occurred_from"] == "2026-10-25T02:30:00+02:00"


def test_the_api_takes_the_second_autumn_occurrence_when_the_offset_says_so(reporter_a, org_a):
    assert report(reporter_a, org_a, occurred_from="2026-10-25T02:30:00+01:00").status_code == 201
    assert Event.objects.get().occurred_from == dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def web_report(client, **fields):
    import uuid

    data = {"client_id": str(uuid.uuid4()), "events-0-category": "skadegorelse", "events-0-when": "window",
            "events-0-lat": "59.5", "events-0-lon": "17.85", "events-0-visibility": "partners"}
    data.update({f"events-0-{k}": v for k, v in fields.items()})
    return client.post("/handelser/rapportera/", data)


def test_the_web_form_refuses_a_time_in_the_skipped_spring_hour(client_for, reporter_a):
    response = web_report(client_for(reporter_a), occurred_from="2026-03-29T02:30")
    assert response.status_code == 400
    assert "Tid (från): Tiden finns inte i svensk tid: klockan ställdes fram en timme den natten." in (
        response.content.decode())
    assert not Event.objects.exists()


def test_the_web_form_reads_the_repeated_autumn_hour_as_its_first_occurrence(client_for, reporter_a):
    response = web_report(client_for(reporter_a), occurred_from="2026-10-25T02:30", occurred_to="2026-10-25T02:45")
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.occurred_from, event.occurred_to) == (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                                                        dt.datetime(2026, 10, 25, 0, 45, tzinfo=UTC))
