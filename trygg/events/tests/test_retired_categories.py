"""Retiring a category keeps its history: old events keep it, stay listed and editable; nothing new uses it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from trygg.events import services
from trygg.events.forms import edit_initial
from trygg.events.models import Category, Event
from trygg.events.tests.test_api_support import send, token_client
from trygg.events.validation import EventValidationError

from .web_helpers import csv_rows, listed_ids

pytestmark = pytest.mark.django_db


def retire(collab, *codes):
    Category.objects.filter(collaboration=collab, code__in=codes).update(is_active=False)


@pytest.fixture
def old_event(collab_a, org_a, reporter_a, make_event):
    """A graffiti event filed before "Klotter" was retired."""
    event = make_event(collab_a, org_a, user=reporter_a, description="Tags på muren")
    retire(collab_a, "klotter")
    return Event.objects.select_related("category", "subcategory").get(pk=event.pk)


def test_an_old_event_keeps_its_retired_category(old_event):
    assert old_event.subcategory.code == "klotter" and not old_event.subcategory.is_active


def test_an_old_event_still_shows_in_the_list_and_the_category_filter(client_for, coordinator_a, old_event):
    client = client_for(coordinator_a)
    klotter = old_event.subcategory
    response = client.get(reverse("events:list"), {"category": klotter.code})
    assert listed_ids(response) == [str(old_event.uuid)]
    assert f'value="{klotter.code}"' in response.content.decode()  # still offered as a filter


def test_an_old_event_still_shows_in_the_export(client_for, coordinator_a, old_event):
    response = client_for(coordinator_a).get(reverse("events:export", args=["csv"]), {"category": "klotter"},
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert [row["Subcategory code"] for row in csv_rows(response)] == ["klotter"]


def test_the_description_of_an_old_event_can_be_edited_through_the_service(reporter_a, old_event):
    updated = services.update_event(reporter_a, old_event, {"description": "Tags på muren, sanerat"})
    assert (updated.description, updated.subcategory_id, updated.version) == (
        "Tags på muren, sanerat", old_event.subcategory_id, 2)


def test_the_description_of_an_old_event_can_be_edited_through_the_api(reporter_a, old_event):
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{old_event.uuid}",
                    {"version": 1, "description": "Sanerat"})
    assert response.status_code == 200, response.content
    assert (response.json()["description"], response.json()["subcategory"]) == ("Sanerat", "klotter")


def test_the_edit_form_keeps_the_retired_category_of_an_old_event(client_for, reporter_a, old_event):
    client = client_for(reporter_a)
    page = client.get(reverse("events:detail", args=[old_event.uuid]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="klotter" selected>Graffiti (retired)</option>' in page
    data = edit_initial(old_event) | {"action": "edit", "version": "1", "description": "Sanerat"}
    response = client.post(reverse("events:detail", args=[old_event.uuid]), data)
    assert response.status_code == 302
    old_event.refresh_from_db()
    assert (old_event.description, old_event.subcategory.code, old_event.category.code) == (
        "Sanerat", "klotter", "skadegorelse")


def test_an_event_cannot_be_moved_to_a_retired_category(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a, category="glaskross")
    retire(collab_a, "klotter")
    with translation.override("en"), pytest.raises(EventValidationError) as info:
        services.update_event(reporter_a, event, {"category": "klotter", "subcategory": None})
    assert info.value.errors == {"category": "Category: This category is retired and takes no new events."}
    event.refresh_from_db()
    assert (event.subcategory.code, event.version) == ("glaskross", 1)


def test_an_event_cannot_be_moved_to_a_retired_category_through_the_api(reporter_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, user=reporter_a, category="glaskross")
    retire(collab_a, "brand", "brand-fordon")
    response = send(token_client(reporter_a), "patch", f"/api/v1/events/{event.uuid}",
                    {"version": 1, "category": "brand-fordon"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["category"] == (
        "Kategori: Kategorin är avvecklad och tar inte emot nya händelser.")


def test_a_new_report_cannot_use_a_retired_category(reporter_a, org_a, old_event):
    from django.utils import timezone

    with translation.override("en"), pytest.raises(EventValidationError) as info:
        services.create_report(reporter_a, org_a, [{"category": "klotter", "occurred_from": timezone.now(),
                                                    "lat": 59.5, "lon": 17.85}])
    assert info.value.errors == {"events[0].category": "Category: This category is retired and takes no new events."}
