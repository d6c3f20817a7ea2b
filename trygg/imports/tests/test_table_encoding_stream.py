"""Spreadsheets: Windows-1252 found after a plain-ASCII start, impossible dates in a declared
format, and the readers streaming a 200 MB file they never hold whole."""

from __future__ import annotations

import io
import tracemalloc

import openpyxl
import pytest

from trygg.imports.mapping import Spec
from trygg.imports.models import RejectedRow
from trygg.imports.table_import import import_table, start_table_run
from trygg.imports.tabular import CsvTable, XlsxTable, open_table

from .generated_file import GeneratedFile


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


HEADER = b"Id;Datum;Typ;Lat;Lon;Beskrivning\n"
ASCII_ROW = b"%d;2024-03-01 10:00;brand;59.5;17.85;Brand i container vid skolan\n"


def ascii_start(rows: int) -> bytes:
    return HEADER + b"".join(ASCII_ROW % i for i in range(1, rows + 1))


def test_windows_1252_after_64_kb_of_ascii_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "larm.csv"
    late = "9001;2024-03-02 10:00;brand;59.5;17.85;Rökutveckling i källaren, Åby\n".encode("cp1252")
    path.write_bytes(ascii_start(2000) + late)  # about 110 KB of ASCII first
    table = open_table(path)
    assert table.encoding == "utf-8"  # what the first 64 KB said
    rows = list(table.rows())
    last = rows[-1]
    assert not last.error and last.cells[5] == "Rökutveckling i källaren, Åby"
    assert all(not r.error for r in rows)
    assert (table.recoded_from, table.recoded_lines) == (2002, 1)


def test_a_utf8_file_with_one_windows_1252_row_still_reports_that_row(tmp_path):
    path = tmp_path / "blandad.csv"
    utf8_row = "9001;2024-03-02 10:00;brand;59.5;17.85;Rök i källaren\n".encode("utf-8")
    cp_row = "9002;2024-03-02 10:00;brand;59.5;17.85;Rök i källaren\n".encode("cp1252")
    path.write_bytes(ascii_start(2000) + utf8_row + cp_row)
    rows = list(open_table(path).rows())
    assert rows[-2].cells[5] == "Rök i källaren" and not rows[-2].error
    assert "mixes encodings" in rows[-1].error


@pytest.mark.django_db
def test_the_import_notes_that_it_switched_to_windows_1252(tmp_path, org_a):
    path = tmp_path / "larm.csv"
    late = "9001;2024-03-02 10:00;brand;59.5;17.85;Rök, Åby\n".encode("cp1252")
    path.write_bytes(ascii_start(1500) + late)
    spec = Spec.from_dict({"columns": {"external_id": "Id", "occurred_from": "Datum", "category": "Typ",
                                       "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
                           "date_format": "%Y-%m-%d %H:%M"})
    run = start_table_run(path, spec, organisation=org_a)
    import_table(run, path, spec, organisation=org_a)
    run.refresh_from_db()
    assert (run.created, run.rejected) == (1501, 0)
    assert any("from line 1502 on it is Windows-1252" in n for n in run.summary["notices"])


@pytest.mark.django_db
def test_an_impossible_date_in_a_declared_format_rejects_only_its_row(tmp_path, org_a):
    path = tmp_path / "datum.csv"
    path.write_text("Id;Datum;Typ;Lat;Lon\n1;28/02/2024;brand;59.5;17.85\n2;31/02/2024;brand;59.5;17.85\n"
                    "3;01/03/2024;brand;59.5;17.85\n", encoding="utf-8")
    spec = Spec.from_dict({"columns": {"external_id": "Id", "occurred_from": "Datum", "category": "Typ",
                                       "lat": "Lat", "lon": "Lon"}, "date_format": "%d/%m/%Y"})
    run = start_table_run(path, spec, organisation=org_a)
    import_table(run, path, spec, organisation=org_a)
    run.refresh_from_db()
    assert (run.read, run.created, run.rejected) == (3, 2, 1)
    rejected = RejectedRow.objects.get(run=run)
    assert rejected.row == 3 and rejected.field == "Datum"
    assert 'Row 3, column "Datum"' in rejected.reason and "31/02/2024" in rejected.raw


def virtual_csv() -> GeneratedFile:
    """A ~200 MB CSV that exists nowhere: rows are made as they are read (seek(0) starts again)."""
    return GeneratedFile(200 * 1024 * 1024, HEADER, lambda i: ASCII_ROW % i)


def test_the_csv_reader_streams_a_200_mb_file_without_reading_it_all():
    raw = virtual_csv()
    tracemalloc.start()
    try:
        table = CsvTable(io.BufferedReader(raw, buffer_size=64 * 1024))
        rows = table.rows()
        first = [next(rows) for _ in range(20000)]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.header[0] == "Id" and first[-1].cells[0] == "20000"
    assert raw.consumed < 8 * 1024 * 1024
    assert peak < 32 * 1024 * 1024


def test_xlsx_is_read_in_openpyxls_streaming_read_only_mode(tmp_path):
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Id", "Datum", "Typ"])
    for i in range(1, 50):
        sheet.append([i, "2024-03-01", "brand"])
    book.save(tmp_path / "a.xlsx")
    table = XlsxTable(tmp_path / "a.xlsx")
    assert table.book.read_only and isinstance(table.ws, ReadOnlyWorksheet)
    assert sum(1 for _ in table.rows()) == 49
    table.close()
