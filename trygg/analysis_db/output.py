"""Rendering analysis results: JSON (parameters echoed) or CSV for tabular results."""

from __future__ import annotations

import csv
import io
import json

from django.utils.translation import gettext as _

from trygg.events.filters import FilterError

TABULAR = {"weekly", "compare", "aoristic", "hotspots", "emerging", "moran", "concentration", "effect"}


def as_json(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("columns", "table")}


def as_csv(analysis: str, result: dict) -> str:
    if analysis not in TABULAR:
        raise FilterError({"format": _("format: CSV is not available for this analysis; use JSON.")})
    if analysis == "weekly":
        from .weekly import csv_table

        columns, table = csv_table(result)
    else:
        columns, table = result.get("columns", []), result.get("table", [])
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in table:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def parameters_header(result: dict) -> str:
    return json.dumps(result.get("parameters", {}), ensure_ascii=True, default=str)
