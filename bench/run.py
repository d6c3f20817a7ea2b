"""Run the foundation benchmarks (all, or the ones named) and print a JSON summary.

    /tmp/venv/bin/python bench/run.py                     # point_area, write (SQLite), api_load
    /tmp/venv/bin/python bench/run.py write point_area    # just these
    /tmp/venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/postgres
        # also bench_write on PostgreSQL (a throwaway database on that server)

Each benchmark runs in its own process (they configure Django differently). Exit status 1 when
a benchmark fails to run; missing a target is reported in the summary, not as a failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "point_area": ["bench_point_area.py"],
    "write": ["bench_write.py"],
    "api_load": ["bench_api_load.py"],
}


def run_one(name: str, script: list[str], extra: list[str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / script[0]), *script[1:], *extra],
                          capture_output=True, text=True, cwd=HERE.parent)
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": (proc.stderr or proc.stdout)[-2000:]}
    result["name"] = name
    result["returncode"] = proc.returncode
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"which: {', '.join(BENCHES)} (default all)")
    parser.add_argument("--database-url", default=None, help="also run bench_write on this PostgreSQL server")
    parser.add_argument("--events", type=int, default=None, help="events for bench_write (default 100,000)")
    parser.add_argument("--duration", type=float, default=None, help="seconds for bench_api_load (default 60)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results = []
    for name in args.names or list(BENCHES):
        extra = []
        if name == "write" and args.events:
            extra += ["--events", str(args.events)]
        if name == "api_load" and args.duration:
            extra += ["--duration", str(args.duration)]
        print(f"running {name} …", file=sys.stderr, flush=True)
        results.append(run_one(name, BENCHES[name], extra))
        if name == "write" and args.database_url:
            print("running write on PostgreSQL …", file=sys.stderr, flush=True)
            results.append(run_one("write_postgresql", BENCHES[name], extra + ["--database-url", args.database_url]))
    summary = {
        "benchmarks": results,
        "all_ran": all(r["returncode"] == 0 for r in results),
        "all_met_target": all(r.get("meets_target") for r in results),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["all_ran"] else 1


if __name__ == "__main__":
    sys.exit(main())
