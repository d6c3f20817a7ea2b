"""Benchmark: events written through the service layer's batch path.

100,000 events (by default) are validated with ``EventWriter.validate`` and written with
``EventWriter.write`` (area assignment, SWEREF coordinates, event rows, event–area rows) into a
collaboration with 500 district areas (realistic Voronoi polygons) plus its municipality.
Target: ≥ 5,000 events/s on SQLite and on PostgreSQL.

    /tmp/venv/bin/python bench/bench_write.py                       # temporary SQLite file
    /tmp/venv/bin/python bench/bench_write.py --database-url postgres://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a throwaway database ``bench_write_<pid>`` is created on that server and
dropped afterwards. Prints one JSON object. ``--profile`` prints a pyinstrument profile to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_common import ThrowawayDatabase, cpu_model, machine, process_cpu, setup_django  # noqa: E402,F401


TARGET = 5000.0


def make_collaboration(n_areas: int, vertices: int):
    """A collaboration whose municipality is the benchmark box, split into ``n_areas`` districts."""
    from shapely.geometry import mapping

    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.models import Area, AreaType
    from trygg.demo.geometry import bench_cells
    from trygg.events.taxonomy import seed_categories

    cells, frame = bench_cells(n_areas, seed=7, vertices=vertices)
    collab = Collaboration.objects.create(name="Bench", slug=f"bench-{os.getpid()}", municipality_code="9998")
    kommun_t = AreaType.objects.create(collaboration=collab, code="kommun", name="Kommun",
                                       level=AreaType.Level.MUNICIPALITY)
    district_t = AreaType.objects.create(collaboration=collab, code="distrikt", name="Distrikt",
                                         level=AreaType.Level.DISTRICT)
    kommun = Area(collaboration=collab, type=kommun_t, name="Benchkommun", code="9998")
    kommun.set_geometry(mapping(frame))
    kommun.save()
    areas = []
    for i, cell in enumerate(cells):
        area = Area(collaboration=collab, type=district_t, name=f"Distrikt {i:03d}", code=f"D{i:03d}", parent=kommun)
        area.set_geometry(mapping(cell))
        areas.append(area)
    Area.objects.bulk_create(areas)
    collab.boundary = kommun
    collab.save()
    seed_categories(collab)
    org = Organisation.objects.create(collaboration=collab, name="Benchkommun kommun", kind="kommun")
    return collab, org, frame


def make_inputs(n: int, frame, seed: int = 3) -> list[dict]:
    """``n`` raw event dicts as a client or an import would send them."""
    import datetime as dt

    import numpy as np

    from trygg.demo.generator import BACKGROUND_MIX

    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = frame.bounds
    lon = rng.uniform(minx, maxx, n).round(6)
    lat = rng.uniform(miny, maxy, n).round(6)
    codes = list(BACKGROUND_MIX)
    cats = rng.integers(0, len(codes), n)
    end = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
    offsets = rng.integers(0, 2 * 365 * 24 * 60, n)
    windows = rng.random(n) < 0.2
    out = []
    for i in range(n):
        start = end - dt.timedelta(minutes=int(offsets[i]))
        out.append({
            "category": codes[cats[i]],
            "occurred_from": start,
            "occurred_to": start + dt.timedelta(hours=3) if windows[i] and offsets[i] > 300 else None,
            "lat": float(lat[i]), "lon": float(lon[i]),
            "description": "Bänk sönderslagen vid gångvägen." if i % 3 == 0 else "",
            "visibility": "restricted" if i % 25 == 0 else "partners",
            "source": "demo",
        })
    return out


def run(events: int, n_areas: int, vertices: int, profile: bool, keep_events: bool = False) -> dict:
    from django.db import connection

    from trygg.events.models import Event, EventArea
    from trygg.events.services import EventWriter

    collab, org, frame = make_collaboration(n_areas, vertices)
    raw = make_inputs(events, frame)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend_pid = cur.fetchone()[0]
    b0 = process_cpu(backend_pid)
    t0, c0 = time.perf_counter(), time.process_time()
    writer = EventWriter(collab)
    inputs = [writer.validate(item) for item in raw]
    t1, c1 = time.perf_counter(), time.process_time()
    result = writer.write(inputs, organisation=org, keep_events=keep_events)
    t2, c2 = time.perf_counter(), time.process_time()
    db_cpu = process_cpu(backend_pid) - b0 if backend_pid else 0.0
    if profiler:
        profiler.stop()
        show_all = bool(os.environ.get("BENCH_PROFILE_ALL"))
        print(profiler.output_text(unicode=True, color=False, show_all=show_all), file=sys.stderr)
    assert result.created == events, result.created
    links = EventArea.objects.filter(event__collaboration=collab).count()
    assert Event.objects.filter(collaboration=collab).count() == events
    total = t2 - t0
    return {
        "benchmark": "bench_write",
        "database": connection.vendor,
        "events": events,
        "path": "ORM bulk_create (keep_events=True)" if keep_events else "plain SQL (keep_events=False)",
        "areas": n_areas + 1,
        "mean_vertices_per_area": vertices,
        "event_area_rows": links,
        "validate_s": round(t1 - t0, 3),
        "write_s": round(t2 - t1, 3),
        "total_s": round(total, 3),
        # CPU seconds of this process (the database work of SQLite is in-process; PostgreSQL's
        # is not): on a busy machine wall time includes waiting for a core.
        "validate_cpu_s": round(c1 - c0, 3),
        "write_cpu_s": round(c2 - c1, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "events_per_s": round(events / total),
        "target_events_per_s": TARGET,
        "meets_target": events / total >= TARGET,
        # PostgreSQL's work runs in its server process: its CPU is read from /proc (same machine).
        "db_server_cpu_s": round(db_cpu, 3) if backend_pid else None,
        "events_per_cpu_s": round(events / ((c1 - c0) + (c2 - c1) + db_cpu)),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--vertices", type=int, default=120, help="about this many vertices per area")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server URL; a throwaway database is created on it")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep-events", action="store_true",
                        help="write with keep_events=True (the ORM bulk_create path, events returned as objects)")
    args = parser.parse_args(argv)
    db = ThrowawayDatabase(args.database_url, "bench_write")
    with db as url:
        setup_django(url, db.tmp / "data")
        out = run(args.events, args.areas, args.vertices, args.profile, args.keep_events)
    out |= {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
            "command": "python bench/bench_write.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
