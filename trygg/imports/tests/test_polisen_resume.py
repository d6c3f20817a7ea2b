"""A run killed half-way can be resumed from its checkpoint, or simply repeated, without duplicates."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from trygg.events.models import Event
from trygg.events.services import EventWriter
from trygg.imports import polisen
from trygg.imports.models import ImportRun
from trygg.imports.polisen import import_polisen_file

from .conftest import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_file(tmp_path):
    path = tmp_path / "feed.json"
    notices = [notice(i, summary=f"Notis {i}") for i in range(1, 26)]
    path.write_text(json.dumps(notices, ensure_ascii=False), encoding="utf-8")
    return path


def kill_after(monkeypatch, batches: int):
    """Make the writer die (like a killed process) when it writes batch number ``batches + 1``."""
    real = EventWriter.write
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > batches:
            raise KeyboardInterrupt("killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EventWriter, "write", dying)


def test_a_run_killed_after_two_batches_resumes_from_its_checkpoint(collab_a, feed_file, monkeypatch):
    monkeypatch.setattr(polisen, "BATCH", 10)
    kill_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        import_polisen_file(collab_a, feed_file)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.INTERRUPTED
    assert run.checkpoint["offset"] == 20 and run.created == 20
    assert Event.objects.count() == 20

    monkeypatch.undo()
    monkeypatch.setattr(polisen, "BATCH", 10)
    call_command("import_runs", "resume", str(run.uuid))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (run.read, run.created, run.unchanged) == (25, 25, 0)
    assert Event.objects.count() == 25
    assert sorted(int(x) for x in Event.objects.values_list("external_id", flat=True)) == list(range(1, 26))


def test_a_killed_run_repeated_from_the_start_creates_no_duplicates(collab_a, feed_file, monkeypatch):
    monkeypatch.setattr(polisen, "BATCH", 10)
    kill_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        import_polisen_file(collab_a, feed_file)
    monkeypatch.undo()
    run, _out = import_polisen_file(collab_a, feed_file)
    run.refresh_from_db()
    assert (run.created, run.unchanged) == (15, 10)
    assert Event.objects.count() == 25


def test_a_failed_batch_leaves_nothing_half_written(collab_a, feed_file, monkeypatch):
    monkeypatch.setattr(polisen, "BATCH", 10)
    real = EventWriter.write

    def half(self, inputs, **kwargs):
        real(self, inputs[:3], **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(EventWriter, "write", half)
    with pytest.raises(RuntimeError):
        import_polisen_file(collab_a, feed_file)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and "disk full" in run.error
    assert Event.objects.count() == 0 and run.checkpoint == {}


def test_resuming_a_finished_run_is_refused(collab_a, feed_file):
    from django.core.management.base import CommandError

    run, _ = import_polisen_file(collab_a, feed_file)
    with pytest.raises(CommandError):
        call_command("import_runs", "resume", str(run.uuid))
