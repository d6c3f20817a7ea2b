"""Every validation rule has its message naming the field, in Swedish and in English, on the API
(Accept-Language) and on the web form (the language cookie set by the language switch)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from trygg.events.models import Category, Event
from trygg.events.tests.test_api_support import send, token_client

pytestmark = pytest.mark.django_db


def ago(**delta) -> str:
    return (timezone.now() - dt.timedelta(**delta)).isoformat()


# (what is sent, the field, Swedish message, English message)
RULES = {
    "reversed window": (
        lambda: {"occurred_from": ago(hours=2), "occurred_to": ago(hours=3)}, "occurred_to",
        "Tid (till): Tidsfönstret slutar innan det börjar.", "Time (to): The window ends before it starts."),
    "window over 14 days": (
        lambda: {"occurred_from": ago(days=15), "occurred_to": ago(hours=1)}, "occurred_to",
        "Tid (till): Tidsfönstret får vara högst 14 dagar långt.",
        "Time (to): The window may be at most 14 days long."),
    "start in the future": (
        lambda: {"occurred_from": (timezone.now() + dt.timedelta(hours=2)).isoformat()}, "occurred_from",
        "Tid (från): Kan inte ligga i framtiden.", "Time (from): Cannot be in the future."),
    "end in the future": (
        lambda: {"occurred_from": ago(hours=2), "occurred_to": (timezone.now() + dt.timedelta(hours=2)).isoformat()},
        "occurred_to", "Tid (till): Kan inte ligga i framtiden.", "Time (to): Cannot be in the future."),
    "outside the boundary": (
        lambda: {"lat": 59.70, "lon": 17.85}, "location",
        "Plats: Punkten ligger utanför kommunen.", "Location: The point is outside the municipality."),
    "municipality precision outside the boundary": (
        lambda: {"lat": 59.70, "lon": 17.85, "precision": "kommun"}, "location",
        "Plats: Punkten ligger utanför kommunen.", "Location: The point is outside the municipality."),
    "county precision in a report": (
        lambda: {"precision": "lan"}, "precision",
        "Platsens noggrannhet: En rapport i Trygg anger en exakt punkt, en känd plats eller kommunen.",
        "Location precision: A report made in Trygg gives an exact point, a named place or the municipality."),
    "retired category": (
        lambda: {"category": "arrangemang"}, "category",
        "Kategori: Kategorin är avvecklad och tar inte emot nya händelser.",
        "Category: This category is retired and takes no new events."),
    "description too long": (
        lambda: {"description": "x" * (settings.EVENT_DESCRIPTION_MAX + 1)}, "description",
        "Beskrivning: Högst 2000 tecken (nu 2001).", "Description: At most 2000 characters (now 2001)."),
    "spring-forward hour": (
        lambda: {"occurred_from": "2026-03-29T02:30:00"}, "occurred_from",
        "Tid (från): Tiden finns inte i svensk tid: klockan ställdes fram en timme den natten.",
        "Time (from): This time does not exist in Swedish time: the clocks were put forward an hour that night."),
}


@pytest.fixture
def retired(collab_a):
    Category.objects.filter(collaboration=collab_a, code="arrangemang").update(is_active=False)


def api_report(user, org, event, language):
    body = {"organisation": str(org.uuid),
            "events": [{"category": "klotter", "occurred_from": ago(hours=1), "lat": 59.5, "lon": 17.85} | event]}
    return send(token_client(user), "post", "/api/v1/reports", body, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("rule", list(RULES))
def test_the_api_names_the_field_of_each_rule_in_the_callers_language(reporter_a, org_a, retired, rule, language):
    make, name, swedish, english = RULES[rule]
    response = api_report(reporter_a, org_a, make(), language)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {f"events[0].{name}": swedish if language == "sv" else english}
    assert Event.objects.count() == 0


# The web form sends times as the datetime-local field gives them (Stockholm time, no offset).
def local(**delta) -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


WEB_RULES = {
    "reversed window": {"when": "window", "occurred_from": local(hours=2), "occurred_to": local(hours=3)},
    "window over 14 days": {"when": "window", "occurred_from": local(days=15), "occurred_to": local(hours=1)},
    "start in the future": {"when": "window", "occurred_from": local(hours=-3)},
    "end in the future": {"when": "window", "occurred_from": local(hours=2), "occurred_to": local(hours=-3)},
    "outside the boundary": {"lat": "59.70"},
    "retired category": {"category": "arrangemang"},
    "description too long": {"description": "x" * (settings.EVENT_DESCRIPTION_MAX + 1)},
    "spring-forward hour": {"when": "window", "occurred_from": "2026-03-29T02:30"},
}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("rule", list(WEB_RULES))
def test_the_report_form_names_the_field_of_each_rule_in_the_chosen_language(
        client_for, reporter_a, retired, rule, language):
    client = client_for(reporter_a)
    if language == "en":
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = {"client_id": str(uuid.uuid4()), "events-0-category": "skadegorelse", "events-0-when": "now",
            "events-0-lat": "59.5", "events-0-lon": "17.85", "events-0-visibility": "partners"}
    data.update({f"events-0-{k}": v for k, v in WEB_RULES[rule].items()})
    response = client.post("/handelser/rapportera/", data)
    assert response.status_code == 400
    _make, _name, swedish, english = RULES[rule]
    assert (swedish if language == "sv" else english) in response.content.decode()
    assert Event.objects.count() == 0


@pytest.mark.parametrize("language, message", [
    ("sv", "Beskrivning: Högst 2000 tecken (nu 2001)."), ("en", "Description: At most 2000 characters (now 2001)."),
])
def test_the_edit_form_names_the_field_in_the_chosen_language(client_for, reporter_a, collab_a, org_a, make_event,
                                                              language, message):
    from trygg.events.forms import edit_initial

    event = make_event(collab_a, org_a, user=reporter_a)
    client = client_for(reporter_a)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    data = edit_initial(event) | {"action": "edit", "version": "1", "description": "x" * 2001}
    response = client.post(f"/handelser/{event.uuid}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_empty_description_is_allowed(reporter_a, org_a):
    """No minimum length: the category already says what happened, and a reporter on a phone may
    file without typing (docs/decisions.md). Blank text is stored as empty."""
    response = api_report(reporter_a, org_a, {"description": "   "}, "en")
    assert response.status_code == 201, response.content
    assert Event.objects.get().description == ""
