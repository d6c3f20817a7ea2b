"""Helpers shared by the web view and export tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

UTC = dt.timezone.utc


def listed_ids(response) -> list[str]:
    """Event uuids in the order the list page shows them."""
    return re.findall(r'<tr data-event="([0-9a-f-]{36})">', response.content.decode())


def csv_rows(response) -> list[dict]:
    body = response.content
    assert body.startswith("\ufeff".encode()), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[dict]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row)) for row in values[1:]]


def geojson_features(response) -> list[dict]:
    return json.loads(response.content.decode())["features"]


def at_utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)
