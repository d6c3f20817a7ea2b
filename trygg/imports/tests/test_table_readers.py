"""Spreadsheet readers: encodings, delimiters, headers, empty files, XLSX sheets (no database)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.utils import translation

from trygg.imports.tabular import TableError, detect_encoding, open_table, sniff_delimiter

HEADER = "Datum;Typ;Plats;Beskrivning\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield

ROWS = "2024-03-01;Klotter;Söder;Målat på väggen\n2024-03-02;Skadegörelse;Öster;Krossad ruta\n"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252"),
])
def test_it_detects_the_encoding_and_reads_swedish_letters(tmp_path, encoding, expected):
    path = write(tmp_path, "a.csv", (HEADER + ROWS).encode(encoding))
    table = open_table(path)
    assert table.encoding == expected
    assert table.header == ["Datum", "Typ", "Plats", "Beskrivning"]
    rows = list(table.rows())
    assert [r.cells[2] for r in rows] == ["Söder", "Öster"]
    assert rows[1].cells[1] == "Skadegörelse"
    assert all(not r.error for r in rows)


def test_it_detects_utf16_without_a_byte_order_mark():
    assert detect_encoding((HEADER + ROWS).encode("utf-16-le")) == "utf-16-le"


@pytest.mark.parametrize("delim", [";", ",", "\t", "|"])
def test_it_sniffs_the_delimiter(tmp_path, delim):
    text = (HEADER + ROWS).replace(";", delim)
    table = open_table(write(tmp_path, "a.csv", text.encode()))
    assert table.delimiter == delim
    assert len(table.header) == 4


def test_sniffing_respects_quoted_delimiters():
    lines = ['Datum,Beskrivning,Typ', '2024-01-01,"Glas; flaskor, burkar",klotter', '2024-01-02,"a; b",klotter']
    assert sniff_delimiter(lines) == ","


def test_it_reports_a_zero_byte_file(tmp_path):
    with pytest.raises(TableError) as exc:
        open_table(write(tmp_path, "empty.csv", b""))
    assert exc.value.code == "empty"
    assert "0 bytes" in exc.value.message


def test_a_zero_byte_file_is_reported_in_swedish(tmp_path):
    with translation.override("sv"), pytest.raises(TableError) as exc:
        open_table(write(tmp_path, "empty.csv", b""))
    assert exc.value.message == "Filen är tom (0 byte)."


def test_a_file_with_one_column_says_only_one_column_was_found(tmp_path):
    path = write(tmp_path, "a.csv", b"Datum Typ Plats\n2024-01-01 klotter Soder\n")
    with pytest.raises(TableError) as exc:
        open_table(path)
    assert exc.value.code == "one_column"
    assert "Only one column" in exc.value.message


def test_a_wrongly_declared_delimiter_names_the_one_the_file_uses(tmp_path):
    path = write(tmp_path, "a.csv", (HEADER + ROWS).replace(";", ",").encode())
    with pytest.raises(TableError) as exc:
        open_table(path, delimiter=";")
    assert exc.value.code == "one_column"
    assert "Only one column was found with the delimiter semikolon ;" in exc.value.message
    assert "komma ," in exc.value.message


def test_a_duplicated_header_names_the_column(tmp_path):
    path = write(tmp_path, "a.csv", b"Datum;Typ;datum\n2024-01-01;klotter;x\n")
    with pytest.raises(TableError) as exc:
        open_table(path)
    assert exc.value.code == "duplicate_header"
    assert '"datum"' in exc.value.message and "columns 1 and 3" in exc.value.message


def test_mixed_encodings_are_reported_per_row_and_the_other_rows_are_read(tmp_path):
    data = (HEADER + ROWS).encode("utf-8") + "2024-03-03;Klotter;Västra;Färg\n".encode("cp1252") + \
        "2024-03-04;Klotter;Norr;Ok\n".encode("utf-8")
    table = open_table(write(tmp_path, "mixed.csv", data))
    assert table.encoding == "utf-8"
    rows = list(table.rows())
    assert [r.number for r in rows] == [2, 3, 4, 5]
    assert [bool(r.error) for r in rows] == [False, False, True, False]
    assert "mixes encodings" in rows[2].error
    assert rows[3].cells[2] == "Norr"


def test_a_utf8_row_in_a_windows_1252_file_is_reported_not_garbled(tmp_path):
    data = (HEADER + ROWS).encode("cp1252") + "2024-03-03;Klotter;Västra;Färg\n".encode("utf-8")
    table = open_table(write(tmp_path, "mixed.csv", data))
    assert table.encoding == "cp1252"
    rows = list(table.rows())
    assert [r.cells[2] for r in rows[:2]] == ["Söder", "Öster"]
    assert "mixes encodings" in rows[2].error


def test_row_numbers_follow_the_file_and_blank_rows_are_skipped(tmp_path):
    text = HEADER + "2024-01-01;a;b;c\n\n;;;\n2024-01-02;a;b;\"two\nlines\"\n2024-01-03;a;b;c\n"
    rows = list(open_table(write(tmp_path, "a.csv", text.encode())).rows())
    assert [r.number for r in rows] == [2, 5, 7]
    assert rows[1].cells[3] == "two\nlines"


def test_a_row_with_extra_cells_is_flagged_and_short_rows_are_padded(tmp_path):
    text = HEADER + "2024-01-01;a;b;c;extra\n2024-01-02;a\n"
    rows = list(open_table(write(tmp_path, "a.csv", text.encode())).rows())
    assert "5 cells" in rows[0].error
    assert rows[1].cells == ["2024-01-02", "a", "", ""] and not rows[1].error


def test_resuming_skips_rows_up_to_the_checkpoint(tmp_path):
    rows = list(open_table(write(tmp_path, "a.csv", (HEADER + ROWS).encode())).rows(start_after=2))
    assert [r.number for r in rows] == [3]


def _workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def test_it_reads_an_xlsx_with_native_dates(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"Händelser": [["Datum", "Typ"], [dt.datetime(2024, 3, 1, 14, 30), "Klotter"]]})
    table = open_table(path)
    assert table.kind == "xlsx" and table.header == ["Datum", "Typ"]
    rows = list(table.rows())
    assert rows[0].number == 2 and rows[0].cells == [dt.datetime(2024, 3, 1, 14, 30), "Klotter"]


def test_an_xlsx_with_several_sheets_asks_which_one(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"2023": [["Datum", "Typ"], ["2023-01-01", "a"]],
                                           "2024": [["Datum", "Typ"], ["2024-01-01", "b"]]})
    with pytest.raises(TableError) as exc:
        open_table(path)
    assert exc.value.code == "several_sheets" and "2023, 2024" in exc.value.message
    assert list(open_table(path, sheet="2024").rows())[0].cells[1] == "b"
    assert list(open_table(path, sheet=1).rows())[0].cells[1] == "a"
    with pytest.raises(TableError) as exc:
        open_table(path, sheet="2025")
    assert exc.value.code == "sheet"


def test_an_xlsx_with_one_sheet_holding_data_picks_it(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"Info": [], "Data": [["Datum", "Typ"], ["2024-01-01", "b"]]})
    assert open_table(path).sheet == "Data"


def test_an_old_xls_file_gets_a_clear_message(tmp_path):
    with pytest.raises(TableError) as exc:
        open_table(write(tmp_path, "a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))
    assert exc.value.code == "xls"
