"""The event page: details, history, the reporter's 48-hour edit window, coordinators, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import AuditLog
from trygg.events.forms import edit_initial
from trygg.events.models import Event, EventHistory

from .web_helpers import at_utc

pytestmark = pytest.mark.django_db


def url(event):
    return reverse("events:detail", args=[event.uuid])


@pytest.fixture
def own_event(collab_a, org_a, reporter_a, make_event):
    return make_event(collab_a, org_a, user=reporter_a, description="Krossad ruta")


def form_data(event, **changes):
    data = edit_initial(event) | {"action": "edit", "version": str(event.version)}
    data.update(changes)
    if data.get("police_notified") != "on":
        data.pop("police_notified", None)
    return data


def age(event, hours):
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    event.refresh_from_db()


def test_the_page_shows_the_event(client_for, reporter_a, own_event):
    response = client_for(reporter_a).get(url(own_event))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Klotter/graffiti" in html and "Krossad ruta" in html and "Väster" in html
    assert "Ändra händelsen" in html and "Ta bort händelsen" not in html


def test_the_reporter_edits_their_own_event_and_the_history_shows_it(client_for, reporter_a, own_event):
    client = client_for(reporter_a)
    response = client.post(url(own_event), form_data(own_event, description="Krossad ruta i porten", people_count="2"))
    assert response.status_code == 302
    own_event.refresh_from_db()
    assert own_event.description == "Krossad ruta i porten" and own_event.people_count == 2
    history = EventHistory.objects.get(event=own_event)
    assert set(history.changes) == {"description", "people_count"}
    html = client.get(url(own_event)).content.decode()
    assert "Krossad ruta i porten" in html and "(v2)" in html and "Antal personer" in html


def test_an_unchanged_form_changes_nothing(client_for, reporter_a, own_event):
    response = client_for(reporter_a).post(url(own_event), form_data(own_event))
    assert response.status_code == 302
    assert EventHistory.objects.filter(event=own_event).count() == 0


def test_moving_the_point_reassigns_the_area(client_for, reporter_a, own_event, collab_a):
    client_for(reporter_a).post(url(own_event), form_data(own_event, lon="17.950000", lat="59.580000"))
    own_event.refresh_from_db()
    assert [a.name for a in own_event.areas.filter(type__code="stadsdel")] == ["Öster"]


def test_an_invalid_edit_shows_the_message_and_saves_nothing(client_for, reporter_a, own_event):
    response = client_for(reporter_a).post(url(own_event), form_data(own_event, occurred_from="2999-01-01T10:00"))
    assert response.status_code == 400
    assert "Tid (från): Kan inte ligga i framtiden." in response.content.decode()
    own_event.refresh_from_db()
    assert own_event.version == 1


def test_a_stale_version_is_refused(client_for, reporter_a, own_event):
    response = client_for(reporter_a).post(url(own_event), form_data(own_event, description="Ny", version="7"))
    assert response.status_code == 400
    assert "Någon annan har ändrat händelsen" in response.content.decode()


def test_the_reporter_edit_window_closes_after_48_hours(client_for, reporter_a, own_event):
    age(own_event, 47)
    client = client_for(reporter_a)
    assert "Ändra händelsen" in client.get(url(own_event)).content.decode()
    age(own_event, 49)
    html = client.get(url(own_event)).content.decode()
    assert "Ändra händelsen" not in html
    response = client.post(url(own_event), form_data(own_event, description="För sent"))
    assert response.status_code == 403
    own_event.refresh_from_db()
    assert own_event.description == "Krossad ruta"


def test_the_coordinator_edits_after_48_hours_and_may_delete(client_for, coordinator_a, own_event):
    age(own_event, 100)
    client = client_for(coordinator_a)
    html = client.get(url(own_event)).content.decode()
    assert "Ändra händelsen" in html and "Ta bort händelsen" in html
    assert client.post(url(own_event), form_data(own_event, assessment="3")).status_code == 302
    own_event.refresh_from_db()
    assert own_event.assessment == 3
    assert client.post(url(own_event), {"action": "delete"}).status_code == 302
    assert not Event.objects.filter(pk=own_event.pk).exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(own_event.uuid)).exists()


def test_a_reporter_may_not_delete(client_for, reporter_a, own_event):
    assert client_for(reporter_a).post(url(own_event), {"action": "delete"}).status_code == 403
    assert Event.objects.filter(pk=own_event.pk).exists()


def test_others_see_no_edit_button_and_get_403_on_post(client_for, partner_a, police_a, own_event):
    for user in (partner_a, police_a):
        client = client_for(user)
        html = client.get(url(own_event)).content.decode()
        assert "Ändra händelsen" not in html
        assert client.post(url(own_event), form_data(own_event, description="x")).status_code == 403
    own_event.refresh_from_db()
    assert own_event.version == 1


def test_restricted_events_are_404_for_partners_and_shown_to_police_and_coordinators(
        client_for, partner_a, police_a, coordinator_a, collab_a, police_org_a, make_event):
    event = make_event(collab_a, police_org_a, user=police_a, visibility="restricted", description="Ring 070-1234567")
    assert client_for(partner_a).get(url(event)).status_code == 404
    assert client_for(partner_a).post(url(event), {"action": "delete"}).status_code == 404
    assert "070-1234567" in client_for(police_a).get(url(event)).content.decode()
    html = client_for(coordinator_a).get(url(event)).content.decode()
    assert "070-1234567" not in html and "▇▇▇" in html
    assert AuditLog.objects.filter(action="read", actor__username="coordinator_a", object_id=str(event.uuid)).exists()


def test_a_coordinator_of_another_organisation_cannot_overwrite_a_masked_description(
        client_for, coordinator_a, police_a, collab_a, police_org_a, make_event):
    event = make_event(collab_a, police_org_a, user=police_a, description="Ring 070-1234567")
    client = client_for(coordinator_a)
    data = form_data(event, description="▇▇▇", people_count="4")
    assert client.post(url(event), data).status_code == 302
    event.refresh_from_db()
    assert event.description == "Ring 070-1234567" and event.people_count == 4


def test_the_outsider_gets_404(client_for, outsider_b, own_event):
    client = client_for(outsider_b)
    assert client.get(url(own_event)).status_code == 404
    assert client.post(url(own_event), form_data(own_event, description="x")).status_code == 404


def test_an_event_at_the_repeated_hour_shows_its_local_time_and_offset(client_for, reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a, occurred_from=at_utc(2025, 10, 26, 1, 30))
    html = client_for(reporter_a).get(url(event)).content.decode()
    assert "2025-10-26 02:30" in html and "UTC+01:00" in html and "vecka 43" in html
    earlier = make_event(collab_a, org_a, user=reporter_a, occurred_from=at_utc(2025, 10, 26, 0, 30))
    html = client_for(reporter_a).get(url(earlier)).content.decode()
    assert "2025-10-26 02:30" in html and "UTC+02:00" in html
