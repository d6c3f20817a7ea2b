"""Bulk-load mode: large imports load the events tables without their secondary indexes.

Keeping a dozen B-tree indexes up to date row by row is most of the cost of loading a million
events (on this project's 2-core benchmark machine: ~14,000 rows/s into SQLite and ~8,700 rows/s
into PostgreSQL with the indexes and foreign-key checks, ~40,000 rows/s on both without them).
Building an index once over the finished table is a sort, several times cheaper. So an import
expected to write at least ``TRYGG_IMPORT_BULK_MIN_ROWS`` rows, and at least half as many as the
table already holds, sets the non-unique indexes of the events and event-area tables aside (and
on PostgreSQL their foreign-key constraints, whose per-row trigger checks cost more than the
indexes), loads, and builds them again at the end. Unique indexes stay: they keep external ids
and uuids unique while loading. On SQLite the load's connection skips foreign-key checks and the
new rows are checked once at the end; the import only writes ids it has just validated.

Every index or constraint set aside is recorded in :class:`~trygg.imports.models.HeldIndex` in
the same transaction that drops it (DDL is transactional on both databases), so an import that
is killed half-way leaves the record: :func:`release` (called when the import ends, when stale
runs are marked interrupted, and by ``trygg import release-indexes``) builds them again. While
they are set aside, reads of the events tables are slower (no index on time or area) and only
one import at a time uses the mode.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

from trygg.events.models import Event, EventArea

from .models import HeldIndex, ImportRun

log = logging.getLogger(__name__)

TABLES = (Event._meta.db_table, EventArea._meta.db_table)


def _existing_rows() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(Event._meta.db_table)}")
        return int(cur.fetchone()[0] or 0)


def worth_it(expected_rows: int | None) -> bool:
    """Whether an import of this many rows should load without the secondary indexes."""
    minimum = settings.IMPORT_BULK_MIN_ROWS
    if not expected_rows or minimum <= 0 or expected_rows < minimum:
        return False
    return expected_rows >= _existing_rows() // 2


def _indexes(cur) -> list[tuple[str, str, str]]:
    """(table, name, CREATE statement) of the non-unique indexes of the events tables."""
    marks = ", ".join(["%s"] * len(TABLES))
    if connection.vendor == "postgresql":
        cur.execute(
            f"SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            f"AND tablename IN ({marks}) AND indexdef NOT LIKE 'CREATE UNIQUE%%' ORDER BY indexname", list(TABLES))
    else:
        cur.execute(
            f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
            f"AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name", list(TABLES))
    return [tuple(r) for r in cur.fetchall()]


def _foreign_keys(cur) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the PostgreSQL foreign keys from the events tables to others."""
    if connection.vendor != "postgresql":
        return []
    cur.execute(
        "SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
        "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
        "WHERE con.contype = 'f' AND ns.nspname = current_schema() AND rel.relname = ANY(%s) ORDER BY con.conname",
        [list(TABLES)])
    return [tuple(r) for r in cur.fetchall()]


def hold(run: ImportRun | None) -> bool:
    """Set the secondary indexes (and PostgreSQL foreign keys) aside. False when another import holds them."""
    q = connection.ops.quote_name
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {q(HeldIndex._meta.db_table)} IN EXCLUSIVE MODE")
        if HeldIndex.objects.exists():
            return False
        with connection.cursor() as cur:
            fks = _foreign_keys(cur)
            indexes = _indexes(cur)
            HeldIndex.objects.bulk_create(
                [HeldIndex(run=run, kind=HeldIndex.Kind.FOREIGN_KEY, table=t, name=n, definition=d) for t, n, d in fks]
                + [HeldIndex(run=run, kind=HeldIndex.Kind.INDEX, table=t, name=n, definition=d) for t, n, d in indexes])
            for table, name, _definition in fks:
                cur.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
            for _table, name, _definition in indexes:
                cur.execute(f"DROP INDEX {q(name)}")
    log.info("bulk load: set aside %d indexes and %d foreign keys", len(indexes), len(fks))
    return True


def _if_not_exists(statement: str) -> str:
    for prefix in ("CREATE INDEX ", "CREATE UNIQUE INDEX "):
        if statement.startswith(prefix) and not statement.startswith(prefix + "IF NOT EXISTS"):
            return prefix + "IF NOT EXISTS " + statement[len(prefix):]
    return statement


def release() -> int:
    """Build every index set aside again and restore the foreign keys; returns how many.

    Safe to call at any time and more than once: what exists already is left alone.
    """
    held = list(HeldIndex.objects.order_by("kind", "pk"))
    if not held:
        return 0
    with _sorting_on_disk():
        return _release(held)


@contextmanager
def _sorting_on_disk():
    """SQLite: building an index sorts the whole table; with ``temp_store=MEMORY`` (Trygg's setting)
    that sort would live in memory and grow with the table, so it spills to a temporary file here."""
    previous = None
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("PRAGMA temp_store")
            previous = cur.fetchone()[0]
            cur.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        if previous is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA temp_store = {int(previous)}")


def _release(held: list[HeldIndex]) -> int:
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for item in held:
            started = time.perf_counter()
            if item.kind == HeldIndex.Kind.INDEX:
                cur.execute(_if_not_exists(item.definition))
                log.info("bulk load: built %s in %.2f s", item.name, time.perf_counter() - started)
                continue
            cur.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [item.name])
            if cur.fetchone() is None:
                # NOT VALID then VALIDATE: one scan that checks every row, not a trigger per row.
                cur.execute(f"ALTER TABLE {q(item.table)} ADD CONSTRAINT {q(item.name)} {item.definition} NOT VALID")
                cur.execute(f"ALTER TABLE {q(item.table)} VALIDATE CONSTRAINT {q(item.name)}")
                log.info("bulk load: restored %s in %.2f s", item.name, time.perf_counter() - started)
        HeldIndex.objects.filter(pk__in=[h.pk for h in held]).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # fresh planner statistics for the grown tables
            for table in TABLES:
                cur.execute(f"ANALYZE {q(table)}")
    log.info("bulk load: built %d indexes and constraints again", len(held))
    return len(held)


def release_orphaned() -> int:
    """Restore what a killed import left set aside (its run is no longer running)."""
    held = HeldIndex.objects.values_list("run_id", "run__status").distinct()
    if not held:
        return 0
    if any(status == ImportRun.Status.RUNNING for _run, status in held):
        return 0
    return release()


def check_foreign_keys() -> None:
    """SQLite: the rows loaded without foreign-key checks must all point at existing rows."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"PRAGMA foreign_key_check({connection.ops.quote_name(table)})")
            bad = cur.fetchone()
            if bad is not None:
                raise RuntimeError(f"{table} row {bad[1]} points at a missing {bad[2]} row")


@contextmanager
def foreign_key_checks_off():
    """SQLite only, outside a transaction: this connection skips foreign-key checks until the end."""
    switch = connection.vendor == "sqlite" and not connection.in_atomic_block
    if switch:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if switch:
            with connection.cursor() as cur:
                cur.execute("PRAGMA foreign_keys = ON")


@contextmanager
def bulk_mode(run: ImportRun | None, expected_rows: int | None):
    """Load without the secondary indexes when it pays (see the module text); yields whether it does."""
    active = worth_it(expected_rows) and hold(run)
    if not active:
        yield False
        return
    try:
        with foreign_key_checks_off():
            yield True
    finally:
        release()
        check_foreign_keys()
