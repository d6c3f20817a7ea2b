"""Who started an import run: the Trygg user of the web or of ``--user``, else the operating-system
user of the command line; and a failed scheduled fetch leaves a failed run behind."""

from __future__ import annotations

import io
import json
from urllib.error import URLError

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from trygg.imports import polisen_fetch, runs
from trygg.imports.models import ImportRun

from .conftest import notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def cli(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def feed(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1)]), encoding="utf-8")
    return path


def test_a_command_line_police_import_records_the_operating_system_user(collab_a, feed, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "kerstin")
    cli("import_polisen", str(feed))
    run = ImportRun.objects.get()
    assert run.started_by is None and run.started_by_name == "kerstin"
    assert "kerstin (operating-system user)" in cli("import_runs", "show", str(run.uuid))


def test_the_operating_system_user_falls_back_when_it_cannot_be_told(collab_a, monkeypatch):
    def no_user():
        raise KeyError("getpwuid(): uid not found: 4711")

    monkeypatch.setattr("getpass.getuser", no_user)
    run = runs.start_run(collab_a, ImportRun.Kind.POLISEN)
    assert run.started_by_name.startswith("uid ")


def test_user_option_records_that_trygg_user(collab_a, coordinator_a, feed):
    cli("import_polisen", str(feed), "--user", "coordinator_a")
    run = ImportRun.objects.get()
    assert run.started_by == coordinator_a and run.started_by_name == "coordinator_a"
    assert "coordinator_a" in cli("import_runs", "show", str(run.uuid))


def test_user_option_refuses_an_unknown_user_and_a_non_member(collab_a, collab_b, outsider_b, feed):
    with pytest.raises(CommandError, match="no active user is called nobody"):
        cli("import_polisen", str(feed), "--collaboration", "testby", "--user", "nobody")
    with pytest.raises(CommandError, match="outsider_b is not a member of Testby"):
        cli("import_polisen", str(feed), "--collaboration", "testby", "--user", "outsider_b")
    assert not ImportRun.objects.exists()


def test_a_spreadsheet_import_from_the_command_line_records_user_or_os_user(org_a, coordinator_a, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "kerstin")
    data = tmp_path / "larm.csv"
    data.write_text("Id;Datum;Typ;Lat;Lon\n1;2024-03-01 10:00;brand;59.5;17.85\n", encoding="utf-8")
    mapping = tmp_path / "larm.json"
    mapping.write_text(json.dumps({"columns": {"occurred_from": "Datum", "category": "Typ", "lat": "Lat",
                                               "lon": "Lon", "external_id": "Id"},
                                   "date_format": "%Y-%m-%d %H:%M"}), encoding="utf-8")
    base = [str(data), "--mapping", str(mapping), "--organisation", str(org_a.uuid), "--commit"]
    cli("import_table", *base)
    cli("import_table", *base, "--user", "coordinator_a")
    first, second = ImportRun.objects.order_by("pk")
    assert (first.started_by, first.started_by_name) == (None, "kerstin")
    assert (second.started_by, second.started_by_name) == (coordinator_a, "coordinator_a")
    with pytest.raises(CommandError, match="no active user"):
        cli("import_table", *base, "--user", "nobody")


def test_the_run_page_shows_who_started_it(client_for, collab_a, coordinator_a, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "kerstin")
    run = runs.start_run(collab_a, ImportRun.Kind.POLISEN, source="f.json")
    client = client_for(coordinator_a)
    html = client.get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert "kerstin (användare i operativsystemet)" in html  # Swedish first
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert "kerstin (operating-system user)" in html


def test_a_failed_scheduled_fetch_leaves_a_failed_run_with_the_message(collab_a, collab_b, monkeypatch):
    def unreachable(request, timeout=None):
        raise URLError("Name or service not known")

    monkeypatch.setattr(polisen_fetch, "urlopen", unreachable)
    from trygg.imports.tasks import fetch_polisen_scheduled

    result = fetch_polisen_scheduled.enqueue().return_value
    assert "could not be reached" in result["error"]
    failed = ImportRun.objects.filter(status=ImportRun.Status.FAILED, kind=ImportRun.Kind.POLISEN)
    assert {r.collaboration_id for r in failed} == {collab_a.pk, collab_b.pk}
    assert all("Name or service not known" in r.error for r in failed)
