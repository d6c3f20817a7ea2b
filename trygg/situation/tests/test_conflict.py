"""Two coordinators editing at once never lose an edit (optimistic locking)."""

from __future__ import annotations

import datetime as dt

import pytest

from trygg.accounts.models import Membership, User
from trygg.situation.models import AreaAssessment, Decision, Status
from trygg.situation.service import draft

from .conftest import WEEK, WEEK_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_coordinator(org_a):
    user = User.objects.create_user("coordinator_a2", password="x", email="c2@example.org")
    Membership.objects.create(user=user, organisation=org_a, role="coordinator")
    return user


def test_the_second_save_on_the_same_base_shows_both_versions_and_overwrites_nothing(
        week_data, coordinator_a, second_coordinator, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.select_related("area").first()
    url = f"/lagesbild/{WEEK}/bedomning/{a.pk}/"
    one, two = client_for(coordinator_a), client_for(second_coordinator)
    first = one.post(url, {"version": a.version, "status": Status.YELLOW, "text": "Anna: oro vid torget."},
                     HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    second = two.post(url, {"version": a.version, "status": Status.RED, "text": "Bo: bråk i helgen."},
                      HTTP_HX_REQUEST="true")
    assert second.status_code == 409
    body = second.content.decode()
    assert "Någon annan sparade" in body or "Someone else saved" in body
    assert "Anna: oro vid torget." in body and "Bo: bråk i helgen." in body  # theirs and yours
    stored = AreaAssessment.objects.get(pk=a.pk)
    assert (stored.status, stored.text) == (Status.YELLOW, "Anna: oro vid torget.")  # nothing lost
    # the merge form is based on the current version: saving it succeeds
    merged = "Anna: oro vid torget.\n\nBo: bråk i helgen."
    third = two.post(url, {"version": stored.version, "status": Status.RED, "text": merged}, HTTP_HX_REQUEST="true")
    assert third.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.text, stored.version) == (Status.RED, merged, 3)


def test_the_user_may_choose_their_own_version_after_a_conflict(
        week_data, coordinator_a, second_coordinator, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.first()
    url = f"/lagesbild/{WEEK}/bedomning/{a.pk}/"
    client_for(coordinator_a).post(url, {"version": 1, "status": "green", "text": "Lugnt."}, HTTP_HX_REQUEST="true")
    two = client_for(second_coordinator)
    assert two.post(url, {"version": 1, "status": "red", "text": "Oroligt."},
                    HTTP_HX_REQUEST="true").status_code == 409
    two.post(url, {"version": 2, "choice": "mine", "mine_status": "red", "mine_text": "Oroligt.", "text": "x"},
             HTTP_HX_REQUEST="true")
    a.refresh_from_db()
    assert (a.status, a.text) == ("red", "Oroligt.")


def test_a_conflict_without_htmx_renders_the_week_page_with_both_versions(
        week_data, coordinator_a, second_coordinator, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.first()
    url = f"/lagesbild/{WEEK}/bedomning/{a.pk}/"
    client_for(coordinator_a).post(url, {"version": 1, "status": "green", "text": "Lugnt."})
    response = client_for(second_coordinator).post(url, {"version": 1, "status": "red", "text": "Oroligt."})
    assert response.status_code == 409
    assert "Lugnt." in response.content.decode() and "Oroligt." in response.content.decode()


def test_a_decision_edited_by_two_keeps_the_first_and_reports_the_conflict(
        week_data, coordinator_a, second_coordinator, org_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    d = Decision.objects.create(picture=picture, text="Extra rondering", organisation=org_a,
                                due=dt.date(2026, 11, 13))
    url = f"/lagesbild/{WEEK}/beslut/{d.pk}/"
    form = {"version": 1, "organisation": str(org_a.uuid), "due": "2026-11-13", "status": "open"}
    assert client_for(coordinator_a).post(url, form | {"text": "Rondering fre–lör"},
                                          HTTP_HX_REQUEST="true").status_code == 200
    response = client_for(second_coordinator).post(url, form | {"text": "Rondering hela helgen"},
                                                   HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Rondering fre–lör" in response.content.decode() and "Rondering hela helgen" in response.content.decode()
    d.refresh_from_db()
    assert d.text == "Rondering fre–lör"


def test_the_focus_list_reorders_with_up_and_down_and_guards_its_version(week_data, coordinator_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    client = client_for(coordinator_a)
    url = f"/lagesbild/{WEEK}/fokus/"
    for i, note in enumerate(["Torget", "Skolan", "Garaget"]):
        assert client.post(url, {"version": 1 + i, "action": "add", "note": note},
                           HTTP_HX_REQUEST="true").status_code == 200
    items = list(picture.priorities.all())
    assert [p.label for p in items] == ["Torget", "Skolan", "Garaget"]
    client.post(url, {"version": 4, "action": "up", "item": items[2].pk}, HTTP_HX_REQUEST="true")
    assert [p.label for p in picture.priorities.all()] == ["Torget", "Garaget", "Skolan"]
    stale = client.post(url, {"version": 4, "action": "down", "item": items[0].pk}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert [p.label for p in picture.priorities.all()] == ["Torget", "Garaget", "Skolan"]


def test_a_partner_cannot_edit(week_data, partner_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.first()
    response = client_for(partner_a).post(f"/lagesbild/{WEEK}/bedomning/{a.pk}/",
                                          {"version": 1, "status": "red", "text": "x"})
    assert response.status_code == 404
    a.refresh_from_db()
    assert a.status == ""


def test_a_bad_status_is_named_in_the_error(week_data, coordinator_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.first()
    response = client_for(coordinator_a).post(f"/lagesbild/{WEEK}/bedomning/{a.pk}/",
                                              {"version": 1, "status": "purple", "text": "x"},
                                              HTTP_HX_REQUEST="true")
    assert "status" in response.content.decode()
    a.refresh_from_db()
    assert a.version == 1
