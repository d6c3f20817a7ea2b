"""Every API error response has the one shape, with the message in the caller's language."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from trygg.events.tests.test_api_support import assert_error, send, token_client


def one_event(**extra):
    return {"category": "klotter", "occurred_from": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "lat": 59.5, "lon": 17.85} | extra


def test_400_for_a_body_that_is_not_json(reporter_a):
    client = token_client(reporter_a)
    response = client.post("/api/v1/reports", data="{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_403_when_a_reporter_deletes_an_event(reporter_a, org_a, collab_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    assert_error(send(token_client(reporter_a), "delete", f"/api/v1/events/{event.uuid}"), 403, "forbidden")


def test_404_for_an_unknown_event(reporter_a):
    assert_error(token_client(reporter_a).get(f"/api/v1/events/{uuid.uuid4()}"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/events/x/y/z", "/api/v1/areas/"])
def test_404_in_the_error_shape_for_unknown_paths_under_the_api(reporter_a, path):
    assert_error(token_client(reporter_a).get(path), 404, "not_found")


def test_404_for_unknown_paths_even_without_credentials(db):
    from django.test import Client

    assert_error(Client().post("/api/v1/nothing-here"), 404, "not_found")


def test_405_in_the_error_shape_with_the_allowed_methods(reporter_a):
    response = send(token_client(reporter_a), "put", "/api/v1/reports", {})
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_409_when_the_version_is_stale(reporter_a, org_a, collab_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a)
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}", {"version": 7, "people_count": 2})
    error = assert_error(response, 409, "conflict")
    assert "version" in error["fields"]


def test_422_for_ninja_validation_names_the_field(reporter_a, org_a):
    body = {"organisation": str(org_a.uuid), "events": [one_event(), one_event(people_count="many")]}
    error = assert_error(send(token_client(reporter_a), "post", "/api/v1/reports", body), 422, "validation_error")
    assert set(error["fields"]) == {"events[1].people_count"}


def test_422_for_a_bad_uuid_in_the_path(reporter_a):
    error = assert_error(token_client(reporter_a).get("/api/v1/events/not-a-uuid"), 422, "validation_error")
    assert "uuid" in error["fields"]


def test_429_in_the_error_shape(reporter_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    client = token_client(reporter_a)
    client.get("/api/v1/collaborations")
    assert_error(client.get("/api/v1/collaborations"), 429, "rate_limited")


def test_500_in_the_error_shape_without_leaking_the_exception(reporter_a, monkeypatch):
    import trygg.events.api as events_api

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(events_api, "_filtered", boom)
    response = token_client(reporter_a).get("/api/v1/events")
    error = assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert error["message"]


def test_messages_are_swedish_by_default(reporter_a):
    client = token_client(reporter_a)
    error = assert_error(client.get(f"/api/v1/events/{uuid.uuid4()}", HTTP_ACCEPT_LANGUAGE=""), 404)
    assert error["message"] == "Hittades inte."
    error = assert_error(client.get("/api/v1/events?page=0", HTTP_ACCEPT_LANGUAGE="sv"), 422)
    assert error["fields"]["page"] == "Måste vara minst 1."


def test_messages_follow_accept_language_english(reporter_a):
    error = assert_error(token_client(reporter_a).get(f"/api/v1/events/{uuid.uuid4()}",
                                                      HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert error["message"] == "Not found."


def test_service_validation_messages_are_translated_too(reporter_a, org_a):
    body = {"organisation": str(org_a.uuid), "events": [one_event(category="no-such-category")]}
    response = send(token_client(reporter_a), "post", "/api/v1/reports", body, HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(response, 422, "validation_error")
    assert error["fields"]["events[0].category"] == "Category: Unknown category."
