"""Spreadsheet import end to end: mapping, per-row rejections, idempotent re-import, resume."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trygg.events.models import Event, EventArea
from trygg.imports.mapping import MappingError, Spec
from trygg.imports.models import ImportRun, RejectedRow
from trygg.imports.table_import import import_table, start_table_run
from trygg.imports.tabular import TableError

STHLM = ZoneInfo("Europe/Stockholm")
SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
    "date_format": "%Y-%m-%d", "time_format": "%H:%M",
    "category_values": {"Klotter på vägg": "klotter"},
}
HEADER = "Id;Datum;Tid;Typ;Lat;Lon;Beskrivning\n"
GOOD = [
    "1;2024-03-01;14:30;Klotter på vägg;59,50;17,85;Tag på skolan",
    "2;2024-03-02;7:05;glaskross;59.55;17.95;Busskur",
    "3;2024-03-03;23:59;Brand;59.46;17.91;",
]


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def write(tmp_path, lines, name="a.csv", header=HEADER, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((header + "\n".join(lines) + "\n").encode(encoding))
    return path


def run_import(path, org, user=None, spec=SPEC, commit=True):
    spec_obj = Spec.from_dict(dict(spec))
    run = start_table_run(path, spec_obj, organisation=org, user=user)
    counts = import_table(run, path, spec_obj, organisation=org, user=user, commit=commit)
    run.refresh_from_db()
    return run, counts


def reasons(run):
    return {r.row: r.reason for r in RejectedRow.objects.filter(run=run)}


def test_it_imports_rows_with_mapped_categories_times_and_areas(tmp_path, org_a, coordinator_a):
    run, counts = run_import(write(tmp_path, GOOD), org_a, coordinator_a)
    assert run.status == ImportRun.Status.DONE
    assert (run.read, run.created, run.rejected) == (3, 3, 0)
    assert run.duration is not None
    first = Event.objects.get(description="Tag på skolan")
    assert first.source == "table" and first.category.code == "skadegorelse" and first.subcategory.code == "klotter"
    assert first.occurred_from == dt.datetime(2024, 3, 1, 14, 30, tzinfo=STHLM)
    assert (first.lat, first.lon) == (59.5, 17.85)
    assert first.organisation == org_a and first.created_by == coordinator_a
    assert EventArea.objects.filter(event=first).count() == 2  # the municipality and Väster
    assert Event.objects.get(description="Busskur").occurred_from.astimezone(STHLM).hour == 7


def test_reimporting_the_same_file_creates_nothing(tmp_path, org_a):
    path = write(tmp_path, GOOD)
    run_import(path, org_a)
    run, _ = run_import(path, org_a)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 3)
    assert Event.objects.count() == 3


def test_a_changed_row_updates_its_event_with_history(tmp_path, org_a):
    run_import(write(tmp_path, GOOD), org_a)
    changed = [GOOD[0].replace("Tag på skolan", "Stor tag på skolan")] + GOOD[1:]
    run, _ = run_import(write(tmp_path, changed, name="b.csv"), org_a)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    event = Event.objects.get(external_id__endswith=":1")
    assert event.description == "Stor tag på skolan" and event.history.count() == 1


def test_without_an_id_column_a_content_hash_keeps_reimport_idempotent(tmp_path, org_a):
    spec = {**SPEC, "columns": {k: v for k, v in SPEC["columns"].items() if k != "external_id"}}
    path = write(tmp_path, GOOD)
    run_import(path, org_a, spec=spec)
    run, _ = run_import(path, org_a, spec=spec)
    assert (run.created, run.unchanged) == (0, 3)
    assert Event.objects.count() == 3
    assert all(":#" in e for e in Event.objects.values_list("external_id", flat=True))


def test_two_organisations_with_the_same_ids_do_not_collide(tmp_path, org_a, partner_org_a):
    path = write(tmp_path, GOOD)
    run_import(path, org_a)
    run, _ = run_import(path, partner_org_a)
    assert run.created == 3
    assert Event.objects.filter(organisation=partner_org_a).count() == 3


def test_an_impossible_date_rejects_the_row_naming_row_and_column(tmp_path, org_a):
    lines = GOOD + ["4;2024-02-31;10:00;Brand;59.5;17.85;x", "5;2024-02-29;25:00;Brand;59.5;17.85;x"]
    run, _ = run_import(write(tmp_path, lines), org_a)
    assert (run.read, run.created, run.rejected) == (5, 3, 2)
    why = reasons(run)
    assert why[5].startswith('Row 5, column "Datum":') and "2024-02-31" in why[5]
    assert why[6].startswith('Row 6, column "Tid":')
    assert RejectedRow.objects.get(run=run, row=5).field == "Datum"


def test_swapped_coordinates_in_some_rows_are_rejected_with_a_hint(tmp_path, org_a):
    lines = GOOD + ["4;2024-03-04;10:00;Brand;17.85;59.5;swapped"]
    run, _ = run_import(write(tmp_path, lines), org_a)
    assert run.rejected == 1
    assert "swapped" in reasons(run)[5] and 'column "Lat/Lon"' in reasons(run)[5]


def test_when_every_row_is_swapped_the_columns_are_exchanged_and_said_so(tmp_path, org_a):
    lines = [";".join(p[:4] + [p[5], p[4]] + p[6:]) for p in (ln.split(";") for ln in GOOD)]
    run, _ = run_import(write(tmp_path, lines), org_a)
    assert run.created == 3 and run.rejected == 0
    assert any("swapped" in n for n in run.summary["notices"])
    assert Event.objects.get(description="Busskur").lat == 59.55


def test_points_outside_sweden_or_the_collaboration_are_rejected(tmp_path, org_a):
    lines = GOOD + ["4;2024-03-04;10:00;Brand;48.85;2.35;Paris", "5;2024-03-04;10:00;Brand;59.3;18.5;Stockholm"]
    run, _ = run_import(write(tmp_path, lines), org_a)
    assert (run.created, run.rejected) == (3, 2)
    assert "not in Sweden" in reasons(run)[5]
    assert "outside the municipality" in reasons(run)[6]


def test_unknown_categories_and_empty_dates_are_rejected(tmp_path, org_a):
    lines = GOOD + ["4;2024-03-04;10:00;Okänd typ;59.5;17.85;", "5;;10:00;Brand;59.5;17.85;"]
    run, _ = run_import(write(tmp_path, lines), org_a)
    why = reasons(run)
    assert '"Okänd typ" is not a known category' in why[5]
    assert 'column "Datum": the date is empty' in why[6]


def test_mixed_encoding_rows_are_rejected_and_the_rest_imports(tmp_path, org_a):
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + "\n".join(GOOD) + "\n").encode() + "4;2024-03-04;10:00;Brand;59.5;17.85;Gård\n".encode("cp1252"))
    run, _ = run_import(path, org_a)
    assert (run.created, run.rejected) == (3, 1)
    assert "mixes encodings" in reasons(run)[5]


def test_sweref_coordinates_are_converted(tmp_path, org_a):
    from trygg.core.geo import to_sweref

    x, y = to_sweref(17.85, 59.5)
    spec = {**SPEC, "columns": {"occurred_from": "Datum", "category": "Typ", "x": "E", "y": "N"},
            "coordinates": "sweref99tm", "date_format": "%Y-%m-%d %H:%M"}
    path = write(tmp_path, [f"2024-03-01 10:00;brand;{x:.1f};{y:.1f}", f"2024-03-01 11:00;brand;{y:.1f};{x:.1f}"],
                 header="Datum;Typ;E;N\n")
    run, _ = run_import(path, org_a, spec=spec)
    assert (run.created, run.rejected) == (1, 1)
    event = Event.objects.get()
    assert abs(event.lat - 59.5) < 1e-5 and abs(event.lon - 17.85) < 1e-5
    assert "look swapped" in reasons(run)[3]


def test_a_place_name_is_resolved_against_the_gazetteer(tmp_path, collab_a, org_a):
    from trygg.areas.models import Place

    Place.objects.create(collaboration=collab_a, name="Torget", aliases=["Stortorget"], lat=59.52, lon=17.88)
    spec = {"columns": {"occurred_from": "Datum", "category": "Typ", "place": "Plats"}, "coordinates": "place",
            "date_format": "%d.%m.%Y"}
    path = write(tmp_path, ["01.03.2024;brand;stortorget", "02.03.2024;brand;Ingenstans"], header="Datum;Typ;Plats\n")
    run, _ = run_import(path, org_a, spec=spec)
    assert (run.created, run.rejected) == (1, 1)
    assert Event.objects.get().precision == "place"
    assert 'column "Plats"' in reasons(run)[3]


def test_an_ambiguous_day_month_order_is_refused_without_a_declared_format(tmp_path, org_a):
    spec = {"columns": {"occurred_from": "Datum", "category": "Typ", "lat": "Lat", "lon": "Lon"}}
    path = write(tmp_path, ["03/04/2024;brand;59.5;17.85", "05/06/2024;brand;59.5;17.85"], header="Datum;Typ;Lat;Lon\n")
    with pytest.raises(MappingError) as exc:
        run_import(path, org_a, spec=spec)
    assert "day/month or month/day" in exc.value.message and '"Datum"' in exc.value.message
    assert Event.objects.count() == 0


def test_one_value_above_twelve_decides_the_day_month_order(tmp_path, org_a):
    spec = {"columns": {"occurred_from": "Datum", "category": "Typ", "lat": "Lat", "lon": "Lon"}}
    path = write(tmp_path, ["03/04/2024;brand;59.5;17.85", "25/06/2024;brand;59.5;17.85"], header="Datum;Typ;Lat;Lon\n")
    run, _ = run_import(path, org_a, spec=spec)
    assert run.created == 2
    assert Event.objects.filter(occurred_from__month=4).count() == 1


def test_a_mapping_naming_a_missing_column_is_refused(tmp_path, org_a):
    spec = {**SPEC, "columns": {**SPEC["columns"], "description": "Text"}}
    with pytest.raises(MappingError) as exc:
        run_import(write(tmp_path, GOOD), org_a, spec=spec)
    assert 'no column "Text"' in exc.value.message


def test_a_dry_run_writes_nothing(tmp_path, org_a):
    spec = Spec.from_dict(dict(SPEC))
    counts = import_table(None, write(tmp_path, GOOD + ["4;2024-02-31;1:00;Brand;59.5;17.85;"]), spec,
                          organisation=org_a, commit=False)
    assert (counts.read, counts.created, counts.rejected) == (4, 3, 1)
    assert counts.rejected_sample[0].row == 5
    assert Event.objects.count() == 0


def test_a_run_interrupted_after_a_chunk_resumes_without_duplicates(tmp_path, org_a):
    lines = [f"{i};2024-03-01;10:00;Brand;59.5;17.85;rad {i}" for i in range(1, 26)]
    path = write(tmp_path, lines)
    spec = Spec.from_dict(dict(SPEC))
    run = start_table_run(path, spec, organisation=org_a)

    calls = []

    def die_after_two_chunks(done, counts):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_table(run, path, spec, organisation=org_a, progress=die_after_two_chunks, chunk_size=10)
    run.refresh_from_db()
    assert run.checkpoint == {"row": 21} and Event.objects.count() == 20
    import_table(run, path, Spec.from_dict(dict(SPEC)), organisation=org_a, chunk_size=10)
    run.refresh_from_db()
    assert (run.read, run.created, run.status) == (25, 25, ImportRun.Status.DONE)
    assert Event.objects.count() == 25


def test_a_dst_night_time_is_stored_in_utc(tmp_path, org_a):
    path = write(tmp_path, ["1;2024-10-27;02:30;Brand;59.5;17.85;", "2;2024-03-31;03:30;Brand;59.5;17.85;"])
    run_import(path, org_a)
    autumn = Event.objects.get(external_id__endswith=":1").occurred_from
    spring = Event.objects.get(external_id__endswith=":2").occurred_from
    assert autumn == dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.timezone.utc)  # first 02:30 (summer time)
    assert spring == dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.timezone.utc)


def test_an_empty_file_fails_with_a_message(tmp_path, org_a):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(TableError):
        run_import(path, org_a)


def test_rejection_reasons_are_in_swedish_for_swedish_users(tmp_path, org_a):
    from django.utils import translation

    with translation.override("sv"):
        run, _ = run_import(write(tmp_path, GOOD + ["4;2024-02-31;10:00;Brand;59.5;17.85;x"]), org_a)
    assert reasons(run)[5].startswith('Rad 5, kolumn "Datum": "2024-02-31" är inte ett giltigt datum')
