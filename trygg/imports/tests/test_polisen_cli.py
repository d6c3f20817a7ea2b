"""``trygg import polisen`` from a file and from stdin, ``--fetch`` (mocked network), ``import runs``."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from urllib.error import HTTPError, URLError

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trygg.core.models import ScheduledRun
from trygg.events.models import Event
from trygg.imports import polisen_fetch
from trygg.imports.models import ImportRun

from .conftest import notice

pytestmark = pytest.mark.django_db


def cli(*args, stdin: bytes | None = None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_from_a_file_prints_counts_and_unmapped_types(collab_a, tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1), notice(2, type="Okänd typ"), notice(3, type="Sammanfattning natt")],
                               ensure_ascii=False), encoding="utf-8")
    out, _err = cli("import_polisen", str(path), "--collaboration", "testby")
    assert "2" in out and "Okänd typ: 1" in out
    assert "--include-summaries" in out
    assert Event.objects.count() == 2


def test_import_from_stdin(collab_a, monkeypatch):
    data = json.dumps([notice(7)], ensure_ascii=False).encode()
    cli("import_polisen", "-", stdin=data, monkeypatch=monkeypatch)
    assert Event.objects.get().external_id == "7"
    assert ImportRun.objects.get().options.get("path") is None


def test_a_zero_byte_file_is_a_clear_command_error(collab_a, tmp_path):
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="0 byte"):
        cli("import_polisen", str(path))


def test_a_missing_file_is_a_clear_command_error(collab_a, tmp_path):
    with pytest.raises(CommandError, match="saknas|No such"):
        cli("import_polisen", str(tmp_path / "nope.json"))


def test_runs_list_and_show(collab_a, tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1), notice(2, when="2023-02-30 1:00:00 +01:00")]), encoding="utf-8")
    cli("import_polisen", str(path))
    run = ImportRun.objects.get()
    out, _ = cli("import_runs", "list")
    assert str(run.uuid) in out and "rejected 1" in out
    out, _ = cli("import_runs", "show", str(run.uuid)[:8])
    assert "2023-02-30" in out


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def network(monkeypatch):
    """Replace urlopen and sleep; record every request and every pause."""
    calls = {"requests": [], "sleeps": [], "answers": []}

    def fake_urlopen(request, timeout=None):
        calls["requests"].append(request)
        answer = calls["answers"].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)

    from django.utils import timezone

    clock = [timezone.now()]

    def fake_sleep(seconds):
        calls["sleeps"].append(seconds)
        clock[0] += dt.timedelta(seconds=seconds)

    monkeypatch.setattr(polisen_fetch, "urlopen", fake_urlopen)
    monkeypatch.setattr(polisen_fetch, "sleep", fake_sleep)
    monkeypatch.setattr(polisen_fetch, "now", lambda: clock[0])
    return calls


def test_fetch_sends_a_user_agent_and_the_location_and_imports(collab_a, network):
    network["answers"].append(json.dumps([notice(11)]).encode())
    cli("import_polisen", "--fetch", "--location", "Testby")
    request = network["requests"][0]
    assert "Trygg" in request.get_header("User-agent")
    assert request.full_url == "https://polisen.se/api/events?locationname=Testby"
    assert Event.objects.get().external_id == "11"


def test_fetch_waits_ten_seconds_between_calls_even_across_processes(collab_a, network):
    # Another process called four seconds ago: its time is in the database.
    ScheduledRun.objects.create(name=polisen_fetch.THROTTLE_KEY,
                                last_run_at=polisen_fetch.now() - dt.timedelta(seconds=4))
    network["answers"] += [b"[]", b"[]"]
    polisen_fetch.fetch_feed("Testby")
    assert network["sleeps"] == [pytest.approx(6)]
    polisen_fetch.fetch_feed("Testby")  # right after our own call: ten more seconds
    assert network["sleeps"][1] == pytest.approx(10)
    assert len(network["requests"]) == 2


def test_fetch_backs_off_on_429_and_403(collab_a, network):
    ScheduledRun.objects.all().delete()
    network["answers"] += [HTTPError("u", 429, "Too Many Requests", {"Retry-After": "60"}, None),
                           HTTPError("u", 403, "Forbidden", {}, None), b"[]"]
    # Keep the throttle from sleeping: every call is "long ago".
    assert polisen_fetch.fetch_feed(None) == b"[]"
    backoffs = [s for s in network["sleeps"] if s >= 30]
    assert backoffs[:2] == [60.0, 60.0]  # Retry-After first, then the doubled backoff (30 → 60)
    assert len(network["requests"]) == 3
    assert all(s <= 10 for s in network["sleeps"] if s < 30)  # the throttle never waits more than 10 s


def test_an_unreachable_network_is_a_clear_message_and_imports_nothing(collab_a, network):
    network["answers"].append(URLError("Name or service not known"))
    with pytest.raises(CommandError, match="polisen|police"):
        cli("import_polisen", "--fetch")
    assert Event.objects.count() == 0


def test_the_scheduled_fetch_imports_into_each_collaboration_once(collab_a, collab_b, network):
    network["answers"].append(json.dumps([notice(21), notice(22, place="Annanstad", gps="59.5,18.9")]).encode())
    from trygg.imports.tasks import fetch_polisen_scheduled

    result = fetch_polisen_scheduled.enqueue().return_value
    assert len(network["requests"]) == 1
    assert result["testby"]["created"] == 1 and result["annanstad"]["created"] == 1
    assert Event.objects.get(collaboration=collab_b).external_id == "22"


def test_the_scheduled_fetch_is_registered_only_when_an_interval_is_set(monkeypatch):
    from django.apps import apps

    from trygg.core import schedule

    schedule.JOBS.pop("imports.polisen_fetch", None)
    monkeypatch.setenv("TRYGG_POLISEN_FETCH_MINUTES", "0")
    apps.get_app_config("imports").ready()
    assert "imports.polisen_fetch" not in schedule.JOBS
    monkeypatch.setenv("TRYGG_POLISEN_FETCH_MINUTES", "15")
    apps.get_app_config("imports").ready()
    job = schedule.JOBS.pop("imports.polisen_fetch")
    assert job.every.total_seconds() == 15 * 60


def test_the_trygg_console_script_maps_two_words_to_the_command(collab_a, tmp_path, capsys, monkeypatch):
    from django.db import connections

    from trygg.cli import main

    # run_from_argv closes the connections afterwards, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(31)]), encoding="utf-8")
    main(["trygg", "import", "polisen", str(path), "--no-progress"])
    main(["trygg", "import", "runs", "list"])
    assert str(ImportRun.objects.get().uuid) in capsys.readouterr().out
    assert Event.objects.get().external_id == "31"


def test_the_terminal_progress_bar_draws_only_on_a_terminal():
    from trygg.imports.progress import TerminalProgress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    bar = TerminalProgress(tty, every=0)
    bar(500, 1000)
    bar.close()
    assert "50%" in tty.getvalue() and tty.getvalue().endswith("\n")
    quiet = TerminalProgress(pipe, every=0)
    quiet(500, 1000)
    quiet.close()
    assert pipe.getvalue() == ""


def test_sigterm_marks_a_running_import_interrupted(collab_a, tmp_path, monkeypatch):
    import signal

    from trygg.events.services import EventWriter

    monkeypatch.setattr(signal, "getsignal", lambda s: signal.SIG_DFL)
    installed = {}
    monkeypatch.setattr(signal, "signal", lambda s, handler: installed.setdefault(s, handler))

    def killed(self, *a, **k):
        installed[signal.SIGTERM](signal.SIGTERM, None)  # as if `kill PID` arrived mid-batch

    monkeypatch.setattr(EventWriter, "write", killed)
    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1)]), encoding="utf-8")
    with pytest.raises(SystemExit):
        cli("import_polisen", str(path))
    assert ImportRun.objects.get().status == ImportRun.Status.INTERRUPTED
