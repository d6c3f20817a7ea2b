"""Reports made in Trygg cannot escape the boundary check by claiming a coarse precision;
imports (the police feed) still may say "somewhere in the municipality or county"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from trygg.events.services import EventWriter
from trygg.events.validation import EventValidationError

pytestmark = pytest.mark.django_db


def event(**data):
    return {"category": "klotter", "occurred_from": timezone.now() - dt.timedelta(hours=1),
            "lat": 59.5, "lon": 17.85} | data


def errors(writer, **data):
    with translation.override("en"), pytest.raises(EventValidationError) as info:
        writer.validate(event(**data))
    return info.value.errors


def test_a_manual_report_may_say_only_the_municipality_when_its_point_is_inside(collab_a):
    assert EventWriter(collab_a).validate(event(precision="kommun")).precision == "kommun"


def test_a_manual_report_of_municipality_precision_outside_the_boundary_is_refused(collab_a):
    assert errors(EventWriter(collab_a), precision="kommun", lat=57.7, lon=11.97) == {
        "location": "Location: The point is outside the municipality."}


def test_a_manual_report_may_not_use_county_precision_anywhere(collab_a):
    assert errors(EventWriter(collab_a), precision="lan", lat=57.7, lon=11.97) == {
        "precision": "Location precision: A report made in Trygg gives an exact point, a named place or the "
                     "municipality."}


def test_the_api_refuses_a_coarse_precision_as_a_way_around_the_boundary(reporter_a, org_a):
    from trygg.events.tests.test_api_support import send, token_client

    body = {"organisation": str(org_a.uuid), "events": [
        {"category": "klotter", "occurred_from": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
         "lat": 55.6, "lon": 13.0, "precision": precision} for precision in ("kommun", "lan")]}
    response = send(token_client(reporter_a), "post", "/api/v1/reports", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "events[0].location": "Location: The point is outside the municipality.",
        "events[1].precision": "Location precision: A report made in Trygg gives an exact point, a named place "
                               "or the municipality.",
    }


def test_a_police_import_keeps_county_precision_outside_the_boundary(collab_a):
    item = EventWriter(collab_a).validate(event(precision="lan", lat=59.8, lon=17.6, source="polisen",
                                                external_id="p-1"))
    assert (item.precision, item.source) == ("lan", "polisen")


def test_a_police_import_keeps_municipality_precision_at_a_centroid_outside_the_boundary(collab_a):
    item = EventWriter(collab_a).validate(event(precision="kommun", lat=59.7, lon=17.85, source="polisen",
                                                external_id="p-2"))
    assert item.precision == "kommun"


def test_an_imported_exact_point_must_still_be_inside(collab_a):
    assert errors(EventWriter(collab_a), source="polisen", external_id="p-3", lat=59.7) == {
        "location": "Location: The point is outside the municipality."}
