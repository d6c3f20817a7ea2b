"""Run pages, the rejected-rows CSV and the police upload: coordinators and admins only."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trygg.events.models import Event
from trygg.imports import runs
from trygg.imports.models import ImportRun

from .conftest import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_a(collab_a, coordinator_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="larm.csv", filename="larm.csv", user=coordinator_a)
    runs.record_rejected(run, 4, "Tid: 31/02/2024 är inte ett giltigt datum.", raw="31/02/2024;Klotter",
                         field="occurred_from")
    runs.finish_run(run, {"read": 5, "created": 4, "rejected": 1})
    return run


def test_a_coordinator_sees_the_run_list_and_the_run(client_for, coordinator_a, run_a):
    client = client_for(coordinator_a)
    page = client.get(reverse("imports:runs"))
    assert page.status_code == 200 and "larm.csv" in page.content.decode()
    page = client.get(reverse("imports:run", args=[run_a.uuid]))
    html = page.content.decode()
    assert page.status_code == 200 and "31/02/2024" in html
    assert reverse("imports:rejected_csv", args=[run_a.uuid]) in html


def test_the_rejected_rows_download_as_csv(client_for, admin_a, run_a):
    response = client_for(admin_a).get(reverse("imports:rejected_csv", args=[run_a.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("4,occurred_from,")


@pytest.mark.parametrize("persona", ["reporter_a", "partner_a", "police_a", "outsider_b"])
def test_everyone_but_coordinators_and_admins_gets_404(request, client_for, run_a, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in (reverse("imports:run", args=[run_a.uuid]), reverse("imports:run_progress", args=[run_a.uuid]),
                reverse("imports:rejected_csv", args=[run_a.uuid])):
        assert client.get(url).status_code == 404, (persona, url)
    if persona != "outsider_b":  # the outsider coordinates their own collaboration: those pages are theirs
        assert client.get(reverse("imports:runs")).status_code == 404
        assert client.get(reverse("imports:polisen_upload")).status_code == 404
        assert client.post(reverse("imports:polisen_upload")).status_code == 404


def test_the_outsider_lists_only_their_own_runs(client_for, outsider_b, run_a):
    page = client_for(outsider_b).get(reverse("imports:runs"))
    assert page.status_code == 200 and "larm.csv" not in page.content.decode()


def test_a_running_run_polls_its_progress_and_a_finished_one_stops(client_for, coordinator_a, collab_a, run_a):
    running = runs.start_run(collab_a, ImportRun.Kind.POLISEN, total=200)
    runs.report_progress(running, done=50)
    client = client_for(coordinator_a)
    html = client.get(reverse("imports:run_progress", args=[running.uuid])).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="25"' in html
    html = client.get(reverse("imports:run_progress", args=[run_a.uuid])).content.decode()
    assert "hx-trigger" not in html


def test_an_uploaded_police_file_is_imported_by_the_worker(client_for, coordinator_a, collab_a):
    data = json.dumps([notice(1), notice(2, when="2023-02-30 1:00:00 +01:00")], ensure_ascii=False).encode()
    response = client_for(coordinator_a).post(
        reverse("imports:polisen_upload"), {"file": SimpleUploadedFile("handelser.json", data)})
    run = ImportRun.objects.get(collaboration=collab_a)
    assert response.status_code == 302 and response["Location"] == reverse("imports:run", args=[run.uuid])
    # The test settings run tasks immediately (ImmediateBackend): the worker has done it.
    assert run.status == ImportRun.Status.DONE and run.started_by == coordinator_a
    assert (run.created, run.rejected) == (1, 1)
    assert Event.objects.filter(collaboration=collab_a).count() == 1
    assert Event.objects.get(collaboration=collab_a).organisation.kind == "polis"  # not the uploader's


def test_an_empty_upload_is_refused_with_a_message_naming_the_file(client_for, coordinator_a, collab_a):
    response = client_for(coordinator_a).post(
        reverse("imports:polisen_upload"), {"file": SimpleUploadedFile("tom.json", b"")})
    assert response.status_code == 400
    assert "0 byte" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_police_type_mapping_is_editable_in_the_admin(client_for, collab_a, django_user_model):
    from trygg.imports.models import PoliceTypeMapping
    from trygg.imports.polisen import ensure_type_mappings

    ensure_type_mappings(collab_a)
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client = client_for(boss)
    page = client.get(reverse("admin:imports_policetypemapping_changelist"))
    assert page.status_code == 200 and "Skadegörelse" in page.content.decode()
    mapping = PoliceTypeMapping.objects.get(collaboration=collab_a, police_type="Trafikolycka")
    other = collab_a.categories.get(code="otrygg-trafik")
    response = client.post(reverse("admin:imports_policetypemapping_change", args=[mapping.pk]),
                           {"collaboration": collab_a.pk, "police_type": "Trafikolycka", "category": other.pk})
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.category == other
