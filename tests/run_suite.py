"""Run the whole test suite on SQLite, then on PostgreSQL (the README's test command).

PostgreSQL comes from TRYGG_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
Unreachable PostgreSQL: under CI=true the run fails; elsewhere the PostgreSQL pass is skipped with
a message saying how to run it. TRYGG_TEST_WORKERS sets the pytest-xdist processes (default 2).
Tested in tests/test_run_suite.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.ci import under_ci

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"


def postgres_reachable(url: str) -> tuple[bool, str]:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover
        return False, str(exc)
    try:
        conninfo = url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            conn.execute("select 1")
        return True, ""
    except Exception as exc:
        return False, str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)


def pytest(label: str, env_extra: dict, args: list[str]) -> int:
    env = os.environ.copy()
    env.update(env_extra)
    workers = os.environ.get("TRYGG_TEST_WORKERS") or "2"
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", workers, "--dist", "loadfile", *args]
    print(f"\n=== Test suite on {label} ===\n{' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, env=env)


def main(argv: list[str]) -> int:
    sqlite_only = "--sqlite-only" in argv
    postgres_only = "--postgres-only" in argv
    args = [a for a in argv if a not in ("--sqlite-only", "--postgres-only")]
    status = 0
    if not postgres_only:
        status |= pytest("SQLite", {"DATABASE_URL": ""}, args)
    if not sqlite_only:
        url = os.environ.get("TRYGG_TEST_POSTGRES_URL", DEFAULT_PG)
        ok, why = postgres_reachable(url)
        if ok:
            status |= pytest("PostgreSQL", {"DATABASE_URL": url}, args)
        elif under_ci():
            print(f"\nFAILED: PostgreSQL at {url} is unreachable ({why}); under CI=true that fails the run.\n"
                  "Start PostgreSQL or point TRYGG_TEST_POSTGRES_URL at a reachable server.", flush=True)
            status |= 1
        else:
            print(
                f"\nSKIPPED the PostgreSQL pass: {url} is unreachable ({why}).\n"
                "Start PostgreSQL or set TRYGG_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB, "
                "then run `make test-postgres`.",
                flush=True,
            )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
