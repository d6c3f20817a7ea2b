"""Each validation rule, with its message naming the field, in Swedish and English."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from trygg.events.services import EventWriter
from trygg.events.validation import EventValidationError


@pytest.fixture
def writer(collab_a):
    return EventWriter(collab_a)


def errors_for(writer, **data):
    base = {"category": "klotter", "occurred_from": timezone.now() - dt.timedelta(hours=1), "lat": 59.5, "lon": 17.85}
    with pytest.raises(EventValidationError) as info:
        writer.validate(base | data)
    return info.value.errors


@pytest.mark.django_db
def test_it_accepts_a_valid_event(writer):
    item = writer.validate({"category": "klotter", "occurred_from": timezone.now(), "lat": 59.5, "lon": 17.85})
    assert item.category_id != item.subcategory_id  # klotter is a subcategory of skadegörelse
    assert writer.catalogue.by_id[item.category_id].code == "skadegorelse"


@pytest.mark.django_db
def test_it_rejects_a_time_in_the_future_naming_the_field(writer):
    with translation.override("sv"):
        errors = errors_for(writer, occurred_from=timezone.now() + dt.timedelta(hours=2))
    assert errors == {"occurred_from": "Tid (från): Kan inte ligga i framtiden."}


@pytest.mark.django_db
def test_it_rejects_a_time_in_the_future_in_english_too(writer):
    with translation.override("en"):
        errors = errors_for(writer, occurred_from=timezone.now() + dt.timedelta(hours=2))
    assert errors == {"occurred_from": "Time (from): Cannot be in the future."}


@pytest.mark.django_db
def test_it_rejects_a_reversed_window(writer):
    start = timezone.now() - dt.timedelta(hours=3)
    with translation.override("sv"):
        errors = errors_for(writer, occurred_from=start, occurred_to=start - dt.timedelta(minutes=1))
    assert errors == {"occurred_to": "Tid (till): Tidsfönstret slutar innan det börjar."}


@pytest.mark.django_db
def test_it_rejects_a_window_longer_than_fourteen_days(writer):
    end = timezone.now() - dt.timedelta(hours=1)
    with translation.override("sv"):
        errors = errors_for(writer, occurred_from=end - dt.timedelta(days=14, minutes=1), occurred_to=end)
    assert errors == {"occurred_to": "Tid (till): Tidsfönstret får vara högst 14 dagar långt."}


@pytest.mark.django_db
def test_it_accepts_a_window_of_exactly_fourteen_days(writer):
    end = timezone.now() - dt.timedelta(hours=1)
    item = writer.validate({"category": "klotter", "occurred_from": end - dt.timedelta(days=14),
                            "occurred_to": end, "lat": 59.5, "lon": 17.85})
    assert item.occurred_to - item.occurred_from == dt.timedelta(days=14)


@pytest.mark.django_db
def test_it_rejects_a_point_outside_the_municipality(writer):
    with translation.override("sv"):
        errors = errors_for(writer, lat=59.70, lon=17.85)
    assert errors == {"location": "Plats: Punkten ligger utanför kommunen."}


@pytest.mark.django_db
def test_it_rejects_a_point_outside_sweden_and_hints_at_swapped_coordinates(writer):
    with translation.override("en"):
        errors = errors_for(writer, lat=17.85, lon=59.5)
    assert errors["location"].startswith("Location: The point is not in Sweden.")
    assert "swapped" in errors["location"]


@pytest.mark.django_db
def test_it_rejects_a_retired_category(writer, collab_a):
    from trygg.events.models import Category

    Category.objects.filter(collaboration=collab_a, code="klotter").update(is_active=False)
    with translation.override("sv"):
        errors = EventWriter(collab_a)
        errors = errors_for(errors)
    assert errors == {"category": "Kategori: Kategorin är avvecklad och tar inte emot nya händelser."}


@pytest.mark.django_db
def test_it_rejects_an_unknown_category(writer):
    with translation.override("sv"):
        errors = errors_for(writer, category="finns-inte")
    assert errors == {"category": "Kategori: Okänd kategori."}


@pytest.mark.django_db
def test_it_rejects_a_category_of_another_collaboration(collab_a, collab_b):
    from trygg.events.models import Category

    foreign = Category.objects.get(collaboration=collab_b, code="klotter")
    with pytest.raises(EventValidationError) as info:
        EventWriter(collab_a).validate({"category": foreign.pk, "occurred_from": timezone.now(), "lat": 59.5,
                                        "lon": 17.85})
    assert set(info.value.errors) == {"category"}


@pytest.mark.django_db
def test_it_rejects_a_too_long_description(writer):
    with translation.override("sv"):
        errors = errors_for(writer, description="x" * 2001)
    assert errors == {"description": "Beskrivning: Högst 2000 tecken (nu 2001)."}


@pytest.mark.django_db
def test_it_rejects_a_missing_location(writer):
    with translation.override("sv"):
        errors = errors_for(writer, lat=None, lon=None)
    assert errors == {"location": "Plats: Markera platsen på kartan eller välj en känd plats."}


@pytest.mark.django_db
def test_it_names_every_bad_field_at_once(writer):
    errors = errors_for(writer, category="", assessment=7, people_count=-1, visibility="secret")
    assert set(errors) == {"category", "assessment", "people_count", "visibility"}


@pytest.mark.django_db
def test_a_named_place_gives_the_location_and_its_precision(writer, collab_a):
    from trygg.areas.models import Place

    Place.objects.create(collaboration=collab_a, name="Torget", lat=59.51, lon=17.86)
    item = EventWriter(collab_a).validate({"category": "klotter", "occurred_from": timezone.now(), "place": "torget"})
    assert (item.lat, item.lon, item.precision) == (59.51, 17.86, "place")
