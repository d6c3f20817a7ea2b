"""Two-factor authentication (TOTP) for coordinators, admins and superusers: the full flow with
real codes computed from the device's secret, the redirects, the API refusal, and recovery."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import totp_code

PASSWORD = "correct horse battery"
PAGES = ["/", "/handelser/", "/handelser/karta/", "/handelser/rapportera/", "/omraden/", "/konto/",
         "/konto/granskningslogg/", "/konto/byt-losenord/", "/admin/", "/admin/accounts/organisation/"]


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch):
    monkeypatch.setattr("trygg.accounts.ratelimit._now", lambda: 1_000_000.0)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)  # password accepted, second step not yet taken
    return client


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("path", PAGES)
def test_coordinator_without_device_is_sent_to_setup_from_every_page(coordinator_a, path):
    response = logged_in(coordinator_a).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tvastegs/aktivera/")


@pytest.mark.parametrize("path", ["/", "/handelser/", "/konto/", "/admin/"])
def test_coordinator_with_device_is_sent_to_verify(coordinator_a, path):
    enrol(coordinator_a)
    response = logged_in(coordinator_a).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tvastegs/?next=")


def test_admin_and_superuser_also_need_the_second_step(admin_a, superuser):
    for user in (admin_a, superuser):
        response = logged_in(user).get("/admin/")
        assert response["Location"].startswith("/konto/tvastegs/aktivera/")


def test_unverified_coordinator_gets_403_json_from_the_api(coordinator_a):
    response = logged_in(coordinator_a).get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
    assert response.json()["error"]["message"] == "Din roll kräver tvåstegsverifiering."


def test_unverified_coordinator_posting_to_the_api_is_refused(coordinator_a):
    response = logged_in(coordinator_a).post("/api/v1/me", data={}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def test_htmx_request_gets_a_client_side_redirect(coordinator_a):
    response = logged_in(coordinator_a).get("/handelser/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/konto/tvastegs/aktivera/")


@pytest.mark.parametrize("path", ["/", "/konto/"])
def test_reporter_is_not_asked_for_a_second_step(reporter_a, path):
    response = logged_in(reporter_a).get(path)
    assert response.status_code == 200


def test_reporter_uses_the_api_with_a_session(reporter_a):
    response = logged_in(reporter_a).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "reporter_a"


def test_verified_coordinator_reaches_pages_and_api(coordinator_a, client_for):
    client = client_for(coordinator_a)
    assert client.get("/konto/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_pages_of_the_second_step_stay_reachable(coordinator_a):
    client = logged_in(coordinator_a)
    assert client.get("/konto/tvastegs/aktivera/").status_code == 200
    assert client.post("/konto/logga-ut/").status_code == 302


def test_full_flow_login_enrol_with_a_real_code_then_verify_next_time(coordinator_a):
    client = Client()
    response = client.post("/konto/logga-in/?next=/handelser/",
                           {"username": "coordinator_a", "password": PASSWORD, "next": "/handelser/"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/tvastegs/aktivera/?next=%2Fhandelser%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Slå på tvåstegsverifiering" in body and "<svg" in body
    device = TOTPDevice.objects.get(user=coordinator_a, confirmed=False)
    assert device.key.upper() not in body  # the hex key is not shown; its base32 form is
    response = client.post("/konto/tvastegs/aktivera/", {"token": "000000" if totp_code(device) != "000000"
                                                         else "111111", "next": "/handelser/"})
    assert response.status_code == 200
    assert "Koden är fel eller för gammal" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the test does not wait out the throttle
    device.throttling_failure_timestamp = None
    device.save()

    response = client.post("/konto/tvastegs/aktivera/", {"token": totp_code(device), "next": "/handelser/"})
    assert response.status_code == 302
    assert response["Location"] == "/handelser/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/konto/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200

    # Next login: the second step is the code from the same app.
    second = Client()
    response = second.post("/konto/logga-in/", {"username": "coordinator_a", "password": PASSWORD})
    assert response["Location"].startswith("/konto/tvastegs/?next=")
    assert second.get("/konto/").status_code == 302
    response = second.post("/konto/tvastegs/", {"token": totp_code(device, offset_steps=1), "next": "/konto/"})
    assert response.status_code == 302 and response["Location"] == "/konto/"
    assert second.get("/konto/").status_code == 200


def test_a_code_cannot_be_used_twice(coordinator_a):
    device = enrol(coordinator_a)
    code = totp_code(device)
    first = logged_in(coordinator_a)
    assert first.post("/konto/tvastegs/", {"token": code})["Location"] == "/"
    second = logged_in(coordinator_a)
    response = second.post("/konto/tvastegs/", {"token": code})
    assert response.status_code == 200
    assert second.get("/konto/").status_code == 302


def test_wrong_codes_are_throttled_and_logged(coordinator_a):
    from trygg.accounts.models import AuditLog

    device = enrol(coordinator_a)
    client = logged_in(coordinator_a)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    client.post("/konto/tvastegs/", {"token": wrong})
    # Straight after a wrong code even the right one waits (django-otp's growing delay).
    response = client.post("/konto/tvastegs/", {"token": totp_code(device)})
    assert response.status_code == 200
    assert "För många felaktiga koder" in response.content.decode()
    assert AuditLog.objects.filter(action="login_failed", actor=coordinator_a,
                                   detail__step="two_factor").count() == 2


def test_non_digits_are_refused_with_a_swedish_message(coordinator_a):
    enrol(coordinator_a)
    response = logged_in(coordinator_a).post("/konto/tvastegs/", {"token": "12a456"})
    assert "Skriv in de sex siffror som appen visar" in response.content.decode()


def test_stolen_password_cannot_enrol_a_second_device(coordinator_a):
    enrol(coordinator_a)
    client = logged_in(coordinator_a)
    response = client.get("/konto/tvastegs/aktivera/")
    assert response.status_code == 302 and response["Location"] == "/konto/tvastegs/"
    assert not TOTPDevice.objects.filter(user=coordinator_a, confirmed=False).exists()


def test_verified_user_replaces_the_authenticator(coordinator_a, client_for):
    client = client_for(coordinator_a)
    old = TOTPDevice.objects.get(user=coordinator_a)
    assert client.get("/konto/tvastegs/aktivera/").status_code == 200
    new = TOTPDevice.objects.get(user=coordinator_a, confirmed=False)
    response = client.post("/konto/tvastegs/aktivera/", {"token": totp_code(new)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=coordinator_a)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_verify_does_not_redirect_to_another_host(coordinator_a):
    device = enrol(coordinator_a)
    response = logged_in(coordinator_a).post("/konto/tvastegs/?next=https://evil.example/",
                                             {"token": totp_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_losing_the_coordinator_role_lifts_the_requirement(coordinator_a):
    membership = coordinator_a.memberships.get()
    membership.role = "reporter"
    membership.save()
    assert logged_in(coordinator_a).get("/konto/").status_code == 200


def test_requirement_can_be_switched_off_for_development(coordinator_a, settings):
    settings.REQUIRE_2FA = False
    assert logged_in(coordinator_a).get("/konto/").status_code == 200


def test_admin_resets_a_lost_device_and_the_user_enrols_again(coordinator_a, admin_a, client_for):
    from trygg.accounts.models import AuditLog

    enrol(coordinator_a)
    admin = client_for(admin_a)
    response = admin.post("/admin/accounts/user/", {"action": "reset_two_factor",
                                                    "_selected_action": [coordinator_a.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator_a).exists()
    assert AuditLog.objects.filter(actor=admin_a, object_id=str(coordinator_a.uuid),
                                   detail__two_factor="reset by admin").exists()
    response = logged_in(coordinator_a).get("/")
    assert response["Location"].startswith("/konto/tvastegs/aktivera/")


def test_admin_of_another_collaboration_cannot_reset_the_device(coordinator_a, admin_b, client_for):
    enrol(coordinator_a)
    client_for(admin_b).post("/admin/accounts/user/", {"action": "reset_two_factor",
                                                       "_selected_action": [coordinator_a.pk]})
    assert TOTPDevice.objects.filter(user=coordinator_a).exists()


def test_a_request_without_a_session_is_passed_on_without_loading_its_user(rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.utils.functional import SimpleLazyObject

    from trygg.accounts.middleware import RequireTwoFactorMiddleware

    def load_user():
        raise AssertionError("the user was loaded")

    request = rf.get("/handelser/")
    request.session = SessionStore()
    request.user = SimpleLazyObject(load_user)
    response = RequireTwoFactorMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response.content == b"ok"


def test_an_unverified_coordinators_session_is_refused_even_with_a_token(coordinator_a, reporter_a):
    from trygg.accounts.models import ApiToken

    _token, raw = ApiToken.issue(reporter_a, "script")
    response = logged_in(coordinator_a).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
