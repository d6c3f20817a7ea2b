"""The map page and the areas GeoJSON: the same filter and visibility as the list."""

from __future__ import annotations

import json
import re

import pytest

from .web_helpers import listed_ids

pytestmark = pytest.mark.django_db
MAP = "/handelser/karta/"


def embedded(response, element_id):
    html = response.content.decode()
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def events(collab_a, org_a, police_org_a, make_event, police_a):
    return [
        make_event(collab_a, org_a, category="klotter"),
        make_event(collab_a, org_a, category="brand", lat=59.55, lon=17.95),
        make_event(collab_a, police_org_a, user=police_a, category="narkotika", visibility="restricted"),
    ]


def test_the_map_shows_areas_and_the_filtered_events_coloured_by_category(client_for, coordinator_a, events):
    client = client_for(coordinator_a)
    response = client.get(MAP, {"category": ["klotter", "brand"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "leaflet/leaflet.js" in html and "unpkg" not in html
    features = embedded(response, "events-data")["features"]
    assert [f["id"] for f in features] == listed_ids(client.get("/handelser/", {"category": ["klotter", "brand"]}))
    colours = {f["properties"]["category_code"]: f["properties"]["colour"] for f in features}
    assert colours == {"skadegorelse": "#8e44ad", "brand": "#d35400"}
    areas = embedded(response, "areas-data")["features"]
    assert {a["properties"]["name"] for a in areas} == {"Testby", "Väster", "Öster"}
    assert "Teckenförklaring" in html and "Skadegörelse" in html and "Brand" in html
    assert '/handelser/?category=klotter&amp;category=brand' in html  # the accessible list alternative


def test_the_map_respects_visibility(client_for, partner_a, police_a, events):
    partner_ids = {f["id"] for f in embedded(client_for(partner_a).get(MAP), "events-data")["features"]}
    assert str(events[2].uuid) not in partner_ids and len(partner_ids) == 2
    police_ids = {f["id"] for f in embedded(client_for(police_a).get(MAP), "events-data")["features"]}
    assert str(events[2].uuid) in police_ids


def test_the_outsider_sees_only_their_own_collaboration_on_the_map(client_for, outsider_b, collab_a, events):
    response = client_for(outsider_b).get(MAP, {"samverkan": str(collab_a.uuid)})
    assert embedded(response, "events-data")["features"] == []
    names = {a["properties"]["name"] for a in embedded(response, "areas-data")["features"]}
    assert names == {"Annanstad", "Väster", "Öster"}
    geo = client_for(outsider_b).get("/omraden/omraden.geojson").json()
    assert "Testby" not in {f["properties"]["name"] for f in geo["features"]}


def test_the_areas_geojson_marks_the_boundary(client_for, reporter_a, collab_a):
    geo = client_for(reporter_a).get("/omraden/omraden.geojson").json()
    boundary = [f["properties"]["name"] for f in geo["features"] if f["properties"]["is_boundary"]]
    assert boundary == ["Testby"]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geo["features"])


def test_the_map_without_tiles_uses_no_network(client_for, reporter_a, events, settings):
    html = client_for(reporter_a).get(MAP).content.decode()
    assert 'data-tile-url=""' in html and "tile.openstreetmap" not in html
