"""Uploaded import files under MEDIA_ROOT/imports: removed once they are no longer needed.

A file is needed while its run can still be started or resumed. It is removed when the run
finishes successfully, and the daily clean-up (a worker job) removes what is left: files of runs
that are done, files of failed or interrupted runs after ``TRYGG_IMPORT_KEEP_DAYS`` days (they can
be resumed until then), and files of wizards nobody finished after the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import ImportRun

log = logging.getLogger("trygg.imports")


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _inside_uploads(path: str | os.PathLike) -> Path | None:
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        return None
    base = upload_dir().resolve()
    return resolved if base in resolved.parents else None


def remove_upload(run: ImportRun) -> bool:
    """Remove the run's uploaded file (only ever a file under MEDIA_ROOT/imports)."""
    target = _inside_uploads(run.options.get("path", "")) if run.options.get("path") else None
    if target is None or not target.exists():
        return False
    target.unlink(missing_ok=True)
    return True


def clean_uploads(now: dt.datetime | None = None, keep_days: int | None = None) -> int:
    """Remove the uploaded files no run needs any more; returns how many were removed."""
    now = now or timezone.now()
    keep = dt.timedelta(days=settings.IMPORT_KEEP_DAYS if keep_days is None else keep_days)
    by_path: dict[Path, ImportRun] = {}
    for run in ImportRun.objects.filter(kind__in=[ImportRun.Kind.TABLE, ImportRun.Kind.POLISEN]).only(
            "status", "options", "started_at", "finished_at"):
        path = run.options.get("path") if isinstance(run.options, dict) else None
        target = _inside_uploads(path) if path else None
        if target is not None:
            by_path[target] = run
    removed = 0
    for file in upload_dir().iterdir():
        if not file.is_file():
            continue
        modified = dt.datetime.fromtimestamp(file.stat().st_mtime, tz=dt.timezone.utc)
        run = by_path.get(file.resolve())
        if run is None:
            gone = now - modified > keep  # a wizard nobody finished
        elif run.status == ImportRun.Status.DONE:
            gone = True
        elif run.status in (ImportRun.Status.FAILED, ImportRun.Status.INTERRUPTED):
            gone = now - (run.finished_at or modified) > keep
        else:
            gone = False  # pending or running
        if gone:
            file.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d uploaded import files", removed)
    return removed
