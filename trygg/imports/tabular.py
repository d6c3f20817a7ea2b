"""Spreadsheet readers: CSV (encoding and delimiter detected) and XLSX, streamed row by row.

Nothing here loads a whole file: CSV is decoded line by line from the binary stream, XLSX is read
with openpyxl in read-only mode. Every problem with the file as a whole raises :class:`TableError`
with a message in the user's language; problems with one row (a row in another encoding, too many
cells) are reported with that row and the reading goes on.

Rows come out as ``TableRow(number, cells, error)`` where ``number`` is the row number a
spreadsheet program shows (the header is row 1) and ``cells`` are strings for CSV and native
values (str, int, float, datetime) for XLSX.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = [";", ",", "\t", "|"]
DELIMITER_NAMES = {";": "semikolon ;", ",": "komma ,", "\t": "tab", "|": "|"}
ENCODING_LABELS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252",
}
csv.field_size_limit(10 * 1024 * 1024)


class TableError(ValueError):
    """The file as a whole cannot be read; ``message`` is for the user."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class TableRow:
    number: int
    cells: list[Any]
    error: str = ""

    def raw(self) -> str:
        return ";".join("" if c is None else str(c) for c in self.cells)


@dataclass
class TableInfo:
    kind: str  # "csv" or "xlsx"
    header: list[str]
    encoding: str = ""
    delimiter: str = ""
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


# --- encoding ----------------------------------------------------------------------------------
def detect_encoding(sample: bytes) -> str:
    """Cheap deterministic checks first: a BOM, UTF-16 without BOM, strict UTF-8, then Windows-1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
        return "utf-8"
    except UnicodeDecodeError as exc:
        # Mostly UTF-8 with a few bad lines (mixed encodings) still counts as UTF-8: the bad
        # rows are reported one by one.
        good = _utf8_line_share(sample)
        if good >= 0.5 and _has_utf8_multibyte(sample):  # a tie goes to UTF-8
            return "utf-8"
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is None:
            raise TableError(_("The file's text encoding could not be recognised. Save it as UTF-8 and try again."),
                             code="encoding") from exc
        return best.encoding


def _utf8_line_share(sample: bytes) -> float:
    """Of the lines with non-ASCII bytes, the share that is valid UTF-8 (the rest: another encoding)."""
    lines = [ln for ln in (sample.split(b"\n")[:-1] or [sample]) if not ln.isascii()]
    if not lines:
        return 1.0
    ok = 0
    for line in lines:
        try:
            line.decode("utf-8")
            ok += 1
        except UnicodeDecodeError:
            pass
    return ok / len(lines)


def _has_utf8_multibyte(sample: bytes) -> bool:
    for line in sample.split(b"\n"):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(ch) > 127 for ch in text):
            return True
    return False


def _ascii_compatible(encoding: str) -> bool:
    return not encoding.startswith("utf-16")


# --- delimiter ---------------------------------------------------------------------------------
def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter (; , tab |) that splits the first lines into the most consistent columns."""
    best, best_key = None, (0, 0.0, 0)
    lines = [ln for ln in lines if ln.strip()][:50]
    if not lines:
        return None
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        key = (1 if counts[0] == mode else 0, freq / len(counts), mode)
        if key > best_key:
            best, best_key = delim, key
    return best


# --- header ------------------------------------------------------------------------------------
def clean_header(cells: list[Any]) -> list[str]:
    """Strip the names; name empty ones by position; refuse a name that appears twice."""
    names = [("" if cell is None else str(cell)).strip().lstrip("\ufeff").strip() for cell in cells]
    while len(names) > 1 and not names[-1]:
        names.pop()  # trailing empty columns (spreadsheet programs add them)
    header = [name or _("(column %(n)d)") % {"n": i} for i, name in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        key = name.casefold()
        if key in seen:
            raise TableError(
                _('The column "%(name)s" appears twice in the header (columns %(first)d and %(second)d). '
                  "Column names must be unique: rename one of them.") % {"name": name, "first": seen[key], "second": i},
                code="duplicate_header",
            )
        seen[key] = i
    return header


# --- CSV ---------------------------------------------------------------------------------------
class CsvTable:
    kind = "csv"

    def __init__(self, path: str | os.PathLike | IO[bytes], *, encoding: str | None = None,
                 delimiter: str | None = None):
        # A path, or a seekable binary stream (read from the start each time rows are asked for).
        self.stream = path if hasattr(path, "read") else None
        self.path = "" if self.stream is not None else os.fspath(path)
        if self.stream is None and os.path.getsize(self.path) == 0:
            raise TableError(_("The file is empty (0 bytes)."), code="empty")
        with self._open() as fh:
            sample = fh.read(SAMPLE_BYTES)
        if not sample:
            raise TableError(_("The file is empty (0 bytes)."), code="empty")
        self.encoding = encoding or detect_encoding(sample)
        # UTF-8 only because the sample was plain ASCII: a later line may still show Windows-1252.
        self.encoding_guessed = encoding is None and self.encoding == "utf-8" and sample.isascii()
        self.recoded_lines = 0
        self.recoded_from = 0  # the first line read as Windows-1252
        text = sample.decode(self.encoding.replace("-sig", "") if self.encoding == "utf-8-sig" else self.encoding,
                             errors="replace")
        text = text.lstrip("\ufeff")
        lines = text.splitlines()
        if len(sample) == SAMPLE_BYTES and len(lines) > 1:
            lines = lines[:-1]  # the last line may be cut
        if not any(ln.strip() for ln in lines):
            raise TableError(_("The file has no rows."), code="empty")
        sniffed = sniff_delimiter(lines)
        if delimiter:
            first = next(csv.reader(lines[:1], delimiter=delimiter))
            if len(first) < 2:
                hint = (_(" The file seems to use %(other)s instead.") % {"other": DELIMITER_NAMES[sniffed]}
                        if sniffed and sniffed != delimiter else "")
                raise TableError(
                    _("Only one column was found with the delimiter %(delim)s.") % {
                        "delim": DELIMITER_NAMES.get(delimiter, delimiter)} + hint,
                    code="one_column",
                )
            self.delimiter = delimiter
        elif sniffed is None:
            first_line = next((ln for ln in lines if ln.strip()), "")[:80]
            raise TableError(
                _('Only one column was found (the first row reads "%(line)s"). The columns must be separated '
                  "by semicolon, comma, tab or |.") % {"line": first_line},
                code="one_column",
            )
        else:
            self.delimiter = sniffed
        self.bad_lines = 0
        rows = self._records()
        try:
            _n, header_cells, _err = next(rows)
        except StopIteration:
            raise TableError(_("The file has no rows."), code="empty") from None
        self.header = clean_header(header_cells)
        if len(self.header) < 2:
            raise TableError(_("Only one column was found in the header."), code="one_column")
        rows.close()

    @property
    def info(self) -> TableInfo:
        return TableInfo(kind="csv", header=self.header, encoding=self.encoding, delimiter=self.delimiter)

    def _lines(self, fh: IO[bytes], bad: set[int]) -> Iterator[str]:
        enc = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        first = True
        guessed = self.encoding_guessed  # until a non-ASCII line shows what the file is
        self.recoded_lines = 0
        for n, raw in enumerate(fh, start=1):
            if first:
                first = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
            if guessed and not raw.isascii():
                guessed = False
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    try:
                        raw.decode("cp1252")
                    except UnicodeDecodeError:
                        pass
                    else:  # the first non-ASCII line is Windows-1252: so is the file
                        enc = "cp1252"
                        self.recoded_from = n
            if enc == "cp1252" and self.recoded_from and not raw.isascii():
                self.recoded_lines += 1
            if enc == "cp1252" and not raw.isascii():
                # A Windows-1252 file with a row saved as UTF-8 decodes without error into "Ã¶":
                # a non-ASCII line that is valid UTF-8 is that row.
                try:
                    raw.decode("utf-8")
                    bad.add(n)
                except UnicodeDecodeError:
                    pass
            try:
                yield raw.decode(enc)
            except UnicodeDecodeError:
                bad.add(n)
                yield raw.decode("cp1252" if enc == "utf-8" else "latin-1", errors="replace")

    def _open(self):
        if self.stream is None:
            return open(self.path, "rb")
        self.stream.seek(0)
        return contextlib.nullcontext(self.stream)

    def _records(self) -> Iterator[tuple[int, list[str], str]]:
        bad: set[int] = set()
        with self._open() as fh:
            if _ascii_compatible(self.encoding):
                lines = self._lines(fh, bad)
            else:
                lines = io.TextIOWrapper(fh, encoding=self.encoding, errors="replace", newline="")
            reader = csv.reader(lines, delimiter=self.delimiter)
            ascii_ok = _ascii_compatible(self.encoding)
            last = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    start, last = last + 1, reader.line_num
                    yield start, [], _("The row cannot be read as CSV (%(error)s).") % {"error": exc}
                    continue
                start, last = last + 1, reader.line_num
                error = ""
                if bad and any(n in bad for n in range(start, last + 1)):
                    error = _("The row is not in the file's encoding (%(enc)s); the file mixes encodings. "
                              "Save the file as UTF-8 and import again.") % {"enc": ENCODING_LABELS.get(self.encoding, self.encoding)}
                    bad.difference_update(range(start, last + 1))
                    self.bad_lines += 1
                elif not ascii_ok and any("\ufffd" in c for c in cells):
                    error = _("The row contains characters that are not valid %(enc)s.") % {"enc": self.encoding}
                yield start, cells, error

    def rows(self, start_after: int = 0) -> Iterator[TableRow]:
        """Data rows (not the header); blank rows are left out. ``start_after``: skip rows up to that number."""
        width = len(self.header)
        records = self._records()
        next(records, None)  # the header
        for number, cells, error in records:
            if number <= start_after:
                continue
            if not error and not "".join(cells).strip():  # blank: every cell empty or spaces
                continue
            if not error and len(cells) != width:
                if len(cells) < width:
                    cells = cells + [""] * (width - len(cells))
                elif any(c.strip() for c in cells[width:]):
                    error = _("The row has %(n)d cells but the header has %(m)d columns.") % {"n": len(cells), "m": width}
                else:
                    cells = cells[:width]
            yield TableRow(number, cells, error)


# --- XLSX --------------------------------------------------------------------------------------
class XlsxTable:
    kind = "xlsx"

    def __init__(self, path: str | os.PathLike, *, sheet: str | int | None = None):
        import openpyxl

        self.path = os.fspath(path)
        try:
            self.book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile / xml errors of every kind
            raise TableError(_("The file is not a readable XLSX workbook (%(error)s).") % {"error": exc},
                             code="xlsx") from exc
        self.sheets = list(self.book.sheetnames)
        self.sheet = self._choose(sheet)
        self.ws = self.book[self.sheet]
        first = next(self.ws.iter_rows(max_row=1, values_only=True), None)
        if first is None or all(c in (None, "") for c in first):
            raise TableError(_('The sheet "%(sheet)s" is empty.') % {"sheet": self.sheet}, code="empty")
        self.header = clean_header(list(first))
        if len(self.header) < 2:
            raise TableError(_("Only one column was found in the header."), code="one_column")

    def _choose(self, sheet) -> str:
        if sheet not in (None, ""):
            if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in self.sheets):
                index = int(sheet)
                if 1 <= index <= len(self.sheets):
                    return self.sheets[index - 1]
            elif sheet in self.sheets:
                return sheet
            raise TableError(
                _('The workbook has no sheet "%(sheet)s". Its sheets are: %(sheets)s.') % {
                    "sheet": sheet, "sheets": ", ".join(self.sheets)},
                code="sheet",
            )
        if len(self.sheets) == 1:
            return self.sheets[0]
        with_data = [name for name in self.sheets
                     if any(c not in (None, "") for c in (next(self.book[name].iter_rows(max_row=1, values_only=True), None) or ()))]
        if len(with_data) == 1:
            return with_data[0]
        raise TableError(
            _("The workbook has several sheets (%(sheets)s): choose which one to import.") % {
                "sheets": ", ".join(self.sheets)},
            code="several_sheets",
        )

    @property
    def info(self) -> TableInfo:
        return TableInfo(kind="xlsx", header=self.header, sheets=self.sheets, sheet=self.sheet)

    def rows(self, start_after: int = 0) -> Iterator[TableRow]:
        width = len(self.header)
        for number, values in enumerate(self.ws.iter_rows(min_row=2, values_only=True), start=2):
            if number <= start_after:
                continue
            cells = list(values)
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            error = ""
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            elif len(cells) > width:
                if any(c not in (None, "") for c in cells[width:]):
                    error = _("The row has %(n)d cells but the header has %(m)d columns.") % {"n": len(cells), "m": width}
                else:
                    cells = cells[:width]
            yield TableRow(number, cells, error)

    def close(self) -> None:
        self.book.close()


def is_xlsx(path: str | os.PathLike) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def open_table(path: str | os.PathLike, *, sheet: str | int | None = None, encoding: str | None = None,
               delimiter: str | None = None):
    """A :class:`CsvTable` or :class:`XlsxTable` for the file (by content, not by name)."""
    if os.path.getsize(path) == 0:
        raise TableError(_("The file is empty (0 bytes)."), code="empty")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV."), code="xls")
    if is_xlsx(path):
        return XlsxTable(path, sheet=sheet)
    return CsvTable(path, encoding=encoding, delimiter=delimiter)


def list_sheets(path: str | os.PathLike) -> list[str]:
    if not is_xlsx(path):
        return []
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()
