"""Publication freezes a version: stored bytes, served unchanged when late events arrive."""

from __future__ import annotations

import datetime as dt

import pytest

from trygg.situation.models import PublishedVersion, Status
from trygg.situation.publish import PublishError, publish
from trygg.situation.service import draft

from .conftest import MONDAY, WEEK, WEEK_KEY, at

pytestmark = pytest.mark.django_db


def _fetch_all(client, number):
    paths = [f"/lagesbild/{WEEK}/v{number}/{variant}/{kind}" for variant in ("full", "partner", "feedback")
             for kind in ("utskrift/", "pdf/")]
    out = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = response.content
    return out


def test_a_published_version_is_byte_identical_a_month_later_after_late_events(
        week_data, coordinator_a, org_a, make_event, client_for):
    collab = week_data["collab"]
    picture = draft(collab, WEEK_KEY)
    a = picture.assessments.first()
    a.status, a.text = Status.RED, "Mycket klotter vid skolan."
    a.save()
    version = publish(picture, coordinator_a, send=False)
    client = client_for(coordinator_a)
    before = _fetch_all(client, version.number)
    stored = version.documents.get(variant="full", language="sv").fragment.encode()
    assert stored in client.get(f"/lagesbild/{WEEK}/v1/").content  # the page embeds the stored bytes
    assert b"Mycket klotter vid skolan." in stored

    # A month later (as far as the data is concerned): late reports and a new draft.
    for d in range(4):  # late reports dated in the published week
        make_event(collab, org_a, category="nedskrapning", occurred_from=at(MONDAY + dt.timedelta(days=d), 14),
                   lat=59.51, lon=17.86)
    draft(collab, WEEK_KEY)  # the working copy moves on...
    assert draft(collab, WEEK_KEY).draft["total"]["count"] == 13
    after = _fetch_all(client, version.number)
    assert after == before  # ...the published version does not
    assert stored in client.get(f"/lagesbild/{WEEK}/v1/").content
    assert PublishedVersion.objects.get(pk=version.pk).snapshots["full"]["numbers"]["total"]["count"] == 9


def test_a_later_edit_makes_version_2_with_a_visible_change_note_and_keeps_version_1(
        week_data, coordinator_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    v1 = publish(picture, coordinator_a, send=False)
    v1_html = v1.documents.get(variant="full", language="sv").html
    a = picture.assessments.first()
    a.text = "Tillägg efter mötet."
    a.save()
    with pytest.raises(PublishError) as err:
        publish(picture, coordinator_a, send=False)
    assert "change_note" in err.value.errors
    v2 = publish(picture, coordinator_a, change_note="Lade till bedömning för Väster.", send=False)
    assert v2.number == 2
    client = client_for(coordinator_a)
    page2 = client.get(f"/lagesbild/{WEEK}/v2/").content.decode()
    assert "Lade till bedömning för Väster." in page2
    assert "Tillägg efter mötet." in page2
    page1 = client.get(f"/lagesbild/{WEEK}/v1/").content.decode()
    assert "Tillägg efter mötet." not in page1
    assert v1.documents.get(variant="full", language="sv").html == v1_html


def test_publishing_through_the_page_redirects_to_the_version(week_data, coordinator_a, client_for):
    client = client_for(coordinator_a)
    assert client.get(f"/lagesbild/{WEEK}/").status_code == 200
    response = client.post(f"/lagesbild/{WEEK}/publicera/")
    assert response.status_code == 302
    assert response["Location"] == f"/lagesbild/{WEEK}/v1/"
    page = client.get(f"/lagesbild/{WEEK}/v1/")
    assert page.status_code == 200


def test_a_reporter_cannot_publish(week_data, reporter_a, client_for):
    draft(week_data["collab"], WEEK_KEY)
    client = client_for(reporter_a)
    assert client.post(f"/lagesbild/{WEEK}/publicera/").status_code == 404
    assert not PublishedVersion.objects.exists()
