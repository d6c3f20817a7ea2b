"""Benchmark: the 20,390 real police notices imported by ``trygg import polisen`` (target ≤ 3 s).

Into a national collaboration with the 290 municipalities and 21 counties of
../shared/data/geo as areas (loaded before the clock starts). Measures the first import (every
notice created) and a second one (every notice unchanged), both through the whole path: the
streaming reader, type mapping, validation, area assignment by name and EventWriter upsert.

    /tmp/venv/bin/python bench/bench_import_polisen.py
    /tmp/venv/bin/python bench/bench_import_polisen.py --database-url postgres://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a throwaway database ``bench_polisen_<pid>`` is created and dropped.
Prints one JSON object. ``--profile`` prints a cProfile summary of the first import to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import ThrowawayDatabase, cpu_model  # noqa: E402

SHARED = Path(os.environ.get("TRYGG_SHARED_DIR", ROOT.parent / "shared"))
TARGET_S = 3.0


def setup(database_url: str, data_dir: Path):
    os.environ["DATABASE_URL"] = database_url
    os.environ["TRYGG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.importer import apply_plan, plan_import
    from trygg.events.taxonomy import seed_categories

    collab = Collaboration.objects.create(name="Sverige", slug="sverige")
    seed_categories(collab)
    Organisation.objects.create(collaboration=collab, name="Polisen", kind="polis")
    geo = SHARED / "data" / "geo"
    apply_plan(plan_import(geo / "swedish_regions.geojson", collab, type_code="lan", level="county",
                           name_field="name", code_field="l_id"))
    apply_plan(plan_import(geo / "swedish_municipalities.geojson", collab, type_code="kommun",
                           level="municipality", name_field="kom_namn", code_field="id"))
    return collab


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    path = SHARED / "data" / "polisen" / "events_2022_2023.json"
    db = ThrowawayDatabase(args.database_url, "bench_polisen")
    with db as url:
        collab = setup(url, db.tmp / "data")
        from django.db import connection

        from trygg.imports.polisen import import_polisen_file

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        c0, t0 = time.process_time(), time.perf_counter()
        run1, _ = import_polisen_file(collab, path, all_municipalities=True)
        c1, t1 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.disable()
            import pstats

            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        run2, _ = import_polisen_file(collab, path, all_municipalities=True)
        c2, t2 = time.process_time(), time.perf_counter()
        run1.refresh_from_db()
        run2.refresh_from_db()
        out = {
            "benchmark": "bench_import_polisen", "database": connection.vendor,
            "notices": run1.read, "created": run1.created, "rejected": run1.rejected, "skipped": run1.skipped,
            "first_import_s": round(t1 - t0, 3), "second_import_s": round(t2 - t1, 3),
            "first_import_cpu_s": round(c1 - c0, 3), "second_import_cpu_s": round(c2 - c1, 3),
            "load_average": os.getloadavg()[0],
            "second_created": run2.created, "second_updated": run2.updated, "second_unchanged": run2.unchanged,
            "target_s": TARGET_S, "meets_target": (t1 - t0) <= TARGET_S and (t2 - t1) <= TARGET_S,
        }
    out |= {"machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
            "date": time.strftime("%Y-%m-%d"),
            "command": "python bench/bench_import_polisen.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
