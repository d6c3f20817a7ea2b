"""Benchmark: point → area lookup (``trygg.areas.geometry.AreaIndex.pairs``) among 500 areas.

The areas are 500 Voronoi cells of seeded random points over a 0.8° × 0.4° box (about the size
of a large municipality), their edges densified to ~120 vertices per cell, as real district
boundaries have. Points are uniform over the box, in one call, with day ordinals (the write path
passes them for the areas' validity dates). No database. Target: ≥ 200,000 points/s.

    /tmp/venv/bin/python bench/bench_point_area.py [--points 1000000] [--areas 500] [--vertices 120]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET = 200_000.0


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--vertices", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import datetime as dt

    import numpy as np
    import shapely
    from shapely.geometry import mapping

    from bench_write import machine
    from trygg.areas.geometry import AreaIndex
    from trygg.demo.geometry import bench_cells

    cells, frame = bench_cells(args.areas, seed=7, vertices=args.vertices)
    vertices = float(np.mean([len(shapely.get_coordinates(c)) for c in cells]))
    rows = [(i + 1, 1, 30, f"D{i:03d}", mapping(c), None, None) for i, c in enumerate(cells)]
    t0 = time.perf_counter()
    index = AreaIndex.build(rows)
    build_s = time.perf_counter() - t0

    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = frame.bounds
    lon = rng.uniform(minx, maxx, args.points)
    lat = rng.uniform(miny, maxy, args.points)
    today = dt.date.today().toordinal()
    days = rng.integers(today - 730, today, args.points)

    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        pts, areas = index.pairs(lon, lat, days)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # Correctness: the cells tile the box, so every point has exactly one area.
    assigned = np.unique(pts).size
    assert assigned == args.points, (assigned, args.points)
    best, median = min(times), statistics.median(times)
    out = {
        "benchmark": "bench_point_area",
        "areas": args.areas,
        "mean_vertices_per_area": round(vertices, 1),
        "points": args.points,
        "index_build_s": round(build_s, 3),
        "lookup_s": [round(t, 3) for t in times],
        "points_per_s_median": round(args.points / median),
        "points_per_s_best": round(args.points / best),
        # CPU time of the lookup (single-threaded): on a busy machine wall time includes waiting.
        "lookup_cpu_s": [round(t, 3) for t in cpu],
        "points_per_cpu_s_median": round(args.points / statistics.median(cpu)),
        "target_points_per_s": TARGET,
        "meets_target": args.points / median >= TARGET,
        "meets_target_cpu": args.points / statistics.median(cpu) >= TARGET,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "command": "python bench/bench_point_area.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
