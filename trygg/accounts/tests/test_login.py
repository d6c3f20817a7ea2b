"""Login, logout, lockout after repeated failures (django-axes), per-IP rate limit, password reset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from trygg.accounts.models import AuditLog

PASSWORD = "correct horse battery"
LOGIN = "/konto/logga-in/"


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch):
    # Keep every attempt of a test inside one rate-limit minute.
    monkeypatch.setattr("trygg.accounts.ratelimit._now", lambda: 1_000_000.0)


def test_login_page_is_in_swedish(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "Logga in i Trygg" in response.content.decode()
    assert 'lang="sv"' in response.content.decode()


def test_reporter_logs_in_and_lands_on_home(client, reporter_a):
    response = post_login(client, "reporter_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get("/konto/").status_code == 200
    assert AuditLog.objects.filter(action="login", actor=reporter_a).exists()


def test_wrong_password_is_refused_and_logged(client, reporter_a):
    response = post_login(client, "reporter_a", "wrong password!")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    entry = AuditLog.objects.get(action="login_failed")
    assert entry.object_id == "reporter_a" and entry.actor is None


def test_login_ignores_next_to_another_host(client, reporter_a):
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "reporter_a", "password": PASSWORD,
                                                                   "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_logout_ends_the_session(client, reporter_a):
    post_login(client, "reporter_a", PASSWORD)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/konto/").status_code == 302


def _fail(client, username, times):
    """Fail ``times`` logins; axes answers the failure that reaches the limit with the lock page."""
    for attempt in range(1, times + 1):
        response = post_login(client, username, "not the password")
        assert response.status_code == (429 if attempt >= 5 else 200)


def test_sixth_attempt_is_refused_even_with_the_right_password(client, reporter_a, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    _fail(client, "reporter_a", 5)
    response = post_login(client, "reporter_a", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "För många misslyckade inloggningar" in body
    assert "Spärren hävs 15 minuter efter det senaste försöket" in body
    assert "_auth_user_id" not in client.session


def test_lockout_follows_the_account_not_only_the_address(reporter_a):
    _fail(Client(REMOTE_ADDR="10.0.0.1"), "reporter_a", 5)
    response = post_login(Client(REMOTE_ADDR="10.0.0.2"), "reporter_a", PASSWORD)
    assert response.status_code == 429


def test_lockout_does_not_touch_other_accounts(client, reporter_a, coordinator_a):
    _fail(client, "reporter_a", 5)
    response = post_login(Client(), "coordinator_a", PASSWORD)
    assert response.status_code == 302


def test_lockout_is_lifted_after_the_cool_off(client, reporter_a, settings):
    from axes.models import AccessAttempt

    _fail(client, "reporter_a", 5)
    assert post_login(client, "reporter_a", PASSWORD).status_code == 429
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    # Move the recorded failures just past the cool-off, as if 15 minutes had gone by.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time = attempt.attempt_time - cool_off - dt.timedelta(seconds=5)
        attempt.save(update_fields=["attempt_time"])
    response = post_login(client, "reporter_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reporter_a.pk)


def test_lockout_is_still_on_just_before_the_cool_off_ends(client, reporter_a, settings):
    from axes.models import AccessAttempt

    _fail(client, "reporter_a", 5)
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - cool_off
                                 + dt.timedelta(minutes=1))
    assert post_login(client, "reporter_a", PASSWORD).status_code == 429


def test_axes_reset_unlocks_at_once(client, reporter_a):
    from axes.utils import reset

    _fail(client, "reporter_a", 5)
    assert post_login(client, "reporter_a", PASSWORD).status_code == 429
    reset(username="reporter_a")
    assert post_login(client, "reporter_a", PASSWORD).status_code == 302


def test_per_address_rate_limit_refuses_the_extra_attempt(settings, reporter_a):
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="192.0.2.7")
    for name in ("a", "b", "c"):
        assert post_login(client, name, "x").status_code == 200
    response = post_login(client, "reporter_a", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "För många försök" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert post_login(Client(REMOTE_ADDR="192.0.2.8"), "reporter_a", PASSWORD).status_code == 302


def test_rate_limit_starts_afresh_in_the_next_minute(settings, reporter_a, monkeypatch):
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 1
    client = Client(REMOTE_ADDR="192.0.2.9")
    assert post_login(client, "nobody", "x").status_code == 200
    assert post_login(client, "reporter_a", PASSWORD).status_code == 429
    monkeypatch.setattr("trygg.accounts.ratelimit._now", lambda: 1_000_000.0 + 60)
    assert post_login(client, "reporter_a", PASSWORD).status_code == 302


def test_rate_limit_counts_only_posts(settings, db):
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 1
    client = Client()
    for _ in range(5):
        assert client.get(LOGIN).status_code == 200


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/losenord/aterstall/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_link_works_end_to_end(client, reporter_a):
    response = client.post("/konto/losenord/aterstall/", {"email": "reporter_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reporter_a@example.org"]
    assert message.subject == "Återställ ditt lösenord i Trygg"
    assert "Någon har bett om att återställa lösenordet" in message.body
    link = _reset_link(message)
    response = client.get(link)  # Django moves the token into the session and redirects
    assert response.status_code == 302
    form_url = response["Location"]
    new_password = "a brand new passphrase 42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert post_login(Client(), "reporter_a", PASSWORD).status_code == 200  # old one gone
    assert post_login(Client(), "reporter_a", new_password).status_code == 302
    # The link is single-use.
    response = Client().get(link, follow=True)
    assert "Länken är ogiltig eller har redan använts" in response.content.decode()


def test_reset_link_uses_the_configured_base_url_not_the_host_header(client, reporter_a, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.BASE_URL = "https://trygg.example.se"
    client.post("/konto/losenord/aterstall/", {"email": "reporter_a@example.org"}, HTTP_HOST="evil.example")
    assert "https://trygg.example.se/konto/losenord/aterstall/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


def test_password_reset_says_the_same_for_unknown_addresses(client, db):
    response = client.post("/konto/losenord/aterstall/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_lifts_a_lockout(client, reporter_a):
    _fail(client, "reporter_a", 5)
    assert post_login(client, "reporter_a", PASSWORD).status_code == 429
    client.post("/konto/losenord/aterstall/", {"email": "reporter_a@example.org"})
    response = client.get(_reset_link(mail.outbox[0]))
    new_password = "a brand new passphrase 42"
    client.post(response["Location"], {"new_password1": new_password, "new_password2": new_password})
    assert post_login(Client(), "reporter_a", new_password).status_code == 302


def test_password_reset_form_is_rate_limited(settings, db):
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 2
    client = Client(REMOTE_ADDR="192.0.2.20")
    for _ in range(2):
        assert client.post("/konto/losenord/aterstall/", {"email": "x@example.org"}).status_code == 302
    assert client.post("/konto/losenord/aterstall/", {"email": "x@example.org"}).status_code == 429


def test_passwords_are_hashed_with_argon2_by_default(settings, reporter_a):
    from django.contrib.auth.hashers import identify_hasher

    from trygg import settings as trygg_settings

    # The tests run with a fast hasher (conftest); put the project's own list back.
    assert trygg_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = trygg_settings.PASSWORD_HASHERS
    reporter_a.set_password("a real password 42")
    reporter_a.save()
    reporter_a.refresh_from_db()
    assert reporter_a.password.startswith("argon2$argon2id$")
    assert identify_hasher(reporter_a.password).algorithm == "argon2"
    assert reporter_a.check_password("a real password 42") and not reporter_a.check_password("wrong")


def test_password_change_needs_the_old_password(client_for, reporter_a):
    client = client_for(reporter_a)
    response = client.post("/konto/byt-losenord/", {"old_password": "wrong", "new_password1": "another long pass 9",
                                                    "new_password2": "another long pass 9"})
    assert response.status_code == 200
    response = client.post("/konto/byt-losenord/", {"old_password": PASSWORD, "new_password1": "another long pass 9",
                                                    "new_password2": "another long pass 9"})
    assert response.status_code == 302
    reporter_a.refresh_from_db()
    assert reporter_a.check_password("another long pass 9")
