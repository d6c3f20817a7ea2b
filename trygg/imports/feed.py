"""Reading the police events feed: a streaming JSON array reader and exact parsing of one notice.

The reader never holds more than one read-ahead chunk plus the notice being decoded, so a
200 MB file imports in bounded memory; a truncated file yields every complete notice before the
break and then a :class:`FeedBroken` marker naming the notice where it broke.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

CHUNK = 1 << 20  # characters read at a time
MAX_NOTICE_CHARS = 4 << 20  # one notice larger than this is not a police notice: stop looking


class FeedError(ValueError):
    """The file as a whole cannot be read (empty, not JSON, not a list)."""


@dataclass
class FeedBroken:
    """The file breaks off (or turns into non-JSON) at notice ``number`` (1-based)."""

    number: int
    message: str
    raw: str = ""


class CountingReader(io.RawIOBase):
    """Wraps a binary stream and counts the bytes read (for a progress bar by bytes)."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n


_WS = re.compile(r"[ \t\n\r,]*")


def iter_notices(stream) -> Iterator[dict | FeedBroken]:
    """Yield each element of the top-level JSON array in ``stream`` (binary, UTF-8, BOM allowed).

    Raises :class:`FeedError` before yielding anything when the file is empty or not a JSON
    list; yields a :class:`FeedBroken` last when it breaks off half-way.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0
    eof = False

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        try:
            chunk = text.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise FeedError(_("The file is not UTF-8 text (byte %(at)d).") % {"at": exc.start}) from exc
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    # The opening bracket.
    while True:
        m = re.compile(r"\s*").match(buf, pos)
        pos = m.end()
        if pos < len(buf):
            break
        if not more():
            if not buf.strip():
                raise FeedError(_("The file is empty (0 bytes)."))
            break
    if buf[pos:pos + 1] != "[":
        head = buf[pos:pos + 40]
        if head.startswith("{"):
            raise FeedError(_("The file is a JSON object, not a list of police notices."))
        raise FeedError(_("The file is not JSON from the police events feed (it starts with “%(head)s”).")
                        % {"head": head[:20]})
    pos += 1
    number = 0
    while True:
        pos = _WS.match(buf, pos).end()
        if pos >= len(buf):
            if more():
                continue
            yield FeedBroken(number + 1, _("The file ends before the list is closed: it is cut off after "
                                           "notice %(n)d. The complete notices before it were imported.")
                             % {"n": number})
            return
        if buf[pos] == "]":
            return
        try:
            value, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if len(buf) - pos < MAX_NOTICE_CHARS and more():
                continue
            number += 1
            if eof and not buf.rstrip().endswith("]"):
                message = _("The file is cut off in the middle of notice %(n)d. The %(done)d complete "
                            "notices before it were imported.") % {"n": number, "done": number - 1}
            else:
                message = _("Notice %(n)d is not valid JSON (%(error)s); the file is read no further.") % {
                    "n": number, "error": exc.msg}
            yield FeedBroken(number, message, buf[pos:pos + 500])
            return
        number += 1
        pos = end
        yield value
        if pos > CHUNK:  # drop what has been consumed
            buf = buf[pos:]
            pos = 0


# --- one notice -----------------------------------------------------------------------------
_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{1,2}:?\d{2})\s*$"
)


def parse_feed_datetime(value) -> dt.datetime:
    """``"2023-06-07 0:23:45 +02:00"`` → an aware UTC datetime. Raises ValueError with a reason."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    m = _DATETIME.match(value)
    if not m:
        raise ValueError("unexpected format")
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    zone = m.group(7)
    if zone == "Z":
        offset = dt.timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:-2]), int(digits[-2:])
        if hours > 14 or minutes > 59:
            raise ValueError("impossible UTC offset")
        offset = sign * dt.timedelta(hours=hours, minutes=minutes)
    local = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone(offset))  # ValueError if impossible
    return local.astimezone(dt.timezone.utc)


def parse_gps(value) -> tuple[float, float]:
    """``"59.329324,18.068581"`` → (lat, lon). Raises ValueError."""
    if not isinstance(value, str) or value.count(",") != 1:
        raise ValueError("not 'lat,lng'")
    lat, lon = (float(part) for part in value.split(","))
    if lat != lat or lon != lon:  # NaN
        raise ValueError("not a number")
    return lat, lon


def is_summary(notice_type: str) -> bool:
    return notice_type.strip().lower().startswith("sammanfattning")


def is_county_name(name: str) -> bool:
    return name.strip().lower().endswith(" län")
