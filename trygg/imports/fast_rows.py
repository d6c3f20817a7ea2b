"""The common spreadsheet row, converted straight into the rows the events tables take.

:func:`trygg.imports.table_import.validate_chunk` turns every row into a dict, then an
:class:`~trygg.events.validation.EventInput` through the shared validation rules — the right
place for rules and messages, and ~100 µs of Python per row. A million-row file is almost all
plain rows: a known category, a date and time, coordinates in the municipality, maybe a
description. This module takes exactly those rows on a short path (column values looked up once
per distinct value, coordinates, boundary, areas and SWEREF for the whole chunk at once) and
hands every other row — any cell it does not know for certain is valid — to the shared path,
which accepts or rejects it with its usual message. So the short path never decides a
rejection and never accepts what the shared path would refuse; tests compare the two on
generated rows.

Pure Python and numpy: nothing here touches the database, so chunks can be prepared on a
thread while the previous chunk is being written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.utils import timezone

from trygg.core.geo import SWEDEN_LAT, SWEDEN_LON, to_sweref, to_wgs84
from trygg.core.ids import uuid7_hex_many
from trygg.events import bulk_sql
from trygg.events.models import Precision
from trygg.events.services import STOCKHOLM
from trygg.events.validation import _VISIBILITIES, CLOCK_SKEW, EventInput

from . import table_dates
from .mapping import Coordinates, _cell_text, _number

UTC = dt.timezone.utc
DEFER = object()
NULL = "\\N"  # COPY's text for NULL
# Fields the short path handles; a mapping that uses any other field sends a row to the shared
# path whenever that cell is not empty.
SIMPLE_FIELDS = {"external_id", "occurred_from", "time_from", "category", "lat", "lon", "x", "y", "description",
                 "visibility", "police_notified"}
YES = {"1", "ja", "yes", "j", "y", "true", "sant", "x"}


@dataclass
class FastChunk:
    """Events ready for the events table and the rows left for the shared path.

    The events come as one flat list (``bulk_sql.EVENT_COLUMNS`` without "id", event after
    event) and their areas as flat (event index, area id, category id, week) quadruples: what
    :func:`trygg.events.bulk_sql.insert_flat` writes without further work per row.
    """

    values: list = field(default_factory=list)
    link_values: list = field(default_factory=list)
    weeks: set[int] = field(default_factory=set)
    external_ids: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the source row of each event
    rest: list = field(default_factory=list)  # TableRows for the shared path
    # PostgreSQL: the events as COPY text lines without their id (each starts with a tab) instead
    # of ``values``, so the writer only puts the id in front.
    copy_lines: list[str] | None = None

    @property
    def count(self) -> int:
        return len(self.numbers)

    def event_rows(self):
        """Each event's column values (EVENT_COLUMNS without the id), read back from either form."""
        if self.copy_lines is not None:
            ints, floats, bools = (1, 3, 4, 5, 8, 24, 27), (9, 10, 11, 12), (15, 19)
            for line in self.copy_lines:
                row: list = [None if v == NULL else _unescape(v) for v in line[1:].split("\t")]
                for i in ints:
                    row[i] = int(row[i]) if row[i] is not None else None
                for i in floats:
                    row[i] = float(row[i])
                for i in bools:
                    row[i] = row[i] == "t"
                yield row
            return
        width = len(bulk_sql.EVENT_COLUMNS) - 1
        for k in range(self.count):
            yield self.values[k * width:(k + 1) * width]

    def as_inputs(self) -> list[EventInput]:
        """The same events as validated inputs, for the upsert path (a repeated or resumed file)."""
        out = []
        for row in self.event_rows():
            when = row[6] if isinstance(row[6], dt.datetime) else dt.datetime.fromisoformat(row[6])
            out.append(EventInput(
                category_id=row[4], subcategory_id=row[5], occurred_from=when.replace(tzinfo=UTC), lat=row[9],
                lon=row[10], precision=row[13], description=row[16], police_notified=row[19], visibility=row[20],
                source=row[21], external_id=row[22], source_data={},
            ))
        return out


class FastRows:
    def __init__(self, prep, *, organisation_id: int, user_id: int | None):
        self.prep = prep
        conv, spec, writer = prep.converter, prep.spec, prep.writer
        self.conv, self.spec, self.writer = conv, spec, writer
        self.col = conv.col
        self.other = [i for f, i in conv.col.items() if f not in SIMPLE_FIELDS]
        self.enabled = spec.coordinates in (Coordinates.WGS84, Coordinates.SWEREF) and "category" in conv.col
        self.organisation_id, self.user_id = organisation_id, user_id
        self.collaboration_id = writer.collaboration.pk
        self.as_dt, self.as_json = bulk_sql.adapters()
        self.sqlite = connection.vendor == "sqlite"
        self._categories: dict[str, object] = {}
        self._days: dict[object, object] = {}
        self._times: dict[object, object] = {}
        self.description_max = settings.EVENT_DESCRIPTION_MAX
        self.default_visibility = spec.visibility or "partners"

    # --- per distinct value ---------------------------------------------------------------------
    def category(self, value):
        """(category id, subcategory id) as the shared rules resolve it, or DEFER."""
        found = self._categories.get(value)
        if found is None:
            found = DEFER
            text = _cell_text(value)
            code = self.conv.categories.get(text.casefold()) if text else None
            cat = self.writer.catalogue.resolve(code) if code else None
            if cat is not None:
                sub = None
                if cat.parent_id:
                    cat, sub = self.writer.catalogue.by_id.get(cat.parent_id), cat
                if cat is not None and cat.is_active and (sub is None or (sub.is_active and sub.parent_id == cat.pk)):
                    found = (cat.pk, sub.pk if sub else None)
            if len(self._categories) < 10_000:
                self._categories[value] = found
        return found

    def day(self, value):
        """(local date, its local midnight as naive UTC, yyyyww, day ordinal) or DEFER.

        Days on which the clocks change, and values that carry a time of day, are deferred.
        """
        found = self._days.get(value)
        if found is None:
            found = DEFER
            try:
                when = table_dates.parse_datetime(value, self.conv.date_format, self.conv.tz) \
                    if isinstance(value, str) and value.strip() else None
            except ValueError:
                when = None
            if when is not None and (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0):
                first = dt.datetime(when.year, when.month, when.day, tzinfo=STOCKHOLM).utcoffset()
                last = dt.datetime(when.year, when.month, when.day, 23, 59, 59, tzinfo=STOCKHOLM).utcoffset()
                if first == last:
                    year, week, _weekday = when.date().isocalendar()
                    midnight_utc = dt.datetime(when.year, when.month, when.day) - first
                    found = (when.date(), midnight_utc, year * 100 + week, when.toordinal())
            if len(self._days) < 50_000:
                self._days[value] = found
        return found

    def time(self, value):
        found = self._times.get(value)
        if found is None:
            found = DEFER
            if isinstance(value, str) and value.strip():
                try:
                    t = table_dates.parse_time(value, self.conv.time_format)
                    found = dt.timedelta(hours=t.hour, minutes=t.minute, seconds=t.second)
                except ValueError:
                    pass
            if len(self._times) < 50_000:
                self._times[value] = found
        return found

    # --- a chunk ------------------------------------------------------------------------------------
    def prepare(self, rows, now: dt.datetime) -> FastChunk:
        out = FastChunk()
        if not self.enabled:
            out.rest = list(rows)
            return out
        col, other, conv = self.col, self.other, self.conv
        i_cat, i_date = col["category"], col["occurred_from"]
        i_time = col.get("time_from")
        i_ext = col.get("external_id")
        sweref = self.spec.coordinates == Coordinates.SWEREF
        i_a, i_b = (col["x"], col["y"]) if sweref else (col["lat"], col["lon"])
        i_desc, i_vis, i_police = col.get("description"), col.get("visibility"), col.get("police_notified")
        limit = (now + CLOCK_SKEW).astimezone(UTC).replace(tzinfo=None)  # times below are naive UTC
        cats, days, times = self._categories, self._days, self._times
        prefix = conv.prefix
        room = 100 - len(prefix)  # longer ids are hashed by RowConverter.external_id
        description_max = self.description_max
        default_visibility = self.default_visibility
        picked, a_vals, b_vals, rest = [], [], [], out.rest
        for row in rows:
            cells = row.cells
            if row.error or (other and any(_cell_text(cells[i]) for i in other)):
                rest.append(row)
                continue
            value = cells[i_cat]
            cat = cats.get(value) or self.category(value)
            value = cells[i_date]
            day = days.get(value) or self.day(value)
            if cat is DEFER or day is DEFER:
                rest.append(row)
                continue
            if i_time is not None:
                value = cells[i_time]
                clock = times.get(value) or self.time(value)
                if clock is DEFER:
                    rest.append(row)
                    continue
                utc = day[1] + clock
            else:
                utc = day[1]
            if utc > limit:
                rest.append(row)
                continue
            a, b = cells[i_a], cells[i_b]
            try:
                # "59,61" and "59.61" alike; what float() takes after that, _number takes the same way.
                a = float(a.replace(",", ".") if isinstance(a, str) else a)
                b = float(b.replace(",", ".") if isinstance(b, str) else b)
            except (TypeError, ValueError):
                try:
                    a, b = _number(cells[i_a]), _number(cells[i_b])
                except (TypeError, ValueError):
                    rest.append(row)
                    continue
                if a is None or b is None:
                    rest.append(row)
                    continue
            description = ""
            if i_desc is not None:
                description = cells[i_desc]
                description = description.strip() if isinstance(description, str) else _cell_text(description)
                if len(description) > description_max:
                    rest.append(row)
                    continue
            visibility = default_visibility
            if i_vis is not None:
                visibility = _cell_text(cells[i_vis]) or visibility
                if visibility not in _VISIBILITIES:
                    rest.append(row)
                    continue
            police = _cell_text(cells[i_police]).casefold() in YES if i_police is not None else False
            ext = None
            if i_ext is not None:
                value = cells[i_ext]
                if isinstance(value, str):
                    value = value.strip()
                    if value and len(value) <= room:
                        ext = prefix + value
            if ext is None:
                ext = conv.external_id(cells)
            picked.append((row.number, cat[0], cat[1], day[2], day[3], utc, description, visibility, police, ext))
            a_vals.append(a)
            b_vals.append(b)
        if default_visibility not in _VISIBILITIES and i_vis is None:
            rest.extend(_rows_of(rows, picked))
            return out
        if not picked:
            return out
        a = np.array(a_vals, dtype=float)
        b = np.array(b_vals, dtype=float)
        if conv.swap:
            a, b = b, a
        if sweref:
            # Rows whose easting/northing look exchanged are the shared path's to refuse.
            good = ~((a > 1_200_000) & (b < 1_200_000))
            lon, lat = to_wgs84(a, b)
            lon, lat = np.atleast_1d(lon), np.atleast_1d(lat)
        else:
            lat, lon = a, b
            good = np.ones(lat.size, dtype=bool)
        good &= (lat >= SWEDEN_LAT[0]) & (lat <= SWEDEN_LAT[1]) & (lon >= SWEDEN_LON[0]) & (lon <= SWEDEN_LON[1])
        if self.writer.boundary is not None:
            good[good] = shapely.intersects_xy(self.writer.boundary, lon[good], lat[good])
        if not good.all():
            keep = np.flatnonzero(good)
            back = {picked[k][0] for k in np.flatnonzero(~good).tolist()}
            rest.extend(r for r in rows if r.number in back)
            picked = [picked[k] for k in keep.tolist()]
            lat, lon = lat[keep], lon[keep]
            rest.sort(key=lambda r: r.number)
        if not picked:
            return out
        # Like the shared path: x/y from the WGS84 point (for a SWEREF file, from its conversion).
        xs, ys = to_sweref(lon, lat)
        xs, ys = np.atleast_1d(xs).tolist(), np.atleast_1d(ys).tolist()
        ordinals = np.fromiter((p[4] for p in picked), np.int64, len(picked))
        pts, areas = self.writer.index.pairs(lon, lat, ordinals, None)
        in_area = np.zeros(len(picked), dtype=bool)
        in_area[pts] = True
        out.link_values = [v for k, area in zip(pts.tolist(), areas.tolist())
                           for v in (k, area, picked[k][1], picked[k][3])]
        self._rows(out, picked, lat.tolist(), lon.tolist(), xs, ys, in_area.tolist())
        return out

    def _rows(self, out: FastChunk, picked, lats, lons, xs, ys, in_area) -> None:
        now = self.as_dt(timezone.now())
        # Naive UTC here: SQLite stores the text str() gives, PostgreSQL takes it marked as UTC.
        as_dt = str if self.sqlite else (lambda d: d.replace(tzinfo=UTC))
        uuids = uuid7_hex_many(len(picked))
        collab, org, user, point = self.collaboration_id, self.organisation_id, self.user_id, str(Precision.POINT)
        out.weeks = {p[3] for p in picked}
        out.numbers = [p[0] for p in picked]
        out.external_ids = [p[9] for p in picked]
        if not self.sqlite:
            stamp = f"{self.as_dt(timezone.now()).astimezone(UTC).replace(tzinfo=None)}+00"
            user_text = NULL if user is None else str(user)
            out.copy_lines = [
                f"\t{uid}\t{collab}\t\\N\t{org}\t{cat}\t{NULL if sub is None else sub}\t{utc}+00\t\\N\t{week}"
                f"\t{la!r}\t{lo!r}\t{x!r}\t{y!r}\t{point}\t\\N\t{'f' if inside else 't'}\t{_escape(description)}"
                f"\t\\N\t\\N\t{'t' if police else 'f'}\t{visibility}\ttable\t{_escape(ext)}\t{{}}\t{user_text}"
                f"\t{stamp}\t{stamp}\t1"
                for uid, (_n, cat, sub, week, _o, utc, description, visibility, police, ext), la, lo, x, y, inside
                in zip(uuids, picked, lats, lons, xs, ys, in_area)
            ]
            return
        out.values = [
            v for uid, (_n, cat, sub, week, _o, utc, description, visibility, police, ext), la, lo, x, y, inside
            in zip(uuids, picked, lats, lons, xs, ys, in_area)
            for v in (uid, collab, None, org, cat, sub, as_dt(utc), None, week, la, lo, x, y, point, None, not inside,
                      description, None, None, police, visibility, "table", ext, "{}", user, now, now, 1)
        ]


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _escape(text: str) -> str:
    """Text for a COPY line: backslash, tab, newline and carriage return escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return "".join(_ESCAPES.get(c, c) for c in text)
    return text


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text) if "\\" in text else text


def _rows_of(rows, picked) -> list:
    numbers = {p[0] for p in picked}
    return [r for r in rows if r.number in numbers]
