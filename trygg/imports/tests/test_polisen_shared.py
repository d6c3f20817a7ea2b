"""Must show: all 20,390 real police notices, with the real municipality and county boundaries."""

from __future__ import annotations

import json

import pytest

from trygg.events.models import Event, EventArea, EventHistory, Precision, Source
from trygg.imports.polisen import import_polisen_file

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def _files(shared_dir):
    files = sorted((shared_dir / "data" / "polisen").glob("*.json"))
    assert files, "no police files in shared data"
    return files


def test_every_real_notice_is_imported_or_rejected_and_lands_in_the_named_area(national, shared_dir):
    for path in _files(shared_dir):
        notices = json.loads(path.read_text(encoding="utf-8"))
        summaries = sum(1 for n in notices if n["type"].startswith("Sammanfattning"))
        run, out = import_polisen_file(national, path, all_municipalities=True)
        run.refresh_from_db()
        assert run.read == len(notices)
        # Every notice is either imported or rejected with a reason; the counts add up.
        assert run.read == run.created + run.rejected + out.skipped_summaries
        assert out.skipped_summaries == summaries and run.skipped == summaries
        assert run.rejected == run.rejected_rows.count()
        assert all(r.reason for r in run.rejected_rows.all())
        assert Event.objects.filter(collaboration=national, source=Source.POLISEN).count() >= run.created

    # Every municipality-level notice lands in the municipality its location name names.
    muni = {a.pk: a.name.lower() for a in national.areas.filter(type__code="kommun")}
    counties = {a.pk: a.name.lower() for a in national.areas.filter(type__code="lan")}
    links: dict[int, set[int]] = {}
    for event_id, area_id in EventArea.objects.filter(event__collaboration=national).values_list("event_id", "area_id"):
        links.setdefault(event_id, set()).add(area_id)
    expected_c = expected_m = 0
    for path in _files(shared_dir):
        for n in json.loads(path.read_text(encoding="utf-8")):
            if not n["type"].startswith("Sammanfattning"):
                if n["location"]["name"].endswith(" län"):
                    expected_c += 1
                else:
                    expected_m += 1
    checked_m = checked_c = 0
    for ev in Event.objects.filter(collaboration=national).only("pk", "precision", "source_data"):
        place = ev.source_data["polisen"]["location"]["name"].lower()
        mine = links.get(ev.pk, set())
        if ev.precision == Precision.MUNICIPALITY:
            names = [muni.get(a, "?") for a in mine]
            assert names == [place], (ev.pk, place, names)  # that municipality only, nothing finer
            checked_m += 1
        else:
            assert ev.precision == Precision.COUNTY
            names = [counties[a] for a in mine]
            assert len(names) == 1 and place.startswith(names[0]), (place, names)
            checked_c += 1
    rejected = sum(r.rejected for r in national.import_runs.all())
    assert checked_m + checked_c + rejected == expected_m + expected_c
    assert checked_m > 15000 and checked_c > 1500

    # A second import changes nothing.
    before = Event.objects.filter(collaboration=national).count()
    history = EventHistory.objects.count()
    for path in _files(shared_dir):
        run, _out = import_polisen_file(national, path, all_municipalities=True)
        run.refresh_from_db()
        assert (run.created, run.updated) == (0, 0)
        assert run.unchanged == run.read - run.rejected - run.skipped
    assert Event.objects.filter(collaboration=national).count() == before
    assert EventHistory.objects.count() == history
