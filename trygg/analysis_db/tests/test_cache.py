"""Results are cached per (analysis, parameters, visibility, data version) and never stale."""

import pytest

from trygg.analysis_db import cache, services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import full_scope

from .conftest import local

pytestmark = pytest.mark.django_db


def run(collab, **params):
    return services.weekly(full_scope(collab), parse("weekly", {"week": "2026-W11"} | params))


def total(result):
    return next(r["count"] for r in result["rows"] if r["area"] is None and r["category"] is None)


def test_a_repeated_request_is_served_from_the_cache(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    run(collab_a)
    hits = cache.STATS["hits"]
    run(collab_a)
    assert cache.STATS["hits"] == hits + 1


def test_a_new_event_invalidates_the_cached_result(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    assert total(run(collab_a)) == 1
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 11)}])
    assert total(run(collab_a)) == 2


def test_an_edit_invalidates_the_cached_result(collab_a, org_a, coordinator_a, write_events):
    from trygg.events.services import update_event

    [event] = write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    assert total(run(collab_a)) == 1
    update_event(coordinator_a, event, {"occurred_from": local(2026, 3, 3)})
    assert run(collab_a)["rows"] == [] or total(run(collab_a)) == 0


def test_a_delete_invalidates_the_cached_result(collab_a, org_a, coordinator_a, write_events):
    from trygg.events.services import delete_event

    events = write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}] * 2)
    assert total(run(collab_a)) == 2
    delete_event(coordinator_a, events[0])
    assert total(run(collab_a)) == 1


def test_renaming_an_area_invalidates_the_cached_result(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    before = run(collab_a, level="stadsdel")
    assert before["rows"][-1]["area"]["name"] == "Väster"
    area = collab_a.areas.get(name="Väster")
    area.name = "Västra"
    area.save()
    assert run(collab_a, level="stadsdel")["rows"][-1]["area"]["name"] == "Västra"


def test_other_collaborations_writes_do_not_change_the_key(collab_a, collab_b, org_a, org_b, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    key = cache.cache_key("weekly", full_scope(collab_a), {"week": "2026-W11"})
    write_events(collab_b, org_b, [{"occurred_from": local(2026, 3, 10), "lon": 18.85}])
    assert cache.cache_key("weekly", full_scope(collab_a), {"week": "2026-W11"}) == key
