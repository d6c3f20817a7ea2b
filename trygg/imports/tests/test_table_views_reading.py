"""The wizard lets the user read a CSV with another encoding or delimiter than the detected ones
(like the CLI's --encoding and --delimiter), and keeps that choice in the mapping."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .test_table_views import MAPPING, token_of, upload

pytestmark = pytest.mark.django_db

# Windows-1252 text whose first 64 KB is plain ASCII: detection says UTF-8.
ASCII_ROWS = "".join(f"{i};2024-03-01 10:00;brand;59.5;17.85;Brand vid skolan\n" for i in range(1, 1800))
LATE = "1800;2024-03-01 10:00;brand;59.5;17.85;Rök i källaren\n"
CSV_1252 = ("Id;Datum;Typ;Lat;Lon;Text\n" + ASCII_ROWS + LATE).encode("cp1252")


@pytest.fixture
def client_a(client_for, coordinator_a):
    client = client_for(coordinator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_map_page_offers_encoding_and_delimiter(client_a, org_a):
    token = token_of(upload(client_a))
    html = client_a.get(reverse("imports:table_map", args=[token])).content.decode()
    assert 'name="encoding"' in html and 'value="cp1252"' in html
    assert 'name="delimiter"' in html and 'value="tab"' in html


def test_a_wrong_delimiter_chosen_by_hand_is_a_clear_error_and_can_be_changed_back(client_a, org_a):
    token = token_of(upload(client_a))
    url = reverse("imports:table_map", args=[token])
    page = client_a.get(url, {"delimiter": "tab"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Only one column was found with the delimiter tab" in html
    assert '<option value="tab" selected>' in html
    assert client_a.get(url, {"delimiter": ";"}).status_code == 200


def test_an_unknown_encoding_is_refused_by_name(client_a, org_a):
    token = token_of(upload(client_a))
    page = client_a.get(reverse("imports:table_map", args=[token]), {"encoding": "ebcdic"})
    assert "Text encoding: choose one of the encodings." in page.content.decode()


def test_the_chosen_encoding_is_kept_in_the_mapping_and_used_for_the_import(client_a, org_a):
    from trygg.events.models import Event
    from trygg.imports.mapping import ImportMapping

    token = token_of(upload(client_a, CSV_1252))
    url = reverse("imports:table_map", args=[token])
    page = client_a.get(url, {"encoding": "cp1252", "delimiter": ";"})
    assert page.status_code == 200 and "Windows-1252" in page.content.decode()
    response = client_a.post(url, MAPPING | {"encoding": "cp1252", "delimiter": ";", "save_as": "Gamla larm"})
    assert response.status_code == 302
    saved = ImportMapping.objects.get(name="Gamla larm").spec
    assert (saved["encoding"], saved["delimiter"]) == ("cp1252", ";")
    client_a.post(reverse("imports:table_start", args=[token]))
    assert Event.objects.get(external_id__endswith="1800").description == "Rök i källaren"
