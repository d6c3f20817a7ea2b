"""A large police file is streamed: memory stays bounded however big the file is (no timings)."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from trygg.imports.feed import iter_notices

from .conftest import notice

NOTICE = json.dumps(notice(1, summary="Brand i en container vid skolan. " * 3), ensure_ascii=False)


def write_big(path, megabytes: int) -> int:
    """A feed file of about ``megabytes`` MB, written line by line (never built in memory)."""
    target = megabytes * 1024 * 1024
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[\n")
        size = 2
        while size < target:
            text = NOTICE.replace('"id": 1', f'"id": {count + 1}', 1)
            fh.write(("," if count else "") + text + "\n")
            size += len(text.encode()) + 2
            count += 1
        fh.write("]\n")
    return count


def peak_while_reading(path) -> tuple[int, int]:
    tracemalloc.start()
    n = 0
    with open(path, "rb") as fh:
        for item in iter_notices(fh):
            n += 1
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return n, peak


@pytest.mark.slow
def test_reading_a_50_mb_file_keeps_memory_bounded(tmp_path):
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    n_small = write_big(small, 5)
    n_big = write_big(big, 50)
    read_small, peak_small = peak_while_reading(small)
    read_big, peak_big = peak_while_reading(big)
    assert (read_small, read_big) == (n_small, n_big)
    # Ten times the file, not ten times the memory: a few MB of read-ahead either way.
    assert peak_big < 12 * 1024 * 1024
    assert peak_big < 2 * peak_small + 2 * 1024 * 1024
