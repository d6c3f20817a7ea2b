"""Column mappings for spreadsheet imports, saved per organisation, and the row converter.

A mapping says which column holds which event field, how the category values translate into
the collaboration's categories, how dates and times are written and how the location is given
(WGS84 degrees, SWEREF 99 TM metres, or a place name from the gazetteer). The converter turns
spreadsheet rows into the dicts :meth:`trygg.events.services.EventWriter.validate` takes, or into
a per-row error naming the row and the column.

The spec (JSON, also the format of ``--mapping FILE.json``)::

    {"columns": {"occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                 "lat": "Lat", "lon": "Lon", "description": "Beskrivning", "external_id": "Id"},
     "date_format": "%Y-%m-%d", "time_format": "%H:%M",
     "coordinates": "wgs84",            # or "sweref99tm" (columns x, y) or "place" (column place)
     "swap_coordinates": "auto",        # true / false / "auto" (= swap when every sampled row is swapped)
     "category_values": {"Klotter": "klotter"}, "default_category": "",
     "visibility": "partners", "id_namespace": "", "sheet": null, "delimiter": null, "encoding": null}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from trygg.core.geo import in_sweden, to_wgs84

from . import table_dates

FIELDS = ["occurred_from", "time_from", "occurred_to", "time_to", "category", "subcategory", "lat", "lon", "x",
          "y", "place", "description", "people_count", "assessment", "police_notified", "visibility",
          "external_id"]
FIELD_LABELS = {
    "occurred_from": _lazy("Date (and time) from"), "time_from": _lazy("Time from (own column)"),
    "occurred_to": _lazy("Date (and time) to"), "time_to": _lazy("Time to (own column)"),
    "category": _lazy("Category"), "subcategory": _lazy("Subcategory"), "lat": _lazy("Latitude (WGS84)"),
    "lon": _lazy("Longitude (WGS84)"), "x": _lazy("Easting E (SWEREF 99 TM)"), "y": _lazy("Northing N (SWEREF 99 TM)"),
    "place": _lazy("Place name"), "description": _lazy("Description"), "people_count": _lazy("Number of people"),
    "assessment": _lazy("Assessment (1–3)"), "police_notified": _lazy("Police notified"),
    "visibility": _lazy("Visibility"), "external_id": _lazy("External id (makes re-import safe)"),
}


class Coordinates(models.TextChoices):
    WGS84 = "wgs84", _lazy("Latitude and longitude (WGS84)")
    SWEREF = "sweref99tm", _lazy("SWEREF 99 TM (N, E in metres)")
    PLACE = "place", _lazy("Place name from the gazetteer")


class ImportMapping(models.Model):
    """A saved column mapping of one organisation, chosen again for the next file of the same kind."""

    uuid = models.UUIDField(default=__import__("uuid").uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_lazy("organisation"), on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    name = models.CharField(_lazy("name"), max_length=100)
    spec = models.JSONField(_lazy("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "imports"
        verbose_name = _lazy("import mapping")
        verbose_name_plural = _lazy("import mappings")
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="importmapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class MappingError(ValueError):
    """The mapping does not fit the file; ``message`` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Rejection:
    row: int
    column: str
    reason: str
    raw: str = ""


@dataclass
class Spec:
    columns: dict[str, str]
    date_format: str | None = None
    time_format: str | None = None
    coordinates: str = Coordinates.WGS84
    swap_coordinates: Any = "auto"
    category_values: dict[str, str] = field(default_factory=dict)
    default_category: str = ""
    visibility: str = "partners"
    id_namespace: str = ""
    sheet: Any = None
    delimiter: str | None = None
    encoding: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Spec":
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise MappingError(_('A mapping needs "columns": an object of field → column name.'))
        unknown = sorted(set(data["columns"]) - set(FIELDS))
        if unknown:
            raise MappingError(_("Unknown fields in the mapping: %(fields)s.") % {"fields": ", ".join(unknown)})
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        spec = cls(**known)
        spec.columns = {k: str(v) for k, v in spec.columns.items() if v not in (None, "")}
        if spec.coordinates not in Coordinates.values:
            raise MappingError(_("Unknown coordinate system: %(value)s.") % {"value": spec.coordinates})
        return spec

    @classmethod
    def load(cls, text: str) -> "Spec":
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise MappingError(_("The mapping file is not valid JSON (%(error)s).") % {"error": exc}) from exc

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def check(self, header: list[str]) -> None:
        """Every mapped column must exist and the required fields must be there."""
        missing = [c for c in self.columns.values() if c not in header]
        if missing:
            raise MappingError(_('The file has no column "%(column)s". Its columns are: %(columns)s.') % {
                "column": missing[0], "columns": ", ".join(header)})
        if "occurred_from" not in self.columns:
            raise MappingError(_("Map a column to the date of the event."))
        if "category" not in self.columns and not self.default_category:
            raise MappingError(_("Map a column to the category, or choose one category for every row."))
        need = {Coordinates.WGS84: ("lat", "lon"), Coordinates.SWEREF: ("x", "y"), Coordinates.PLACE: ("place",)}
        absent = [f for f in need[self.coordinates] if f not in self.columns]
        if absent:
            raise MappingError(_("Map a column to %(field)s.") % {"field": FIELD_LABELS[absent[0]]})


def _number(text: Any) -> float | None:
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    text = str(text).strip().replace("\u2212", "-").replace(" ", "")
    if not text:
        return None
    return float(text.replace(",", "."))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def looks_swapped(a: float, b: float, coordinates: str) -> bool:
    """A pair that is only in Sweden when exchanged."""
    if coordinates == Coordinates.SWEREF:
        return a > 1_200_000 and b < 1_200_000
    return (not in_sweden(a, b)) and in_sweden(b, a)


def detect_swap(spec: Spec, header: list[str], rows) -> bool:
    """True when every sampled row with coordinates looks swapped (the columns were mapped the wrong way)."""
    if spec.coordinates == Coordinates.PLACE:
        return False
    first, second = ("lat", "lon") if spec.coordinates == Coordinates.WGS84 else ("x", "y")
    i, j = header.index(spec.columns[first]), header.index(spec.columns[second])
    seen = swapped = 0
    for row in rows:
        try:
            a, b = _number(row.cells[i]), _number(row.cells[j])
        except (ValueError, IndexError, TypeError):
            continue
        if a is None or b is None:
            continue
        seen += 1
        if looks_swapped(a, b, spec.coordinates):
            swapped += 1
        else:
            return False
    return seen > 0 and swapped == seen


class RowConverter:
    """Turns chunks of :class:`~trygg.imports.tabular.TableRow` into event dicts or rejections."""

    def __init__(self, spec: Spec, header: list[str], *, catalogue, organisation_id, swap: bool = False):
        spec.check(header)
        self.spec = spec
        self.header = header
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.col = {f: header.index(c) for f, c in spec.columns.items()}
        self.swap = swap
        self.prefix = f"{organisation_id}:{spec.id_namespace}:"
        self.hash_prefix = f"{organisation_id}:#"
        self.date_format = spec.date_format or table_dates.ISO
        self.time_format = spec.time_format or "%H:%M"
        self._dates: dict[str, dt.datetime] = {}  # parsed cells: dates and times repeat a lot
        self._times: dict[Any, dt.time] = {}
        # Category values: the mapping first, then the collaboration's codes and names (any case).
        names: dict[str, str] = {}
        for cat in catalogue.by_id.values():
            for key in (cat.code, cat.name_sv, cat.name_en):
                names.setdefault(key.strip().casefold(), cat.code)
        self.categories = names | {str(k).strip().casefold(): v for k, v in spec.category_values.items()}

    def column(self, name: str) -> str:
        return self.spec.columns.get(name, "")

    def _reject(self, row, fieldname: str, message: str) -> Rejection:
        column = self.column(fieldname) or fieldname
        return Rejection(row.number, column, _('Row %(row)d, column "%(column)s": %(message)s') % {
            "row": row.number, "column": column, "message": message}, row.raw())

    def _category(self, value: Any, row) -> str | Rejection:
        text = _cell_text(value)
        if not text:
            if self.spec.default_category:
                return self.spec.default_category
            return self._reject(row, "category", _("the category is empty."))
        code = self.categories.get(text.casefold())
        if code is None:
            return self._reject(row, "category", _('"%(value)s" is not a known category; add it to the category '
                                                  "value mapping.") % {"value": text})
        return code

    def _when(self, cells, date_field: str, time_field: str, row) -> dt.datetime | None | Rejection:
        i = self.col.get(date_field)
        value = cells[i] if i is not None else None
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            return None
        when = self._dates.get(value) if isinstance(value, str) else None
        if when is None:
            try:
                when = table_dates.parse_datetime(value, self.date_format, self.tz)
            except ValueError as exc:
                return self._reject(row, date_field, str(exc))
            if isinstance(value, str):
                if len(self._dates) > 50_000:
                    self._dates.clear()
                self._dates[value] = when
        j = self.col.get(time_field)
        if j is not None and cells[j] not in (None, "") and str(cells[j]).strip():
            t = self._times.get(cells[j])
            if t is None:
                try:
                    t = table_dates.parse_time(cells[j], self.time_format)
                except ValueError as exc:
                    return self._reject(row, time_field, str(exc))
                if len(self._times) > 50_000:
                    self._times.clear()
                self._times[cells[j]] = t
            when = dt.datetime(when.year, when.month, when.day, t.hour, t.minute, t.second, tzinfo=self.tz)
        return when

    def external_id(self, cells) -> str:
        i = self.col.get("external_id")
        if i is not None:
            value = _cell_text(cells[i])
            if value:
                ext = self.prefix + value
                return ext if len(ext) <= 100 else self.prefix + "#" + hashlib.blake2b(value.encode(), digest_size=16).hexdigest()
        content = "\x1f".join(_cell_text(c) for c in cells)
        return self.hash_prefix + hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def convert(self, rows) -> tuple[list[tuple[Any, dict]], list[Rejection]]:
        """Convert a chunk: ([(row, data)], [rejection]). Coordinates are converted for the whole chunk."""
        good: list[tuple[Any, dict]] = []
        bad: list[Rejection] = []
        col = self.col
        spec = self.spec
        sweref: list[int] = []
        for row in rows:
            if row.error:
                bad.append(Rejection(row.number, "", _("Row %(row)d: %(message)s") % {
                    "row": row.number, "message": row.error}, row.raw()))
                continue
            cells = row.cells
            data: dict[str, Any] = {"source": "table", "visibility": spec.visibility or "partners"}
            category = self._category(cells[col["category"]] if "category" in col else None, row)
            if isinstance(category, Rejection):
                bad.append(category)
                continue
            data["category"] = category
            if "subcategory" in col:
                sub = _cell_text(cells[col["subcategory"]])
                if sub:
                    code = self.categories.get(sub.casefold())
                    if code is None:
                        bad.append(self._reject(row, "subcategory", _('"%(value)s" is not a known category; add it '
                                                                      "to the category value mapping.") % {"value": sub}))
                        continue
                    data["subcategory"] = code
            start = self._when(cells, "occurred_from", "time_from", row)
            if isinstance(start, Rejection):
                bad.append(start)
                continue
            if start is None:
                bad.append(self._reject(row, "occurred_from", _("the date is empty.")))
                continue
            data["occurred_from"] = start
            if "occurred_to" in col:
                end = self._when(cells, "occurred_to", "time_to", row)
                if isinstance(end, Rejection):
                    bad.append(end)
                    continue
                data["occurred_to"] = end
            try:
                if spec.coordinates == Coordinates.WGS84:
                    a, b = _number(cells[col["lat"]]), _number(cells[col["lon"]])
                    if a is not None and b is not None:
                        data["lat"], data["lon"] = (b, a) if self.swap else (a, b)
                elif spec.coordinates == Coordinates.SWEREF:
                    a, b = _number(cells[col["x"]]), _number(cells[col["y"]])
                    if a is not None and b is not None:
                        e, n = (b, a) if self.swap else (a, b)
                        if looks_swapped(e, n, Coordinates.SWEREF):
                            bad.append(self._reject(row, "x", _("the easting (E) and northing (N) look swapped.")))
                            continue
                        data["x"], data["y"] = e, n
                        sweref.append(len(good))
            except ValueError:
                bad.append(self._reject(row, "lat" if spec.coordinates == Coordinates.WGS84 else "x",
                                        _("coordinates must be numbers.")))
                continue
            if "place" in col:
                place = _cell_text(cells[col["place"]])
                if place:
                    data["place"] = place
            for name in ("description", "people_count", "assessment", "visibility"):
                if name in col:
                    text = _cell_text(cells[col[name]])
                    if text or name != "visibility":
                        data[name] = text
            if "police_notified" in col:
                data["police_notified"] = _cell_text(cells[col["police_notified"]]).casefold() in {
                    "1", "ja", "yes", "j", "y", "true", "sant", "x"}
            data["external_id"] = self.external_id(cells)
            good.append((row, data))
        if sweref:
            lon, lat = to_wgs84([good[k][1]["x"] for k in sweref], [good[k][1]["y"] for k in sweref])
            for k, lo, la in zip(sweref, lon.tolist() if hasattr(lon, "tolist") else [lon],
                                 lat.tolist() if hasattr(lat, "tolist") else [lat]):
                data = good[k][1]
                del data["x"], data["y"]
                data["lat"], data["lon"] = la, lo
        return good, bad

    def column_for_field(self, name: str) -> str:
        """The column(s) behind a validation error key (``location`` → "Lat/Lon")."""
        if name == "location":
            keys = {"wgs84": ("lat", "lon"), "sweref99tm": ("x", "y"), "place": ("place",)}[self.spec.coordinates]
            return "/".join(self.spec.columns.get(k, k) for k in keys)
        return self.spec.columns.get(name, name)
