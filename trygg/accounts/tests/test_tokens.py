"""Personal API tokens: created under My account (shown once, stored hashed), used with
``Authorization: Bearer``, listed with last use, revoked — and GET /api/v1/me."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from trygg.accounts.models import ApiToken, AuditLog, hash_token


def create_token(client, name="GIS-export") -> str:
    response = client.post("/konto/nycklar/ny/", {"name": name})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    match = re.search(r'data-testid="raw-token" onfocus="this.select\(\)" autocomplete="off" spellcheck="false"', 
                      response.content.decode())
    raw = re.search(r'id="raw-token" readonly value="([^"]+)"', response.content.decode()).group(1)
    assert match and raw.startswith("tg_")
    return raw


def bearer(raw) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_shown_once_and_stored_only_as_a_hash(client_for, reporter_a):
    client = client_for(reporter_a)
    raw = create_token(client)
    token = ApiToken.objects.get(user=reporter_a)
    assert token.token_hash == hash_token(raw) and token.token_hash != raw
    assert token.hint == raw[:8]
    for field in ApiToken._meta.concrete_fields:
        assert raw not in str(getattr(token, field.attname))
    for entry in AuditLog.objects.all():
        assert raw not in str(entry.detail) and raw not in entry.object_label and raw not in entry.object_id
    page = client.get("/konto/").content.decode()
    assert raw not in page
    assert "GIS-export" in page and token.hint in page and "Aldrig" in page and "Aktiv" in page


def test_token_creation_is_audited(client_for, reporter_a):
    create_token(client_for(reporter_a))
    entry = AuditLog.objects.get(action="token")
    assert entry.actor == reporter_a and entry.detail["event"] == "issued"


def test_token_needs_a_name(client_for, reporter_a):
    response = client_for(reporter_a).post("/konto/nycklar/ny/", {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_creation_needs_post_and_login(client, reporter_a):
    assert client.post("/konto/nycklar/ny/", {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()
    logged = Client()
    logged.force_login(reporter_a)
    assert logged.get("/konto/nycklar/ny/").status_code == 405


def test_active_tokens_are_capped(client_for, reporter_a):
    from trygg.accounts.views.account import MAX_ACTIVE_TOKENS

    for i in range(MAX_ACTIVE_TOKENS):
        ApiToken.issue(reporter_a, f"t{i}")
    response = client_for(reporter_a).post("/konto/nycklar/ny/", {"name": "one more"})
    assert response.status_code == 400
    assert "Återkalla först en" in response.content.decode()


def test_token_works_for_the_me_endpoint(reporter_a, police_a, org_a, collab_a):
    _token, raw = ApiToken.issue(reporter_a, "script")
    response = Client().get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    data = response.json()
    assert data["auth"] == "token"
    assert data["user"]["username"] == "reporter_a"
    assert data["memberships"] == [{
        "collaboration": {"uuid": str(collab_a.uuid), "name": "Testby", "slug": "testby"},
        "organisation": {"uuid": str(org_a.uuid), "name": org_a.name, "kind": "kommun"},
        "role": "reporter",
    }]
    assert data["roles"] == [{"collaboration": str(collab_a.uuid), "role": "reporter", "can_see_restricted": False}]


def test_me_shows_only_the_users_own_collaborations(outsider_b, collab_a):
    _token, raw = ApiToken.issue(outsider_b, "script")
    data = Client().get("/api/v1/me", **bearer(raw)).json()
    assert {m["collaboration"]["slug"] for m in data["memberships"]} == {"annanstad"}
    assert str(collab_a.uuid) not in str(data)


def test_me_without_credentials_is_401_in_the_error_shape(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_last_used_is_recorded(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "script")
    assert token.last_used_at is None
    Client().get("/api/v1/me", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None
    # At most one write a minute: an older stamp is moved forward on the next use.
    old = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    Client().get("/api/v1/me", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > old + dt.timedelta(minutes=4)


def test_revoked_token_is_refused_with_401_in_the_error_shape(client_for, reporter_a):
    client = client_for(reporter_a)
    raw = create_token(client)
    token = ApiToken.objects.get()
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    response = client.post(f"/konto/nycklar/{token.uuid}/aterkalla/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = Client().get("/api/v1/me", **bearer(raw))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] in ("invalid_token", "not_authenticated") and error["message"] and error["fields"] == {}
    assert AuditLog.objects.filter(action="token", detail__event="revoked").count() == 1
    assert "Återkallad" in client.get("/konto/").content.decode()


def test_unknown_token_is_refused(db):
    response = Client().get("/api/v1/me", **bearer("tg_not-a-real-token"))
    assert response.status_code == 401


def test_token_of_deactivated_user_is_refused(reporter_a):
    _token, raw = ApiToken.issue(reporter_a, "script")
    reporter_a.is_active = False
    reporter_a.save()
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


def test_nobody_revokes_another_persons_token(client_for, reporter_a, partner_a, outsider_b):
    token, raw = ApiToken.issue(reporter_a, "script")
    for other in (partner_a, outsider_b):
        assert client_for(other).post(f"/konto/nycklar/{token.uuid}/aterkalla/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_others_tokens_are_not_listed(client_for, reporter_a, partner_a):
    ApiToken.issue(partner_a, "partners-secret-script")
    assert "partners-secret-script" not in client_for(reporter_a).get("/konto/").content.decode()


def test_coordinator_token_works_without_a_session_second_step(coordinator_a):
    # Tokens are only made from a verified session (see test_two_factor), so the token itself
    # stands for both steps.
    _token, raw = ApiToken.issue(coordinator_a, "script")
    response = Client().get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["roles"][0]["can_see_restricted"] is True


def test_unverified_coordinator_cannot_create_a_token(coordinator_a):
    client = Client()
    client.force_login(coordinator_a)
    response = client.post("/konto/nycklar/ny/", {"name": "x"})
    assert response.status_code == 302 and "/konto/tvastegs/" in response["Location"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["Bearer ", "Token abc", "Bearer tg_"])
def test_malformed_authorization_is_refused(db, header):
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401
