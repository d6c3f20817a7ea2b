"""Fetching arrays from the database for an analysis: visible, filtered, nothing else.

Every function takes a :class:`~trygg.analysis_db.scope.Scope` (whose events count) and, where
events are filtered, an :class:`~trygg.events.filters.EventFilter` with the same semantics as
the event list, exports and map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count

from trygg.areas.models import Area
from trygg.events.filters import EventFilter
from trygg.events.models import Category, Event, EventArea

from .counts import ensure_counted
from .models import WeekCount
from .scope import Scope


def events(scope: Scope, flt: EventFilter | None = None):
    """The caller's visible events of the collaboration, filtered."""
    qs = Event.objects.filter(scope.event_q())
    return flt.apply(qs) if flt is not None else qs


@dataclass
class Points:
    ids: np.ndarray
    x: np.ndarray  # SWEREF 99 TM easting (m)
    y: np.ndarray  # northing (m)
    start: np.ndarray  # epoch seconds (UTC)
    end: np.ndarray  # epoch seconds, NaN when the event has only a start
    category_id: np.ndarray
    iso_week: np.ndarray
    precision: np.ndarray  # object array of Precision values

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mask) -> "Points":
        return Points(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))


def points(scope: Scope, flt: EventFilter | None = None, *, point_precision_only: bool = False,
           weeks: Iterable[int] | None = None) -> Points:
    """Event points with their time windows. ``point_precision_only`` keeps events located at
    a point or named place: municipality- or county-level events have no usable point for
    grid/KDE analyses and are left out (never smeared). ``weeks``: only these ISO weeks (yyyyww)."""
    qs = events(scope, flt)
    if weeks is not None:
        qs = qs.filter(iso_week__in=[int(w) for w in weeks])
    if point_precision_only:
        qs = qs.filter(precision__in=("point", "place"))
    rows = list(qs.order_by("pk").values_list("pk", "x", "y", "occurred_from", "occurred_to", "category_id",
                                              "iso_week", "precision"))
    n = len(rows)
    if not n:
        e = np.empty(0)
        return Points(e.astype(np.int64), e, e, e, e, e.astype(np.int64), e.astype(np.int64), e.astype(object))
    cols = list(zip(*rows))
    return Points(
        ids=np.array(cols[0], dtype=np.int64),
        x=np.array(cols[1], dtype=float),
        y=np.array(cols[2], dtype=float),
        start=np.array([t.timestamp() for t in cols[3]], dtype=float),
        end=np.array([t.timestamp() if t is not None else np.nan for t in cols[4]], dtype=float),
        category_id=np.array(cols[5], dtype=np.int64),
        iso_week=np.array(cols[6], dtype=np.int64),
        precision=np.array(cols[7], dtype=object),
    )


def areas(collaboration_id: int, *, level: str = "", uuids: Iterable[str] = (),
          with_geometry: bool = True) -> list[Area]:
    """Areas of the collaboration, optionally of one area type (its code) or by uuid."""
    qs = Area.objects.filter(collaboration_id=collaboration_id).select_related("type")
    if not with_geometry:
        qs = qs.defer("geometry")
    if level:
        qs = qs.filter(type__code=level)
    uuids = list(uuids)
    if uuids:
        qs = qs.filter(uuid__in=uuids)
    return list(qs.order_by("type__level", "code", "pk"))


def main_category_ids(collaboration_id: int, codes: Iterable[str]) -> list[int] | None:
    """The ids of main categories named by ``codes``; None when some code is a subcategory
    or unknown (then the weekly table cannot come from the weekly-count table)."""
    codes = list(codes)
    found = dict(Category.objects.filter(collaboration_id=collaboration_id, code__in=codes, parent__isnull=True)
                 .values_list("code", "pk"))
    if len(found) != len(set(codes)):
        return None
    return sorted(found.values())


def weekly_fast_path(flt: EventFilter, collaboration_id: int) -> list[int] | bool:
    """Can the weekly table be read from ``WeekCount``? Returns the main-category ids to keep
    (empty list = all) or False when the filter needs the event rows (source, text, dates,
    organisations, subcategories)."""
    if flt.sources or flt.text or flt.date_from or flt.date_to or flt.organisations:
        return False
    if not flt.categories:
        return []
    ids = main_category_ids(collaboration_id, flt.categories)
    return False if ids is None else ids


def week_counts(scope: Scope, weeks: Iterable[int], *, area_ids: Iterable[int] | None = None,
                include_total: bool = True, category_ids: Iterable[int] = ()) -> list[tuple[int | None, int, int, int]]:
    """(area_id or None for the whole collaboration, category_id, iso_week, n) from the
    weekly-count table, recounting stale weeks first. Only the requested weeks are read; a
    (area, category, week) may appear twice (open events + the caller's own restricted ones)."""
    weeks = sorted({int(w) for w in weeks})
    if not weeks:
        return []
    ensure_counted(scope.collaboration_id, weeks)
    table = connection.ops.quote_name(WeekCount._meta.db_table)
    where = [f"collaboration_id = %s AND iso_week IN ({', '.join(['%s'] * len(weeks))})"]
    args: list = [scope.collaboration_id, *weeks]
    if area_ids is not None:
        area_ids = [int(a) for a in area_ids] or [0]
        marks = ", ".join(["%s"] * len(area_ids))
        where.append(f"(area_id IN ({marks}) OR area_id IS NULL)" if include_total else f"area_id IN ({marks})")
        args += area_ids
    elif not include_total:
        where.append("area_id IS NOT NULL")
    category_ids = [int(c) for c in category_ids]
    if category_ids:
        where.append(f"category_id IN ({', '.join(['%s'] * len(category_ids))})")
        args += category_ids
    cond = " AND ".join(where)
    if scope.see_restricted:
        sql = f"SELECT area_id, category_id, iso_week, n_all FROM {table} WHERE {cond} AND organisation_id IS NULL"
    else:
        own = list(scope.own_organisations) or [0]
        sql = (f"SELECT area_id, category_id, iso_week, n_open FROM {table} WHERE {cond} "
               f"AND organisation_id IS NULL AND n_open > 0 UNION ALL "
               f"SELECT area_id, category_id, iso_week, n_all FROM {table} WHERE {cond} "
               f"AND organisation_id IN ({', '.join(['%s'] * len(own))})")
        args = args + args + own
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def week_counts_raw(scope: Scope, flt: EventFilter, weeks: Iterable[int], *, area_ids: Iterable[int] | None = None,
                    include_total: bool = True) -> list[tuple[int | None, int, int, int]]:
    """The same rows as :func:`week_counts`, counted from the event rows (any filter)."""
    weeks = sorted({int(w) for w in weeks})
    base = EventFilter(**{**flt.__dict__, "areas": [], "week": ""})
    qs = events(scope, base).filter(iso_week__in=weeks)
    out: list[tuple[int | None, int, int, int]] = []
    if include_total:
        out += [(None, c, w, n) for c, w, n in
                qs.values_list("category_id", "iso_week").annotate(n=Count("pk")).order_by()]
    links = EventArea.objects.filter(event__in=qs.values("pk"))
    if area_ids is not None:
        links = links.filter(area_id__in=list(area_ids))
    out += [(a, c, w, n) for a, c, w, n in
            links.values_list("area_id", "event__category_id", "event__iso_week").annotate(n=Count("pk")).order_by()]
    return out


def area_counts(scope: Scope, flt: EventFilter, area_ids: Iterable[int]) -> dict[int, int]:
    """Events per area (as assigned by the write path: an event of municipality precision is in
    its municipality and county only)."""
    qs = events(scope, EventFilter(**{**flt.__dict__, "areas": []}))
    rows = (EventArea.objects.filter(event__in=qs.values("pk"), area_id__in=list(area_ids))
            .values_list("area_id").annotate(n=Count("pk")).order_by())
    return {a: int(n) for a, n in rows}


def period_counts(scope: Scope, flt: EventFilter, date_from, date_to, *, area_ids: Iterable[int] | None = None,
                  include_total: bool = True) -> dict[tuple[int | None, int], int]:
    """{(area_id or None, category_id): n} for events from ``date_from`` to ``date_to``
    (inclusive, local dates) matching the filter."""
    base = EventFilter(**{**flt.__dict__, "areas": [], "week": "", "date_from": date_from, "date_to": date_to})
    qs = events(scope, base)
    out: dict[tuple[int | None, int], int] = {}
    if include_total:
        for c, n in qs.values_list("category_id").annotate(n=Count("pk")).order_by():
            out[(None, c)] = int(n)
    links = EventArea.objects.filter(event__in=qs.values("pk"))
    if area_ids is not None:
        links = links.filter(area_id__in=list(area_ids))
    for a, c, n in links.values_list("area_id", "event__category_id").annotate(n=Count("pk")).order_by():
        out[(a, c)] = int(n)
    return out
