"""Time-ordered UUIDs (version 7, RFC 9562) for rows that are written in bulk.

A random (version 4) UUID lands at a random place in its unique index, so every insert touches
a different index page; a version 7 UUID starts with the Unix time in milliseconds, so new rows
append at the end of the index. Python 3.11 has no ``uuid.uuid7``; this is its layout:
48 bits of milliseconds, the version nibble 7, 12 random bits, the RFC variant, 62 random bits.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62


def uuid7_int(ms: int | None = None) -> int:
    ms = time.time_ns() // 1_000_000 if ms is None else ms
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b (+6 spare)
    rand_a = rand >> 68
    rand_b = rand & ((1 << 62) - 1)
    return ((ms & ((1 << 48) - 1)) << 80) | _VERSION_7 | (rand_a << 64) | _VARIANT | rand_b


def uuid7() -> uuid.UUID:
    """A new version 7 UUID; later calls sort after earlier ones (to the millisecond)."""
    return uuid.UUID(int=uuid7_int())


_VARIANT_NIBBLE = {f"{i:x}": f"{0x8 | (i & 0x3):x}" for i in range(16)}


def uuid7_hex_many(n: int) -> list[str]:
    """``n`` version 7 UUIDs of this millisecond as 32 hex digits (the form both database backends
    take); they share the time prefix, so they sort after every earlier batch."""
    prefix = f"{time.time_ns() // 1_000_000 & ((1 << 48) - 1):012x}7"
    rand = os.urandom(10 * n).hex()  # 20 hex digits per uuid: 3 rand_a, 1 variant, 15 rand_b (+1 spare)
    variant = _VARIANT_NIBBLE
    return [f"{prefix}{rand[i:i + 3]}{variant[rand[i + 3]]}{rand[i + 4:i + 19]}" for i in range(0, 20 * n, 20)]
