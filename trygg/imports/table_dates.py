"""Dates and times in spreadsheets: declared formats, fast exact parsing, and format guessing.

A format is written with the strftime codes ``%Y %y %m %d %H %M %S`` (e.g. ``%d/%m/%Y %H:%M``).
Numbers need not be zero-padded (``3/4/2024 7:05``). Parsing is exact: 31/02/2024 is an error, not
2 March. Guessing looks at a whole sample and refuses to choose between day/month and month/day
when no value above 12 decides it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.utils.translation import gettext as _

ISO = "iso"
_CODES = {
    "%Y": r"(?P<Y>\d{4})", "%y": r"(?P<y>\d{2})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})",
    "%H": r"(?P<H>\d{1,2})", "%M": r"(?P<M>\d{1,2})", "%S": r"(?P<S>\d{1,2})",
}

DATE_PARTS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y",
              "%Y%m%d"]
TIME_PARTS = ["", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S", " %H.%M"]
DATETIME_FORMATS = [d + t for d in DATE_PARTS for t in TIME_PARTS]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M", "%H%M"]

# Choices offered in the wizard (value, label).
FORMAT_CHOICES = [
    ("%Y-%m-%d %H:%M", "2024-04-03 14:30"), ("%Y-%m-%d", "2024-04-03"),
    ("%d/%m/%Y %H:%M", "03/04/2024 14:30 (dag/månad)"), ("%d/%m/%Y", "03/04/2024 (dag/månad)"),
    ("%m/%d/%Y %H:%M", "04/03/2024 14:30 (månad/dag)"), ("%m/%d/%Y", "04/03/2024 (månad/dag)"),
    ("%d.%m.%Y %H:%M", "03.04.2024 14:30"), ("%d.%m.%Y", "03.04.2024"),
    ("%Y-%m-%dT%H:%M:%S", "2024-04-03T14:30:00"), (ISO, "ISO 8601"),
]
TIME_CHOICES = [("%H:%M", "14:30"), ("%H:%M:%S", "14:30:00"), ("%H.%M", "14.30"), ("%H%M", "1430")]


class DateFormatError(ValueError):
    pass


@lru_cache(maxsize=64)
def compile_format(fmt: str) -> re.Pattern:
    if fmt == ISO:
        return re.compile(r".+")
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i:i + 2]
            if code == "%%":
                out.append("%")
            elif code in _CODES:
                out.append(_CODES[code])
            else:
                raise DateFormatError(_("The format code %(code)s is not supported (use %%Y %%m %%d %%H %%M %%S).")
                                      % {"code": code})
            i += 2
        else:
            out.append(r"\s+" if fmt[i] == " " else re.escape(fmt[i]))
            i += 1
    return re.compile("".join(out) + r"\s*$")


def _groups(fmt: str, text: str) -> dict | None:
    match = compile_format(fmt).match(text.strip())
    return match.groupdict() if match else None


def parse_datetime(value, fmt: str, tz) -> dt.datetime:
    """Parse a cell into an aware datetime in ``tz``; raise ValueError with a message for the user."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    text = str(value).strip()
    if fmt == ISO:
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(_('"%(value)s" is not an ISO 8601 date.') % {"value": text}) from None
        return result if result.tzinfo else result.replace(tzinfo=tz)
    groups = _groups(fmt, text)
    if groups is None:
        raise ValueError(_('"%(value)s" does not match the date format %(fmt)s.') % {"value": text, "fmt": fmt})
    year = int(groups["Y"]) if groups.get("Y") else 2000 + int(groups["y"]) if groups.get("y") else 1900
    try:
        return dt.datetime(year, int(groups.get("m") or 1), int(groups.get("d") or 1), int(groups.get("H") or 0),
                           int(groups.get("M") or 0), int(groups.get("S") or 0), tzinfo=tz)
    except ValueError:
        raise ValueError(_('"%(value)s" is not a valid date or time (e.g. day 31 in a 30-day month).')
                         % {"value": text}) from None


def parse_time(value, fmt: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    text = str(value).strip()
    groups = _groups(fmt, text)
    if groups is None:
        raise ValueError(_('"%(value)s" does not match the time format %(fmt)s.') % {"value": text, "fmt": fmt})
    try:
        return dt.time(int(groups.get("H") or 0), int(groups.get("M") or 0), int(groups.get("S") or 0))
    except ValueError:
        raise ValueError(_('"%(value)s" is not a valid time.') % {"value": text}) from None


def _plausible(groups: dict) -> bool:
    """Numbers in range (month 1–12, day 1–31, hour 0–23...), without checking month lengths."""
    try:
        return (1 <= int(groups.get("m") or 1) <= 12 and 1 <= int(groups.get("d") or 1) <= 31
                and int(groups.get("H") or 0) <= 23 and int(groups.get("M") or 0) <= 59
                and int(groups.get("S") or 0) <= 59)
    except ValueError:
        return False


def _day_month_swapped(a: str, b: str) -> bool:
    return a.replace("%d", "#").replace("%m", "%d").replace("#", "%m") == b


def guess_format(values, formats=None) -> tuple[str | None, str]:
    """Choose a format that fits every non-empty value of a sample.

    Returns (format, "") or (None, message). Day/month order is only chosen when some value
    decides it (a first number above 12, say 25/03/2024); otherwise the user must declare it.
    """
    texts = [str(v).strip() for v in values if v not in (None, "") and not isinstance(v, (dt.date, dt.time))]
    if not texts:
        return (ISO, "") if values else (None, _("The column is empty."))
    fitting = []
    for fmt in formats or DATETIME_FORMATS:
        ok = True
        for text in texts:
            groups = _groups(fmt, text)
            if groups is None or not _plausible(groups):
                ok = False
                break
        if ok:
            fitting.append(fmt)
    if not fitting:
        return None, _('No known date format fits every value (e.g. "%(value)s"); declare the format.') % {
            "value": texts[0]}
    first = fitting[0]
    rest = [f for f in fitting[1:] if f != first]
    if any(_day_month_swapped(first, f) for f in rest):
        return None, _('The dates could be day/month or month/day (e.g. "%(value)s") and no value above 12 '
                       "decides it: choose the date format.") % {"value": texts[0]}
    return first, ""


def guess_time_format(values) -> tuple[str | None, str]:
    return guess_format(values, TIME_FORMATS)
