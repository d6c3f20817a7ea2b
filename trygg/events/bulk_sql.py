"""Plain-SQL inserts of new events and their area rows for the batch write path.

``EventWriter`` writes large batches (imports of a million rows) through here instead of
``bulk_create``: the same columns and values the ORM would write (uuid, created/updated time,
version 1), ids reserved up front so the event–area rows can be written right after, then one
``executemany`` (SQLite) or ``COPY`` (PostgreSQL) per table. Used only inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

from django.db import connection

from .models import Event, EventArea

EVENT_COLUMNS = [
    "id", "uuid", "collaboration_id", "report_id", "organisation_id", "category_id", "subcategory_id",
    "occurred_from", "occurred_to", "iso_week", "lat", "lon", "x", "y", "precision", "place_id", "outside",
    "description", "people_count", "assessment", "police_notified", "visibility", "source", "external_id",
    "source_data", "created_by_id", "created_at", "updated_at", "version",
]
AREA_COLUMNS = ["event_id", "area_id", "category_id_copy", "iso_week"]
UTC = dt.timezone.utc


def supported() -> bool:
    """The raw path knows exactly the model's columns (else the ORM path is used) and the backend."""
    return (connection.vendor in ("sqlite", "postgresql")
            and {f.column for f in Event._meta.concrete_fields} == set(EVENT_COLUMNS)
            and {f.column for f in EventArea._meta.concrete_fields} == set(AREA_COLUMNS) | {"id"})


def reserve_ids(n: int) -> list[int]:
    """``n`` new event ids, not used before (the transaction holds the write lock on SQLite)."""
    table = Event._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One array value instead of n result rows; the sequence's name looked up once.
            cur.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                        [_id_sequence(cur, table), n])
            return list(cur.fetchone()[0])
        cur.execute(f'SELECT MAX(id) FROM "{table}"')
        top = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cur.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + n))


_sequences: dict[tuple[str, str], str] = {}


def _id_sequence(cur, table: str) -> str:
    key = (connection.settings_dict["NAME"], table)
    if key not in _sequences:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _sequences[key] = cur.fetchone()[0]
    return _sequences[key]


def _sqlite_dt(value):
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def adapters():
    """(datetime, json) converters for the current backend's parameters."""
    if connection.vendor == "postgresql":
        return (lambda d: d), _json
    return _sqlite_dt, _json


def _json(value) -> str:
    return json.dumps(value) if value else "{}"


def insert(event_rows: list[tuple], area_rows: list[tuple]) -> None:
    """Insert event rows (tuples in EVENT_COLUMNS order, already adapted) and event–area rows."""
    if not event_rows:
        return
    ev_table, area_table = Event._meta.db_table, EventArea._meta.db_table
    cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            with connection.wrap_database_errors:  # Django's IntegrityError etc., as for other queries
                with raw.copy(f'COPY "{ev_table}" ({cols}) FROM STDIN') as copy:
                    for v in event_rows:
                        copy.write_row(v)
                if area_rows:
                    with raw.copy(f'COPY "{area_table}" ({", ".join(AREA_COLUMNS)}) FROM STDIN') as copy:
                        for v in area_rows:
                            copy.write_row(v)
            return
        _insert_sqlite(cur, f'INSERT INTO "{ev_table}" ({cols}) VALUES ', len(EVENT_COLUMNS), event_rows)
        if area_rows:
            _insert_sqlite(cur, f'INSERT INTO "{area_table}" ({", ".join(AREA_COLUMNS)}) VALUES ', len(AREA_COLUMNS),
                           area_rows)


def _max_params() -> int:
    raw = connection.connection
    try:
        return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python < 3.11
        return 999


def _insert_sqlite(cur, head: str, width: int, rows: list[tuple]) -> None:
    """Many rows per INSERT statement: SQLite then inserts a whole block in C without the
    interpreter lock (``executemany`` takes the lock back after every row), so another thread
    preparing the next rows runs meanwhile."""
    per = max(1, min(500, _max_params() // width))
    one = "(" + ", ".join(["?"] * width) + ")"
    raw = cur.cursor if hasattr(cur, "cursor") else cur
    full_sql = head + ", ".join([one] * per)
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        sql = full_sql if len(part) == per else head + ", ".join([one] * len(part))
        with connection.wrap_database_errors:  # Django's IntegrityError, as for any other query
            sqlite3.Cursor.execute(raw, sql, [v for row in part for v in row])  # "?" as they are


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as 32 hex digits, the form both backends take."""
    raw = bytearray(os.urandom(16 * n))
    for i in range(6, 16 * n, 16):
        raw[i] = (raw[i] & 0x0F) | 0x40
        raw[i + 2] = (raw[i + 2] & 0x3F) | 0x80
    text = raw.hex()
    return [text[i:i + 32] for i in range(0, 32 * n, 32)]


def insert_flat(values: list, link_values: list) -> int:
    """Insert events given as one flat list (EVENT_COLUMNS without "id", row after row) and their
    area rows as a flat list of (index of the event in this batch, area id, category id, week).

    The ids are chosen here; returns how many events were written. Flat lists cost the caller no
    per-row work: they are sliced into statements (SQLite) or rows (PostgreSQL's COPY) as they are.
    """
    width = len(EVENT_COLUMNS) - 1
    n = len(values) // width
    if not n:
        return 0
    ev_table, area_table = Event._meta.db_table, EventArea._meta.db_table
    cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS[1:])
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            ids = reserve_ids(n)
            raw = cur.cursor
            with connection.wrap_database_errors:
                with raw.copy(f'COPY "{ev_table}" ("id", {cols}) FROM STDIN') as copy:
                    for k in range(n):
                        copy.write_row((ids[k], *values[k * width:(k + 1) * width]))
                if link_values:
                    with raw.copy(f'COPY "{area_table}" ({", ".join(AREA_COLUMNS)}) FROM STDIN') as copy:
                        for k in range(0, len(link_values), 4):
                            copy.write_row((ids[link_values[k]], *link_values[k + 1:k + 4]))
            return n
        # SQLite gives an AUTOINCREMENT table's new rows the ids after the highest ever used, one by
        # one; this transaction holds the write lock, so they are first .. first + n - 1.
        first = reserve_ids(1)[0]
        raw = cur.cursor
        _insert_flat_sqlite(raw, f'INSERT INTO "{ev_table}" ({cols}) VALUES ', width, values)
        last = raw.lastrowid
        if last != first + n - 1:
            raise RuntimeError(f"events got ids up to {last}, expected {first}..{first + n - 1}")
        if link_values:
            _insert_flat_sqlite(
                raw, f'INSERT INTO "{area_table}" ({", ".join(AREA_COLUMNS)}) '
                     f'SELECT column1 + {int(first)}, column2, column3, column4 FROM (VALUES ', 4, link_values, ")")
        return n


def _insert_flat_sqlite(raw, head: str, width: int, values: list, tail: str = "") -> None:
    per = max(1, min(500, _max_params() // width))
    one = "(" + ", ".join(["?"] * width) + ")"
    full_sql = head + ", ".join([one] * per) + tail
    step = per * width
    for start in range(0, len(values), step):
        part = values[start:start + step]
        sql = full_sql if len(part) == step else head + ", ".join([one] * (len(part) // width)) + tail
        with connection.wrap_database_errors:
            sqlite3.Cursor.execute(raw, sql, part)


def insert_copy_lines(lines: list[str], link_values: list) -> int:
    """PostgreSQL: insert events given as COPY text lines without their id (each starting with a
    tab, columns as EVENT_COLUMNS) and their area rows as in :func:`insert_flat`."""
    n = len(lines)
    if not n:
        return 0
    ev_table, area_table = Event._meta.db_table, EventArea._meta.db_table
    cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    ids = reserve_ids(n)
    events = "".join([f"{pk}{line}\n" for pk, line in zip(ids, lines)])
    links = "".join([f"{ids[link_values[k]]}\t{link_values[k + 1]}\t{link_values[k + 2]}\t{link_values[k + 3]}\n"
                     for k in range(0, len(link_values), 4)])
    with connection.cursor() as cur, connection.wrap_database_errors:
        raw = cur.cursor
        with raw.copy(f'COPY "{ev_table}" ({cols}) FROM STDIN') as copy:
            copy.write(events)
        if links:
            with raw.copy(f'COPY "{area_table}" ({", ".join(AREA_COLUMNS)}) FROM STDIN') as copy:
                copy.write(links)
    return n
