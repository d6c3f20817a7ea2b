"""Big exports: CSV and GeoJSON stream every event in chunks; Excel stops at the limit and says so,
and the list page warns before anyone downloads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from trygg.accounts.models import AuditLog
from trygg.events import views_list

from .web_helpers import body_of, csv_rows, geojson_features, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(collab_a, org_a, police_org_a, make_event, settings):
    """Five events (two restricted ones of the police), with a limit of 2 and chunks of 2."""
    now = timezone.now()
    made = [make_event(collab_a, org_a, occurred_from=now - dt.timedelta(hours=h)) for h in range(1, 4)]
    made += [make_event(collab_a, police_org_a, occurred_from=now - dt.timedelta(hours=h), visibility="restricted")
             for h in range(4, 6)]
    return made


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(views_list, "EXPORT_LIMIT", 2)
    monkeypatch.setattr(views_list, "EXPORT_CHUNK", 2)


def test_the_list_page_warns_when_the_filtered_set_exceeds_the_excel_limit(client_for, coordinator_a, five,
                                                                           small_limit):
    client = client_for(coordinator_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/handelser/").content.decode()
    assert "An Excel export holds the newest 2 of these 5 events." in html


def test_the_list_page_says_nothing_below_the_limit(client_for, coordinator_a, five):
    assert 'id="export-limit"' not in client_for(coordinator_a).get("/handelser/").content.decode()


def test_the_warning_is_swedish_by_default(client_for, coordinator_a, five, small_limit):
    html = client_for(coordinator_a).get("/handelser/").content.decode()
    assert "En Excelexport innehåller de 2 senaste av dessa 5 händelser." in html


def test_csv_streams_every_event_past_the_limit(client_for, coordinator_a, five, small_limit):
    response = client_for(coordinator_a).get("/handelser/export.csv")
    assert response.streaming
    assert [r["Id"] for r in csv_rows(response)] == [str(e.uuid) for e in five]
    assert (response["X-Trygg-Rows"], response["X-Trygg-Total"]) == ("5", "5")
    assert not response.has_header("X-Trygg-Truncated")


def test_geojson_streams_every_event_as_one_valid_document(client_for, coordinator_a, five, small_limit):
    response = client_for(coordinator_a).get("/handelser/export.geojson")
    assert [f["properties"]["id"] for f in geojson_features(response)] == [str(e.uuid) for e in five]


def test_an_empty_geojson_export_is_still_valid(client_for, coordinator_a, five):
    import json

    body = body_of(client_for(coordinator_a).get("/handelser/export.geojson", {"category": "brand"}))
    assert json.loads(body) == {"type": "FeatureCollection", "features": []}


def test_streamed_restricted_events_are_logged_as_reads(client_for, partner_a, coordinator_a, five, small_limit):
    body_of(client_for(coordinator_a).get("/handelser/export.csv"))
    reads = AuditLog.objects.filter(action="read", actor=coordinator_a, detail__reason="export")
    assert sorted(reads.values_list("object_id", flat=True)) == sorted(str(e.uuid) for e in five[3:])


def test_excel_stops_at_the_limit_and_says_so(client_for, coordinator_a, five, small_limit):
    from openpyxl import load_workbook

    client = client_for(coordinator_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/handelser/export.xlsx")
    assert [r["Id"] for r in xlsx_rows(response)] == [str(e.uuid) for e in five[:2]]
    assert (response["X-Trygg-Rows"], response["X-Trygg-Total"], response["X-Trygg-Truncated"]) == ("2", "5", "true")
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(response.content)).worksheets[1].iter_rows(
        values_only=True)}
    assert about["Not included"].startswith("The newest 2 of 5 events")
    export = AuditLog.objects.get(action="export")
    assert export.detail["rows"] == 2
