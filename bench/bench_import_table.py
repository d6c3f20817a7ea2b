"""Benchmark: a 1,000,000-row CSV with coordinates imported through ``trygg import table``'s code path.

The CSV (id, date, time, category, lat, lon, description; UTF-8, semicolons, decimal commas in
half the rows) is generated into a temporary directory, then imported with a saved-style
mapping into a collaboration with 500 district areas (Voronoi polygons, ~120 vertices each)
plus its municipality, through :func:`trygg.imports.table_import.import_table` (chunks of
5,000 rows: read, convert, validate, boundary check, area assignment, upsert by external id,
rejected rows and progress recorded per chunk).

Two baselines, measured in the same run on the same file: the csv module plus ``executemany`` of
the same rows into an equivalent table, no validation, committed every 5,000 rows — once into a
copy of the events table with all its indexes, once into a copy with only its unique indexes (the
table as bulk-load mode loads it). The ratio target is checked against the larger of the two
ratios.

Targets: ≥ 20,000 rows/s, peak memory ≤ 500 MB, import/baseline ≤ 3×. Memory is measured two
ways: the peak proportional set size (PSS) of this process plus the import's read-ahead process,
sampled every 0.1 s during the import (pages the forked reader shares with this process counted
once), and ``resource.getrusage`` peak RSS of each process (which counts shared pages in both).

    /tmp/venv/bin/python bench/bench_import_table.py                 # temporary SQLite file
    /tmp/venv/bin/python bench/bench_import_table.py --database-url postgres://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a throwaway database is created on that server and dropped afterwards.
Prints one JSON object. ``--profile`` prints a pyinstrument profile of the import to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_write import ThrowawayDatabase, machine, make_collaboration, setup_django  # noqa: E402

TARGET_ROWS_PER_S = 20_000.0
TARGET_RSS_MB = 500.0
TARGET_RATIO = 3.0
CHUNK = 5000
CATEGORIES = ["Klotter", "glaskross", "Brand i soptunna/container", "Nedskräpning", "Bråk", "Inbrott", "stold",
              "Misstänkt droghantering", "Buskörning", "Ungdomar som stör boende"]


def generate_csv(path: Path, rows: int, frame, seed: int = 5) -> int:
    import numpy as np

    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = frame.bounds
    block = 100_000
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("Id;Datum;Tid;Typ;Lat;Lon;Beskrivning\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            lat = rng.uniform(miny + 1e-4, maxy - 1e-4, n)
            lon = rng.uniform(minx + 1e-4, maxx - 1e-4, n)
            day = rng.integers(0, 730, n)
            minute = rng.integers(0, 24 * 60, n)
            cat = rng.integers(0, len(CATEGORIES), n)
            lines = []
            for i in range(n):
                d = np.datetime64("2023-01-01") + int(day[i])
                la, lo = f"{lat[i]:.6f}", f"{lon[i]:.6f}"
                if i % 2:
                    la, lo = la.replace(".", ","), lo.replace(".", ",")
                lines.append(f"{start + i + 1};{d};{minute[i] // 60}:{minute[i] % 60:02d};{CATEGORIES[cat[i]]};{la};{lo};"
                             f"{'Sönderslagen bänk vid gångvägen' if i % 3 == 0 else ''}\n")
            fh.write("".join(lines))
    return path.stat().st_size


def equivalent_table(connection, table: str = "bench_baseline", unique_only: bool = False) -> tuple[str, list[str]]:
    """Create ``table`` with the events table's columns and indexes (``unique_only``: only its unique
    ones, as bulk-load mode loads it); return its insert columns."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TABLE {table} (LIKE events_event INCLUDING ALL)")
            if unique_only:
                cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                            [table])
                for (name,) in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
        else:
            cur.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'events_event' AND sql IS NOT NULL")
            for kind, sql in cur.fetchall():
                sql = sql.replace('"events_event"', f'"{table}"')
                if kind == "index":
                    if unique_only and not sql.startswith("CREATE UNIQUE"):
                        continue
                    sql = sql.replace('INDEX "', f'INDEX "{table}_', 1)
                cur.execute(sql)
    return table, ["uuid", "collaboration_id", "organisation_id", "category_id", "occurred_from", "iso_week",
                              "lat", "lon", "x", "y", "precision", "outside", "description", "police_notified",
                              "visibility", "source", "external_id", "source_data", "created_at", "updated_at",
                              "version"]


def baseline(path: Path, collab, org, unique_only: bool = False) -> tuple[float, float]:
    """csv + executemany of the same rows into an equivalent table, no validation."""
    from django.db import connection, transaction

    from trygg.events.models import Category

    table, columns = equivalent_table(connection, "bench_baseline_unique" if unique_only else "bench_baseline",
                                      unique_only)
    cat_ids = {c.name_sv.casefold(): c.pk for c in Category.objects.filter(collaboration=collab)}
    cat_ids |= {c.code: c.pk for c in Category.objects.filter(collaboration=collab)}
    default = next(iter(cat_ids.values()))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    now = "2026-01-01 00:00:00+00:00"
    t0, c0 = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        batch = []
        for r in reader:
            batch.append((uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()), collab.pk, org.pk,
                          cat_ids.get(r[3].casefold(), default), f"{r[1]} {r[2]}:00+01:00", 0,
                          float(r[4].replace(",", ".")), float(r[5].replace(",", ".")), 0.0, 0.0, "point", False,
                          r[6], False, "partners", "table", r[0], "{}", now, now, 1))
            if len(batch) == CHUNK:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
    return time.perf_counter() - t0, time.process_time() - c0


def _pss_mb(pid: int) -> float:
    """Proportional set size: resident memory with pages shared between processes split among them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


class MemorySampler:
    """Peak of this process's PSS plus its children's (the import's read-ahead process), every 0.1 s."""

    def __init__(self):
        import threading

        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = os.getpid()
        while not self._stop.wait(0.1):
            total = _pss_mb(me) + sum(_pss_mb(c) for c in _children(me))
            self.peak = max(self.peak, total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(rows: int, n_areas: int, vertices: int, profile: bool, workdir: Path, with_baseline: bool = True) -> dict:
    from django.db import connection

    from trygg.events.models import Event, EventArea
    from trygg.imports.mapping import Spec
    from trygg.imports.table_import import import_table, start_table_run

    collab, org, frame = make_collaboration(n_areas, vertices)
    path = workdir / "events.csv"
    size = generate_csv(path, rows, frame)
    spec = Spec.from_dict({
        "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                    "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
        "date_format": "%Y-%m-%d", "time_format": "%H:%M",
        "category_values": {"klotter": "klotter", "inbrott": "inbrott"},
    })
    if with_baseline:
        base_s, base_cpu = baseline(path, collab, org)
        # The same into a table with only the unique indexes: what bulk-load mode loads into.
        bare_s, bare_cpu = baseline(path, collab, org, unique_only=True)
    else:  # --no-baseline: only the import (e.g. the 200 MB file)
        base_s = bare_s = base_cpu = bare_cpu = float("nan")

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0, c0 = time.perf_counter(), time.process_time()
    with MemorySampler() as memory:
        import_run = start_table_run(path, spec, organisation=org)
        counts = import_table(import_run, path, spec, organisation=org)
    import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The read-ahead process (forked, so much of its memory is shared with this one): counted in
    # full on top, an upper bound of what the import takes.
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    events = Event.objects.filter(collaboration=collab).count()
    assert counts.created == events == rows - counts.rejected, (counts, events)
    links = EventArea.objects.filter(event__collaboration=collab).count()
    ratio = max(import_s / base_s, import_s / bare_s)
    return {
        "benchmark": "bench_import_table",
        "database": connection.vendor,
        "rows": rows,
        "file_mb": round(size / 1e6, 1),
        "areas": n_areas + 1,
        "created": counts.created,
        "rejected": counts.rejected,
        "event_area_rows": links,
        "import_s": round(import_s, 2),
        "rows_per_s": round(rows / import_s),
        "baseline_s": round(base_s, 2),
        "baseline_rows_per_s": (round(rows / base_s) if with_baseline else None),
        "ratio_to_baseline": round(import_s / base_s, 2),
        "baseline_unique_indexes_only_s": round(bare_s, 2),
        "baseline_unique_indexes_only_rows_per_s": (round(rows / bare_s) if with_baseline else None),
        "ratio_to_baseline_unique_indexes_only": round(import_s / bare_s, 2),
        "baseline_unique_indexes_only_cpu_s": round(bare_cpu, 2),
        "import_cpu_s": round(import_cpu, 2),
        "baseline_cpu_s": round(base_cpu, 2),
        "rows_per_cpu_s": round(rows / import_cpu),
        "load_average": os.getloadavg(),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_rss_reader_process_mb": round(child_mb, 1),
        "peak_rss_total_mb": round(peak_mb + child_mb, 1),
        "peak_pss_during_import_mb": round(memory.peak, 1),
        "targets": {"rows_per_s": TARGET_ROWS_PER_S, "peak_rss_mb": TARGET_RSS_MB, "ratio": TARGET_RATIO},
        "meets_targets": (rows / import_s >= TARGET_ROWS_PER_S and memory.peak <= TARGET_RSS_MB
                          and peak_mb <= TARGET_RSS_MB and ratio <= TARGET_RATIO),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--vertices", type=int, default=120)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL; a throwaway database is made")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-read-ahead", action="store_true", help="check and write chunks on one thread")
    parser.add_argument("--no-baseline", action="store_true", help="measure the import only")
    args = parser.parse_args(argv)
    db = ThrowawayDatabase(args.database_url, "bench_import_table")
    with db as url:
        setup_django(url, db.tmp / "data")
        if args.no_read_ahead:
            from trygg.imports import table_import

            table_import.READ_AHEAD = False
        out = run(args.rows, args.areas, args.vertices, args.profile, db.tmp, not args.no_baseline)
    out |= {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
            "command": "python bench/bench_import_table.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
