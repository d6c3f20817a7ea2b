"""The set-up promises: env-only settings documented in .env.example, SQLite in WAL mode, the CLI."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def env_names_read_by_the_code() -> set[str]:
    names = set()
    for path in (ROOT / "trygg").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"""(?:env_bool|env_int|env_list|environ\.get|getenv)\(\s*["'](TRYGG_[A-Z0-9_]+|DATABASE_URL)["']""", text))
    return names


def test_every_environment_variable_the_code_reads_is_documented_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = env_names_read_by_the_code() - documented
    assert not missing, f"document these in .env.example: {sorted(missing)}"


def test_the_readme_names_the_two_commands_that_make_and_ci_use():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


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
    import importlib

    import trygg.settings as module

    source = Path(module.__file__).read_text()
    assert source.index("Argon2PasswordHasher") < source.index("PBKDF2PasswordHasher")
    importlib.reload  # the module is imported once by Django; the order above is what it uses
