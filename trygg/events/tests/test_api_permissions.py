"""Who sees what through the API: the personas against collaboration A."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trygg.events.tests.test_api_support import assert_error, send, token_client


@pytest.fixture
def restricted(collab_a, org_a, make_event, reporter_a):
    return make_event(collab_a, org_a, user=reporter_a, visibility="restricted",
                      description="Ring 070-123 45 67 om du ser något")


@pytest.fixture
def open_event(collab_a, org_a, make_event, reporter_a):
    return make_event(collab_a, org_a, user=reporter_a, description="Ring 070-123 45 67")


@pytest.fixture
def report(reporter_a, org_a):
    from trygg.events.services import create_report

    rep, _ = create_report(reporter_a, org_a, [{"category": "klotter", "lat": 59.5, "lon": 17.85,
                                                "occurred_from": timezone.now() - dt.timedelta(hours=1)}])
    return rep


def test_outsider_gets_404_for_everything_of_a(outsider_b, collab_a, open_event, restricted, report):
    from trygg.areas.models import Area

    client = token_client(outsider_b)
    area = Area.objects.filter(collaboration=collab_a).first()
    for url in [f"/api/v1/areas/{area.uuid}", f"/api/v1/events/{open_event.uuid}",
                f"/api/v1/events/{restricted.uuid}", f"/api/v1/events/{open_event.uuid}/history",
                f"/api/v1/reports/{report.uuid}", f"/api/v1/areas?collaboration={collab_a.uuid}",
                f"/api/v1/events?collaboration={collab_a.uuid}", f"/api/v1/categories?collaboration={collab_a.uuid}",
                f"/api/v1/events.geojson?collaboration={collab_a.uuid}"]:
        body = assert_error(client.get(url), 404, "not_found")
        assert str(open_event.uuid) not in str(body)
    assert_error(send(client, "patch", f"/api/v1/events/{open_event.uuid}", {"version": 1, "people_count": 1}), 404)
    assert_error(send(client, "delete", f"/api/v1/events/{open_event.uuid}"), 404)


def test_outsider_sees_only_their_own_collaboration(outsider_b, collab_a, open_event):
    client = token_client(outsider_b)
    assert [c["name"] for c in client.get("/api/v1/collaborations").json()] == ["Annanstad"]
    assert client.get("/api/v1/events").json()["count"] == 0
    names = {f["properties"]["name"] for f in client.get("/api/v1/areas").json()["features"]}
    assert names == {"Annanstad", "Väster", "Öster"}
    area_ids = {f["id"] for f in client.get("/api/v1/areas").json()["features"]}
    assert not area_ids & {str(a.uuid) for a in collab_a.areas.all()}


def test_outsider_cannot_report_for_an_organisation_of_a(outsider_b, org_a):
    from trygg.events.models import Report

    body = {"organisation": str(org_a.uuid), "events": [
        {"category": "klotter", "occurred_from": timezone.now().isoformat(), "lat": 59.5, "lon": 17.85}]}
    assert_error(send(token_client(outsider_b), "post", "/api/v1/reports", body), 404, "not_found")
    assert not Report.objects.exists()


def test_a_member_of_another_organisation_in_a_may_not_report_for_it(partner_a, org_a):
    body = {"organisation": str(org_a.uuid), "events": [
        {"category": "klotter", "occurred_from": timezone.now().isoformat(), "lat": 59.5, "lon": 17.85}]}
    assert_error(send(token_client(partner_a), "post", "/api/v1/reports", body), 403, "forbidden")


def test_partner_does_not_see_restricted_events(partner_a, restricted, open_event):
    client = token_client(partner_a)
    assert {e["uuid"] for e in client.get("/api/v1/events").json()["results"]} == {str(open_event.uuid)}
    assert_error(client.get(f"/api/v1/events/{restricted.uuid}"), 404)
    assert client.get("/api/v1/events.geojson").json()["count"] == 1


@pytest.mark.parametrize("persona", ["police_a", "coordinator_a"])
def test_police_and_coordinators_see_restricted_events_and_the_read_is_audited(request, persona, restricted):
    from trygg.accounts.models import AuditLog

    user = request.getfixturevalue(persona)
    client = token_client(user)
    listed = {e["uuid"] for e in client.get("/api/v1/events").json()["results"]}
    assert str(restricted.uuid) in listed
    assert client.get(f"/api/v1/events/{restricted.uuid}").status_code == 200
    reads = AuditLog.objects.filter(action="read", actor=user, object_id=str(restricted.uuid))
    if persona == "police_a":
        assert reads.count() == 2  # the list and the detail
    else:
        assert reads.count() == 0  # same organisation as the reporter: not a read of another's data


def test_descriptions_are_masked_outside_the_reporting_organisation(partner_a, reporter_a, open_event):
    theirs = token_client(partner_a).get(f"/api/v1/events/{open_event.uuid}").json()
    assert "070" not in theirs["description"] and "▇▇▇" in theirs["description"]
    ours = token_client(reporter_a).get(f"/api/v1/events/{open_event.uuid}").json()
    assert ours["description"] == "Ring 070-123 45 67"


def test_reports_show_only_the_events_the_caller_may_see(partner_a, reporter_a, org_a):
    from trygg.events.services import create_report

    rep, _ = create_report(reporter_a, org_a, [
        {"category": "klotter", "lat": 59.5, "lon": 17.85, "occurred_from": timezone.now() - dt.timedelta(hours=1)},
        {"category": "klotter", "lat": 59.5, "lon": 17.85, "occurred_from": timezone.now() - dt.timedelta(hours=1),
         "visibility": "restricted"},
    ])
    assert len(token_client(reporter_a).get(f"/api/v1/reports/{rep.uuid}").json()["events"]) == 2
    assert len(token_client(partner_a).get(f"/api/v1/reports/{rep.uuid}").json()["events"]) == 1
