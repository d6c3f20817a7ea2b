"""An event's history: read through the API like the event itself (masked, audited), and kept
after the event is deleted, ending with who deleted it and when."""

from __future__ import annotations

import pytest

from trygg.accounts.models import AuditLog
from trygg.events import services
from trygg.events.models import Event, EventHistory
from trygg.events.tests.test_api_support import send, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(collab_a, org_a, reporter_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a, visibility="restricted",
                       description="Bilen ABC 123 stod vid porten")
    services.update_event(reporter_a, event, {"description": "Bilen ABC 123 stod vid porten igen"})
    return Event.objects.get(pk=event.pk)


def history(user, event_uuid):
    return token_client(user).get(f"/api/v1/events/{event_uuid}/history")


def test_reading_a_restricted_events_history_from_another_organisation_is_audited(police_a, restricted):
    response = history(police_a, restricted.uuid)
    assert response.status_code == 200
    reads = AuditLog.objects.filter(action="read", actor=police_a, object_id=str(restricted.uuid))
    assert list(reads.values_list("detail", flat=True)) == [{"reason": "history"}]


def test_reading_the_own_organisations_history_is_not_logged_as_a_read(reporter_a, restricted):
    assert history(reporter_a, restricted.uuid).status_code == 200
    assert not AuditLog.objects.filter(action="read").exists()


def test_the_history_masks_what_the_event_masks(police_a, restricted):
    client = token_client(police_a)
    detail = client.get(f"/api/v1/events/{restricted.uuid}").json()
    entries = client.get(f"/api/v1/events/{restricted.uuid}/history").json()
    assert "ABC 123" not in detail["description"]
    assert entries[-1]["changes"]["description"][1] == detail["description"]
    assert "ABC 123" not in str(entries)


def test_the_history_shows_no_source_data_the_event_does_not_show(coordinator_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, source="polisen", external_id="p-1", source_data={"raw": "x"})
    services.update_event(coordinator_a, event, {"description": "Ny"})
    EventHistory.objects.filter(event=event).update(changes={"source_data": [{"raw": "x"}, {"raw": "y"}]})
    entries = history(coordinator_a, event.uuid).json()
    assert entries[0]["changes"] == {}
    assert "source_data" not in token_client(coordinator_a).get(f"/api/v1/events/{event.uuid}").json()


def test_partners_and_outsiders_get_404_for_the_history(partner_a, outsider_b, restricted):
    assert history(partner_a, restricted.uuid).status_code == 404
    assert history(outsider_b, restricted.uuid).status_code == 404


def test_deleting_an_event_keeps_its_history_with_who_and_when(coordinator_a, reporter_a, restricted):
    uuid = restricted.uuid
    response = send(token_client(coordinator_a), "delete", f"/api/v1/events/{uuid}")
    assert response.status_code == 204
    assert not Event.objects.filter(uuid=uuid).exists()
    rows = list(EventHistory.objects.filter(event_uuid=uuid).order_by("version"))
    assert [(r.version, r.kind, r.event_id) for r in rows] == [(2, "change", None), (3, "delete", None)]
    deletion = rows[-1]
    assert deletion.changed_by == coordinator_a and deletion.at is not None
    assert deletion.snapshot["description"] == "Bilen ABC 123 stod vid porten igen"
    assert deletion.snapshot["uuid"] == str(uuid) and deletion.collaboration_id == restricted.collaboration_id


def test_coordinators_read_a_deleted_events_history_through_the_api(coordinator_a, police_a, reporter_a, restricted):
    send(token_client(coordinator_a), "delete", f"/api/v1/events/{restricted.uuid}")
    entries = history(coordinator_a, restricted.uuid).json()
    assert [(e["version"], e["kind"], e["changed_by"]) for e in entries] == [
        (2, "change", "reporter_a"), (3, "delete", "coordinator_a")]
    assert entries[-1]["snapshot"]["description"] == "Bilen ABC 123 stod vid porten igen"  # own organisation
    # reporters and police (not coordinators) no longer see anything of it
    assert history(reporter_a, restricted.uuid).status_code == 404
    assert history(police_a, restricted.uuid).status_code == 404


def test_the_outsider_cannot_read_a_deleted_events_history(coordinator_a, outsider_b, restricted):
    send(token_client(coordinator_a), "delete", f"/api/v1/events/{restricted.uuid}")
    assert history(outsider_b, restricted.uuid).status_code == 404


def test_admins_find_a_deleted_events_history_in_the_admin(coordinator_a, admin_a, client_for, restricted):
    services.delete_event(coordinator_a, restricted)
    page = client_for(admin_a).get("/admin/events/eventhistory/", {"q": str(restricted.uuid)})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count(str(restricted.uuid)) >= 2 and "coordinator_a" in html
