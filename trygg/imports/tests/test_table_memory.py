"""A large spreadsheet is streamed, never loaded whole: memory stays bounded (tracemalloc, no timing)."""

from __future__ import annotations

import tracemalloc

import pytest

from trygg.imports.mapping import Spec
from trygg.imports.table_import import import_table
from trygg.imports.tabular import open_table

ROWS = 24_000
TEXT = "Sönderslagen busskur vid skolan, glas över hela trottoaren. " * 15  # ~900 characters


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("Id;Datum;Typ;Lat;Lon;Beskrivning\n")
        for i in range(ROWS):
            fh.write(f"{i};2024-03-{1 + i % 28:02d} {i % 24}:{i % 60:02d};brand;{59.46 + (i % 100) / 1000:.4f};"
                     f"{17.81 + (i % 150) / 1000:.4f};{TEXT}{i}\n")
    assert path.stat().st_size > 20_000_000  # tens of MB
    return path


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_large_csv_keeps_memory_far_below_the_file_size(big_csv):
    count = []
    peak = _peak(lambda: count.append(sum(1 for _ in open_table(big_csv).rows())))
    assert count == [ROWS]
    assert peak < 3_000_000, peak  # a few rows and a 64 KB sample, not 20+ MB


def test_a_dry_run_of_a_large_csv_works_chunk_by_chunk(big_csv, org_a):
    spec = Spec.from_dict({"columns": {"external_id": "Id", "occurred_from": "Datum", "category": "Typ",
                                       "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
                           "date_format": "%Y-%m-%d %H:%M"})
    out = []
    peak = _peak(lambda: out.append(import_table(None, big_csv, spec, organisation=org_a, commit=False,
                                                        chunk_size=1000)))
    counts = out[0]
    assert (counts.read, counts.created, counts.rejected) == (ROWS, ROWS, 0)
    size = big_csv.stat().st_size
    assert peak < size / 4, (peak, size)  # one chunk (here 1,000 rows of ~1 KB) at a time
