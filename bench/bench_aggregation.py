"""Benchmark: the lägesbild's weekly area × category table over a national-scale history.

Data (generated inside the database with bulk ``INSERT … SELECT`` over a number sequence,
bypassing the validating write path):
one collaboration, 290 municipality areas + 2,000 districts, 20 categories, 5 organisations,
5,000,000 events spread over three years (2023-W01 … 2025-W52, Europe/Stockholm ISO weeks),
10 % of them known only to municipality precision (no district), 10 % restricted. Every event
has its event–area rows (municipality, and district when located by point): ≈ 9.5 M rows.

What is timed (each the median of ``--repeat`` runs, the cache bypassed):

* ``weekly_table`` — the figure the target applies to: ``services._weekly`` for one week,
  all 2,290 areas × 20 categories plus the collaboration totals: counts for that week, the
  8 prior weeks and the same week last year (10 weeks read from the ``WeekCount`` table,
  steady state: those weeks already counted), the visibility condition of a partner
  organisation (restricted events of others excluded), Poisson band + two-count z for every
  series via ``trygg.analysis.week_trend``, and the JSON-ready rows. Target ≤ 2 s.
* ``weekly_table_recount`` — the same after those 10 weeks were marked stale (as after an
  import touching them): recounting the 10 weeks from the event tables, then the table (one
  run). On PostgreSQL ``VACUUM (ANALYZE)`` of the count table follows, as autovacuum would.
* ``rebuild_all_weeks`` (with ``--rebuild``) — one-time: counting all 156 weeks into ``WeekCount``.
* ``duckdb_10_weeks`` / ``pandas_10_weeks`` — the same aggregation (area × category × week
  counts for the same 10 weeks, same visibility condition, plus totals) over the same rows
  read from the database into memory (reading them is not timed), for reference; and
  ``duckdb_all_weeks`` — the full-history area × category × week aggregation.

    /tmp/venv/bin/python bench/bench_aggregation.py                       # temporary SQLite file
    /tmp/venv/bin/python bench/bench_aggregation.py --database-url postgres://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a throwaway database ``bench_agg_<pid>`` is created and dropped afterwards.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import ThrowawayDatabase, cpu_model  # noqa: E402


TARGET_S = 2.0
N_MUNI, N_DISTRICT, N_CAT, N_ORG = 290, 2000, 20, 5
WEEK = "2025-W47"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# --- data -------------------------------------------------------------------------------------
def setup_reference():
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.models import Area, AreaType
    from trygg.events.models import Category

    collab = Collaboration.objects.create(name="Sverige", slug="sverige")
    muni_t = AreaType.objects.create(collaboration=collab, code="kommun", name="Kommun", level=20)
    dist_t = AreaType.objects.create(collaboration=collab, code="distrikt", name="Distrikt", level=30)
    box = {"type": "MultiPolygon", "coordinates": [[[[15, 60], [15.1, 60], [15.1, 60.1], [15, 60.1], [15, 60]]]]}
    munis = Area.objects.bulk_create([Area(collaboration=collab, type=muni_t, name=f"Kommun {i}", code=f"K{i:04d}",
                                           geometry=box) for i in range(N_MUNI)])
    dists = Area.objects.bulk_create([Area(collaboration=collab, type=dist_t, name=f"Distrikt {i}",
                                           code=f"D{i:05d}", geometry=box) for i in range(N_DISTRICT)])
    cats = Category.objects.bulk_create([Category(collaboration=collab, code=f"kat{i}", name_sv=f"Kategori {i}",
                                                  name_en=f"Category {i}", sort_order=i) for i in range(N_CAT)])
    orgs = Organisation.objects.bulk_create([Organisation(collaboration=collab, name=f"Org {i}")
                                             for i in range(N_ORG)])
    return (collab, np.array([a.pk for a in munis]), np.array([a.pk for a in dists]),
            np.array([c.pk for c in cats]), np.array([o.pk for o in orgs]))


def day_table() -> list[tuple[int, int, int, int]]:
    """(day index, UTC epoch of local midnight, real seconds in that local day, ISO week yyyyww)."""
    tz = ZoneInfo("Europe/Stockholm")
    first = dt.date(2023, 1, 2)  # Monday of 2023-W01
    n_days = (dt.date(2025, 12, 29) - first).days  # to Sunday of 2025-W52
    out = []
    for d in range(n_days):
        day = first + dt.timedelta(d)
        start = dt.datetime.combine(day, dt.time(), tz).timestamp()
        end = dt.datetime.combine(day + dt.timedelta(1), dt.time(), tz).timestamp()
        year, week, _ = day.isocalendar()
        out.append((d, int(start), int(end - start), year * 100 + week))
    return out


def category_slots(cat_ids) -> list[tuple[int, int]]:
    """100 slots filled roughly geometrically, so some categories are common and some rare."""
    weights = 0.85 ** np.arange(len(cat_ids))
    counts = np.maximum(1, np.round(weights / weights.sum() * 100)).astype(int)
    slots = [int(c) for c, k in zip(cat_ids, counts) for _ in range(k)][:100]
    slots += [int(cat_ids[0])] * (100 - len(slots))
    return list(enumerate(slots))


def load(collab, muni_ids, dist_ids, cat_ids, org_ids, n: int) -> dict:
    """Generate the events and their area rows inside the database (INSERT … SELECT over a
    number sequence joined to small lookup tables; the day grows with the row number, as events
    arrive roughly in time order; hashes of the row number, ``(i · a mod p) mod m`` with
    p = 4294967311 and a different multiplier a each, pick the second, category, organisation,
    district, precision and visibility deterministically)."""
    from django.db import connection, transaction

    from trygg.events.models import Event, EventArea

    pg = connection.vendor == "postgresql"
    ev_t, ea_t = Event._meta.db_table, EventArea._meta.db_table
    days = day_table()
    t0 = time.perf_counter()
    saved = drop_indexes([ev_t, ea_t])
    with connection.cursor() as cur:
        if pg:
            cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        else:
            cur.execute("PRAGMA foreign_keys=OFF")
        for name in ("bench_days", "bench_cat", "bench_org", "bench_dist", "bench_muni"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute("CREATE TABLE bench_days (d INTEGER PRIMARY KEY, midnight BIGINT, secs INTEGER, week INTEGER)")
        cur.executemany("INSERT INTO bench_days VALUES (%s, %s, %s, %s)", days)
        for name, rows in (("bench_cat", category_slots(cat_ids)), ("bench_org", list(enumerate(org_ids.tolist()))),
                           ("bench_dist", list(enumerate(dist_ids.tolist()))),
                           ("bench_muni", list(enumerate(muni_ids.tolist())))):
            cur.execute(f"CREATE TABLE {name} (k INTEGER PRIMARY KEY, id BIGINT)")
            cur.executemany(f"INSERT INTO {name} VALUES (%s, %s)", rows)
    nd = len(days)
    if pg:
        seq = f"SELECT i::bigint AS i FROM generate_series(1, {n}) AS i"
        uuid, stamp = "lpad(to_hex(s.i), 32, '0')::uuid", "to_timestamp(d.midnight + ((s.i * 69621) %% 4294967311) %% d.secs)"
        now = "now()"
    else:
        seq = f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) SELECT i FROM seq"
        uuid, stamp = "printf('%%032x', s.i)", "datetime(d.midnight + ((s.i * 69621) %% 4294967311) %% d.secs, 'unixepoch')"
        now = "'2026-01-01 00:00:00'"
    events_sql = (
        f"INSERT INTO {ev_t} (id, uuid, collaboration_id, organisation_id, category_id, occurred_from, iso_week, lat, "
        f"lon, x, y, precision, outside, description, police_notified, visibility, source, external_id, source_data, "
        f"created_at, updated_at, version) "
        f"SELECT s.i, {uuid}, {collab.pk}, o.id, c.id, {stamp}, d.week, 60.0, 15.0, 500000.0, 6600000.0, "
        f"CASE WHEN ((s.i * 7919) %% 4294967311) %% 10 = 0 THEN 'kommun' ELSE 'point' END, {'false' if pg else 0}, '', "
        f"{'false' if pg else 0}, CASE WHEN ((s.i * 104729) %% 4294967311) %% 10 = 3 THEN 'restricted' ELSE 'partners' END, "
        f"'demo', '', '{{}}', {now}, {now}, 1 "
        f"FROM ({seq}) s JOIN bench_days d ON d.d = ((s.i - 1) * {nd}) / {n} "
        f"JOIN bench_cat c ON c.k = ((s.i * 40503) %% 4294967311) %% 100 JOIN bench_org o ON o.k = ((s.i * 16807) %% 4294967311) %% {N_ORG}"
    )
    district = f"((e.id * 22695477) %% 4294967311) %% {N_DISTRICT}"
    areas_sql = [
        f"INSERT INTO {ea_t} (event_id, area_id, category_id_copy, iso_week) SELECT e.id, m.id, e.category_id, "
        f"e.iso_week FROM {ev_t} e JOIN bench_muni m ON m.k = ({district}) %% {N_MUNI}",
        f"INSERT INTO {ea_t} (event_id, area_id, category_id_copy, iso_week) SELECT e.id, t.id, e.category_id, "
        f"e.iso_week FROM {ev_t} e JOIN bench_dist t ON t.k = {district} WHERE e.precision = 'point'",
    ]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(events_sql, [])  # params given: "%%" becomes "%" on both backends
        for sql in areas_sql:
            cur.execute(sql, [])
    load_s = time.perf_counter() - t0
    log("indexes")
    t1 = time.perf_counter()
    restore_indexes(saved)
    with connection.cursor() as cur:
        if pg:
            cur.execute("SET session_replication_role = origin")
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{ev_t}', 'id'), {n})")
            cur.execute(f"ANALYZE {ev_t}")
            cur.execute(f"ANALYZE {ea_t}")
        else:
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("ANALYZE")
    return {"load_s": round(load_s, 1), "index_s": round(time.perf_counter() - t1, 1),
            "event_rows": Event.objects.count(), "event_area_rows": EventArea.objects.count()}


def drop_indexes(tables):
    """Secondary indexes are dropped for the load and rebuilt after (constraints are kept)."""
    from django.db import connection

    saved = []
    with connection.cursor() as cur:
        for table in tables:
            if connection.vendor == "postgresql":
                cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                            "(SELECT conname FROM pg_constraint)", [table])
            else:
                cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                            "AND sql IS NOT NULL", [table])
            for name, sql in cur.fetchall():
                saved.append(sql)
                cur.execute(f'DROP INDEX "{name}"')
    return saved


def restore_indexes(saved):
    from django.db import connection

    with connection.cursor() as cur:
        for sql in saved:
            cur.execute(sql)


# --- the measurements ---------------------------------------------------------------------------
def measure(collab, org_ids, repeat: int, rebuild: bool) -> tuple[dict, list[int], object]:
    from trygg import analysis as A
    from trygg.analysis_db import counts, services
    from trygg.analysis_db.models import CountedWeek, WeekCount
    from trygg.analysis_db.params import parse
    from trygg.analysis_db.scope import Scope

    scope = Scope(collab.pk, see_restricted=False, own_organisations=(int(org_ids[0]),))
    coordinator = Scope(collab.pk, see_restricted=True)
    req = parse("weekly", {"week": WEEK})
    year, wk = A.parse_week(WEEK)
    week = year * 100 + wk
    weeks = [A.shift_week(week, -k) for k in range(8, -1, -1)] + [A.same_week_last_year(week)]
    out = {}
    if rebuild:
        t0 = time.perf_counter()
        counts.rebuild(collab.pk)
        out["rebuild_all_weeks_s"] = round(time.perf_counter() - t0, 2)
        log("rebuilt")

    def recount():
        CountedWeek.objects.filter(collaboration=collab, iso_week__in=weeks).delete()
        return services._weekly(scope, req)

    out["weekly_table_recount_s"], first = timed(recount, 1)
    log("recounted")
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does shortly after bulk inserts in production: statistics and the
        # visibility map, so the covering index is read with an index-only scan.
        with connection.cursor() as cur:
            cur.execute(f"VACUUM (ANALYZE) {WeekCount._meta.db_table}")
    out["weekcount_rows_for_10_weeks"] = WeekCount.objects.filter(iso_week__in=weeks).count()
    cpu0 = time.process_time()
    out["weekly_table_s"], result = timed(lambda: services._weekly(scope, req), repeat)
    out["weekly_table_cpu_s"] = (time.process_time() - cpu0) / repeat
    assert result["rows"] == first["rows"]
    out["weekly_table_coordinator_s"], _ = timed(lambda: services._weekly(coordinator, req), repeat)
    out["weekly_table_rows"] = len(result["rows"])
    out["weekly_table_flagged"] = sum(r["flag"] for r in result["rows"])
    total = next(r for r in result["rows"] if r["area"] is None and r["category"] is None)
    out["check_total_this_week"] = total["count"]
    out["weeks_read"] = len(weeks)
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    return out, weeks, scope


def reference(collab, weeks, scope, repeat: int) -> dict:
    import duckdb
    import pandas as pd
    from django.db import connection

    from trygg.events.models import Event, EventArea

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, iso_week, category_id, visibility, organisation_id FROM {Event._meta.db_table}")
        ev = pd.DataFrame(cur.fetchall(), columns=["id", "iso_week", "category_id", "visibility", "organisation_id"])
        cur.execute(f"SELECT event_id, area_id FROM {EventArea._meta.db_table}")
        ea = pd.DataFrame(cur.fetchall(), columns=["event_id", "area_id"])
    read_s = time.perf_counter() - t0
    ev["visibility"] = ev["visibility"].astype("category")
    own = list(scope.own_organisations)
    con = duckdb.connect()
    con.register("ev", ev)
    con.register("ea", ea)
    wl = ", ".join(str(w) for w in weeks)
    vis = f"(e.visibility = 'partners' OR e.organisation_id IN ({', '.join(map(str, own))}))"
    sql10 = (f"SELECT ea.area_id, e.category_id, e.iso_week, COUNT(*) n FROM ev e JOIN ea ON ea.event_id = e.id "
             f"WHERE e.iso_week IN ({wl}) AND {vis} GROUP BY ALL UNION ALL "
             f"SELECT NULL, e.category_id, e.iso_week, COUNT(*) FROM ev e WHERE e.iso_week IN ({wl}) AND {vis} "
             f"GROUP BY ALL")
    sql_all = (f"SELECT ea.area_id, e.category_id, e.iso_week, COUNT(*) n FROM ev e JOIN ea ON ea.event_id = e.id "
               f"WHERE {vis} GROUP BY ALL")
    out = {"reference_read_rows_s": round(read_s, 1)}
    out["duckdb_10_weeks_s"], rows10 = timed(lambda: con.execute(sql10).fetchall(), repeat)
    out["duckdb_all_weeks_s"], rows_all = timed(lambda: con.execute(sql_all).fetchall(), repeat)
    out["duckdb_all_weeks_groups"] = len(rows_all)

    def with_pandas():
        e = ev[ev["iso_week"].isin(weeks) & ((ev["visibility"] == "partners") | ev["organisation_id"].isin(own))]
        j = ea.merge(e[["id", "category_id", "iso_week"]], left_on="event_id", right_on="id")
        per_area = j.groupby(["area_id", "category_id", "iso_week"]).size()
        totals = e.groupby(["category_id", "iso_week"]).size()
        return per_area, totals

    out["pandas_10_weeks_s"], (per_area, totals) = timed(with_pandas, repeat)
    out["duckdb_10_weeks_groups"] = len(rows10)
    out["pandas_10_weeks_groups"] = int(len(per_area) + len(totals))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL (omit for a temporary SQLite file)")
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="also time counting all weeks (slow, one-time)")
    args = parser.parse_args()
    with ThrowawayDatabase(args.database_url, "bench_agg") as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        log("migrate")
        call_command("migrate", verbosity=0)
        log("reference data")
        t0 = time.perf_counter()
        collab, muni_ids, dist_ids, cat_ids, org_ids = setup_reference()
        gen_s = time.perf_counter() - t0
        log("load")
        loaded = load(collab, muni_ids, dist_ids, cat_ids, org_ids, args.events)
        log("measure")
        timings, weeks, scope = measure(collab, org_ids, args.repeat, args.rebuild)
        log("reference")
        ref = reference(collab, weeks, scope, args.repeat)
        result = {
            "benchmark": "bench_aggregation", "backend": connection.vendor, "events": args.events,
            "areas": N_MUNI + N_DISTRICT, "categories": N_CAT, "week": WEEK, "reference_data_s": round(gen_s, 1),
            **loaded, **{k: round(v, 4) if isinstance(v, float) else v for k, v in timings.items()},
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in ref.items()},
            "target_s": TARGET_S, "meets_target": timings["weekly_table_s"] <= TARGET_S,
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
            "date": dt.date.today().isoformat(), "repeat": args.repeat,
        }
        connection.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
