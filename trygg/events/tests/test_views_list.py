"""The events list: filters with a stable link, paging, visibility per persona, masking, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trygg.accounts.models import AuditLog
from trygg.events.models import Event

from .web_helpers import at_utc, body_of, listed_ids

pytestmark = pytest.mark.django_db
LIST = "/handelser/"


@pytest.fixture
def mixed(collab_a, org_a, police_org_a, partner_org_a, make_event, reporter_a, police_a, partner_a):
    """An open municipal event, a restricted police event with personal data, a partner event."""
    return {
        "open": make_event(collab_a, org_a, user=reporter_a, category="klotter", description="Klotter på muren"),
        "restricted": make_event(collab_a, police_org_a, user=police_a, category="narkotika", lat=59.55, lon=17.95,
                                 visibility="restricted", description="Tipsare nås på 070-123 45 67"),
        "partner": make_event(collab_a, partner_org_a, user=partner_a, category="brand",
                              description="Brand i soprum, ring 0701234567"),
    }


def test_the_list_shows_the_collaborations_events(client_for, reporter_a, mixed):
    response = client_for(reporter_a).get(LIST)
    assert response.status_code == 200
    assert set(listed_ids(response)) == {str(mixed["open"].uuid), str(mixed["partner"].uuid)}


def test_partner_does_not_see_restricted_events_but_police_and_coordinator_do(
        client_for, partner_a, police_a, coordinator_a, mixed):
    restricted = str(mixed["restricted"].uuid)
    assert restricted not in listed_ids(client_for(partner_a).get(LIST))
    assert restricted in listed_ids(client_for(police_a).get(LIST))
    assert restricted in listed_ids(client_for(coordinator_a).get(LIST))


def test_the_outsider_sees_none_of_as_events_anywhere(client_for, outsider_b, collab_a, mixed):
    client = client_for(outsider_b)
    for url in (LIST, f"{LIST}?samverkan={collab_a.uuid}", "/handelser/karta/", "/handelser/export.csv",
                "/handelser/export.geojson", "/handelser/export.xlsx"):
        response = client.get(url)
        body = body_of(response)
        for event in mixed.values():
            assert str(event.uuid).encode() not in body, url
    for event in mixed.values():
        assert client.get(reverse("events:detail", args=[event.uuid])).status_code == 404
        assert client.post(reverse("events:detail", args=[event.uuid]), {"action": "delete"}).status_code == 404
    assert Event.objects.count() == 3


def test_a_user_without_any_membership_gets_404(client_for, mixed, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x" * 12)
    client = client_for(nobody)
    for url in (LIST, "/handelser/karta/", "/handelser/export.csv", "/handelser/rapportera/", "/omraden/omraden.geojson"):
        assert client.get(url).status_code == 404, url


def test_descriptions_are_masked_for_other_organisations(client_for, reporter_a, partner_a, mixed):
    html = client_for(reporter_a).get(LIST).content.decode()
    assert "0701234567" not in html and "▇▇▇" in html
    assert "Klotter på muren" in html
    own = client_for(partner_a).get(LIST).content.decode()
    assert "0701234567" in own


def test_filters_narrow_the_list(client_for, coordinator_a, collab_a, police_org_a, mixed):
    client = client_for(coordinator_a)
    assert listed_ids(client.get(LIST, {"category": "narkotika"})) == [str(mixed["restricted"].uuid)]
    assert listed_ids(client.get(LIST, {"category": "klotter"})) == [str(mixed["open"].uuid)]
    assert listed_ids(client.get(LIST, {"organisation": str(police_org_a.uuid)})) == [str(mixed["restricted"].uuid)]
    assert listed_ids(client.get(LIST, {"q": "soprum"})) == [str(mixed["partner"].uuid)]
    east = collab_a.areas.get(name="Öster")
    assert listed_ids(client.get(LIST, {"area": str(east.uuid)})) == [str(mixed["restricted"].uuid)]
    assert listed_ids(client.get(LIST, {"source": "polisen"})) == []
    assert len(listed_ids(client.get(LIST, {"source": "manual"}))) == 3


def test_a_bad_filter_is_named_and_shows_nothing(client_for, coordinator_a, mixed):
    response = client_for(coordinator_a).get(LIST, {"week": "vecka 3"})
    assert response.status_code == 400
    assert "week: skriv veckan som 2026-W47." in response.content.decode()
    assert listed_ids(response) == []


def test_the_stable_link_reproduces_the_list(client_for, coordinator_a, collab_a, mixed):
    client = client_for(coordinator_a)
    east = collab_a.areas.get(name="Öster")
    first = client.get(LIST, {"category": ["narkotika", "brand"], "area": str(east.uuid), "q": "", "page": "1"})
    link = first.context["stable_link"]
    assert link.startswith("http://testserver/handelser/?")
    assert "page=" not in link and "category=narkotika" in link
    again = client.get(link.replace("http://testserver", ""))
    assert listed_ids(again) == listed_ids(first) == [str(mixed["restricted"].uuid)]
    assert link.replace("&", "&amp;") in first.content.decode()


def test_the_list_is_paged(client_for, reporter_a, collab_a, org_a, make_event, settings):
    from trygg.events import views_list

    for _ in range(5):
        make_event(collab_a, org_a)
    original = views_list.PAGE_SIZE
    views_list.PAGE_SIZE = 2
    try:
        client = client_for(reporter_a)
        pages = [listed_ids(client.get(LIST, {"page": n, "category": "klotter"})) for n in (1, 2, 3)]
    finally:
        views_list.PAGE_SIZE = original
    assert [len(p) for p in pages] == [2, 2, 1]
    assert len({i for p in pages for i in p}) == 5
    html = client.get(LIST, {"category": "klotter"}).content.decode()
    assert "category=klotter" in html


def test_reading_restricted_events_of_other_organisations_is_audited(client_for, coordinator_a, police_a, mixed):
    client_for(coordinator_a).get(LIST)
    reads = AuditLog.objects.filter(action="read", actor__username="coordinator_a")
    assert list(reads.values_list("object_id", flat=True)) == [str(mixed["restricted"].uuid)]
    client_for(police_a).get(LIST)  # its own organisation's event: no read entry
    assert not AuditLog.objects.filter(action="read", actor__username="police_a").exists()


def test_the_october_dst_night_lands_in_the_right_day_and_week(client_for, reporter_a, collab_a, org_a, make_event):
    # 26 October 2025: clocks go back at 03:00 CEST to 02:00 CET, so 02:30 happens twice.
    first = make_event(collab_a, org_a, occurred_from=at_utc(2025, 10, 26, 0, 30))   # 02:30 CEST
    second = make_event(collab_a, org_a, occurred_from=at_utc(2025, 10, 26, 1, 30))  # 02:30 CET
    before = make_event(collab_a, org_a, occurred_from=at_utc(2025, 10, 25, 21, 59))  # Sat 23:59 CEST
    monday = make_event(collab_a, org_a, occurred_from=at_utc(2025, 10, 26, 23, 30))  # Mon 00:30 CET
    client = client_for(reporter_a)
    day = client.get(LIST, {"from": "2025-10-26", "to": "2025-10-26"})
    assert set(listed_ids(day)) == {str(first.uuid), str(second.uuid)}
    assert day.content.decode().count("2025-10-26 02:30") == 2
    week43 = set(listed_ids(client.get(LIST, {"week": "2025-W43"})))
    assert week43 == {str(first.uuid), str(second.uuid), str(before.uuid)}
    assert set(listed_ids(client.get(LIST, {"week": "2025-W44"}))) == {str(monday.uuid)}
    assert set(listed_ids(client.get(LIST, {"from": "2025-10-27", "to": "2025-10-27"}))) == {str(monday.uuid)}
