"""Benchmark: the weekly lägesbild draft and its PDF for a collaboration with 1,000,000 events.

Data (a throwaway database, migrated, then bulk-inserted with ``executemany`` in chunks,
bypassing the validating write path but consistent with it): one municipality (a 0.4° × 0.2°
box north of Stockholm) split into 10 districts (vertical strips), the seeded EST categories,
8 organisations, ``--events`` events (default 1,000,000) spread uniformly over four years ending
with the benchmark week, 10 % restricted; every event has its EventArea rows (municipality and
district) with the same ``iso_week`` and category copy the write path stores; x/y are the
SWEREF 99 TM projection of lon/lat. No week is marked counted: the first draft recounts the
weeks it needs (as after an import), the second reads ``WeekCount``.

Timed:

* ``draft_cold_s`` — ``service.draft`` for the week (full scope): weekly table of 10 weeks
  (recounted from the event tables), the same per organisation, aoristic table, Gi* hot spots on
  a 250 m grid, recurring hot spots over 12 weeks, the map's points. Analysis cache cleared.
* ``draft_s`` — the same again with the weeks counted and the analysis cache cleared: the
  Monday-morning case (median of ``--repeat``). Target ≤ 3 s.
* ``pdf_s`` — rendering that draft's full version to HTML and to PDF with WeasyPrint (median of
  ``--repeat``). Target ≤ 5 s.
* ``*_cpu_s`` — the process's CPU time for the same work (this machine is shared: when the load
  average is far above the 2 cores, wall time measures the queue, CPU time the work).
* ``publish_s`` — one publication: both variants' numbers, 6 HTML documents, 3 Swedish PDFs.

    /tmp/venv/bin/python bench/bench_lagesbild.py [--events 1000000] [--repeat 3]
    /tmp/venv/bin/python bench/bench_lagesbild.py --database-url postgres://postgres@127.0.0.1:5432/postgres

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


WEEK_KEY = 202645
DRAFT_TARGET_S, PDF_TARGET_S = 3.0, 5.0
LON0, LON1, LAT0, LAT1 = 17.80, 18.20, 59.40, 59.60
N_DISTRICTS, N_ORGS = 10, 8
CHUNK = 50_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def setup_reference():
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.models import Area, AreaType
    from trygg.events.taxonomy import seed_categories

    collab = Collaboration.objects.create(name="Benchby", slug="benchby", municipality_code="0000")
    kommun_t = AreaType.objects.create(collaboration=collab, code="kommun", name="Kommun", level=20)
    district_t = AreaType.objects.create(collaboration=collab, code="stadsdel", name="Stadsdel", level=30)
    kommun = Area(collaboration=collab, type=kommun_t, name="Benchby", code="0000")
    kommun.set_geometry(box(LON0, LAT0, LON1, LAT1))
    kommun.save()
    districts = []
    step = (LON1 - LON0) / N_DISTRICTS
    for i in range(N_DISTRICTS):
        a = Area(collaboration=collab, type=district_t, name=f"Stadsdel {i + 1}", code=f"D{i + 1:02d}", parent=kommun)
        a.set_geometry(box(LON0 + i * step, LAT0, LON0 + (i + 1) * step, LAT1))
        a.save()
        districts.append(a.pk)
    collab.boundary = kommun
    collab.save()
    seed_categories(collab)
    orgs = [Organisation.objects.create(collaboration=collab, name=f"Part {i + 1}", kind="annan",
                                        contact_email=f"part{i + 1}@example.org").pk for i in range(N_ORGS)]
    return collab, kommun.pk, np.array(districts), np.array(orgs)


def load(collab, kommun_id, districts, orgs, n: int, seed: int = 1) -> dict:
    from django.db import connection, transaction

    from trygg.core.geo import to_sweref
    from trygg.events.models import Category, Event, EventArea

    rng = np.random.default_rng(seed)
    tz = ZoneInfo("Europe/Stockholm")
    last_sunday = dt.date.fromisocalendar(WEEK_KEY // 100, WEEK_KEY % 100, 7)
    first = last_sunday - dt.timedelta(days=4 * 364 - 1)
    days = [first + dt.timedelta(d) for d in range((last_sunday - first).days + 1)]
    midnight = np.array([dt.datetime.combine(d, dt.time(), tz).timestamp() for d in days])
    length = np.array([dt.datetime.combine(d + dt.timedelta(1), dt.time(), tz).timestamp() for d in days]) - midnight
    weeks = np.array([d.isocalendar()[0] * 100 + d.isocalendar()[1] for d in days])
    mains = list(Category.objects.filter(collaboration=collab, parent__isnull=True).order_by("sort_order")
                 .values_list("pk", flat=True))
    w = 0.8 ** np.arange(len(mains))
    cat = rng.choice(np.array(mains), size=n, p=w / w.sum())
    day = rng.integers(0, len(days), n)
    t = midnight[day] + rng.random(n) * length[day]
    iso = weeks[day]
    # clustered positions: half around 30 centres, half uniform
    centres = np.column_stack([rng.uniform(LON0, LON1, 30), rng.uniform(LAT0, LAT1, 30)])
    k = rng.integers(0, 30, n)
    clustered = rng.random(n) < 0.5
    lon = np.where(clustered, centres[k, 0] + rng.normal(0, 0.003, n), rng.uniform(LON0, LON1, n))
    lat = np.where(clustered, centres[k, 1] + rng.normal(0, 0.0015, n), rng.uniform(LAT0, LAT1, n))
    lon, lat = np.clip(lon, LON0 + 1e-6, LON1 - 1e-6), np.clip(lat, LAT0 + 1e-6, LAT1 - 1e-6)
    x, y = to_sweref(lon, lat)
    org = rng.choice(orgs, n)
    restricted = rng.random(n) < 0.1
    district = districts[np.minimum(((lon - LON0) / (LON1 - LON0) * N_DISTRICTS).astype(int), N_DISTRICTS - 1)]
    ev_t, ea_t = Event._meta.db_table, EventArea._meta.db_table
    cols = ("id, uuid, collaboration_id, organisation_id, category_id, occurred_from, iso_week, lat, lon, x, y, "
            "precision, outside, description, people_count, police_notified, visibility, source, external_id, "
            "source_data, created_at, updated_at, version")
    pg = connection.vendor == "postgresql"
    now = "2026-11-10 00:00:00+00:00"
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, n, CHUNK):
            sl = range(start, min(start + CHUNK, n))
            rows = [(i + 1, f"{i + 1:032x}", collab.pk, int(org[i]), int(cat[i]),
                     dt.datetime.fromtimestamp(t[i], dt.UTC).isoformat(sep=" "), int(iso[i]), float(lat[i]),
                     float(lon[i]), float(x[i]), float(y[i]), "point", False, "", None, False,
                     "restricted" if restricted[i] else "partners", "demo", "", "{}", now, now, 1) for i in sl]
            cur.executemany(f"INSERT INTO {ev_t} ({cols}) VALUES ({', '.join(['%s'] * 23)})", rows)
            links = [(i + 1, kommun_id, int(cat[i]), int(iso[i])) for i in sl]
            links += [(i + 1, int(district[i]), int(cat[i]), int(iso[i])) for i in sl]
            cur.executemany(f"INSERT INTO {ea_t} (event_id, area_id, category_id_copy, iso_week) "
                            f"VALUES (%s, %s, %s, %s)", links)
        if pg:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{ev_t}', 'id'), {n})")
            cur.execute(f"ANALYZE {ev_t}")
            cur.execute(f"ANALYZE {ea_t}")
        else:
            cur.execute("ANALYZE")
    return {"load_s": round(time.perf_counter() - t0, 1), "event_rows": Event.objects.count(),
            "event_area_rows": EventArea.objects.count(),
            "events_in_week": int((iso == WEEK_KEY).sum())}


def measure(collab, repeat: int) -> dict:
    from django.core.cache import cache

    from trygg.situation import publish as P
    from trygg.situation.render import render_pdf, render_print
    from trygg.situation.service import document, draft, meeting_parts

    out = {}
    cache.clear()
    t0 = time.perf_counter()
    picture = draft(collab, WEEK_KEY)
    out["draft_cold_s"] = round(time.perf_counter() - t0, 2)
    log("cold draft")

    def warm():
        cache.clear()
        return draft(collab, WEEK_KEY)

    cpu0 = time.process_time()
    out["draft_s"], picture = timed(warm, repeat)
    out["draft_cpu_s"] = round((time.process_time() - cpu0) / repeat, 2)
    out["draft_target_s"] = DRAFT_TARGET_S
    log("warm draft")
    d = picture.draft
    out["check_total_this_week"] = d["total"]["count"]
    out["check_flags"] = len(d["flags"])
    out["check_points_on_map"] = len(d["points"])
    out["check_hot_cells"] = d["hotspots"]["hot"]
    out["check_recurring"] = len(d["recurring"])
    doc = document(picture, "full", d, meeting_parts(picture))

    def pdf():
        return render_pdf(render_print(doc, "sv"))

    cpu0 = time.process_time()
    out["pdf_s"], data = timed(pdf, repeat)
    out["pdf_cpu_s"] = round((time.process_time() - cpu0) / repeat, 2)
    out["pdf_target_s"] = PDF_TARGET_S
    out["pdf_bytes"] = len(data)
    log("pdf")
    t0 = time.perf_counter()
    version = P.publish(picture, None, send=False)
    P.render_pdfs(version)
    out["publish_s"] = round(time.perf_counter() - t0, 2)
    log("publish")
    out["draft_s"], out["pdf_s"] = round(out["draft_s"], 2), round(out["pdf_s"], 2)
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", default="", help="SQLite file to build once and reuse (not deleted)")
    args = parser.parse_args()
    keep = Path(args.keep) if args.keep else None
    reuse = bool(keep and keep.exists())
    with ThrowawayDatabase(args.database_url or None, "bench_lagesbild") as url:
        if keep:
            url = f"sqlite:///{keep}"
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
        os.environ["TRYGG_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
        import django

        django.setup()
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        log(f"migrated in {time.perf_counter() - t0:.0f} s")
        if reuse:
            from trygg.accounts.models import Collaboration
            from trygg.events.models import Event, EventArea
            from trygg.situation.models import PublishedVersion

            collab = Collaboration.objects.get(slug="benchby")
            for v in PublishedVersion.objects.all():
                v.documents.all().delete()
                v.delete()
            loaded = {"load_s": None, "event_rows": Event.objects.count(), "event_area_rows": EventArea.objects.count(),
                      "events_in_week": Event.objects.filter(iso_week=WEEK_KEY).count(), "reused_database": True}
        else:
            collab, kommun_id, districts, orgs = setup_reference()
            loaded = load(collab, kommun_id, districts, orgs, args.events)
        log(f"loaded {loaded}")
        result = measure(collab, args.repeat)
        from django.db import connection

        print(json.dumps({
            "benchmark": "lagesbild", "database": connection.vendor, "events": args.events,
            "week": f"{WEEK_KEY // 100}-W{WEEK_KEY % 100:02d}", **loaded, **result,
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
            "date": dt.date.today().isoformat(),
        }, indent=2))


if __name__ == "__main__":
    main()
