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


def body_of(response) -> bytes:
    """The whole body, also of a streamed response."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    body = body_of(response)
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
    return json.loads(body_of(response).decode())["features"]


def at_utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)
