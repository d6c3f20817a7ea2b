"""Invariants of the counts, checked with hypothesis over random event sets."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trygg.analysis_db import services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import full_scope

from .conftest import local

pytestmark = pytest.mark.django_db

event = st.fixed_dictionaries({
    "day": st.integers(0, 20),
    "lon": st.floats(17.801, 17.999),
    "lat": st.floats(59.451, 59.599),
    "category": st.sampled_from(["klotter", "brand-fordon", "hot", "grovavfall"]),
    "precision": st.sampled_from(["point", "point", "kommun"]),
})

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def as_items(drawn):
    return [{"occurred_from": local(2026, 3, 2) + dt.timedelta(days=e["day"], hours=3), "lon": e["lon"],
             "lat": e["lat"], "category": e["category"], "precision": e["precision"]} for e in drawn]


def reset(collab):
    from trygg.events.models import Event

    Event.objects.filter(collaboration=collab).delete()


@SETTINGS
@given(drawn=st.lists(event, max_size=25))
def test_district_counts_plus_unplaced_equal_the_total(collab_a, org_a, write_events, drawn):
    reset(collab_a)
    write_events(collab_a, org_a, as_items(drawn))
    for week in ("2026-W10", "2026-W11", "2026-W12"):
        result = services.weekly(full_scope(collab_a), parse("weekly", {"week": week, "level": "stadsdel"}))
        rows = [r for r in result["rows"] if r["category"] is None]
        total = sum(r["count"] for r in rows if r["area"] is None)
        districts = sum(r["count"] for r in rows if r["area"] is not None)
        unplaced = sum(r["count"] for r in result["not_in_level"] if r["category"] is None)
        assert districts + unplaced == total
        per_cat = sum(r["count"] for r in result["rows"] if r["area"] is None and r["category"] is not None)
        assert per_cat == total


@SETTINGS
@given(drawn=st.lists(event, min_size=1, max_size=20), seed=st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_events_were_written(collab_a, org_a, write_events, drawn, seed):
    from django.core.cache import cache

    items = as_items(drawn)
    reset(collab_a)
    write_events(collab_a, org_a, items)
    params = {"week": "2026-W11", "level": "stadsdel"}
    first = services.weekly(full_scope(collab_a), parse("weekly", params))["rows"]
    conc_first = services.concentration(full_scope(collab_a), parse("concentration", {"cell": "1000"}))["rows"]
    shuffled = list(items)
    seed.shuffle(shuffled)
    reset(collab_a)
    cache.clear()
    write_events(collab_a, org_a, shuffled)
    assert services.weekly(full_scope(collab_a), parse("weekly", params))["rows"] == first
    assert services.concentration(full_scope(collab_a), parse("concentration", {"cell": "1000"}))["rows"] == conc_first


@SETTINGS
@given(drawn=st.lists(event, max_size=25))
def test_the_aoristic_table_sums_to_the_number_of_events(collab_a, org_a, write_events, drawn):
    reset(collab_a)
    write_events(collab_a, org_a, as_items(drawn))
    result = services.aoristic(full_scope(collab_a), parse("aoristic", {}))
    assert sum(map(sum, result["day_hour"])) == pytest.approx(len(drawn))
    assert result["events"] == len(drawn)
