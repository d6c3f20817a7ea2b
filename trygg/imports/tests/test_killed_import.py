"""Imports really killed half-way (SIGKILL of a ``trygg import`` process) resume without duplicates.

Each test runs the real command line in a subprocess against its own SQLite database file in
tmp_path (the test database is not shared with other processes), whatever database the test
run itself uses. The subprocess is stopped inside the transaction of a chunk — some chunks
committed, one half-written — and killed there; then ``trygg import runs resume`` finishes it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow

DRIVER = '''
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
import django
django.setup()
from trygg.imports import polisen, runs, table_import
polisen.BATCH = int(os.environ.get("POLICE_BATCH") or polisen.BATCH)
block_at, marker, calls = int(os.environ.get("BLOCK_AT") or 0), os.environ.get("MARKER"), [0]

def wrap(real):
    def report_progress(run, **kwargs):
        real(run, **kwargs)
        if kwargs.get("checkpoint") is not None:
            calls[0] += 1
            if calls[0] == block_at:  # inside this chunk's transaction: stop here until killed
                with open(marker, "w") as fh:
                    fh.write(str(os.getpid()))
                while True:
                    time.sleep(60)
    return report_progress

runs.report_progress = wrap(runs.report_progress)
table_import.report_progress = wrap(table_import.report_progress)
if sys.argv[1] == "--setup":
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.events.taxonomy import seed_categories
    collab = Collaboration.objects.create(name="Testby", slug="testby")
    seed_categories(collab)
    print(Organisation.objects.create(collaboration=collab, name="Testby kommun", kind="kommun").uuid)
else:
    from trygg.cli import main
    main(["trygg", *sys.argv[1:]])
'''


@pytest.fixture
def cli(tmp_path):
    """Run ``trygg ...`` in a subprocess on a fresh, migrated SQLite file; returns a starter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'trygg.sqlite3'}", "TRYGG_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_SETTINGS_MODULE": "trygg.settings", "PYTHONPATH": str(ROOT), "MARKER": str(tmp_path / "stopped")}
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")

    def start(*args, **extra_env):
        return subprocess.Popen([sys.executable, str(driver), *args], cwd=ROOT, env=env | extra_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(*args):
        proc = start(*args)
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        return out

    run("migrate", "--noinput")
    start.run = run
    start.db = tmp_path / "trygg.sqlite3"
    start.marker = tmp_path / "stopped"
    start.org_uuid = run("--setup").strip().splitlines()[-1]
    return start


def kill_when_stopped(proc, marker: Path) -> None:
    """Wait until the subprocess stands inside a chunk's transaction, then SIGKILL it."""
    for _ in range(6000):
        if marker.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), proc.communicate()[1][-3000:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # reaped: its process id is gone from this host
    assert proc.returncode == -signal.SIGKILL


def query(db: Path, sql: str):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_killed_spreadsheet_import_resumes_without_duplicates(cli, tmp_path):
    rows = 12_000
    data = tmp_path / "larm.csv"
    with open(data, "w", encoding="utf-8") as fh:
        fh.write("Id;Datum;Typ;Lat;Lon\n")
        for i in range(1, rows + 1):
            fh.write(f"{i};2024-03-01 {i % 24}:{i % 60:02d};brand;59.5;17.85\n")
    mapping = tmp_path / "larm.json"
    mapping.write_text(json.dumps({"columns": {"external_id": "Id", "occurred_from": "Datum", "category": "Typ",
                                               "lat": "Lat", "lon": "Lon"}, "date_format": "%Y-%m-%d %H:%M"}))
    proc = cli("import", "table", str(data), "--mapping", str(mapping), "--organisation", cli.org_uuid, "--commit",
               BLOCK_AT="2")  # chunk 1 (5,000 rows) committed, chunk 2 written but not committed
    kill_when_stopped(proc, cli.marker)
    (uuid, status, checkpoint), = query(cli.db, "SELECT uuid, status, checkpoint FROM imports_importrun")
    assert status == "running" and json.loads(checkpoint) == {"row": 5001}
    assert query(cli.db, "SELECT count(*) FROM events_event") == [(5000,)]

    uuid = "-".join([uuid[:8], uuid[8:12], uuid[12:16], uuid[16:20], uuid[20:]]) if "-" not in uuid else uuid
    out = cli.run("import", "runs", "resume", uuid)
    assert "5001" in out.splitlines()[0]  # "Resuming after row 5001."
    assert query(cli.db, "SELECT count(*), count(DISTINCT external_id) FROM events_event") == [(rows, rows)]
    assert query(cli.db, "SELECT status, read, created, rejected, error FROM imports_importrun") == [
        ("done", rows, rows, 0, "")]


def test_a_killed_police_import_resumes_without_duplicates(cli, tmp_path):
    from .conftest import notice

    count = 50
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([notice(i, summary=f"Notis {i}") for i in range(1, count + 1)], ensure_ascii=False),
                    encoding="utf-8")
    proc = cli("import", "polisen", str(path), "--all", "--no-progress", POLICE_BATCH="10", BLOCK_AT="3")
    kill_when_stopped(proc, cli.marker)
    (uuid, status), = query(cli.db, "SELECT uuid, status FROM imports_importrun")
    assert status == "running"
    assert query(cli.db, "SELECT count(*) FROM events_event") == [(20,)]  # two batches committed

    uuid = "-".join([uuid[:8], uuid[8:12], uuid[12:16], uuid[16:20], uuid[20:]]) if "-" not in uuid else uuid
    out = cli.run("import", "runs", "resume", uuid)
    assert "20" in out.splitlines()[0]  # "Resuming after notice 20."
    assert query(cli.db, "SELECT count(*), count(DISTINCT external_id) FROM events_event") == [(count, count)]
    assert query(cli.db, "SELECT status, read, created, error FROM imports_importrun") == [("done", count, count, "")]
