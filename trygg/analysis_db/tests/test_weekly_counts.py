"""The weekly-count table follows every write, edit and delete, and matches the event rows."""

import pytest

from trygg.analysis_db import counts, data
from trygg.analysis_db.models import CountedWeek, WeekCount
from trygg.analysis_db.scope import full_scope
from trygg.events.filters import EventFilter
from trygg.events.models import Event

from .conftest import local

pytestmark = pytest.mark.django_db

WEEK = 202611  # 2026-03-09 .. 2026-03-15


def by_area(collab, weeks, **kw):
    scope = full_scope(collab)
    out = {}
    for area_id, cat, week, n in data.week_counts(scope, weeks, **kw):
        out[(area_id, cat, week)] = out.get((area_id, cat, week), 0) + n
    return out


def names(collab, rows):
    from trygg.areas.models import Area

    area_names = dict(Area.objects.filter(collaboration=collab).values_list("pk", "name"))
    out = {}
    for (area_id, _cat, week), n in rows.items():
        key = (area_names.get(area_id, "ALL"), week)
        out[key] = out.get(key, 0) + n
    return out


def test_it_counts_written_events_per_area_and_week(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}] * 3
                 + [{"occurred_from": local(2026, 3, 11), "lon": 17.95, "lat": 59.47}])
    got = names(collab_a, by_area(collab_a, [WEEK]))
    assert got == {("ALL", WEEK): 4, ("Testby", WEEK): 4, ("Väster", WEEK): 3, ("Öster", WEEK): 1}


def test_a_municipality_precision_event_is_counted_in_the_municipality_but_in_no_district(
        collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "precision": "kommun"},
                                   {"occurred_from": local(2026, 3, 10)}])
    got = names(collab_a, by_area(collab_a, [WEEK]))
    assert got == {("ALL", WEEK): 2, ("Testby", WEEK): 2, ("Väster", WEEK): 1}


def test_a_new_event_makes_its_week_stale_and_the_next_read_counts_it(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    assert names(collab_a, by_area(collab_a, [WEEK]))[("ALL", WEEK)] == 1
    assert CountedWeek.objects.filter(collaboration=collab_a, iso_week=WEEK).exists()
    version = counts.data_version(collab_a.pk)
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 12)}])
    assert counts.data_version(collab_a.pk) > version
    assert not CountedWeek.objects.filter(collaboration=collab_a, iso_week=WEEK).exists()
    assert names(collab_a, by_area(collab_a, [WEEK]))[("ALL", WEEK)] == 2


def test_moving_an_event_to_another_week_and_district_moves_its_count(collab_a, org_a, coordinator_a, write_events):
    from trygg.events.services import update_event

    [event] = write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    by_area(collab_a, [WEEK, WEEK + 1])  # both weeks counted once
    update_event(coordinator_a, Event.objects.get(pk=event.pk),
                 {"occurred_from": local(2026, 3, 17), "lon": 17.95, "lat": 59.47})
    got = names(collab_a, by_area(collab_a, [WEEK, WEEK + 1]))
    assert got == {("ALL", WEEK + 1): 1, ("Testby", WEEK + 1): 1, ("Öster", WEEK + 1): 1}


def test_deleting_an_event_removes_its_count(collab_a, org_a, coordinator_a, write_events):
    from trygg.events.services import delete_event

    events = write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}] * 2)
    assert names(collab_a, by_area(collab_a, [WEEK]))[("ALL", WEEK)] == 2
    delete_event(coordinator_a, Event.objects.get(pk=events[0].pk))
    assert names(collab_a, by_area(collab_a, [WEEK]))[("ALL", WEEK)] == 1


def test_a_bulk_queryset_delete_also_makes_the_weeks_stale(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}] * 2)
    by_area(collab_a, [WEEK])
    Event.objects.filter(collaboration=collab_a).delete()
    assert by_area(collab_a, [WEEK]) == {}
    assert not WeekCount.objects.filter(collaboration=collab_a).exists()


def test_the_count_table_equals_a_count_of_the_event_rows(collab_a, org_a, police_org_a, write_events):
    items = []
    for i in range(40):
        items.append({"occurred_from": local(2026, 3, 2 + i % 20, i % 24), "lon": 17.81 + (i % 19) * 0.01,
                      "lat": 59.46 + (i % 13) * 0.01, "category": ["klotter", "brand-fordon", "hot"][i % 3],
                      "precision": "kommun" if i % 7 == 0 else "point",
                      "visibility": "restricted" if i % 5 == 0 else "partners"})
    write_events(collab_a, org_a, items[:25])
    write_events(collab_a, police_org_a, items[25:])
    weeks = sorted(set(Event.objects.values_list("iso_week", flat=True)))
    scope = full_scope(collab_a)
    fast = sorted(data.week_counts(scope, weeks), key=lambda r: (r[0] or 0, *r[1:]))
    raw = sorted(data.week_counts_raw(scope, EventFilter(), weeks), key=lambda r: (r[0] or 0, *r[1:]))
    assert fast == raw
    assert sum(n for a, _c, _w, n in fast if a is None) == 40


def test_rebuild_recounts_events_loaded_behind_the_write_path(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}])
    by_area(collab_a, [WEEK])
    Event.objects.filter(collaboration=collab_a).update(iso_week=WEEK + 1)  # bypasses every hook
    assert counts.rebuild(collab_a.pk) == 1
    assert names(collab_a, by_area(collab_a, [WEEK, WEEK + 1])) == {
        ("ALL", WEEK + 1): 1, ("Testby", WEEK + 1): 1, ("Väster", WEEK + 1): 1}
