"""GET /api/v1/areas and /api/v1/areas/{uuid}: GeoJSON of the caller's areas only."""

from __future__ import annotations

import uuid

from trygg.events.tests.test_api_support import assert_error, token_client


def test_it_lists_the_collaborations_areas_as_a_feature_collection(reporter_a, collab_a):
    response = token_client(reporter_a).get("/api/v1/areas")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    by_name = {f["properties"]["name"]: f for f in body["features"]}
    assert set(by_name) == {"Testby", "Väster", "Öster"}
    west = by_name["Väster"]
    assert west["type"] == "Feature" and west["id"] == west["properties"]["uuid"]
    assert set(west["properties"]) == {"uuid", "name", "code", "type", "parent"}
    assert west["properties"]["type"] == "stadsdel" and west["properties"]["code"] == "D1"
    assert west["properties"]["parent"] == by_name["Testby"]["id"]
    assert by_name["Testby"]["properties"]["parent"] is None


def test_coordinates_are_lon_lat(reporter_a, collab_a):
    body = token_client(reporter_a).get("/api/v1/areas?type=stadsdel").json()
    west = next(f for f in body["features"] if f["properties"]["name"] == "Väster")
    assert west["geometry"]["type"] == "MultiPolygon"
    ring = west["geometry"]["coordinates"][0][0]
    lons = {round(p[0], 2) for p in ring}
    lats = {round(p[1], 2) for p in ring}
    assert lons == {17.80, 17.90} and lats == {59.45, 59.60}
    assert ring[0] == ring[-1]


def test_type_narrows_to_an_area_type(reporter_a, collab_a):
    body = token_client(reporter_a).get("/api/v1/areas?type=stadsdel").json()
    assert {f["properties"]["name"] for f in body["features"]} == {"Väster", "Öster"}


def test_an_unknown_type_is_422_naming_type(reporter_a, collab_a):
    error = assert_error(token_client(reporter_a).get("/api/v1/areas?type=nope"), 422)
    assert list(error["fields"]) == ["type"]


def test_one_area_is_a_feature(reporter_a, collab_a):
    area = collab_a.areas.get(code="D2")
    body = token_client(reporter_a).get(f"/api/v1/areas/{area.uuid}").json()
    assert body["type"] == "Feature" and body["properties"]["name"] == "Öster"
    assert len(body["geometry"]["coordinates"][0]) == 2  # the outer ring and the lake


def test_an_unknown_area_is_404(reporter_a, collab_a):
    assert_error(token_client(reporter_a).get(f"/api/v1/areas/{uuid.uuid4()}"), 404, "not_found")


def test_outsider_gets_404_for_an_area_of_a_and_only_sees_their_own(outsider_b, collab_a):
    client = token_client(outsider_b)
    area = collab_a.areas.first()
    assert_error(client.get(f"/api/v1/areas/{area.uuid}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/areas?collaboration={collab_a.uuid}"), 404, "not_found")
    ids = {f["id"] for f in client.get("/api/v1/areas").json()["features"]}
    assert ids and not ids & {str(a.uuid) for a in collab_a.areas.all()}
