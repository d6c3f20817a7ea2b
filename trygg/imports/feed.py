"""Reading the police events feed: a streaming JSON array reader and exact parsing of one notice.

The reader never holds more than one read-ahead chunk plus the notice being decoded, so a
200 MB file imports in bounded memory; a truncated file yields every complete notice before the
break and then a :class:`FeedBroken` marker naming the notice where it broke.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.utils.translation import gettext as _

CHUNK = 1 << 20  # bytes read at a time
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
_SPACE = re.compile(r"\s*")


@dataclass
class BadNotice:
    """Notice ``number`` (1-based) cannot be read (bytes in no known encoding); the rest go on."""

    number: int
    message: str
    raw: str = ""
    field: str = ""


@dataclass
class FeedStats:
    """What the reader had to repair: notices with bytes that are not UTF-8, read as Windows-1252."""

    recoded: list = dc_field(default_factory=list)  # (notice number, id, file byte offset)


def _utf8_cut(data: bytes) -> int:
    """Where ``data`` may be cut without splitting a UTF-8 character (its length when whole)."""
    n = len(data)
    i = n - 1
    while i >= 0 and n - i <= 3 and 0x80 <= data[i] <= 0xBF:
        i -= 1
    if i < 0:
        return n
    lead = data[i]
    need = 2 if 0xC0 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF7 else 1
    return i if n - i < need else n


def _decode_mixed(data: bytes, base: int, char_base: int, repairs: list) -> str:
    """UTF-8 with stretches in another encoding: each bad stretch is read as Windows-1252 (or, when
    not even that, as U+FFFD). ``repairs`` gets (character position, file byte offset, ok)."""
    parts: list[str] = []
    pos = 0
    chars = char_base
    while pos < len(data):
        try:
            text = data[pos:].decode("utf-8")
        except UnicodeDecodeError as exc:
            good = data[pos:pos + exc.start].decode("utf-8")
            bad = data[pos + exc.start:pos + exc.end]
            try:
                fixed, ok = bad.decode("cp1252"), True
            except UnicodeDecodeError:
                fixed, ok = "\ufffd" * len(bad), False
            parts.append(good)
            chars += len(good)
            repairs.append((chars, base + pos + exc.start, ok))
            parts.append(fixed)
            chars += len(fixed)
            pos += exc.end
        else:
            parts.append(text)
            break
    return "".join(parts)


def iter_notices(stream, stats: FeedStats | None = None) -> Iterator[dict | FeedBroken | BadNotice]:
    """Yield each element of the top-level JSON array in ``stream`` (binary, UTF-8, BOM allowed).

    Raises :class:`FeedError` before yielding anything when the file is empty or not a JSON
    list; yields a :class:`FeedBroken` last when it breaks off half-way. A notice with bytes that
    are not UTF-8 is read as Windows-1252 (noted in ``stats``) or, failing that, yields a
    :class:`BadNotice` naming its number, id and byte offset; the notices around it are read.
    """
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0
    eof = False
    carry = b""  # the start of a character cut at the end of the last chunk
    byte_pos = 0  # file offset of ``carry``
    buf_chars = 0  # characters of the file before buf[0]
    repairs: list[tuple[int, int, bool]] = []  # (file character position, file byte offset, recoded)
    first = True

    def more() -> bool:
        nonlocal buf, pos, eof, carry, byte_pos, buf_chars, first
        if eof:
            return False
        while True:
            data = stream.read(CHUNK) or b""
            if first:
                first = False
                if data.startswith(codecs.BOM_UTF8):
                    data = data[3:]
                    byte_pos = 3
            if not data:
                eof = True
                if not carry:
                    return False
                data, carry = carry, b""  # a character cut off at the very end: bad bytes
                break
            data = carry + data if carry else data
            cut = _utf8_cut(data)
            if cut == 0:  # only the start of a character so far
                carry = data
                continue
            carry, data = data[cut:], data[:cut]
            break
        buf_chars += pos
        start = buf_chars + len(buf) - pos
        try:
            chunk = data.decode("utf-8")
        except UnicodeDecodeError:
            chunk = _decode_mixed(data, byte_pos, start, repairs)
        byte_pos += len(data)
        buf = buf[pos:] + chunk
        pos = 0
        return True

    # The opening bracket.
    while True:
        pos = _SPACE.match(buf, pos).end()
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
        if repairs and repairs[0][0] - buf_chars <= pos:
            raise FeedError(_("The file is not UTF-8 text (byte %(at)d).") % {"at": repairs[0][1]})
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
        if repairs:
            value = _repaired(value, number, buf_chars + pos, buf_chars + end, repairs, stats, buf[pos:end])
        pos = end
        yield value
        if pos > CHUNK:  # drop what has been consumed
            buf_chars += pos
            buf = buf[pos:]
            pos = 0


def _repaired(value, number: int, start: int, end: int, repairs: list, stats: FeedStats | None, raw: str):
    """The notice, or a :class:`BadNotice` when bytes in it are in no known encoding."""
    while repairs and repairs[0][0] < start:
        repairs.pop(0)  # between notices
    mine = []
    while repairs and repairs[0][0] < end:
        mine.append(repairs.pop(0))
    if not mine:
        return value
    notice_id = value.get("id") if isinstance(value, dict) else None
    offset = mine[0][1]
    if all(ok for _c, _b, ok in mine):
        if stats is not None:
            stats.recoded.append((number, notice_id, offset))
        return value
    return BadNotice(number, _("Notice %(n)d (id %(id)s): bytes from %(offset)d on are neither UTF-8 nor "
                               "Windows-1252; the notice was not imported.")
                     % {"n": number, "id": notice_id if notice_id is not None else "?", "offset": offset},
                     raw[:2000])


# --- one notice -----------------------------------------------------------------------------
_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{1,2}:?\d{2})\s*$"
)


# The feed's own shape, "YYYY-MM-DD H:MM:SS +HH:MM" with a Swedish offset: the offsets met, ready.
_FEED_OFFSETS = {"+01:00": dt.timedelta(hours=1), "+02:00": dt.timedelta(hours=2)}
_UTC = dt.timezone.utc


def parse_feed_datetime(value) -> dt.datetime:
    """``"2023-06-07 0:23:45 +02:00"`` → an aware UTC datetime. Raises ValueError with a reason.

    The feed's usual shape takes a short path (a third of the time of the general pattern, which
    counts in an import of 20,000 notices); anything else, or anything the short path is unsure
    of, goes through the general pattern, which decides."""
    if isinstance(value, str) and len(value) in (25, 26) and value[-7] == " ":
        offset = _FEED_OFFSETS.get(value[-6:])
        hour, minute, second = value[11:-13], value[-12:-10], value[-9:-7]
        digits = value[:4] + value[5:7] + value[8:10] + hour + minute + second
        if (offset is not None and value[4] == "-" and value[7] == "-" and value[10] == " "
                and value[-13] == ":" and value[-10] == ":" and digits.isascii() and digits.isdigit()):
            try:
                local = dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(hour), int(minute),
                                    int(second))
                return (local - offset).replace(tzinfo=_UTC)
            except (ValueError, OverflowError):
                pass  # the general path decides, with its own reason
    return _parse_general(value)


def _parse_general(value) -> dt.datetime:
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
    try:
        return local.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. year 1 with a positive offset
        raise ValueError("out of range") from None


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
