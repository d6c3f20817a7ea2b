"""Spreadsheet import: file → mapping → validation → the event write path, streamed in chunks.

Every chunk (5,000 rows) is converted, validated, written (upsert by external id, source
"table") and recorded (rejected rows, counts, the resume checkpoint) in one transaction, so a
run killed half-way keeps exactly the chunks it finished and can be resumed from its checkpoint;
repeating the whole file is also safe because every row has a stable external id.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.events import bulk_sql
from trygg.events.models import Event, Precision
from trygg.events.services import EventWriter, events_changed
from trygg.events.validation import EventValidationError, field_message, validate_event

from . import bulk_load, table_dates
from .fast_rows import FastChunk, FastRows
from .mapping import MappingError, Rejection, RowConverter, Spec, detect_swap
from .models import ImportRun
from .read_ahead import read_ahead
from .runs import finish_run, no_wait_for_disk, record_rejected_many, report_progress, running, start_run
from .tabular import open_table
from .uploads import remove_upload

CHUNK = 5000
SAMPLE_ROWS = 1000
READ_AHEAD = True  # read and check the next chunk on a thread while this one is written


@dataclass
class TableCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


@dataclass
class Prepared:
    """A file opened with a mapping: the table, the converter and what was decided for the user."""

    table: object
    spec: Spec
    converter: RowConverter
    writer: EventWriter
    notices: list[str] = field(default_factory=list)


def estimate_rows(path) -> int | None:
    """Rows in the file (lines − 1 for CSV, the sheet's dimension for XLSX), for the progress bar."""
    from .tabular import is_xlsx

    if is_xlsx(path):
        return None
    count = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return max(0, count - 1)


def _sample(table, n=SAMPLE_ROWS):
    return list(islice(table.rows(), n))


def resolve_formats(spec: Spec, table, sample) -> list[str]:
    """Fill in an undeclared date/time format from the sample, or refuse when it is ambiguous."""
    notices = []
    header = table.header
    if spec.date_format is None:
        i = header.index(spec.columns["occurred_from"])
        values = [r.cells[i] for r in sample if not r.error]
        if "occurred_to" in spec.columns:
            j = header.index(spec.columns["occurred_to"])
            values += [r.cells[j] for r in sample if not r.error]
        fmt, message = table_dates.guess_format(values)
        if fmt is None:
            raise MappingError(_('Column "%(column)s": %(message)s') % {
                "column": spec.columns["occurred_from"], "message": message})
        spec.date_format = fmt
        notices.append(_("Date format recognised: %(fmt)s") % {"fmt": fmt})
    if spec.time_format is None and "time_from" in spec.columns:
        i = header.index(spec.columns["time_from"])
        fmt, message = table_dates.guess_time_format([r.cells[i] for r in sample if not r.error])
        if fmt is None:
            raise MappingError(_('Column "%(column)s": %(message)s') % {"column": spec.columns["time_from"],
                                                                       "message": message})
        spec.time_format = fmt
    return notices


def prepare(path, spec: Spec, collaboration, organisation) -> Prepared:
    """Open the file, check the mapping against it and decide formats and coordinate order."""
    table = open_table(path, sheet=spec.sheet, encoding=spec.encoding, delimiter=spec.delimiter)
    spec.check(table.header)
    sample = _sample(table)
    notices = resolve_formats(spec, table, sample)
    swap = bool(spec.swap_coordinates) if spec.swap_coordinates != "auto" else detect_swap(spec, table.header, sample)
    if swap and spec.swap_coordinates == "auto":
        notices.append(_("Every row's coordinates looked swapped: latitude and longitude were exchanged."))
    writer = EventWriter(collaboration)
    converter = RowConverter(spec, table.header, catalogue=writer.catalogue,
                             organisation_id=getattr(organisation, "pk", organisation), swap=swap)
    if "place" in spec.columns:
        writer.places
    return Prepared(table, spec, converter, writer, notices)


def validate_chunk(prep: Prepared, rows, now=None) -> tuple[list, list, list[Rejection]]:
    """(rows, inputs, rejections) for one chunk: convert, validate, then the boundary check for all at once.

    Touches no database (the gazetteer is loaded by :func:`prepare`), so it may run on a thread.
    """
    good, bad = prep.converter.convert(rows)
    writer, converter = prep.writer, prep.converter
    now = now or timezone.now()
    kept_rows, inputs = [], []
    for row, data in good:
        try:
            inputs.append(validate_event(data, catalogue=writer.catalogue, boundary=writer.boundary,
                                         places=writer.places if data.get("place") else None, now=now,
                                         check_boundary=False))
            kept_rows.append(row)
        except EventValidationError as exc:
            name = next(iter(exc.errors))
            bad.append(Rejection(row.number, converter.column_for_field(name),
                                 _('Row %(row)d, column "%(column)s": %(message)s') % {
                                     "row": row.number, "column": converter.column_for_field(name),
                                     "message": "; ".join(exc.errors.values())}, row.raw()))
    if writer.boundary is not None and inputs:
        checked = [k for k, item in enumerate(inputs) if item.precision in (Precision.POINT, Precision.PLACE)]
        if checked:
            lon = np.fromiter((inputs[k].lon for k in checked), float, len(checked))
            lat = np.fromiter((inputs[k].lat for k in checked), float, len(checked))
            inside = shapely.intersects_xy(writer.boundary, lon, lat)
            if not inside.all():
                outside = {checked[k] for k in np.flatnonzero(~inside).tolist()}
                column = converter.column_for_field("location")
                message = field_message("location", _("The point is outside the municipality."))
                for k in sorted(outside):
                    row = kept_rows[k]
                    bad.append(Rejection(row.number, column, _('Row %(row)d, column "%(column)s": %(message)s') % {
                        "row": row.number, "column": column, "message": message}, row.raw()))
                kept_rows = [r for k, r in enumerate(kept_rows) if k not in outside]
                inputs = [item for k, item in enumerate(inputs) if k not in outside]
    bad.sort(key=lambda r: r.row)
    return kept_rows, inputs, bad


def _any_existing(collaboration_id: int, external_ids: list[str]) -> bool:
    """Whether any of these external ids is already an event of this collaboration from a table."""
    from django.db import connection

    from trygg.events.models import Event

    table = Event._meta.db_table
    with connection.cursor() as cur:
        for start in range(0, len(external_ids), 900):
            part = external_ids[start:start + 900]
            # The last term repeats the unique index's condition so that SQLite uses that index.
            cur.execute(
                f'SELECT 1 FROM "{table}" WHERE collaboration_id = %s AND source = %s AND external_id IN '
                f'({", ".join(["%s"] * len(part))}) AND NOT ("external_id" = \'\') LIMIT 1',
                [collaboration_id, "table", *part])
            if cur.fetchone():
                return True
    return False


def _chunks(it: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(it, size)):
        yield chunk


def import_table(run: ImportRun, path, spec: Spec, *, organisation, user=None, commit: bool = True,
                 progress: Callable[[int, TableCounts], None] | None = None, chunk_size: int = CHUNK) -> TableCounts:
    """Import (or with ``commit=False`` only check) a file into the run's collaboration.

    Resumes after ``run.checkpoint["row"]`` with the run's counts so far when the run has a
    checkpoint. Returns the counts; the run is finished here when ``commit``.
    """
    counts = TableCounts()
    start_after = 0
    if run is not None and run.checkpoint.get("row"):
        start_after = int(run.checkpoint["row"])
        counts = TableCounts(**{k: getattr(run, k) for k in TableCounts.__dataclass_fields__})
    collaboration = run.collaboration if run is not None else organisation.collaboration
    prep = prepare(path, spec, collaboration, organisation)
    if run is not None and prep.notices:
        run.summary = {**run.summary, "notices": prep.notices}
    done = counts.read
    rejected_sample: list[Rejection] = []
    expected = None
    if commit and run is not None and run.progress_total:
        expected = run.progress_total - start_after
    with bulk_load.bulk_mode(run, expected) as bulk:
        if run is not None and bulk:
            run.summary = {**run.summary, "bulk_load": True}
        _import_chunks(run, prep, counts, start_after=start_after, done=done, commit=commit, user=user,
                       organisation=organisation, progress=progress, chunk_size=chunk_size,
                       rejected_sample=rejected_sample)
    if hasattr(prep.table, "close"):
        prep.table.close()
    if getattr(prep.table, "recoded_from", 0):
        prep.notices.append(_("The file's first 64 KB were plain ASCII and were taken as UTF-8, but from line "
                              "%(line)d on it is Windows-1252 and was read so (%(n)d lines with å, ä, ö...).")
                            % {"line": prep.table.recoded_from, "n": prep.table.recoded_lines})
    if not commit:
        counts.rejected_sample = rejected_sample  # type: ignore[attr-defined]
        counts.notices = prep.notices  # type: ignore[attr-defined]
        return counts
    finish_run(run, counts.as_dict(), summary={"notices": prep.notices, "mapping": spec.as_dict(),
                                                 "bulk_load": bool(run.summary.get("bulk_load"))})
    return counts


@dataclass
class ChunkWork:
    """One chunk read and checked (ahead of the writer, maybe in another process), waiting to be written."""

    count: int  # rows read
    last: int  # number of the last row read
    now: object
    fast: FastChunk
    inputs: list  # the shared path's events ...
    numbers: list[int]  # ... and their rows
    bad: list[Rejection]

    def all_inputs(self) -> list:
        """Every accepted row as an input, in file order (the first of two equal ids wins)."""
        pairs = list(zip(self.fast.numbers, self.fast.as_inputs())) + list(zip(self.numbers, self.inputs))
        pairs.sort(key=lambda p: p[0])
        return [item for _n, item in pairs]


def _checked_chunks(prep: Prepared, fast: FastRows, rows_iter, chunk_size: int) -> Iterator[ChunkWork]:
    for rows in _chunks(rows_iter, chunk_size):
        now = timezone.now()
        done = fast.prepare(rows, now)
        kept, inputs, bad = validate_chunk(prep, done.rest, now)
        done.rest = []
        yield ChunkWork(len(rows), rows[-1].number, now, done, inputs, [r.number for r in kept], bad)


def _insert_fast(prep: Prepared, fast: FastChunk) -> int:
    """Write the short path's events and their areas (plain SQL, inside the chunk's transaction)."""
    if not fast.count:
        return 0
    if fast.copy_lines is not None:
        written = bulk_sql.insert_copy_lines(fast.copy_lines, fast.link_values)
    else:
        written = bulk_sql.insert_flat(fast.values, fast.link_values)
    events_changed.send(Event, collaboration_id=prep.writer.collaboration.pk, weeks=fast.weeks)
    return written


def _import_chunks(run, prep: Prepared, counts: TableCounts, *, start_after: int, done: int, commit: bool, user,
                   organisation, progress, chunk_size: int, rejected_sample: list) -> None:
    collaboration = prep.writer.collaboration
    fast = FastRows(prep, organisation_id=getattr(organisation, "pk", organisation), user_id=getattr(user, "pk", None))
    work = _checked_chunks(prep, fast, prep.table.rows(start_after=start_after), chunk_size)
    # Reading and checking the next chunk overlaps with writing this one (the database releases
    # the interpreter while it works); a small import does not need the thread.
    threaded = READ_AHEAD and commit and (run is None or (run.progress_total or 0) > chunk_size)
    ahead = read_ahead(work) if threaded else work
    # A fresh file's rows are inserted straight away: the unique external id refuses a row that
    # is already there, and then this chunk (and, looking first, every later one) goes through
    # the upsert path. A resumed run looks first from the start.
    looking = bool(start_after)
    try:
        for item in ahead:
            bad = item.bad
            counts.read += item.count
            done += item.count
            if commit:
                with transaction.atomic():
                    no_wait_for_disk()
                    ids = item.fast.external_ids + [i.external_id for i in item.inputs]
                    upsert = len(set(ids)) != len(ids) or (looking and _any_existing(collaboration.pk, ids))
                    if not upsert:
                        try:
                            with transaction.atomic():
                                created = _insert_fast(prep, item.fast)
                                result = prep.writer.write(item.inputs, organisation=organisation, user=user,
                                                           keep_events=False)
                                result.created += created
                        except IntegrityError:
                            upsert = looking = True
                    if upsert:
                        # A repeat, a resume or an id twice in the chunk: the shared path decides per row.
                        result = prep.writer.write(item.all_inputs(), organisation=organisation, user=user,
                                                   upsert=True, keep_events=False)
                    if bad:
                        record_rejected_many(run, [(r.row, r.reason, r.raw, r.column) for r in bad])
                    counts.rejected += len(bad)
                    counts.created += result.created
                    counts.updated += result.updated
                    counts.unchanged += result.unchanged
                    report_progress(run, done=done, counts=counts.as_dict(), checkpoint={"row": item.last})
            else:
                counts.rejected += len(bad)
                counts.created += item.fast.count + len(item.inputs)  # "would be written"
                if len(rejected_sample) < 50:
                    rejected_sample.extend(bad[:50 - len(rejected_sample)])
            if progress:
                progress(done, counts)
            del bad, item  # let the chunk go before the next one is read
    finally:
        if hasattr(ahead, "close"):
            ahead.close()


def start_table_run(path, spec: Spec, *, organisation, user=None, filename: str = "", mapping_name: str = "",
                    status=ImportRun.Status.RUNNING) -> ImportRun:
    return start_run(
        organisation.collaboration, ImportRun.Kind.TABLE, source=mapping_name or "table",
        filename=filename or os.path.basename(str(path)), user=user, organisation=organisation,
        options={"path": os.path.abspath(str(path)), "spec": spec.as_dict(), "mapping": mapping_name},
        total=estimate_rows(path), status=status,
    )


def run_table_import(run: ImportRun, *, progress=None) -> TableCounts:
    """Run (or resume) a recorded table run from its options: used by the worker and the CLI."""
    from django.contrib.auth import get_user_model

    spec = Spec.from_dict(run.options["spec"])
    user = get_user_model().objects.filter(pk=run.started_by_id).first() if run.started_by_id else None
    with running(run):
        if not os.path.exists(run.options["path"]):
            finish_run(run, status=ImportRun.Status.FAILED, error=_("The uploaded file is no longer there."))
            return TableCounts()
        counts = import_table(run, run.options["path"], spec, organisation=run.organisation, user=user,
                              progress=progress)
    remove_upload(run)  # done: an uploaded file is not needed any more (files given to the CLI stay)
    return counts


def now_label() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
