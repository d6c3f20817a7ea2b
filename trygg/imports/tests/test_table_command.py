"""``trygg import table``: dry run by default, --commit writes a run, saved mappings, resume."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from trygg.events.models import Event
from trygg.imports.mapping import ImportMapping
from trygg.imports.models import ImportRun

SPEC = {"columns": {"occurred_from": "Datum", "category": "Typ", "lat": "Lat", "lon": "Lon", "external_id": "Id"},
        "date_format": "%Y-%m-%d %H:%M"}
CSV = "Id;Datum;Typ;Lat;Lon\n1;2024-03-01 10:00;brand;59.5;17.85\n2;2024-02-31 10:00;brand;59.5;17.85\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "larm.csv"
    data.write_text(CSV, encoding="utf-8")
    mapping = tmp_path / "larm.json"
    mapping.write_text(json.dumps(SPEC), encoding="utf-8")
    return data, mapping


def call(*args):
    out = StringIO()
    call_command("import_table", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_without_commit_it_is_a_dry_run_that_writes_nothing(files, org_a):
    data, mapping = files
    out = call(str(data), "--mapping", str(mapping), "--organisation", str(org_a.uuid))
    assert "Dry run: read 2, would write 1, rejected 1" in out
    assert 'Row 3, column "Datum"' in out
    assert Event.objects.count() == 0 and ImportRun.objects.count() == 0


def test_commit_writes_events_as_a_recorded_run(files, org_a):
    data, mapping = files
    out = call(str(data), "--mapping", str(mapping), "--organisation", str(org_a.uuid), "--commit")
    run = ImportRun.objects.get()
    assert (run.kind, run.status, run.created, run.rejected) == ("table", "done", 1, 1)
    assert run.filename == "larm.csv" and run.organisation == org_a
    assert "created 1" in out and str(run.uuid) in out
    assert Event.objects.get().source == "table"


def test_a_mapping_saved_by_name_is_reused(files, org_a):
    data, mapping = files
    call(str(data), "--mapping", str(mapping), "--organisation", str(org_a.uuid), "--save-as", "Larmcentralen")
    assert ImportMapping.objects.get(organisation=org_a).name == "Larmcentralen"
    call(str(data), "--mapping", "Larmcentralen", "--commit")
    assert Event.objects.count() == 1


def test_a_mapping_file_needs_an_organisation(files, org_a):
    data, mapping = files
    with pytest.raises(CommandError, match="--organisation"):
        call(str(data), "--mapping", str(mapping))


def test_a_bad_file_gives_a_clear_error(tmp_path, files, org_a):
    _data, mapping = files
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call(str(empty), "--mapping", str(mapping), "--organisation", str(org_a.uuid))


def test_an_interrupted_run_is_resumed(files, org_a):
    data, mapping = files
    from trygg.imports.mapping import Spec
    from trygg.imports.table_import import start_table_run

    run = start_table_run(data, Spec.from_dict(SPEC), organisation=org_a)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.INTERRUPTED, checkpoint={"row": 2}, read=1,
                                               created=0)
    out = call("--resume", str(run.uuid))
    run.refresh_from_db()
    assert "Resuming after row 2" in out
    assert (run.status, run.read, run.rejected) == ("done", 2, 1)
