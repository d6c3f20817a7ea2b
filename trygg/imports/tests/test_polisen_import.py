"""Importing police notices: mapping, precision and named areas, skipping, rejecting, upsert, history."""

from __future__ import annotations

import io
import json

import pytest

from trygg.events.models import Event, EventHistory, Precision, Source
from trygg.imports import runs
from trygg.imports.models import ImportRun, PoliceTypeMapping
from trygg.imports.polisen import SEED_MAPPING, import_polisen, import_polisen_file

from .conftest import notice, write_feed

pytestmark = pytest.mark.django_db


def run_notices(collab, notices, **kwargs):
    run = runs.start_run(collab, ImportRun.Kind.POLISEN, source="test")
    out = import_polisen(run, io.BytesIO(json.dumps(notices, ensure_ascii=False).encode()), **kwargs)
    run.refresh_from_db()
    return run, out


def test_a_notice_for_the_own_municipality_becomes_an_event_with_everything_kept(collab_a):
    run, _out = run_notices(collab_a, [notice(101)])
    assert (run.read, run.created, run.status) == (1, 1, ImportRun.Status.DONE)
    ev = Event.objects.get(collaboration=collab_a, source=Source.POLISEN)
    assert ev.external_id == "101"
    assert ev.category.code == "skadegorelse"
    assert ev.precision == Precision.MUNICIPALITY
    assert ev.description == "Klotter på skolan."
    kept = ev.source_data["polisen"]
    assert kept["type"] == "Skadegörelse" and kept["url"].endswith("/101/") and kept["id"] == 101
    assert kept["name"].startswith("07 juni") and kept["summary"] == "Klotter på skolan."
    assert ev.organisation.kind == "polis"


def test_a_municipality_notice_is_assigned_to_the_municipality_never_a_district(collab_a):
    # The centroid lies inside district Väster: the event must still only count for the municipality.
    run_notices(collab_a, [notice(1, gps="59.525,17.85")])
    ev = Event.objects.get(external_id="1")
    assert [a.code for a in ev.areas.all()] == ["9999"]
    assert ev.outside is False


def test_notices_about_other_municipalities_are_skipped_unless_all(collab_a):
    run, out = run_notices(collab_a, [notice(1), notice(2, place="Malmö", gps="55.6,13.0")])
    assert (run.created, run.skipped, out.skipped_elsewhere) == (1, 1, 1)
    run, out = run_notices(collab_a, [notice(2, place="Malmö", gps="55.6,13.0")], all_municipalities=True)
    assert run.created == 1
    ev = Event.objects.get(external_id="2")
    assert ev.areas.count() == 0 and ev.outside  # no area of that name in this collaboration


def test_a_county_notice_gets_county_precision(collab_a):
    run_notices(collab_a, [notice(3, place="Stockholms län", gps="59.33,18.06")], all_municipalities=True)
    assert Event.objects.get(external_id="3").precision == Precision.COUNTY


def test_summary_notices_are_skipped_unless_asked_for(collab_a):
    summary = notice(4, type="Sammanfattning natt", summary="Lugn natt.")
    run, out = run_notices(collab_a, [summary])
    assert (run.created, run.skipped, out.skipped_summaries) == (0, 1, 1)
    run, _ = run_notices(collab_a, [summary], include_summaries=True)
    assert run.created == 1


def test_the_mapping_is_seeded_for_every_type_in_the_national_data(collab_a, shared_dir):
    run_notices(collab_a, [notice(1)])
    seeded = set(PoliceTypeMapping.objects.filter(collaboration=collab_a).values_list("police_type", flat=True))
    types = {n["type"].strip() for n in json.loads(
        (shared_dir / "data" / "polisen" / "events_2022_2023.json").read_text(encoding="utf-8"))}
    assert types <= seeded
    assert set(SEED_MAPPING) == seeded


def test_an_edited_mapping_is_used_and_unknown_types_go_to_other_and_are_listed(collab_a):
    from trygg.events.models import Category

    run_notices(collab_a, [notice(1)])
    PoliceTypeMapping.objects.filter(collaboration=collab_a, police_type="Brand").update(
        category=Category.objects.get(collaboration=collab_a, code="brand-fordon"))
    run, out = run_notices(collab_a, [notice(2, type="Brand"), notice(3, type="Nytt slags ärende"),
                                      notice(4, type="Nytt slags ärende")])
    ev = Event.objects.get(external_id="2")
    assert ev.category.code == "brand" and ev.subcategory.code == "brand-fordon"
    assert Event.objects.get(external_id="3").category.code == "ovrigt-polis"
    assert run.summary["unmapped_types"] == {"Nytt slags ärende": 2}
    assert dict(out.unmapped) == {"Nytt slags ärende": 2}


def test_reimporting_creates_nothing_and_changed_text_updates_with_history(collab_a):
    run_notices(collab_a, [notice(1), notice(2)])
    run, _ = run_notices(collab_a, [notice(1), notice(2)])
    assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
    changed = notice(2, summary="Klotter på skolan. Uppdatering: en person gripen.")
    run, _ = run_notices(collab_a, [notice(1), changed])
    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    ev = Event.objects.get(external_id="2")
    assert ev.description.endswith("gripen.") and ev.version == 2
    entry = EventHistory.objects.get(event=ev)
    assert "description" in entry.changes
    assert Event.objects.filter(collaboration=collab_a).count() == 2


def test_a_notice_repeated_in_one_file_makes_one_event_that_the_later_text_updates(collab_a):
    first, again = notice(7, summary="Klotter."), notice(7, summary="Klotter på skolan, sanerat.")
    run, _out = run_notices(collab_a, [first, notice(8), again, notice(8)])
    assert (run.read, run.created, run.updated, run.unchanged, run.rejected) == (4, 2, 1, 1, 0)
    ev = Event.objects.get(collaboration=collab_a, external_id="7")
    assert ev.description == "Klotter på skolan, sanerat."
    assert EventHistory.objects.filter(event=ev).count() == 1


def test_an_impossible_date_rejects_that_notice_and_the_good_ones_import(collab_a):
    run, _ = run_notices(collab_a, [notice(1), notice(2, when="2023-02-30 1:00:00 +01:00"), notice(3)])
    assert (run.read, run.created, run.rejected) == (3, 2, 1)
    rej = run.rejected_rows.get()
    assert rej.row == 2 and rej.field == "occurred_from"
    assert "2023-02-30" in rej.reason and '"id": 2' in rej.raw


def test_swapped_coordinates_are_rejected_with_a_hint(collab_a):
    run, _ = run_notices(collab_a, [notice(1, gps="17.85,59.525")])
    assert run.rejected == 1
    reason = run.rejected_rows.get().reason
    assert "Sverige" in reason and "omkastade" in reason


def test_coordinates_outside_sweden_are_rejected(collab_a):
    run, _ = run_notices(collab_a, [notice(1, gps="48.85,2.35")])
    assert (run.created, run.rejected) == (0, 1)
    assert run.rejected_rows.get().field == "location"


def test_a_notice_missing_its_id_or_position_is_rejected_naming_it(collab_a):
    bad = notice(5)
    del bad["id"]
    run, _ = run_notices(collab_a, [bad, notice(6, gps="")])
    assert run.rejected == 2
    fields = sorted(run.rejected_rows.values_list("field", flat=True))
    assert fields == ["id", "location"]


def test_a_truncated_file_imports_the_complete_notices_and_records_the_break(collab_a, tmp_path):
    path = tmp_path / "cut.json"
    text = json.dumps([notice(i) for i in range(1, 6)], ensure_ascii=False)
    path.write_text(text[: text.index('"id": 4') + 20], encoding="utf-8")
    run, out = import_polisen_file(collab_a, path)
    run.refresh_from_db()
    assert run.created == 3 and run.rejected == 1 and run.read == 4
    assert run.status == ImportRun.Status.DONE
    assert "4" in run.error and out.broken
    assert run.rejected_rows.get().row == 4


@pytest.mark.parametrize("content", [b"", b"not json at all", b'{"id": 1}'])
def test_an_unreadable_file_fails_the_run_with_a_clear_message(collab_a, tmp_path, content):
    from trygg.imports.feed import FeedError

    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(FeedError) as exc:
        import_polisen_file(collab_a, path)
    run = ImportRun.objects.get(collaboration=collab_a)
    assert run.status == ImportRun.Status.FAILED
    assert run.error == str(exc.value)
    assert Event.objects.count() == 0


def test_the_feed_file_helper_writes_what_it_is_given(tmp_path):
    write_feed(tmp_path / "x.json", [notice(1)])
    assert json.loads((tmp_path / "x.json").read_text())[0]["id"] == 1


def test_after_new_areas_the_backfill_puts_police_events_in_their_named_area(collab_a, tmp_path):
    from django.core.management import call_command

    from trygg.areas.models import Area, AreaType

    run_notices(collab_a, [notice(9, place="Malmö", gps="55.6,13.0")], all_municipalities=True)
    ev = Event.objects.get(external_id="9")
    assert ev.areas.count() == 0
    kommun_t = AreaType.objects.get(collaboration=collab_a, code="kommun")
    malmo = Area(collaboration=collab_a, type=kommun_t, name="Malmö", code="1280")
    # Deliberately NOT containing the feed's centroid: the name decides, not the point.
    malmo.set_geometry({"type": "Polygon", "coordinates": [[[12.9, 55.5], [12.95, 55.5], [12.95, 55.55],
                                                            [12.9, 55.55], [12.9, 55.5]]]})
    malmo.save()
    call_command("areas_backfill", collaboration="testby", stdout=io.StringIO())
    assert list(ev.areas.values_list("name", flat=True)) == ["Malmö"]
    ev.refresh_from_db()
    assert ev.outside is False


def test_a_changed_type_mapping_recategorises_on_the_next_import(collab_a):
    from trygg.events.models import Category

    run_notices(collab_a, [notice(1)])
    PoliceTypeMapping.objects.filter(collaboration=collab_a, police_type="Skadegörelse").update(
        category=Category.objects.get(collaboration=collab_a, code="klotter"))
    run, _ = run_notices(collab_a, [notice(1)])
    assert (run.updated, run.unchanged) == (1, 0)
    ev = Event.objects.get(external_id="1")
    assert ev.subcategory.code == "klotter"
    assert "subcategory_id" in EventHistory.objects.get(event=ev).changes


def test_a_coordinators_visibility_choice_survives_an_unchanged_reimport(collab_a):
    run_notices(collab_a, [notice(1)])
    Event.objects.filter(external_id="1").update(visibility="restricted")
    run, _ = run_notices(collab_a, [notice(1)])
    assert run.unchanged == 1
    assert Event.objects.get(external_id="1").visibility == "restricted"
