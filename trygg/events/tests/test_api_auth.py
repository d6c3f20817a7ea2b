"""API authentication: personal tokens, browser sessions (with CSRF), and the rate limit."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from trygg.events.tests.test_api_support import assert_error, send, token_client


def report_body(org, **event):
    return {"organisation": str(org.uuid), "events": [
        {"category": "klotter", "occurred_from": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
         "lat": 59.5, "lon": 17.85} | event]}


def test_it_accepts_a_personal_token(reporter_a):
    response = token_client(reporter_a).get("/api/v1/collaborations")
    assert response.status_code == 200
    assert response.json()[0]["name"] == "Testby"


def test_it_records_when_a_token_was_last_used(reporter_a):
    from trygg.accounts.models import ApiToken

    client = token_client(reporter_a)
    client.get("/api/v1/collaborations")
    assert ApiToken.objects.get(user=reporter_a).last_used_at is not None


def test_it_rejects_a_revoked_token_with_401(reporter_a):
    from trygg.accounts.models import ApiToken

    client = token_client(reporter_a)
    ApiToken.objects.get(user=reporter_a).revoke()
    error = assert_error(client.get("/api/v1/collaborations"), 401, "invalid_token")
    assert "revoked" in error["message"]


def test_it_rejects_an_unknown_token_even_with_a_session(reporter_a, client_for):
    client = client_for(reporter_a)
    response = client.get("/api/v1/collaborations", HTTP_AUTHORIZATION="Bearer tg_not-a-real-token")
    assert_error(response, 401, "invalid_token")


def test_it_answers_401_in_the_error_shape_without_credentials(collab_a):
    error = assert_error(Client().get("/api/v1/events"), 401, "not_authenticated")
    assert error["fields"] == {}


def test_it_answers_401_for_unsafe_methods_without_credentials_rather_than_a_csrf_error(org_a):
    response = send(Client(enforce_csrf_checks=True), "post", "/api/v1/reports", report_body(org_a))
    assert_error(response, 401, "not_authenticated")


def test_it_accepts_a_browser_session_for_reading(reporter_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    assert client.get("/api/v1/events").status_code == 200


def test_it_refuses_a_session_post_without_csrf_token(reporter_a, org_a):
    from trygg.events.models import Report

    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    response = send(client, "post", "/api/v1/reports", report_body(org_a))
    assert_error(response, 403, "csrf_failed")
    assert not Report.objects.exists()


def test_it_accepts_a_session_post_with_the_csrf_token(reporter_a, org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    client.get("/api/v1/docs")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = send(client, "post", "/api/v1/reports", report_body(org_a), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_a_token_post_needs_no_csrf_token(reporter_a, org_a):
    client = token_client(reporter_a)
    client.handler.enforce_csrf_checks = True
    assert send(client, "post", "/api/v1/reports", report_body(org_a)).status_code == 201


def test_it_asks_coordinators_for_two_factor_on_session_requests(coordinator_a):
    client = Client()
    client.force_login(coordinator_a)
    assert_error(client.get("/api/v1/events"), 403, "two_factor_required")


def test_a_coordinator_token_works_without_a_session(coordinator_a):
    assert token_client(coordinator_a).get("/api/v1/events").status_code == 200


def test_it_limits_the_request_rate_per_token_with_429(reporter_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = token_client(reporter_a)
    assert [client.get("/api/v1/collaborations").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/collaborations")
    error = assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert error["message"]
    # another token of another user has its own budget
    from trygg.accounts.models import Membership, User

    other = User.objects.create_user("other_reporter", password="x" * 12)
    Membership.objects.create(user=other, organisation=reporter_a.memberships.first().organisation)
    assert token_client(other).get("/api/v1/collaborations").status_code == 200
