"""/api/v1/analysis/…: JSON with parameters echoed, CSV, errors in the one shape, 404 for outsiders."""

import csv
import io
import json

import pytest

from .conftest import local

pytestmark = pytest.mark.django_db

URL = "/api/v1/analysis"


@pytest.fixture
def data(collab_a, org_a, partner_org_a, write_events):
    when = {"occurred_from": local(2026, 3, 10)}
    write_events(collab_a, org_a, [when] * 3 + [when | {"visibility": "restricted"}])
    return collab_a


def total(body):
    return next(r["count"] for r in body["rows"] if r["area"] is None and r["category"] is None)


def test_weekly_returns_json_with_the_parameters_echoed(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/weekly", {"week": "2026-W11", "z": "2.5", "level": "stadsdel"})
    assert response.status_code == 200
    body = response.json()
    assert body["parameters"] | {} == body["parameters"]
    assert body["parameters"]["week"] == "2026-W11"
    assert body["parameters"]["z"] == 2.5
    assert body["parameters"]["level"] == "stadsdel"
    assert body["parameters"]["prior_weeks"] == 8
    assert total(body) == 4
    assert body["same_week_last_year"] == "2025-W11"


def test_the_partner_gets_counts_without_others_restricted_events(data, client_for, partner_a):
    body = client_for(partner_a).get(f"{URL}/weekly", {"week": "2026-W11"}).json()
    assert total(body) == 3


def test_the_outsider_gets_404_for_another_collaboration(data, client_for, outsider_b):
    response = client_for(outsider_b).get(f"{URL}/weekly", {"week": "2026-W11", "samverkan": str(data.uuid)})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_anonymous_caller_is_refused(data, client):
    response = client.get(f"{URL}/weekly")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bad_parameters_are_named_in_the_error(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/weekly", {"week": "vecka 11", "z": "x"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameters"
    assert set(error["fields"]) == {"week", "z"}


def test_a_missing_required_parameter_is_named(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/compare", {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"base_from", "base_to"}


def test_an_unknown_level_is_an_error(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/weekly", {"level": "planet"})
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]


def test_weekly_as_csv(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/weekly", {"week": "2026-W11", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["area", "area_type", "category", "count"]
    assert json.loads(response["X-Trygg-Parameters"])["week"] == "2026-W11"
    assert any(r[0] == "Väster" and r[3] == "4" for r in rows[1:])


def test_kde_is_not_available_as_csv(data, client_for, coordinator_a):
    response = client_for(coordinator_a).get(f"{URL}/kde", {"format": "csv"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


@pytest.mark.parametrize("analysis, params", [
    ("compare", {"from": "2026-03-09", "to": "2026-03-15", "base_from": "2026-03-02", "base_to": "2026-03-08"}),
    ("aoristic", {}),
    ("hotspots", {"cell": "1000", "permutations": "99"}),
    ("emerging", {"cell": "2000", "permutations": "49", "weeks": "4", "week": "2026-W11"}),
    ("moran", {"shape": "hex", "cell": "1500", "permutations": "99"}),
    ("kde", {"cell": "500"}),
    ("concentration", {"shape": "areas"}),
])
def test_every_analysis_answers_with_its_parameters(data, client_for, coordinator_a, analysis, params):
    response = client_for(coordinator_a).get(f"{URL}/{analysis}", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["parameters"]["analysis"] == analysis
    for key, value in params.items():
        echoed = body["parameters"][key]
        assert (float(echoed) == float(value)) if isinstance(echoed, (int, float)) else echoed == value


def test_effect_endpoint(data, client_for, coordinator_a):
    west, east = (str(data.areas.get(name=n).uuid) for n in ("Väster", "Öster"))
    response = client_for(coordinator_a).get(f"{URL}/effect", {
        "target": west, "comparison": east, "buffer": "500", "before_from": "2026-03-01",
        "before_to": "2026-03-08", "after_from": "2026-03-09", "after_to": "2026-03-16"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"]["target"] == {"before": 0, "after": 4}
    assert body["too_few_events"] is True
    assert body["parameters"]["buffer"] == 500.0
