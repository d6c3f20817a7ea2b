"""The report form (J1): validation messages on the form, several events, all or nothing, exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import Membership
from trygg.events.forms import resolve_when
from trygg.events.models import Event, Report

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
URL = "/handelser/rapportera/"


def event_fields(i=0, **over):
    data = {f"events-{i}-category": "skadegorelse", f"events-{i}-when": "now",
            f"events-{i}-lat": "59.5", f"events-{i}-lon": "17.85", f"events-{i}-visibility": "partners"}
    data.update({f"events-{i}-{k}": v for k, v in over.items()})
    return data


def post(client, *blocks, **extra):
    data = {"client_id": str(uuid.uuid4())}
    for block in blocks:
        data.update(block)
    data.update(extra)
    return client.post(URL, data)


def test_the_form_shows_one_large_report_action_with_map_and_categories(client_for, reporter_a):
    response = client_for(reporter_a).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="send-report"' in html and "Skicka" in html
    assert "leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html.lower()
    assert 'name="events-0-category" value="skadegorelse"' in html
    assert "Lägg till en händelse till" in html
    assert 'name="client_id"' in html
    assert "Använd min position" in html


def test_the_organisations_most_used_categories_come_first(client_for, reporter_a, collab_a, org_a, make_event):
    for _ in range(3):
        make_event(collab_a, org_a, category="narkotika")
    html = client_for(reporter_a).get(URL).content.decode()
    assert html.index('value="narkotika"') < html.index('value="skadegorelse"')


def test_a_report_with_two_events_is_saved_and_confirmed(client_for, reporter_a):
    client = client_for(reporter_a)
    response = post(client, event_fields(0), event_fields(1, category="brand", lat="59.55", lon="17.95",
                                                           subcategory="brand-fordon"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.events.count() == 2
    assert set(report.events.values_list("category__code", flat=True)) == {"skadegorelse", "brand"}
    assert report.events.get(category__code="brand").subcategory.code == "brand-fordon"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Brand i fordon" in html and "Skadegörelse" in html
    assert "har rapporterat 2 händelser" in html


def test_nothing_is_saved_when_one_event_is_bad(client_for, reporter_a):
    response = post(client_for(reporter_a), event_fields(0), event_fields(1, category=""))
    assert response.status_code == 400
    assert Report.objects.count() == 0 and Event.objects.count() == 0
    html = response.content.decode()
    assert "Inget sparades" in html
    assert "Händelse 2: Kategori: Välj en kategori." in html


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"category": ""}, "Kategori: Välj en kategori."),
        ({"category": "finns-inte"}, "Kategori: Okänd kategori."),
        ({"category": "brand", "subcategory": "klotter"}, "Underkategori: Hör inte till den valda kategorin."),
        ({"lat": "", "lon": ""}, "Plats: Markera platsen på kartan eller välj en känd plats."),
        ({"lat": "55.0", "lon": "13.0"}, "Plats: Punkten ligger utanför kommunen."),
        ({"lat": "17.85", "lon": "59.5"}, "Plats: Punkten ligger inte i Sverige."),
        ({"lat": "abc"}, "Plats: Koordinaterna måste vara tal."),
        ({"place": "Ingenstans"}, "Känd plats: Det finns ingen känd plats med det namnet."),
        ({"when": "window", "occurred_from": "2999-01-01T10:00"}, "Tid (från): Kan inte ligga i framtiden."),
        ({"when": "window", "occurred_from": "nonsens"}, "Tid (från): Inte ett giltigt datum och klockslag."),
        ({"when": "window", "occurred_from": ""}, "Tid (från): Ange när det hände."),
        ({"when": "window", "occurred_from": "2026-01-10T10:00", "occurred_to": "2026-01-10T09:00"},
         "Tid (till): Tidsfönstret slutar innan det börjar."),
        ({"when": "window", "occurred_from": "2026-01-01T10:00", "occurred_to": "2026-01-20T09:00"},
         "Tid (till): Tidsfönstret får vara högst 14 dagar långt."),
        ({"when": "window", "occurred_from": "2026-01-01T10:00", "occurred_to": "2999-01-20T09:00"},
         "Tid (till): Kan inte ligga i framtiden."),
        ({"description": "x" * 2001}, "Beskrivning: Högst 2000 tecken (nu 2001)."),
        ({"people_count": "-1"}, "Antal personer: Ett heltal från 0 till 10000."),
        ({"assessment": "5"}, "Bedömning: Välj 1, 2 eller 3."),
        ({"visibility": "alla"}, "Synlighet: Okänd synlighet."),
    ],
)
def test_each_validation_rule_shows_its_message_on_the_form(client_for, reporter_a, fields, message):
    response = post(client_for(reporter_a), event_fields(0), event_fields(1, **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, message
    assert Event.objects.count() == 0


def test_the_error_for_the_second_events_end_time_sits_next_to_its_field(client_for, reporter_a):
    response = post(client_for(reporter_a), event_fields(0),
                    event_fields(1, when="window", occurred_from="2026-01-10T10:00", occurred_to="2026-01-10T09:00"))
    html = response.content.decode()
    assert 'id="event-1-when-error"' in html
    error_at = html.index('id="event-1-when-error"')
    assert html.index('id="event-1-occurred_to"') < error_at
    assert "Tidsfönstret slutar innan det börjar" in html[error_at:error_at + 200]
    # the form keeps what was typed
    assert 'value="2026-01-10T09:00"' in html


def test_the_same_client_id_twice_makes_one_report(client_for, reporter_a):
    client = client_for(reporter_a)
    client_id = str(uuid.uuid4())
    data = event_fields(0) | {"client_id": client_id}
    first = client.post(URL, data, HTTP_ACCEPT="application/json", HTTP_X_TRYGG_QUEUED="1")
    second = client.post(URL, data, HTTP_ACCEPT="application/json", HTTP_X_TRYGG_QUEUED="1")
    assert first.status_code == 201 and first.json()["status"] == "created"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert first.json()["report"] == second.json()["report"]
    assert Report.objects.count() == 1 and Event.objects.count() == 1
    # and a plain form post of the same report (a double tap) still makes no second one
    third = client.post(URL, data)
    assert third.status_code == 302 and Report.objects.count() == 1


def test_a_queued_report_uses_the_time_it_was_composed(client_for, reporter_a):
    composed = timezone.now() - dt.timedelta(hours=3)
    data = event_fields(0) | {"client_id": str(uuid.uuid4()), "composed_at": composed.isoformat()}
    response = client_for(reporter_a).post(URL, data, HTTP_ACCEPT="application/json", HTTP_X_TRYGG_QUEUED="1")
    assert response.status_code == 201
    event = Event.objects.get()
    assert abs((event.occurred_from - composed).total_seconds()) < 1


def test_invalid_json_submission_answers_with_the_fields(client_for, reporter_a):
    data = event_fields(0, category="") | {"client_id": str(uuid.uuid4())}
    response = client_for(reporter_a).post(URL, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid"
    assert body["fields"]["events[0].category"] == "Kategori: Välj en kategori."


def test_personal_data_is_warned_about_live_and_again_on_submit(client_for, reporter_a):
    client = client_for(reporter_a)
    live = client.post(reverse("events:report_check"), {"events-0-description": "ring 070-123 45 67"})
    assert "telefonnummer" in live.content.decode()
    quiet = client.post(reverse("events:report_check"), {"events-0-description": "trasig lampa vid torget"})
    assert "telefonnummer" not in quiet.content.decode()
    first = post(client, event_fields(0, description="Bil ABC 123 stod här"))
    assert first.status_code == 400 and Event.objects.count() == 0
    html = first.content.decode()
    assert "registreringsnummer" in html and 'name="personal_data_checked"' in html
    second = post(client, event_fields(0, description="Bil ABC 123 stod här"), personal_data_checked="1")
    assert second.status_code == 302 and Event.objects.count() == 1


def test_a_member_of_two_organisations_chooses_which_one_reports(client_for, reporter_a, partner_org_a):
    Membership.objects.create(user=reporter_a, organisation=partner_org_a, role="reporter")
    client = client_for(reporter_a)
    html = client.get(URL).content.decode()
    assert 'name="organisation"' in html and "Testbyhem" in html
    response = post(client, event_fields(0), organisation=str(partner_org_a.uuid))
    assert response.status_code == 302
    assert Report.objects.get().organisation == partner_org_a


def test_a_reporter_cannot_report_for_an_organisation_they_do_not_belong_to(client_for, reporter_a, partner_org_a):
    response = post(client_for(reporter_a), event_fields(0), organisation=str(partner_org_a.uuid))
    assert response.status_code == 400 and Report.objects.count() == 0
    assert "Organisation" in response.content.decode()


def test_add_another_event_works_without_javascript(client_for, reporter_a):
    response = post(client_for(reporter_a), event_fields(0), action="add")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="event-1"' in html and Report.objects.count() == 0


def test_a_named_place_can_be_picked_instead_of_the_map(client_for, reporter_a, collab_a):
    from trygg.areas.models import Place

    place = Place.objects.create(collaboration=collab_a, name="Torget", lat=59.51, lon=17.86)
    client = client_for(reporter_a)
    assert "Torget" in client.get(URL).content.decode()
    response = post(client, event_fields(0, lat="", lon="", place=str(place.uuid)))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.place == place and event.precision == "place" and event.lat == 59.51


def test_the_outsider_cannot_see_a_confirmation_of_a(client_for, reporter_a, outsider_b):
    response = post(client_for(reporter_a), event_fields(0))
    assert client_for(outsider_b).get(response["Location"]).status_code == 404


def test_when_choices_are_resolved_in_stockholm_time():
    base = dt.datetime(2026, 10, 25, 8, 0, tzinfo=STOCKHOLM)  # the morning after the clocks went back
    start, end = resolve_when("night", base, "", "")
    assert start == dt.datetime(2026, 10, 24, 22, 0, tzinfo=STOCKHOLM)
    assert end == dt.datetime(2026, 10, 25, 6, 0, tzinfo=STOCKHOLM)
    utc = dt.timezone.utc
    # the night of the October change is an hour longer in real time
    assert end.astimezone(utc) - start.astimezone(utc) == dt.timedelta(hours=9)
    start, end = resolve_when("today", base, "", "")
    assert start == dt.datetime(2026, 10, 25, 0, 0, tzinfo=STOCKHOLM) and end == base
    late = dt.datetime(2026, 10, 24, 23, 15, tzinfo=STOCKHOLM)
    assert resolve_when("night", late, "", "") == (dt.datetime(2026, 10, 24, 22, 0, tzinfo=STOCKHOLM), late)
    assert resolve_when("now", base, "", "") == (base, None)


def test_the_last_night_choice_is_stored_as_a_window(client_for, reporter_a):
    response = post(client_for(reporter_a), event_fields(0, when="night"))
    assert response.status_code == 302
    event = Event.objects.get()
    local_from = event.occurred_from.astimezone(STOCKHOLM)
    assert local_from.hour == 22 and event.occurred_to is not None


def test_the_start_page_sends_reports_waiting_on_the_phone(client_for, reporter_a):
    html = client_for(reporter_a).get("/").content.decode()
    assert "events/queue.js" in html and 'id="queue-status"' in html
    assert 'href="/handelser/rapportera/"' in html
