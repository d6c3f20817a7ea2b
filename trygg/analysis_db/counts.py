"""Keeping ``WeekCount`` up to date: marks removed by the write path, weeks recounted on read.

The write path (``EventWriter`` via ``trygg.events.services.events_changed``, plus Event
save/delete signals) calls :func:`mark_changed` inside its transaction: it bumps the
collaboration's data version (taking that row's lock) and removes the "counted" mark of the
touched weeks. :func:`ensure_counted` takes the same lock, recounts the unmarked weeks it was
asked for from the event tables with one ``INSERT … SELECT`` and marks them. Because both take
the DataVersion row lock, a recount can never mark a week as counted while an uncommitted write
to that week is pending (PostgreSQL read committed; SQLite serialises writers anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from trygg.events.models import Event, EventArea, Visibility

from .models import CountedWeek, DataVersion, WeekCount


def data_version(collaboration_id: int) -> int:
    """The collaboration's data version (the row is created on first read, so that every later
    change, deletes included, bumps a row that exists)."""
    row, _created = DataVersion.objects.get_or_create(collaboration_id=collaboration_id)
    return int(row.version)


def _lock_version(collaboration_id: int, *, create: bool = True) -> None:
    """Bump (or create) the version row; inside a transaction this holds its row lock."""
    updated = DataVersion.objects.filter(collaboration_id=collaboration_id).update(version=F("version") + 1)
    if not updated and create:
        DataVersion.objects.get_or_create(collaboration_id=collaboration_id, defaults={"version": 1})


def mark_changed(collaboration_id: int, weeks: Iterable[int], *, create: bool = True) -> None:
    """Events of these weeks changed: new data version, the weeks must be recounted.

    ``create=False`` (deletes) never creates a version row: during a cascade delete of the
    collaboration the row may already be gone and must not come back.
    """
    weeks = sorted({int(w) for w in weeks if w})
    # Plain SQL (the two statements every event write runs): CountedWeek and DataVersion have no
    # delete/save signal receivers and nothing cascades from them. No savepoint of its own:
    # inside the writer's transaction, an error here abandons that whole transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(DataVersion)} SET version = version + 1 WHERE collaboration_id = %s",
                       [collaboration_id])
        if not cursor.rowcount and create:
            DataVersion.objects.get_or_create(collaboration_id=collaboration_id, defaults={"version": 1})
        if weeks:
            marks = ", ".join(["%s"] * len(weeks))
            cursor.execute(f"DELETE FROM {_table(CountedWeek)} WHERE collaboration_id = %s"
                           f" AND iso_week IN ({marks})", [collaboration_id, *weeks])


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _recount_sql(n_weeks: int) -> list[str]:
    wc, ev, ea = _table(WeekCount), _table(Event), _table(EventArea)
    cols = "(collaboration_id, iso_week, organisation_id, area_id, category_id, n_all, n_open)"
    weeks = ", ".join(["%s"] * n_weeks)
    where = f"e.collaboration_id = %s AND e.iso_week IN ({weeks})"
    is_open = f"SUM(CASE WHEN e.visibility = '{Visibility.PARTNERS.value}' THEN 1 ELSE 0 END)"
    restricted = f"e.visibility = '{Visibility.RESTRICTED.value}'"
    join = f"{ev} e JOIN {ea} ea ON ea.event_id = e.id"
    return [
        # The whole collaboration (area NULL): every event, also those outside every area.
        f"INSERT INTO {wc} {cols} SELECT e.collaboration_id, e.iso_week, NULL, NULL, e.category_id, COUNT(*), "
        f"{is_open} FROM {ev} e WHERE {where} GROUP BY e.collaboration_id, e.iso_week, e.category_id",
        # Per area: an event counts in the areas the write path gave it (never finer than its precision).
        f"INSERT INTO {wc} {cols} SELECT e.collaboration_id, e.iso_week, NULL, ea.area_id, e.category_id, "
        f"COUNT(*), {is_open} FROM {join} WHERE {where} "
        f"GROUP BY e.collaboration_id, e.iso_week, ea.area_id, e.category_id",
        # Restricted events per organisation, for partners who see their own organisation's.
        f"INSERT INTO {wc} {cols} SELECT e.collaboration_id, e.iso_week, e.organisation_id, NULL, e.category_id, "
        f"COUNT(*), 0 FROM {ev} e WHERE {where} AND {restricted} "
        f"GROUP BY e.collaboration_id, e.iso_week, e.organisation_id, e.category_id",
        f"INSERT INTO {wc} {cols} SELECT e.collaboration_id, e.iso_week, e.organisation_id, ea.area_id, "
        f"e.category_id, COUNT(*), 0 FROM {join} WHERE {where} AND {restricted} "
        f"GROUP BY e.collaboration_id, e.iso_week, e.organisation_id, ea.area_id, e.category_id",
    ]


def ensure_counted(collaboration_id: int, weeks: Iterable[int], *, chunk: int = 60) -> int:
    """Recount the weeks among ``weeks`` that are not marked counted; returns how many were."""
    weeks = sorted({int(w) for w in weeks})
    if not weeks:
        return 0
    have = set(CountedWeek.objects.filter(collaboration_id=collaboration_id, iso_week__in=weeks)
               .values_list("iso_week", flat=True))
    if have.issuperset(weeks):
        return 0
    done = 0
    with transaction.atomic():
        _lock_version_for_read(collaboration_id)
        have = set(CountedWeek.objects.filter(collaboration_id=collaboration_id, iso_week__in=weeks)
                   .values_list("iso_week", flat=True))
        missing = [w for w in weeks if w not in have]
        for start in range(0, len(missing), chunk):
            part = missing[start:start + chunk]
            WeekCount.objects.filter(collaboration_id=collaboration_id, iso_week__in=part).delete()
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # A few weeks out of years of events: walk the matching events (index on
                    # collaboration, week) and their area rows (index on event) instead of the
                    # hash join over every event-area row that the planner otherwise picks.
                    cursor.execute("SET LOCAL enable_hashjoin = off")
                    cursor.execute("SET LOCAL enable_mergejoin = off")
                for sql in _recount_sql(len(part)):
                    cursor.execute(sql, [collaboration_id, *part])
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
                    cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
            CountedWeek.objects.bulk_create(
                [CountedWeek(collaboration_id=collaboration_id, iso_week=w) for w in part], ignore_conflicts=True
            )
            done += len(part)
    return done


def _lock_version_for_read(collaboration_id: int) -> None:
    DataVersion.objects.get_or_create(collaboration_id=collaboration_id)
    list(DataVersion.objects.select_for_update().filter(collaboration_id=collaboration_id).values_list("pk"))


def rebuild(collaboration_id: int) -> int:
    """Recount every week that has events (e.g. after a bulk load that bypassed the write path)."""
    with transaction.atomic():
        _lock_version(collaboration_id)
        CountedWeek.objects.filter(collaboration_id=collaboration_id).delete()
        WeekCount.objects.filter(collaboration_id=collaboration_id).delete()
    weeks = Event.objects.filter(collaboration_id=collaboration_id).values_list("iso_week", flat=True).distinct()
    return ensure_counted(collaboration_id, list(weeks))
