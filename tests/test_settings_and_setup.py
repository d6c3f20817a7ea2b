"""The set-up promises: env-only settings documented in .env.example, SQLite in WAL mode, the CLI."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


ENV_READ = re.compile(r"""(?:env_bool|env_int|env_list|environ\.get|getenv)\(\s*["']"""
                      r"""(TRYGG_[A-Z0-9_]+|BENCH_[A-Z0-9_]+|DATABASE_URL|CI)["']""")


def env_names_read_by_the_code() -> set[str]:
    """Variables read by the application, its tests (and the test runner) and the benchmarks."""
    names = set()
    paths = [ROOT / "conftest.py", *(ROOT / "trygg").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "bench").rglob("*.py")]
    for path in paths:
        names.update(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_env_coverage_check_sees_the_test_and_benchmark_variables():
    names = env_names_read_by_the_code()
    assert {"TRYGG_TEST_POSTGRES_URL", "TRYGG_TEST_WORKERS", "TRYGG_SCREENSHOTS", "CI", "DATABASE_URL"} <= names
    assert "BENCH_PROFILE_ALL" in names  # bench/bench_write.py


def test_every_environment_variable_the_code_reads_is_documented_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = env_names_read_by_the_code() - documented
    assert not missing, f"document these in .env.example: {sorted(missing)}"


def test_the_readme_names_the_two_commands_that_make_and_ci_use():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_readme_lists_the_demo_logins_a_screenshot_and_docs_that_exist():
    from trygg.demo.builder import USERS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for username, password, *_ in USERS:
        assert f"`{username}` | `{password}`" in readme, f"demo login {username} missing from the README"
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert images, "the README shows no screenshot"
    links = re.findall(r"\]\(((?:docs/|\.env|CHANGELOG)[^)#]*)\)", readme)
    assert any(link.startswith("docs/") and link.endswith(".md") for link in links)
    for path in images + links:
        assert (ROOT / path).is_file(), f"the README points at {path}, which does not exist"
    assert "make run" in readme and "again" in readme  # what a second `make run` does


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only check; this run uses " + connection.vendor)
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


WAL_PROBE = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    found = {}
    for pragma in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous"):
        cursor.execute("PRAGMA " + pragma)
        found[pragma] = cursor.fetchone()[0]
found["vendor"] = connection.vendor
found["name"] = str(connection.settings_dict["NAME"])
print(json.dumps(found))
"""


def test_a_sqlite_file_database_from_database_url_runs_in_wal_mode_with_the_busy_timeout(tmp_path):
    """The embedded default as a server uses it: a file database opened through Django's settings
    (the test database is in memory, where WAL does not apply)."""
    import json
    import os
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "x.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRYGG_")}
    env.update(DATABASE_URL=f"sqlite:///{path}", TRYGG_DATA_DIR=str(tmp_path / "data"),
               TRYGG_SQLITE_TIMEOUT="7", DJANGO_SETTINGS_MODULE="trygg.settings")
    result = subprocess.run([sys.executable, "-c", WAL_PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["vendor"] == "sqlite" and found["name"] == str(path)
    assert found["journal_mode"] == "wal"
    assert found["busy_timeout"] == 7000  # TRYGG_SQLITE_TIMEOUT seconds, in milliseconds
    assert found["foreign_keys"] == 1
    assert found["synchronous"] == 1  # NORMAL
    # WAL is a property of the file: any later connection finds it in WAL mode
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert plain.execute("SELECT x FROM probe").fetchall() == [(1,)]
    finally:
        plain.close()


def test_the_cli_joins_two_words_into_one_command(monkeypatch):
    from trygg import cli

    seen = {}
    monkeypatch.setattr("django.core.management.execute_from_command_line", lambda argv: seen.setdefault("argv", argv))
    monkeypatch.setattr("django.core.management.get_commands", lambda: {"areas_import": "trygg.areas", "migrate": "x"})
    cli.main(["trygg", "areas", "import", "file.geojson", "--commit"])
    assert seen["argv"] == ["trygg", "areas_import", "file.geojson", "--commit"]


def test_the_cli_passes_other_commands_through(monkeypatch):
    from trygg import cli

    seen = {}
    monkeypatch.setattr("django.core.management.execute_from_command_line", lambda argv: seen.setdefault("argv", argv))
    monkeypatch.setattr("django.core.management.get_commands", lambda: {"migrate": "x"})
    cli.main(["trygg", "migrate", "events"])
    assert seen["argv"] == ["trygg", "migrate", "events"]


def test_security_defaults_are_safe():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher") or "MD5" in settings.PASSWORD_HASHERS[0]
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.LANGUAGE_CODE == "sv" and settings.TIME_ZONE == "Europe/Stockholm" and settings.USE_TZ


def test_the_production_settings_use_argon2_first():
    import trygg.settings as module  # the settings as Django loaded them (tests swap in a fast hasher)

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
