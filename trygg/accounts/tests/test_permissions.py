"""Who sees what under My account and in /api/v1/me, persona by persona."""

from __future__ import annotations

import pytest
from django.test import Client

from trygg.accounts.models import ApiToken

PERSONAS = ["reporter_a", "coordinator_a", "admin_a", "police_a", "partner_a", "outsider_b"]


@pytest.mark.parametrize("path", ["/konto/", "/konto/granskningslogg/", "/konto/byt-losenord/"])
def test_anonymous_is_sent_to_login(db, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/?next=")


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_account_shows_only_my_memberships(request, client_for, persona, collab_b):
    user = request.getfixturevalue(persona)
    body = client_for(user).get("/konto/").content.decode()
    own = user.active_memberships[0].organisation
    assert own.name in body
    other = "Annanstad" if own.collaboration.slug == "testby" else "Testby kommun"
    assert other not in body


@pytest.mark.parametrize(("persona", "role", "restricted"), [
    ("reporter_a", "reporter", False), ("coordinator_a", "coordinator", True), ("admin_a", "admin", True),
    ("police_a", "reporter", True), ("partner_a", "reporter", False), ("outsider_b", "coordinator", True),
])
def test_me_reports_role_and_restricted_access(request, persona, role, restricted):
    user = request.getfixturevalue(persona)
    _token, raw = ApiToken.issue(user, "t")
    data = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [(r["role"], r["can_see_restricted"]) for r in data["roles"]] == [(role, restricted)]


def test_audit_log_link_is_offered_to_admins_only(admin_a, coordinator_a, client_for):
    assert "/konto/granskningslogg/" in client_for(admin_a).get("/konto/").content.decode()
    assert "/konto/granskningslogg/" not in client_for(coordinator_a).get("/konto/").content.decode()


def test_admin_menu_item_is_shown_to_staff_only(admin_a, reporter_a, client_for):
    assert 'href="/admin/"' in client_for(admin_a).get("/konto/").content.decode()
    assert 'href="/admin/"' not in client_for(reporter_a).get("/konto/").content.decode()


def test_deactivated_membership_takes_away_audit_access(admin_a, client_for):
    client = client_for(admin_a)
    assert client.get("/konto/granskningslogg/").status_code == 200
    membership = admin_a.memberships.get()
    membership.is_active = False
    membership.save()
    assert client.get("/konto/granskningslogg/").status_code == 404
    assert client.get("/admin/").status_code == 302
