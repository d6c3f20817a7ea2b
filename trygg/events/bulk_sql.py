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
            cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT MAX(id) FROM "{table}"')
        top = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cur.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + n))


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
            with raw.copy(f'COPY "{ev_table}" ({cols}) FROM STDIN') as copy:
                for v in event_rows:
                    copy.write_row(v)
            if area_rows:
                with raw.copy(f'COPY "{area_table}" ({", ".join(AREA_COLUMNS)}) FROM STDIN') as copy:
                    for v in area_rows:
                        copy.write_row(v)
            return
        placeholders = ", ".join(["%s"] * len(EVENT_COLUMNS))
        cur.executemany(f'INSERT INTO "{ev_table}" ({cols}) VALUES ({placeholders})', event_rows)
        if area_rows:
            cur.executemany(f'INSERT INTO "{area_table}" ({", ".join(AREA_COLUMNS)}) VALUES (%s, %s, %s, %s)',
                            area_rows)


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as 32 hex digits, the form both backends take."""
    raw = bytearray(os.urandom(16 * n))
    for i in range(6, 16 * n, 16):
        raw[i] = (raw[i] & 0x0F) | 0x40
        raw[i + 2] = (raw[i + 2] & 0x3F) | 0x80
    text = raw.hex()
    return [text[i:i + 32] for i in range(0, 32 * n, 32)]
