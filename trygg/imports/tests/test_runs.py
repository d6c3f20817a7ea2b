"""The run-recording API: start, reject, progress, finish, failure and interruption, CSV."""

from __future__ import annotations

import os
import socket

import pytest

from trygg.imports import runs
from trygg.imports.models import ImportRun

pytestmark = pytest.mark.django_db


def test_a_finished_run_records_who_when_counts_and_duration(collab_a, coordinator_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="larm.csv", user=coordinator_a)
    assert run.status == ImportRun.Status.RUNNING
    runs.record_rejected(run, 3, "Tid: inte ett giltigt datum.", raw={"tid": "31/02/2024"}, field="occurred_from")
    runs.finish_run(run, {"read": 10, "created": 8, "unchanged": 1, "rejected": 1})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.started_by == coordinator_a
    assert (run.read, run.created, run.updated, run.unchanged, run.rejected) == (10, 8, 0, 1, 1)
    assert run.duration is not None and run.finished_at >= run.started_at
    assert run.percent == 100
    rej = run.rejected_rows.get()
    assert rej.row == 3 and rej.field == "occurred_from" and "31/02/2024" in rej.raw


def test_an_exception_inside_running_marks_the_run_failed_with_the_message(collab_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE)
    with pytest.raises(ValueError), runs.running(run):
        raise ValueError("boom on row 7")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "boom on row 7" in run.error


def test_ctrl_c_inside_running_marks_the_run_interrupted(collab_a):
    run = runs.start_run(collab_a, ImportRun.Kind.POLISEN)
    with pytest.raises(KeyboardInterrupt), runs.running(run):
        raise KeyboardInterrupt
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED
    assert run in runs.resumable_runs(collab_a)


def test_progress_and_checkpoint_are_saved(collab_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, total=200)
    runs.report_progress(run, done=50, counts={"created": 49, "rejected": 1}, checkpoint={"offset": 50})
    fresh = ImportRun.objects.get(pk=run.pk)
    assert fresh.percent == 25
    assert fresh.created == 49 and fresh.checkpoint == {"offset": 50}


def test_rejected_rows_csv_has_a_header_and_one_line_per_row(collab_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE)
    runs.record_rejected_many(run, [(2, "Kategori: okänd kategori.", "a;b", "category"), (5, "Tid: saknas.", "c;d")])
    text = "".join(runs.rejected_csv_lines(run))
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("2,category,Kategori: okänd kategori.")


def test_a_run_whose_process_died_silently_is_marked_interrupted_after_15_minutes(collab_a):
    import datetime as dt

    from django.utils import timezone

    dead = runs.start_run(collab_a, ImportRun.Kind.POLISEN)
    alive = runs.start_run(collab_a, ImportRun.Kind.POLISEN)
    ImportRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=16))
    ImportRun.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    assert runs.mark_stale_runs(collab_a) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportRun.Status.INTERRUPTED and dead.error
    assert alive.status == ImportRun.Status.RUNNING


def test_a_running_run_whose_process_is_gone_from_this_host_is_interrupted_at_once(collab_a):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # finished and reaped: no process has this id any more (until the system reuses it)
    dead = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="dead.csv")
    ImportRun.objects.filter(pk=dead.pk).update(pid=gone.pid)
    alive = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="alive.csv")  # this process
    assert alive.pid == os.getpid() and alive.hostname.startswith(socket.gethostname())
    elsewhere = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="other-host.csv")
    ImportRun.objects.filter(pk=elsewhere.pk).update(pid=gone.pid, hostname="another-host")
    assert runs.mark_stale_runs() == 1
    statuses = dict(ImportRun.objects.values_list("source", "status"))
    assert statuses == {"dead.csv": "interrupted", "alive.csv": "running", "other-host.csv": "running"}


def test_a_run_of_another_host_is_interrupted_after_fifteen_minutes_without_heartbeat(collab_a):
    import datetime as dt

    from django.utils import timezone

    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="other-host.csv")
    ImportRun.objects.filter(pk=run.pk).update(hostname="another-host",
                                               heartbeat_at=timezone.now() - dt.timedelta(minutes=16))
    assert runs.mark_stale_runs() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED
