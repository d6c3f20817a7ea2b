"""The spreadsheet wizard: upload → columns → preview → import in the background, for coordinators only."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from trygg.events.models import Event
from trygg.imports.mapping import ImportMapping
from trygg.imports.models import ImportRun, RejectedRow

CSV = ("Id;Datum;Typ;Lat;Lon;Text\n"
       "1;2024-03-01 10:00;Klottrat;59,5;17,85;Tag\n"
       "2;2024-02-31 10:00;brand;59.5;17.85;Omöjligt datum\n"
       "3;2024-03-02 11:00;brand;59.55;17.95;Busskur\n")


@pytest.fixture
def client_a(client_for, coordinator_a):
    client = client_for(coordinator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(client, content=CSV.encode(), name="larm.csv"):
    return client.post(reverse("imports:table_upload"), {"file": SimpleUploadedFile(name, content)})


def token_of(response):
    assert response.status_code == 302, response.content[:500]
    return response["Location"].rstrip("/").split("/")[-1]


MAPPING = {"col_external_id": "Id", "col_occurred_from": "Datum", "col_category": "Typ", "col_lat": "Lat",
           "col_lon": "Lon", "col_description": "Text", "date_format": "%Y-%m-%d %H:%M", "coordinates": "wgs84",
           "swap_coordinates": "auto", "catname_0": "Klottrat", "catval_0": "klotter"}


def test_the_whole_wizard_imports_good_rows_and_keeps_bad_ones(client_a, org_a):
    token = token_of(upload(client_a))
    page = client_a.get(reverse("imports:table_map", args=[token]))
    assert page.status_code == 200
    assert b"UTF-8" in page.content and b"Datum" in page.content
    response = client_a.post(reverse("imports:table_map", args=[token]), MAPPING | {"save_as": "Larm"})
    assert response.status_code == 302
    assert ImportMapping.objects.get(organisation=org_a).name == "Larm"
    preview = client_a.get(reverse("imports:table_preview", args=[token]))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 of the first 3 rows can be imported" in text
    assert "Row 3, column &quot;Datum&quot;" in text
    assert Event.objects.count() == 0  # the preview writes nothing
    done = client_a.post(reverse("imports:table_start", args=[token]))
    run = ImportRun.objects.get()
    assert done["Location"] == reverse("imports:run", args=[run.uuid])
    assert (run.status, run.created, run.rejected, run.started_by.username) == ("done", 2, 1, "coordinator_a")
    assert RejectedRow.objects.get(run=run).row == 3
    assert Event.objects.filter(subcategory__code="klotter").count() == 1
    progress = client_a.get(reverse("imports:run_progress", args=[run.uuid]))
    assert b"hx-get" not in progress.content  # finished: no more polling


def test_an_ambiguous_date_order_makes_the_wizard_ask(client_a):
    content = "Datum;Typ;Lat;Lon\n03/04/2024;brand;59.5;17.85\n05/06/2024;brand;59.5;17.85\n".encode()
    token = token_of(upload(client_a, content))
    page = client_a.get(reverse("imports:table_map", args=[token]) + "?x=1")
    assert page.status_code == 200
    response = client_a.post(reverse("imports:table_map", args=[token]), {
        "col_occurred_from": "Datum", "col_category": "Typ", "col_lat": "Lat", "col_lon": "Lon"})
    assert response.status_code == 400
    assert b"day/month or month/day" in response.content
    ok = client_a.post(reverse("imports:table_map", args=[token]), {
        "col_occurred_from": "Datum", "col_category": "Typ", "col_lat": "Lat", "col_lon": "Lon",
        "date_format": "%d/%m/%Y"})
    assert ok.status_code == 302


def test_a_zero_byte_upload_is_refused_with_a_message(client_a):
    response = upload(client_a, b"")
    assert response.status_code == 400
    assert b"empty" in response.content


def test_a_one_column_file_is_refused_at_upload(client_a):
    response = upload(client_a, b"Datum Typ\n2024-01-01 brand\n")
    assert response.status_code == 400
    assert b"Only one column" in response.content


def test_a_duplicated_header_is_named_at_upload(client_a):
    response = upload(client_a, b"Datum;Typ;Datum\n2024-01-01;brand;x\n")
    assert response.status_code == 400
    assert b"appears twice" in response.content


def test_an_xlsx_with_several_sheets_lists_them_to_choose_from(client_a, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Om filen", "x"])
    data = book.create_sheet("Händelser")
    data.append(["Datum", "Typ", "Lat", "Lon"])
    data.append([dt.datetime(2024, 3, 1, 10), "brand", 59.5, 17.85])
    path = tmp_path / "a.xlsx"
    book.save(path)
    token = token_of(upload(client_a, path.read_bytes(), "a.xlsx"))
    page = client_a.get(reverse("imports:table_map", args=[token]))
    assert "choose which one" in page.content.decode()
    assert "Händelser" in page.content.decode()
    chosen = client_a.get(reverse("imports:table_map", args=[token]), {"sheet": "Händelser"})
    assert chosen.status_code == 200 and b"Lat" in chosen.content


def test_a_saved_mapping_fills_in_the_form(client_a, org_a):
    ImportMapping.objects.create(organisation=org_a, name="Larm", spec={
        "columns": {"occurred_from": "Datum", "category": "Typ", "lat": "Lat", "lon": "Lon"}})
    token = token_of(upload(client_a))
    mapping = ImportMapping.objects.get()
    page = client_a.get(reverse("imports:table_map", args=[token]), {"mapping": str(mapping.uuid)})
    assert '<option value="Datum" selected>' in page.content.decode()


def test_the_wizard_is_hidden_from_reporters_partners_and_outsiders(client_for, reporter_a, partner_a, outsider_b,
                                                                     client_a):
    token = token_of(upload(client_a))
    for user in (reporter_a, partner_a, outsider_b):
        client = client_for(user)
        if user is not outsider_b:  # the outsider coordinates collaboration B and may import there
            assert client.get(reverse("imports:table_upload")).status_code == 404
        assert client.get(reverse("imports:table_preview", args=[token])).status_code == 404
        assert client.get(reverse("imports:table_map", args=[token])).status_code == 404
        assert client.post(reverse("imports:table_start", args=[token])).status_code == 404
    assert ImportRun.objects.count() == 0


def test_another_users_wizard_token_is_not_found(client_for, admin_a, client_a):
    token = token_of(upload(client_a))
    assert client_for(admin_a).get(reverse("imports:table_map", args=[token])).status_code == 404
