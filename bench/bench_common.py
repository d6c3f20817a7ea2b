"""What every benchmark script shares: the machine description, CPU accounting, a throwaway
database (a temporary SQLite file or a temporary PostgreSQL database that is dropped after),
and Django set-up against it."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()}


def process_cpu(pid) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 when unknown."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ThrowawayDatabase:
    """A temporary SQLite file, or a temporary PostgreSQL database on the given server."""

    def __init__(self, server_url: str | None, prefix: str):
        self.server_url = server_url
        self.name = f"{prefix}_{os.getpid()}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}_"))

    def __enter__(self) -> str:
        if not self.server_url:
            return f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return urlunparse(urlparse(self.server_url)._replace(path=f"/{self.name}"))

    def __exit__(self, *exc):
        if self.server_url:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:
                pass
            import psycopg

            with psycopg.connect(self.server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)


def setup_django(database_url: str, data_dir: Path) -> None:
    """Point Django at the database, set it up and migrate."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["TRYGG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
