"""GET /api/v1/events and /events.geojson: the list page's filters, pagination, GeoJSON, times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trygg.events.tests.test_api_support import assert_error, token_client

STHLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def events(collab_a, org_a, partner_org_a, make_event, reporter_a):
    """Four events: two in Väster (lon 17.85), one in Öster (lon 17.95), one by the partner."""
    return {
        "west_old": make_event(collab_a, org_a, user=reporter_a, category="klotter",
                               occurred_from=dt.datetime(2026, 3, 2, 12, tzinfo=STHLM), description="Taggar på muren"),
        "west_new": make_event(collab_a, org_a, user=reporter_a, category="glaskross",
                               occurred_from=dt.datetime(2026, 3, 10, 12, tzinfo=STHLM), description="Krossad ruta"),
        "east": make_event(collab_a, org_a, user=reporter_a, category="brand-soptunna", lon=17.93,
                           occurred_from=dt.datetime(2026, 3, 11, 12, tzinfo=STHLM)),
        "partner": make_event(collab_a, partner_org_a, category="klotter", lon=17.93,
                              occurred_from=dt.datetime(2026, 3, 12, 12, tzinfo=STHLM)),
    }


def uuids(response):
    assert response.status_code == 200, response.content
    return {e["uuid"] for e in response.json()["results"]}


def test_it_lists_visible_events_newest_first(reporter_a, events):
    body = token_client(reporter_a).get("/api/v1/events").json()
    assert body["count"] == 4
    times = [e["occurred_from"] for e in body["results"]]
    assert times == sorted(times, reverse=True)


def test_from_and_to_narrow_by_stockholm_day(reporter_a, events):
    client = token_client(reporter_a)
    assert uuids(client.get("/api/v1/events?from=2026-03-10&to=2026-03-11")) == {
        str(events["west_new"].uuid), str(events["east"].uuid)}


def test_week_narrows_to_the_iso_week(reporter_a, events):
    assert uuids(token_client(reporter_a).get("/api/v1/events?week=2026-W10")) == {str(events["west_old"].uuid)}


def test_area_narrows_to_the_area(reporter_a, events, collab_a):
    from trygg.areas.models import Area

    east = Area.objects.get(collaboration=collab_a, code="D2")
    assert uuids(token_client(reporter_a).get(f"/api/v1/events?area={east.uuid}")) == {
        str(events["east"].uuid), str(events["partner"].uuid)}


def test_category_narrows_by_main_or_subcategory_code(reporter_a, events):
    client = token_client(reporter_a)
    assert uuids(client.get("/api/v1/events?category=klotter")) == {
        str(events["west_old"].uuid), str(events["partner"].uuid)}
    assert uuids(client.get("/api/v1/events?category=skadegorelse")) == {
        str(events["west_old"].uuid), str(events["partner"].uuid), str(events["west_new"].uuid)}
    assert uuids(client.get("/api/v1/events?category=glaskross,brand-soptunna")) == {
        str(events["west_new"].uuid), str(events["east"].uuid)}


def test_organisation_narrows_to_the_organisation(reporter_a, events, partner_org_a):
    assert uuids(token_client(reporter_a).get(f"/api/v1/events?organisation={partner_org_a.uuid}")) == {
        str(events["partner"].uuid)}


def test_source_narrows_to_the_source(reporter_a, events, collab_a, org_a, make_event):
    imported = make_event(collab_a, org_a, source="polisen", external_id="123")
    assert uuids(token_client(reporter_a).get("/api/v1/events?source=polisen")) == {str(imported.uuid)}


def test_q_searches_descriptions(reporter_a, events):
    assert uuids(token_client(reporter_a).get("/api/v1/events?q=ruta")) == {str(events["west_new"].uuid)}


@pytest.mark.parametrize("query, param", [
    ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("from=2026-03-10&to=2026-03-01", "to"),
    ("week=47", "week"), ("source=twitter", "source"), ("area=nope", "area"), ("organisation=42", "organisation"),
    ("collaboration=abc", "collaboration"), ("page=0", "page"), ("page_size=501", "page_size"),
    ("page=x", "page"),
])
def test_bad_parameters_give_422_naming_the_parameter(reporter_a, events, query, param):
    error = assert_error(token_client(reporter_a).get(f"/api/v1/events?{query}"), 422, "validation_error")
    assert list(error["fields"]) == [param]


def test_pagination_counts_and_links(reporter_a, events):
    client = token_client(reporter_a)
    first = client.get("/api/v1/events?page_size=3&category=skadegorelse,brand").json()
    assert (first["count"], first["pages"], first["page"], len(first["results"])) == (4, 2, 1, 3)
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/events?")
    assert "category=skadegorelse%2Cbrand" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert "page=1" in second["previous"]
    seen = {e["uuid"] for e in first["results"]} | {e["uuid"] for e in second["results"]}
    assert len(seen) == 4


def test_a_page_past_the_last_is_404_naming_page(reporter_a, events):
    error = assert_error(token_client(reporter_a).get("/api/v1/events?page=2"), 404, "not_found")
    assert "page" in error["fields"]


def test_an_empty_list_has_one_empty_page(reporter_a, collab_a):
    body = token_client(reporter_a).get("/api/v1/events").json()
    assert (body["count"], body["pages"], body["results"], body["next"]) == (0, 1, [], None)


def test_times_are_returned_with_the_stockholm_offset(reporter_a, collab_a, org_a, make_event):
    winter = make_event(collab_a, org_a, occurred_from=dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC))
    summer = make_event(collab_a, org_a, occurred_from=dt.datetime(2026, 7, 15, 11, 0, tzinfo=dt.UTC))
    client = token_client(reporter_a)
    assert client.get(f"/api/v1/events/{winter.uuid}").json()["occurred_from"] == "2026-01-15T12:00:00+01:00"
    assert client.get(f"/api/v1/events/{summer.uuid}").json()["occurred_from"] == "2026-07-15T13:00:00+02:00"


def test_the_dst_night_keeps_the_right_offsets(reporter_a, collab_a, org_a, make_event):
    # 2026-03-29 02:00 CET → 03:00 CEST: 00:30 UTC is 01:30+01:00, 01:30 UTC is 03:30+02:00.
    before = make_event(collab_a, org_a, occurred_from=dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC))
    after = make_event(collab_a, org_a, occurred_from=dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC))
    client = token_client(reporter_a)
    assert client.get(f"/api/v1/events/{before.uuid}").json()["occurred_from"] == "2026-03-29T01:30:00+01:00"
    assert client.get(f"/api/v1/events/{after.uuid}").json()["occurred_from"] == "2026-03-29T03:30:00+02:00"
    day = {e["uuid"] for e in client.get("/api/v1/events?from=2026-03-29&to=2026-03-29").json()["results"]}
    assert day == {str(before.uuid), str(after.uuid)}


def test_geojson_is_a_feature_collection_of_lon_lat_points(reporter_a, events):
    response = token_client(reporter_a).get("/api/v1/events.geojson?category=glaskross")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 1
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [17.85, 59.50]}
    assert feature["id"] == feature["properties"]["uuid"] == str(events["west_new"].uuid)
    assert feature["properties"]["occurred_from"] == "2026-03-10T12:00:00+01:00"
    assert "lat" not in feature["properties"]


def test_geojson_paginates_with_a_larger_maximum(reporter_a, events):
    client = token_client(reporter_a)
    body = client.get("/api/v1/events.geojson?page_size=2").json()
    assert (body["count"], body["pages"], len(body["features"])) == (4, 2, 2)
    assert "page=2" in body["next"]
    assert client.get("/api/v1/events.geojson?page_size=5000").status_code == 200
    assert_error(client.get("/api/v1/events.geojson?page_size=5001"), 422)
    assert_error(client.get("/api/v1/events?page_size=1000"), 422)


def test_the_list_takes_a_fixed_number_of_queries(reporter_a, events, collab_a, org_a, make_event,
                                                  django_assert_max_num_queries):
    for _ in range(10):
        make_event(collab_a, org_a, user=reporter_a)
    client = token_client(reporter_a)
    client.get("/api/v1/events")  # token last-used write happens here
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/events").json()["count"] == 14
