"""Bulk-load mode: a large import sets the events tables' secondary indexes aside and builds them again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from trygg.events.models import Event, EventArea
from trygg.imports import bulk_load
from trygg.imports.mapping import Spec
from trygg.imports.models import HeldIndex, ImportRun
from trygg.imports.runs import mark_stale_runs
from trygg.imports.table_import import import_table, start_table_run

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = (Event._meta.db_table, EventArea._meta.db_table)
SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
    "date_format": "%Y-%m-%d", "time_format": "%H:%M",
}
HEADER = "Id;Datum;Tid;Typ;Lat;Lon;Beskrivning\n"


def lines(n, start=1):
    day = dt.date(2024, 3, 1)
    out = []
    for i in range(start, start + n):
        when = day + dt.timedelta(days=i % 60)
        lon = 17.81 + (i % 18) * 0.01  # both districts
        out.append(f"{i};{when.isoformat()};{i % 24:02d}:{i % 60:02d};Brand;59.5;{lon:.2f};rad {i}")
    out.append(f"{start + n};2024-02-31;10:00;Brand;59.5;17.85;omöjligt datum")  # one rejected row
    return out


def write(tmp_path, rows, name="a.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode("utf-8"))
    return path


# --- reading the schema on both databases -------------------------------------------------------------
def indexes() -> dict[str, tuple[str, str]]:
    """name → (table, definition) of every index of the events tables (unique ones too)."""
    marks = ", ".join(["%s"] * len(TABLES))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                        f"AND tablename IN ({marks})", list(TABLES))
        else:
            cur.execute(f"SELECT name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' "
                        f"AND tbl_name IN ({marks})", list(TABLES))
        return {name: (table, sql) for name, table, sql in cur.fetchall()}


def secondary(found: dict) -> set[str]:
    """The non-unique indexes (the ones bulk-load mode sets aside)."""
    return {name for name, (_table, sql) in found.items() if sql and not sql.upper().startswith("CREATE UNIQUE")}


def foreign_keys() -> dict[str, tuple[str, str]]:
    """PostgreSQL: name → (table, definition) of the foreign keys of the events tables; SQLite: the
    foreign keys as PRAGMA foreign_key_list reports them (they are part of the table and never dropped)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT con.conname, rel.relname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
                "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
                "WHERE con.contype = 'f' AND ns.nspname = current_schema() AND rel.relname = ANY(%s)", [list(TABLES)])
            return {name: (table, sql) for name, table, sql in cur.fetchall()}
        out = {}
        for table in TABLES:
            cur.execute(f"PRAGMA foreign_key_list({connection.ops.quote_name(table)})")
            for row in cur.fetchall():
                out[f"{table}.{row[3]}"] = (table, f"{row[2]}.{row[4]}")
        return out


def schema() -> tuple[dict, dict]:
    return indexes(), foreign_keys()


@pytest.fixture(autouse=True)
def nothing_left_aside(transactional_db):
    """Whatever a failing test leaves set aside is built again before the tables are flushed."""
    yield
    if HeldIndex.objects.exists():
        bulk_load.release()


@pytest.fixture
def bulk(settings):
    settings.IMPORT_BULK_MIN_ROWS = 20
    return settings


def start(path, org, spec=SPEC):
    spec_obj = Spec.from_dict(dict(spec))
    return start_table_run(path, spec_obj, organisation=org), spec_obj


# --- tests -----------------------------------------------------------------------------------------
def test_the_events_tables_have_secondary_indexes_to_set_aside(collab_a):
    found = indexes()
    assert secondary(found), found
    if connection.vendor == "postgresql":
        assert foreign_keys()


def test_a_large_import_loads_without_the_secondary_indexes_and_builds_them_again(tmp_path, bulk, org_a):
    before = schema()
    path = write(tmp_path, lines(120))
    run, spec = start(path, org_a)
    seen = []

    def look(done, counts):
        now = indexes()
        seen.append((done, secondary(now), set(now) - secondary(now), foreign_keys(),
                     set(HeldIndex.objects.values_list("kind", "name"))))

    import_table(run, path, spec, organisation=org_a, progress=look, chunk_size=40)
    run.refresh_from_db()

    assert len(seen) == 4
    held_names = {name for name in secondary(before[0])}
    unique = set(before[0]) - secondary(before[0])
    for done, left, unique_now, fks, held in seen:
        assert left == set(), f"after {done} rows these indexes were still there: {left}"
        assert unique_now == unique, "the unique indexes stay while loading"
        assert {name for kind, name in held if kind == HeldIndex.Kind.INDEX} == held_names
        if connection.vendor == "postgresql":
            assert fks == {}
            assert {name for kind, name in held if kind == HeldIndex.Kind.FOREIGN_KEY} == set(before[1])
        else:
            assert fks == before[1]
    assert schema() == before
    assert not HeldIndex.objects.exists()
    assert run.status == ImportRun.Status.DONE
    assert run.summary["bulk_load"] is True
    assert (run.read, run.created, run.rejected) == (121, 120, 1)
    assert Event.objects.count() == 120
    assert EventArea.objects.count() == 240  # the municipality and one district each


def test_events_loaded_in_bulk_are_found_through_the_rebuilt_indexes(tmp_path, bulk, org_a):
    path = write(tmp_path, lines(60))
    run, spec = start(path, org_a)
    import_table(run, path, spec, organisation=org_a, chunk_size=25)
    west = org_a.collaboration.areas.get(name="Väster")
    west_events = Event.objects.filter(lon__lte=17.90).count()  # the line between the districts is Väster's
    assert EventArea.objects.filter(area=west).count() == west_events > 0
    assert Event.objects.filter(collaboration=org_a.collaboration,
                                occurred_from__gte=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)).count() == 60


def test_an_import_that_fails_half_way_still_builds_every_index_again(tmp_path, bulk, org_a):
    before = schema()
    path = write(tmp_path, lines(100))
    run, spec = start(path, org_a)
    during = []

    def fail(done, counts):
        during.append(HeldIndex.objects.count())
        if done >= 50:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="disk is full"):
        import_table(run, path, spec, organisation=org_a, progress=fail, chunk_size=25)
    assert during and all(n > 0 for n in during)
    assert schema() == before
    assert not HeldIndex.objects.exists()
    assert Event.objects.count() == 50  # the finished chunks stay


def test_a_killed_import_is_restored_when_stale_runs_are_marked(tmp_path, bulk, org_a):
    before = schema()
    run, _spec = start(write(tmp_path, lines(30)), org_a)
    assert bulk_load.hold(run)
    assert secondary(indexes()) == set() and HeldIndex.objects.exists()
    # the process is gone: no heartbeat for an hour
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert mark_stale_runs() == 1
    assert schema() == before
    assert not HeldIndex.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED


def test_a_running_import_keeps_its_indexes_aside_when_stale_runs_are_marked(tmp_path, bulk, org_a):
    run, _spec = start(write(tmp_path, lines(30)), org_a)
    assert bulk_load.hold(run)
    mark_stale_runs()  # its heartbeat is fresh: it is still loading
    assert HeldIndex.objects.exists() and secondary(indexes()) == set()
    assert bulk_load.release() > 0


def test_a_killed_import_is_restored_by_the_release_indexes_command(tmp_path, bulk, org_a):
    from io import StringIO

    before = schema()
    run, _spec = start(write(tmp_path, lines(30)), org_a)
    assert bulk_load.hold(run)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED)
    out = StringIO()
    call_command("import_runs", "release-indexes", stdout=out)
    assert schema() == before
    assert not HeldIndex.objects.exists()
    assert out.getvalue().strip()


def test_releasing_twice_or_with_nothing_held_does_nothing(collab_a):
    before = schema()
    assert bulk_load.release() == 0
    assert bulk_load.hold(None)
    assert bulk_load.release() > 0
    assert bulk_load.release() == 0
    assert bulk_load.release_orphaned() == 0
    assert schema() == before


def test_a_second_hold_while_one_is_held_is_refused(tmp_path, bulk, org_a):
    run, _spec = start(write(tmp_path, lines(30)), org_a)
    assert bulk_load.hold(run) is True
    held = HeldIndex.objects.count()
    assert bulk_load.hold(None) is False
    assert HeldIndex.objects.count() == held
    bulk_load.release()


def test_a_second_large_import_while_the_indexes_are_held_loads_with_them_aside(tmp_path, bulk, org_a):
    before = schema()
    other = start_table_run(write(tmp_path, lines(10), name="other.csv"), Spec.from_dict(dict(SPEC)),
                            organisation=org_a)
    assert bulk_load.hold(other)  # another import is loading
    path = write(tmp_path, lines(60))
    run, spec = start(path, org_a)
    import_table(run, path, spec, organisation=org_a, chunk_size=25)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created == 60
    assert not run.summary.get("bulk_load")
    # The other import's hold is not released by this one.
    assert HeldIndex.objects.filter(run=other).exists()
    bulk_load.release()
    assert schema() == before


def test_a_small_import_keeps_every_index(tmp_path, settings, org_a):
    settings.IMPORT_BULK_MIN_ROWS = 1000
    before = schema()
    path = write(tmp_path, lines(60))
    run, spec = start(path, org_a)
    seen = []
    import_table(run, path, spec, organisation=org_a, chunk_size=25,
                 progress=lambda done, counts: seen.append((schema(), HeldIndex.objects.count())))
    run.refresh_from_db()
    assert seen and all(s == (before, 0) for s in seen)
    assert run.summary["bulk_load"] is False
    assert schema() == before


def test_an_import_small_against_the_table_it_adds_to_keeps_every_index(tmp_path, settings, org_a):
    settings.IMPORT_BULK_MIN_ROWS = 1000
    path = write(tmp_path, lines(60), name="first.csv")
    run, spec = start(path, org_a)
    import_table(run, path, spec, organisation=org_a)
    settings.IMPORT_BULK_MIN_ROWS = 5
    before = schema()
    path = write(tmp_path, lines(20, start=1000), name="second.csv")  # 21 rows, fewer than half of 60
    run, spec = start(path, org_a)
    seen = []
    import_table(run, path, spec, organisation=org_a, chunk_size=10,
                 progress=lambda done, counts: seen.append(HeldIndex.objects.count()))
    run.refresh_from_db()
    assert seen and set(seen) == {0}
    assert run.summary["bulk_load"] is False and run.created == 20
    assert schema() == before


def test_a_dry_run_of_a_large_file_keeps_every_index(tmp_path, bulk, org_a):
    before = schema()
    path = write(tmp_path, lines(60))
    seen = []
    import_table(None, path, Spec.from_dict(dict(SPEC)), organisation=org_a, commit=False, chunk_size=25,
                 progress=lambda done, counts: seen.append(HeldIndex.objects.count()))
    assert seen and set(seen) == {0}
    assert schema() == before


def test_a_large_import_is_checked_against_its_references_after_loading(tmp_path, bulk, org_a):
    """Loading skips the per-row foreign-key checks; the rows must still all point at real rows."""
    path = write(tmp_path, lines(60))
    run, spec = start(path, org_a)
    import_table(run, path, spec, organisation=org_a, chunk_size=25)
    with connection.cursor() as cur:
        for table in TABLES:
            if connection.vendor == "sqlite":
                cur.execute(f"PRAGMA foreign_key_check({connection.ops.quote_name(table)})")
                assert cur.fetchall() == []
    assert not Event.objects.exclude(category__collaboration=org_a.collaboration).exists()
    assert EventArea.objects.filter(event__isnull=True).count() == 0
