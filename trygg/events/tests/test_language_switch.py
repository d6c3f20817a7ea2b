"""The pages of issue 2 are Swedish by default and English after the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

# page → (a Swedish heading, the same in English)
PAGES = {
    "/handelser/rapportera/": ("<h1>Rapportera</h1>", "<h1>Report</h1>"),
    "/handelser/": ("<h1>Händelser</h1>", "<h1>Events</h1>"),
    "/handelser/karta/": ("<h1>Karta över händelser</h1>", "<h1>Map of events</h1>"),
}
LOGIN = ("<h1>Logga in i Trygg</h1>", "<h1>Log in to Trygg</h1>")


def test_the_login_page_is_swedish_by_default():
    html = Client().get("/konto/logga-in/").content.decode()
    assert LOGIN[0] in html and LOGIN[1] not in html


def test_the_login_page_is_english_after_the_switch():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/logga-in/"})
    assert response.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/konto/logga-in/").content.decode()
    assert LOGIN[1] in html and LOGIN[0] not in html


@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_is_swedish_by_default(client_for, reporter_a, url):
    html = client_for(reporter_a).get(url).content.decode()
    assert PAGES[url][0] in html and PAGES[url][1] not in html


@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_is_english_after_posting_to_set_language(client_for, reporter_a, url):
    client = client_for(reporter_a)
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert PAGES[url][1] in html and PAGES[url][0] not in html


@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_follows_the_language_cookie(client_for, reporter_a, url):
    client = client_for(reporter_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert PAGES[url][1] in client.get(url).content.decode()


def test_switching_back_to_swedish_works(client_for, reporter_a):
    client = client_for(reporter_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "<h1>Händelser</h1>" in client.get("/handelser/").content.decode()
