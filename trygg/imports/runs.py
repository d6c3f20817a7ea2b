"""The run-recording API every importer uses (police feed, spreadsheets, boundary files).

    run = start_run(collaboration, ImportRun.Kind.TABLE, source="larm.csv", user=user)
    with running(run):                       # failed / interrupted on exceptions
        ...
        record_rejected(run, 17, _("Time: not a valid date."), raw=row, field="occurred_from")
        report_progress(run, done=4000, total=10000, counts={"created": 3990, "rejected": 10})
    finish_run(run, {"read": 10000, "created": 9990, "rejected": 10})

Counts are plain ints: ``read``, ``created``, ``updated``, ``unchanged``, ``rejected``,
``skipped``. ``record_rejected`` does not touch ``run.rejected`` — pass the total in the counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import ImportRun, RejectedRow

Status = ImportRun.Status


def os_user() -> str:
    """The operating-system user running this process ("" when it cannot be told)."""
    import getpass

    try:
        return getpass.getuser()[:150]
    except Exception:  # no USER/LOGNAME and no passwd entry (some containers)
        try:
            return f"uid {os.getuid()}"
        except AttributeError:
            return ""


def hostname() -> str:
    """This host, plus its process-id namespace: two containers that share a host name do not
    see each other's processes, so they must not judge each other's runs by process id."""
    try:
        name = socket.gethostname()
    except OSError:
        name = ""
    try:
        name += " " + os.readlink("/proc/self/ns/pid")  # e.g. "pid:[4026531836]"
    except OSError:
        pass
    return name.strip()[:255]


def start_run(collaboration, kind: str, *, source: str = "", filename: str = "", user=None,
              organisation=None, options: dict | None = None, total: int | None = None,
              status: str = Status.RUNNING, started_by_name: str | None = None) -> ImportRun:
    """Create a run (running by default; ``status=PENDING`` for a run the worker starts later).

    Who started it: ``user`` (a Trygg user), else ``started_by_name``, else the operating-system
    user of this process (the command line, the worker).
    """
    user = user if getattr(user, "is_authenticated", False) else None
    if started_by_name is None:
        started_by_name = user.get_username() if user is not None else os_user()
    return ImportRun.objects.create(
        collaboration=collaboration, organisation=organisation, started_by=user,
        started_by_name=str(started_by_name)[:150],
        kind=kind, source=str(source)[:300], filename=str(filename)[:300], status=status,
        options=options or {}, progress_total=total, heartbeat_at=timezone.now(),
        pid=os.getpid() if status == Status.RUNNING else None,
        hostname=hostname() if status == Status.RUNNING else "",
    )


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw).decode("utf-8", errors="replace")
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(raw)


def record_rejected(run: ImportRun, row: int, reason: str, raw: Any = None, field: str = "") -> RejectedRow:
    """Keep one rejected row with its reason (already translated, naming the field or row)."""
    return RejectedRow.objects.create(run=run, row=max(0, int(row)), field=str(field)[:100],
                                      reason=str(reason), raw=_raw_text(raw))


def record_rejected_many(run: ImportRun, rows: Iterable[tuple]) -> int:
    """Bulk form: rows of (row, reason, raw[, field])."""
    objs = [
        RejectedRow(run=run, row=max(0, int(r[0])), reason=str(r[1]), raw=_raw_text(r[2] if len(r) > 2 else None),
                    field=str(r[3])[:100] if len(r) > 3 else "")
        for r in rows
    ]
    RejectedRow.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def _counts(counts) -> dict[str, int]:
    if counts is None:
        return {}
    if not isinstance(counts, dict):
        counts = {name: getattr(counts, name) for name in ImportRun.COUNTS if hasattr(counts, name)}
    return {k: int(v) for k, v in counts.items() if k in ImportRun.COUNTS}


def report_progress(run: ImportRun, *, done: int | None = None, total: int | None = None, counts=None,
                    checkpoint: dict | None = None) -> None:
    """Save progress (rows done / total), running counts and the resume checkpoint."""
    values: dict[str, Any] = {"heartbeat_at": timezone.now()} | _counts(counts)
    if done is not None:
        values["progress_done"] = done
    if total is not None:
        values["progress_total"] = total
    if checkpoint is not None:
        values["checkpoint"] = checkpoint
    for name, value in values.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**values)


def finish_run(run: ImportRun, counts=None, *, status: str = Status.DONE, error: str = "",
               summary: dict | None = None) -> ImportRun:
    """Mark the run finished with its final counts and duration."""
    now = timezone.now()
    run.status = status
    run.finished_at = now
    run.duration = now - run.started_at
    run.error = error or run.error
    for name, value in _counts(counts).items():
        setattr(run, name, value)
    if status == Status.DONE:
        run.progress_done = max(run.progress_done, run.read)
        if run.progress_total is None or run.progress_total < run.progress_done:
            run.progress_total = run.progress_done
    if summary is not None:
        run.summary = {**run.summary, **summary}
    run.save()
    return run


def no_wait_for_disk() -> None:
    """Inside an import chunk's transaction, PostgreSQL: its commit returns before its WAL reaches
    the disk. A crash can lose the last chunks committed, never half a chunk: their rows, counts
    and resume point go together, so resuming repeats exactly what was lost. (SQLite in WAL mode
    with synchronous=NORMAL already commits that way.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def running(run: ImportRun) -> Iterator[ImportRun]:
    """Mark the run running; on an exception mark it failed (or interrupted on Ctrl-C/kill) and re-raise.

    Nothing is finished on success: call :func:`finish_run` inside the block.
    """
    if run.status != Status.RUNNING or run.pid != os.getpid():
        # Started or resumed here: this process runs it now; an earlier interruption is over.
        run.status, run.pid, run.hostname, run.error = Status.RUNNING, os.getpid(), hostname(), ""
        ImportRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now(),
                                                   pid=run.pid, hostname=run.hostname, error="")
    try:
        yield run
    except (KeyboardInterrupt, SystemExit) as exc:
        _mark(run, Status.INTERRUPTED, str(exc) or exc.__class__.__name__)
        raise
    except BaseException as exc:
        _mark(run, Status.FAILED, str(exc) or exc.__class__.__name__)
        raise


def _mark(run: ImportRun, status: str, message: str) -> None:
    # The run row lives outside any transaction the import was in; a failed transaction must not
    # swallow the failure record.
    if transaction.get_connection().in_atomic_block and transaction.get_connection().needs_rollback:
        return
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, error=message[:2000], finished_at=now, duration=now - F("started_at")
    )
    run.refresh_from_db()


def rejected_csv_rows(run: ImportRun) -> Iterator[list[str]]:
    from django.utils.translation import gettext as _

    yield [_("row"), _("field"), _("reason"), _("raw content")]
    for rej in run.rejected_rows.order_by("row", "pk").iterator(chunk_size=2000):
        yield [str(rej.row), rej.field, rej.reason, rej.raw]


def rejected_csv_lines(run: ImportRun) -> Iterator[str]:
    """The rejected rows as CSV text lines (UTF-8 with BOM so spreadsheet programs read å, ä, ö)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    first = True
    for row in rejected_csv_rows(run):
        writer.writerow(row)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield ("\ufeff" + text) if first else text
        first = False


STALE_AFTER = dt.timedelta(minutes=15)


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (a zombie counts until it is reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists but belongs to someone else
    return True


def mark_stale_runs(collaboration=None) -> int:
    """A run still "running" whose process is gone belonged to a killed process: mark it
    interrupted (it can be resumed). On this host the process id tells at once; a run of another
    host counts as gone after 15 minutes without a heartbeat. Returns how many were marked."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from .bulk_load import release_orphaned

    running_qs = ImportRun.objects.filter(status=Status.RUNNING)
    if collaboration is not None:
        running_qs = running_qs.filter(collaboration=collaboration)
    here = hostname()
    gone = [pk for pk, pid in running_qs.filter(hostname=here, pid__isnull=False).values_list("pk", "pid")
            if not process_alive(pid)]
    qs = running_qs.filter(Q(pk__in=gone) | Q(heartbeat_at__lt=timezone.now() - STALE_AFTER))
    marked = qs.update(status=Status.INTERRUPTED,
                       error=_("The import stopped without finishing (the process was ended). Resume it or run it "
                               "again."))
    release_orphaned()  # indexes a killed large import had set aside
    return marked


def resumable_runs(collaboration=None):
    qs = ImportRun.objects.filter(status__in=[Status.RUNNING, Status.INTERRUPTED, Status.FAILED])
    return qs.filter(collaboration=collaboration) if collaboration is not None else qs
