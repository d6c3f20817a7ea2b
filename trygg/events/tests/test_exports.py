"""Exports honour exactly the filters on screen and the same visibility; CSV opens in Excel."""

from __future__ import annotations

import pytest

from trygg.accounts.models import AuditLog

from .web_helpers import at_utc, csv_rows, geojson_features, listed_ids, xlsx_rows

pytestmark = pytest.mark.django_db
LIST = "/handelser/"


@pytest.fixture
def events(collab_a, org_a, police_org_a, partner_org_a, make_event, reporter_a, police_a, partner_a):
    made = [
        make_event(collab_a, org_a, user=reporter_a, category="klotter", description="Klotter på väggen, åäö"),
        make_event(collab_a, org_a, user=reporter_a, category="brand-soptunna", lat=59.55, lon=17.95),
        make_event(collab_a, police_org_a, user=police_a, category="narkotika", visibility="restricted",
                   description="Ring 070-123 45 67"),
        make_event(collab_a, partner_org_a, user=partner_a, category="klotter", description="ABC 123 parkerad"),
        make_event(collab_a, org_a, user=reporter_a, category="samling", occurred_from=at_utc(2025, 10, 26, 1, 30)),
    ]
    return made


FILTERS = [
    {},
    {"category": "skadegorelse"},
    {"category": ["klotter", "narkotika"]},
    {"q": "väggen"},
    {"from": "2025-10-26", "to": "2025-10-26"},
    {"week": "2025-W43"},
]


@pytest.mark.parametrize("params", FILTERS)
@pytest.mark.parametrize("persona", ["coordinator_a", "partner_a"])
def test_every_export_holds_exactly_the_listed_rows(client_for, events, params, persona, request):
    client = client_for(request.getfixturevalue(persona))
    listed = listed_ids(client.get(LIST, params))
    csv_ids = [row["Id"] for row in csv_rows(client.get("/handelser/export.csv", params))]
    xlsx_ids = [row["Id"] for row in xlsx_rows(client.get("/handelser/export.xlsx", params))]
    geo_ids = [f["properties"]["id"] for f in geojson_features(client.get("/handelser/export.geojson", params))]
    assert csv_ids == xlsx_ids == geo_ids == listed
    if persona == "partner_a":
        assert str(events[2].uuid) not in csv_ids


def test_the_list_page_links_to_exports_with_the_same_filter(client_for, coordinator_a, events):
    html = client_for(coordinator_a).get(LIST, {"category": "klotter", "q": "x"}).content.decode()
    for fmt in ("csv", "xlsx", "geojson"):
        assert f"/handelser/export.{fmt}?category=klotter&amp;q=x" in html


def test_csv_has_a_bom_swedish_headers_and_stockholm_times(client_for, reporter_a, events):
    response = client_for(reporter_a).get("/handelser/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    by_id = {r["Id"]: r for r in rows}
    dst = by_id[str(events[4].uuid)]
    assert dst["Tid (från)"] == "2025-10-26T02:30:00+01:00"
    assert dst["Vecka"] == "2025-W43"
    assert by_id[str(events[0].uuid)]["Beskrivning"] == "Klotter på väggen, åäö"
    assert by_id[str(events[1].uuid)]["Kategori"] == "Brand"
    assert by_id[str(events[1].uuid)]["Underkategori"] == "Brand i soptunna/container"
    assert by_id[str(events[1].uuid)]["Områden"] == "Testby, Öster"


def test_exports_mask_descriptions_of_other_organisations(client_for, reporter_a, coordinator_a, partner_a, events):
    rows = {r["Id"]: r for r in csv_rows(client_for(reporter_a).get("/handelser/export.csv"))}
    assert rows[str(events[3].uuid)]["Beskrivning"] == "▇▇▇ parkerad"
    own = {r["Id"]: r for r in csv_rows(client_for(partner_a).get("/handelser/export.csv"))}
    assert own[str(events[3].uuid)]["Beskrivning"] == "ABC 123 parkerad"
    features = geojson_features(client_for(coordinator_a).get("/handelser/export.geojson"))
    police = next(f for f in features if f["id"] == str(events[2].uuid))
    assert "070" not in police["properties"]["description"]


def test_geojson_points_are_lon_lat(client_for, reporter_a, events):
    features = geojson_features(client_for(reporter_a).get("/handelser/export.geojson", {"category": "brand"}))
    assert [f["geometry"] for f in features] == [{"type": "Point", "coordinates": [17.95, 59.55]}]


def test_an_export_is_audited_with_its_filter_and_restricted_reads(client_for, coordinator_a, events):
    client_for(coordinator_a).get("/handelser/export.xlsx", {"category": "narkotika"})
    entry = AuditLog.objects.get(action="export")
    assert entry.detail == {"format": "xlsx", "filter": {"category": ["narkotika"]}, "rows": 1}
    assert entry.actor.username == "coordinator_a"
    reads = AuditLog.objects.filter(action="read", detail__reason="export")
    assert list(reads.values_list("object_id", flat=True)) == [str(events[2].uuid)]


def test_a_bad_filter_exports_nothing(client_for, reporter_a, events):
    response = client_for(reporter_a).get("/handelser/export.csv", {"from": "igår"})
    assert response.status_code == 400
    assert "inte ett datum" in response.json()["error"]["message"]
    assert not AuditLog.objects.filter(action="export").exists()


def test_an_unknown_format_is_404(client_for, reporter_a):
    assert client_for(reporter_a).get("/handelser/export.pdf").status_code == 404
