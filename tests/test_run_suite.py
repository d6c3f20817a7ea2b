"""The README's test command (tests/run_suite.py): two passes, and what an unreachable PostgreSQL does.

The pytest runs themselves are stubbed: these tests check the decisions, not the whole suite.
Port 1 on 127.0.0.1 stands for "PostgreSQL is not there" (nothing listens on it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import run_suite
from tests.ci import missing_prerequisite, under_ci

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "postgres://postgres@127.0.0.1:1/test"


@pytest.fixture
def passes(monkeypatch):
    """Stub the pytest runs: record (label, DATABASE_URL, args) and return the scripted exit codes."""
    seen: list[tuple[str, str, list[str]]] = []
    codes = {"SQLite": 0, "PostgreSQL": 0}

    def fake_pytest(label, env_extra, args):
        seen.append((label, env_extra["DATABASE_URL"], list(args)))
        return codes[label]

    monkeypatch.setattr(run_suite, "pytest", fake_pytest)
    return seen, codes


def test_under_ci_true_an_unreachable_postgresql_fails_the_run_with_a_clear_message(monkeypatch, passes, capsys):
    seen, _ = passes
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("TRYGG_TEST_POSTGRES_URL", UNREACHABLE)
    assert run_suite.main([]) != 0
    out = capsys.readouterr().out
    assert f"PostgreSQL at {UNREACHABLE} is unreachable" in out
    assert "under CI=true that fails the run" in out
    assert [label for label, *_ in seen] == ["SQLite"]  # the SQLite pass still ran


def test_without_ci_an_unreachable_postgresql_is_skipped_with_how_to_run_it_and_sqlite_decides(
        monkeypatch, passes, capsys):
    seen, codes = passes
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TRYGG_TEST_POSTGRES_URL", UNREACHABLE)
    assert run_suite.main(["trygg/core", "-x"]) == 0
    out = capsys.readouterr().out
    assert "SKIPPED the PostgreSQL pass" in out
    assert "TRYGG_TEST_POSTGRES_URL=" in out and "make test-postgres" in out
    assert seen == [("SQLite", "", ["trygg/core", "-x"])]

    codes["SQLite"] = 1
    assert run_suite.main([]) != 0, "a failing SQLite pass must fail the run even when PostgreSQL is skipped"


def test_a_reachable_postgresql_gets_its_own_pass_with_the_test_url(monkeypatch, passes):
    seen, codes = passes
    url = "postgres://postgres@db.example.invalid:5432/test"
    monkeypatch.setenv("TRYGG_TEST_POSTGRES_URL", url)
    monkeypatch.setattr(run_suite, "postgres_reachable", lambda u: (u == url, ""))
    assert run_suite.main(["-k", "events"]) == 0
    assert seen == [("SQLite", "", ["-k", "events"]), ("PostgreSQL", url, ["-k", "events"])]

    codes["PostgreSQL"] = 1
    assert run_suite.main([]) != 0


def test_sqlite_only_and_postgres_only_run_one_pass(monkeypatch, passes):
    seen, _ = passes
    monkeypatch.setenv("TRYGG_TEST_POSTGRES_URL", UNREACHABLE)
    monkeypatch.delenv("CI", raising=False)
    assert run_suite.main(["--sqlite-only"]) == 0
    assert [label for label, *_ in seen] == ["SQLite"]
    seen.clear()
    monkeypatch.setattr(run_suite, "postgres_reachable", lambda u: (True, ""))
    assert run_suite.main(["--postgres-only"]) == 0
    assert [label for label, *_ in seen] == ["PostgreSQL"]


def test_the_runner_passes_the_worker_count_and_the_database_to_pytest(monkeypatch):
    seen = {}

    def fake_call(cmd, env):
        seen.update(cmd=cmd, env=env)
        return 3

    monkeypatch.setattr(run_suite.subprocess, "call", fake_call)
    monkeypatch.setenv("TRYGG_TEST_WORKERS", "4")
    assert run_suite.pytest("SQLite", {"DATABASE_URL": ""}, ["trygg/core"]) == 3
    assert seen["cmd"][:3] == [sys.executable, "-m", "pytest"]
    assert seen["cmd"][seen["cmd"].index("-n") + 1] == "4"
    assert seen["cmd"][-1] == "trygg/core"
    assert seen["env"]["DATABASE_URL"] == ""


def test_postgres_reachable_reports_why_a_server_cannot_be_reached():
    ok, why = run_suite.postgres_reachable(UNREACHABLE)
    assert ok is False
    assert why  # the reason is shown to the user


@pytest.mark.parametrize("ci, expected", [("true", True), ("1", True), ("TRUE", True), ("false", False),
                                          ("0", False), ("", False), (None, False)])
def test_under_ci_reads_the_ci_variable(ci, expected):
    assert under_ci({} if ci is None else {"CI": ci}) is expected


def test_a_missing_browser_fails_under_ci_and_skips_with_a_message_elsewhere():
    outcome, message = missing_prerequisite("/usr/bin/chromium", "apt-get install chromium", {"CI": "true"})
    assert outcome == "fail"
    assert "/usr/bin/chromium" in message and "CI=true" in message
    outcome, message = missing_prerequisite("/usr/bin/chromium", "apt-get install chromium", {})
    assert outcome == "skip"
    assert "/usr/bin/chromium" in message and "apt-get install chromium" in message


def test_the_browser_fixture_fails_under_ci_when_chromium_is_missing(monkeypatch, tmp_path):
    from tests.browser import conftest as browser_conftest

    monkeypatch.setattr(browser_conftest, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromium"):
        browser_conftest.start_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        browser_conftest.start_chromium()


def run_script(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TRYGG_TEST_POSTGRES_URL"] = UNREACHABLE
    if ci is not None:
        env["CI"] = ci
    # --postgres-only: the SQLite pass (the whole suite) is not started; with PostgreSQL
    # unreachable the PostgreSQL pass never starts either.
    return subprocess.run([sys.executable, "-m", "tests.run_suite", "--postgres-only"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_script_exits_non_zero_under_ci_when_postgresql_is_unreachable():
    result = run_script("true")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "unreachable" in result.stdout and "CI=true" in result.stdout


def test_the_script_exits_zero_with_a_how_to_message_without_ci():
    result = run_script(None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED the PostgreSQL pass" in result.stdout and "make test-postgres" in result.stdout
