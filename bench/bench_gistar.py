"""Benchmark: trygg.analysis.gi_star vs esda.G_Local on a 100 x 100 queen grid, 999 perms.

Run from the repository root:  python bench/bench_gistar.py  [--repeats 5] [--size 100]
Prints JSON with median wall times, the ratio and the max |Zs difference|.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from trygg.analysis import gi_star, grid_queen  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def median_time(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = args.size
    rng = np.random.default_rng(2026)
    y = rng.poisson(2.0, n * n).astype(float)
    y.reshape(n, n)[n // 4 : n // 4 + 10, n // 4 : n // 4 + 10] += 5

    w = grid_queen(n, n)
    gi_star(y[:100], grid_queen(10, 10), permutations=9, seed=0)  # warm-up imports
    ours_t, ours_all, ours = median_time(
        lambda: gi_star(y, w, permutations=args.permutations, seed=1), args.repeats)

    result = {
        "grid": f"{n}x{n}",
        "permutations": args.permutations,
        "repeats": args.repeats,
        "trygg_gi_star_seconds": round(ours_t, 4),
        "trygg_all_runs": [round(t, 4) for t in ours_all],
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
    }
    try:
        import esda
        import libpysal
    except ImportError:
        result["esda"] = "not installed"
    else:
        lw = libpysal.weights.lat2W(n, n, rook=False)

        def run_esda():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return esda.G_Local(y, lw, transform="B", star=True,
                                    permutations=args.permutations, seed=1)

        try:
            import numba  # noqa: F401
            has_numba = True
        except ImportError:
            has_numba = False
        esda_t, esda_all, ref = median_time(run_esda, args.repeats)
        result.update({
            "esda_version": esda.__version__,
            "esda_numba": has_numba,
            "esda_g_local_seconds": round(esda_t, 4),
            "esda_all_runs": [round(t, 4) for t in esda_all],
            "speedup_esda_over_trygg": round(esda_t / ours_t, 2),
            "max_abs_z_diff": float(np.max(np.abs(ours.z - ref.Zs))),
            "mean_abs_p_folded_diff": float(np.mean(np.abs(ours.p_sim_folded - ref.p_sim))),
        })
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
