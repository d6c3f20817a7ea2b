"""Who sees what: a restricted event never reaches a partner or feedback version; outsiders get 404."""

from __future__ import annotations

import pytest

from trygg.situation.models import Variant
from trygg.situation.publish import publish
from trygg.situation.service import draft

from .conftest import RESTRICTED_LAT, RESTRICTED_LON, WEEK, WEEK_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(week_data, coordinator_a):
    picture = draft(week_data["collab"], WEEK_KEY)
    return publish(picture, coordinator_a, send=False)


def _leaks(text: str) -> list[str]:
    """Traces of the restricted police event (the only 'Narkotika' event, the only one in that corner)."""
    found = [w for w in ("Narkotika", "Drugs", "Hemlig uppgift") if w in text]
    return found


def test_the_partner_and_feedback_versions_exclude_the_restricted_event(published):
    for variant in (Variant.PARTNER, Variant.FEEDBACK):
        for doc in published.documents.filter(variant=variant):
            assert not _leaks(doc.html), (variant, doc.language, _leaks(doc.html))
        numbers = published.snapshots[variant]["numbers"]
        assert numbers["total"]["count"] == 8
        assert [RESTRICTED_LON, RESTRICTED_LAT] not in [p[:2] for p in numbers["points"]]
        assert "narkotika" not in {c["category"] for c in numbers["categories"]}
    full = published.snapshots[Variant.FULL]["numbers"]
    assert full["total"]["count"] == 9
    assert "Narkotika" in published.documents.get(variant="full", language="sv").html


@pytest.mark.parametrize("persona", ["partner_a", "reporter_a"])
def test_members_who_may_not_see_restricted_events_get_the_partner_version(request, persona, published, client_for):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(f"/lagesbild/{WEEK}/v1/")
    assert page.status_code == 200
    assert 'data-variant="partner"' in page.content.decode()
    assert not _leaks(page.content.decode())
    for variant in ("partner", "feedback"):
        assert not _leaks(client.get(f"/lagesbild/{WEEK}/v1/{variant}/utskrift/").content.decode())
        assert client.get(f"/lagesbild/{WEEK}/v1/{variant}/pdf/").status_code == 200
    assert client.get(f"/lagesbild/{WEEK}/v1/full/").status_code == 404
    assert client.get(f"/lagesbild/{WEEK}/v1/full/pdf/").status_code == 404
    # the working copy shows restricted events: not for them
    assert client.get(f"/lagesbild/{WEEK}/").status_code == 302
    api = client.get(f"/api/v1/situation/{WEEK}/versions/1")
    assert api.status_code == 200 and api.json()["variant"] == "partner"
    assert api.json()["numbers"]["total"]["count"] == 8
    assert client.get(f"/api/v1/situation/{WEEK}/versions/1?variant=full").status_code == 404


@pytest.mark.parametrize("persona", ["coordinator_a", "police_a"])
def test_coordinators_and_police_get_the_full_version(request, persona, published, client_for):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(f"/lagesbild/{WEEK}/v1/").content.decode()
    assert 'data-variant="full"' in page and "Narkotika" in page
    assert client.get(f"/api/v1/situation/{WEEK}/versions/1").json()["numbers"]["total"]["count"] == 9


def test_the_outsider_gets_404_on_everything(published, outsider_b, client_for):
    client = client_for(outsider_b)
    paths = [f"/lagesbild/{WEEK}/v1/", f"/lagesbild/{WEEK}/v1/full/", f"/lagesbild/{WEEK}/v1/feedback/pdf/",
             f"/lagesbild/{WEEK}/v1/partner/utskrift/"]
    for path in paths:
        assert client.get(path).status_code == 404, path
    # their own collaboration has no such week either: nothing of A leaks through the week page
    week_page = client.get(f"/lagesbild/{WEEK}/")
    assert "Testby" not in week_page.content.decode()
    collab_a = published.picture.collaboration
    q = f"?collaboration={collab_a.uuid}"
    for method, path in (("get", f"/api/v1/situation/{WEEK}/versions/1{q}"),
                         ("post", f"/api/v1/situation/{WEEK}/draft{q}"), ("get", f"/api/v1/situation/weeks{q}")):
        response = getattr(client, method)(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    # without naming A, the API answers for the outsider's own collaboration, which has no such version
    assert client.get(f"/api/v1/situation/{WEEK}/versions/1").status_code == 404
    assert client.get(f"/lagesbild/{WEEK}/v1/?samverkan={collab_a.uuid}").status_code == 404
