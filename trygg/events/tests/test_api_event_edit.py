"""PATCH and DELETE /api/v1/events/{uuid} and the history: permissions, versions, history kept."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from trygg.events.tests.test_api_support import assert_error, send, token_client


def test_reporter_may_patch_own_event_within_48_hours(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}",
                    {"version": 1, "people_count": 4, "category": "glaskross"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["people_count"], body["subcategory"], body["version"]) == (4, "glaskross", 2)
    event.refresh_from_db()
    assert event.people_count == 4 and event.version == 2


def test_reporter_may_not_patch_own_event_after_48_hours(reporter_a, collab_a, org_a, make_event):
    from trygg.events.models import Event

    event = make_event(collab_a, org_a, user=reporter_a)
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}", {"version": 1, "people_count": 4})
    assert_error(response, 403, "forbidden")
    event.refresh_from_db()
    assert event.people_count is None


def test_reporter_may_not_patch_others_events(reporter_a, coordinator_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=coordinator_a)
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}", {"version": 1, "people_count": 4})
    assert_error(response, 403, "forbidden")


def test_coordinator_may_patch_any_event_and_history_is_kept(reporter_a, coordinator_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    client = token_client(coordinator_a)
    assert send(client, "patch", f"/api/v1/events/{event.uuid}", {"version": 1, "assessment": 2}).status_code == 200
    assert send(client, "patch", f"/api/v1/events/{event.uuid}", {"version": 2, "assessment": 3}).status_code == 200
    history = client.get(f"/api/v1/events/{event.uuid}/history").json()
    assert [(h["version"], h["changes"], h["changed_by"]) for h in history] == [
        (2, {"assessment": [None, 2]}, "coordinator_a"), (3, {"assessment": [2, 3]}, "coordinator_a")]
    assert history[0]["at"].endswith(("+01:00", "+02:00"))


def test_a_stale_version_is_409_and_writes_nothing(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    client = token_client(reporter_a)
    send(client, "patch", f"/api/v1/events/{event.uuid}", {"version": 1, "people_count": 1})
    assert_error(send(client, "patch", f"/api/v1/events/{event.uuid}", {"version": 1, "people_count": 9}), 409)
    event.refresh_from_db()
    assert (event.people_count, event.version) == (1, 2)


def test_patch_requires_the_version(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    error = assert_error(send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}", {"people_count": 1}), 422)
    assert list(error["fields"]) == ["version"]


def test_patch_validates_through_the_service_naming_the_field(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    error = assert_error(send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}",
                              {"version": 1, "assessment": 7}), 422)
    assert list(error["fields"]) == ["assessment"]


def test_partner_cannot_patch_a_restricted_event_it_cannot_see(partner_a, collab_a, org_a, make_event, reporter_a):
    event = make_event(collab_a, org_a, user=reporter_a, visibility="restricted")
    assert_error(send(token_client(partner_a), "patch", f"/api/v1/events/{event.uuid}", {"version": 1}), 404)


def test_only_coordinators_delete_and_the_deletion_is_audited(reporter_a, coordinator_a, collab_a, org_a, make_event):
    from trygg.accounts.models import AuditLog
    from trygg.events.models import Event

    event = make_event(collab_a, org_a, user=reporter_a)
    assert_error(send(token_client(reporter_a), "delete", f"/api/v1/events/{event.uuid}"), 403)
    response = send(token_client(coordinator_a), "delete", f"/api/v1/events/{event.uuid}")
    assert response.status_code == 204
    assert not Event.objects.filter(pk=event.pk).exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(event.uuid), actor=coordinator_a).exists()
