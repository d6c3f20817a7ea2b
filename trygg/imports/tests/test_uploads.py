"""Uploaded import files are removed when no run needs them any more."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from trygg.imports import runs
from trygg.imports.mapping import Spec
from trygg.imports.models import ImportRun
from trygg.imports.table_import import run_table_import, start_table_run
from trygg.imports.uploads import clean_uploads, remove_upload, upload_dir

SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                "lat": "Lat", "lon": "Lon"},
    "date_format": "%Y-%m-%d", "time_format": "%H:%M",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def uploaded(name: str, *, days_old: float = 0) -> str:
    path = upload_dir() / name
    path.write_text("Id;Datum;Tid;Typ;Lat;Lon\n1;2024-03-01;14:30;glaskross;59.50;17.85\n", encoding="utf-8")
    if days_old:
        then = (timezone.now() - dt.timedelta(days=days_old)).timestamp()
        os.utime(path, (then, then))
    return str(path)


def a_run(org, path: str, status: str, *, finished_days_ago: float | None = None) -> ImportRun:
    run = runs.start_run(org.collaboration, ImportRun.Kind.TABLE, organisation=org, status=status,
                         options={"path": path})
    if finished_days_ago is not None:
        run.finished_at = timezone.now() - dt.timedelta(days=finished_days_ago)
        run.save(update_fields=["finished_at"])
    return run


def test_a_finished_wizard_import_removes_its_uploaded_file(org_a):
    path = uploaded("table-abc.csv")
    spec = Spec.from_dict(dict(SPEC))
    run = start_table_run(path, spec, organisation=org_a, status=ImportRun.Status.PENDING)
    run_table_import(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created == 1
    assert not os.path.exists(path)


def test_a_file_outside_the_upload_folder_is_never_removed(org_a, tmp_path):
    outside = tmp_path / "mine.csv"
    outside.write_text("x", encoding="utf-8")
    run = a_run(org_a, str(outside), ImportRun.Status.DONE)
    assert remove_upload(run) is False
    assert outside.exists()


def test_the_daily_clean_up_keeps_what_can_still_be_resumed_and_removes_the_rest(org_a):
    done = uploaded("done.csv")
    a_run(org_a, done, ImportRun.Status.DONE, finished_days_ago=0)
    failed_recent = uploaded("failed-recent.csv", days_old=1)
    a_run(org_a, failed_recent, ImportRun.Status.FAILED, finished_days_ago=1)
    failed_old = uploaded("failed-old.csv", days_old=9)
    a_run(org_a, failed_old, ImportRun.Status.INTERRUPTED, finished_days_ago=9)
    pending = uploaded("pending.csv", days_old=30)
    a_run(org_a, pending, ImportRun.Status.PENDING)
    wizard_new = uploaded("table-new.csv", days_old=1)
    wizard_old = uploaded("table-old.csv", days_old=8)

    assert clean_uploads(keep_days=7) == 3
    assert not os.path.exists(done) and not os.path.exists(failed_old) and not os.path.exists(wizard_old)
    assert os.path.exists(failed_recent) and os.path.exists(pending) and os.path.exists(wizard_new)


def test_the_worker_cleans_uploads_daily():
    from trygg.core import schedule

    job = schedule.JOBS["imports.clean_uploads"]
    now = timezone.now()
    assert job.due(now, None)
    assert not job.due(now, now - dt.timedelta(hours=23))
    assert job.due(now, now - dt.timedelta(hours=25))
