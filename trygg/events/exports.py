"""Exports of exactly the events on screen: CSV (for Excel), XLSX and GeoJSON.

All three take the same rows, built from the same filtered, visibility-checked queryset as the
list page; descriptions are masked for users outside the reporting organisation.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from .privacy import mask_personal_data

STOCKHOLM = ZoneInfo("Europe/Stockholm")

COLUMNS = [
    ("id", lambda: _("Id")),
    ("occurred_from", lambda: _("Time (from)")),
    ("occurred_to", lambda: _("Time (to)")),
    ("week", lambda: _("Week")),
    ("category", lambda: _("Category")),
    ("category_code", lambda: _("Category code")),
    ("subcategory", lambda: _("Subcategory")),
    ("subcategory_code", lambda: _("Subcategory code")),
    ("organisation", lambda: _("Organisation")),
    ("source", lambda: _("Source")),
    ("lat", lambda: _("Latitude")),
    ("lon", lambda: _("Longitude")),
    ("precision", lambda: _("Location precision")),
    ("place", lambda: _("Named place")),
    ("areas", lambda: _("Areas")),
    ("description", lambda: _("Description")),
    ("people_count", lambda: _("Number of people")),
    ("assessment", lambda: _("Assessment")),
    ("police_notified", lambda: _("Police notified")),
    ("visibility", lambda: _("Visibility")),
]


def local_iso(value) -> str:
    """Europe/Stockholm time in ISO 8601 with its offset: 2026-10-25T02:30:00+02:00."""
    return value.astimezone(STOCKHOLM).isoformat(timespec="seconds") if value else ""


def week_label(iso_week: int) -> str:
    return f"{iso_week // 100}-W{iso_week % 100:02d}" if iso_week else ""


def shown_description(event, own_org_ids: set[int]) -> str:
    if event.organisation_id in own_org_ids:
        return event.description
    return mask_personal_data(event.description)


def event_row(event, own_org_ids: set[int]) -> dict:
    return {
        "id": str(event.uuid),
        "occurred_from": local_iso(event.occurred_from),
        "occurred_to": local_iso(event.occurred_to),
        "week": week_label(event.iso_week),
        "category": event.category.name,
        "category_code": event.category.code,
        "subcategory": event.subcategory.name if event.subcategory_id else "",
        "subcategory_code": event.subcategory.code if event.subcategory_id else "",
        "organisation": event.organisation.name,
        "source": str(event.get_source_display()),
        "lat": round(event.lat, 6),
        "lon": round(event.lon, 6),
        "precision": str(event.get_precision_display()),
        "place": event.place.name if event.place_id else "",
        "areas": ", ".join(sorted(a.name for a in event.areas.all())),
        "description": shown_description(event, own_org_ids),
        "people_count": event.people_count if event.people_count is not None else "",
        "assessment": event.assessment if event.assessment is not None else "",
        "police_notified": _("yes") if event.police_notified else _("no"),
        "visibility": str(event.get_visibility_display()),
    }


def rows(events, own_org_ids: set[int]) -> list[dict]:
    return [event_row(e, own_org_ids) for e in events]


def to_csv(data: list[dict]) -> bytes:
    """Semicolon-separated with a UTF-8 BOM: Excel with Swedish settings opens it as it is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label() for _key, label in COLUMNS])
    for row in data:
        writer.writerow([row[key] for key, _label in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_stream(chunks: Iterable[list[dict]]) -> Iterator[bytes]:
    """:func:`to_csv`, piece by piece: the header, then one piece per chunk of rows."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label() for _key, label in COLUMNS])
    yield ("\ufeff" + out.getvalue()).encode("utf-8")
    for data in chunks:
        out.seek(0)
        out.truncate()
        for row in data:
            writer.writerow([row[key] for key, _label in COLUMNS])
        yield out.getvalue().encode("utf-8")


def geojson_stream(chunks: Iterable[tuple[list, list[dict]]]) -> Iterator[bytes]:
    """:func:`to_geojson` (without colours), piece by piece: one piece per chunk of (events, rows)."""
    yield b'{"type": "FeatureCollection", "features": ['
    first = True
    for events, data in chunks:
        features = [json.dumps(f, ensure_ascii=False) for f in to_geojson(events, set(), data)["features"]]
        if features:
            yield (("" if first else ", ") + ", ".join(features)).encode("utf-8")
            first = False
    yield b"]}"


def to_xlsx(data: list[dict], *, filter_text: str = "", title: str = "", total: int | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Events")[:31]
    sheet.append([label() for _key, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append([row[key] for key, _label in COLUMNS])
    sheet.freeze_panes = "A2"
    about = book.create_sheet(_("About")[:31])
    about.append([_("Export"), title])
    about.append([_("Filter"), filter_text or _("none")])
    about.append([_("Rows"), len(data)])
    if total is not None and total > len(data):
        about.append([_("Not included"), _("The newest %(rows)d of %(total)d events; narrow the filter, or export CSV "
                                           "or GeoJSON, for all of them.") % {"rows": len(data), "total": total}])
    about.append([_("Times"), _("Europe/Stockholm, ISO 8601 with offset")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_geojson(events, own_org_ids: set[int], data: list[dict] | None = None, *, colours: bool = False) -> dict:
    data = data if data is not None else rows(events, own_org_ids)
    features = []
    for event, row in zip(events, data):
        props = dict(row)
        if colours:
            props["colour"] = event.category.colour
            props["url"] = reverse("events:detail", args=[event.uuid])
        features.append({
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features}
