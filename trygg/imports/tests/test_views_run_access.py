"""Who sees which import run: the collaboration's coordinators every run, an organisation's
analysts their own organisation's runs, and nobody else (rejected rows hold raw partner data).
Saved mappings stay with their organisation. Interrupted runs resume from the run page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trygg.accounts.models import Membership, User
from trygg.events.models import Event
from trygg.imports import runs
from trygg.imports.mapping import ImportMapping
from trygg.imports.models import ImportRun

from .conftest import notice

pytestmark = pytest.mark.django_db


def member(name, org, role):
    user = User.objects.create_user(username=name, password="correct horse battery")
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def partner_run(collab_a, partner_org_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="hyresgaster.csv", filename="hyresgaster.csv",
                         organisation=partner_org_a)
    runs.record_rejected(run, 3, "Rad 3: ogiltigt datum", raw="Anna Andersson;Trapphus 4B;31/02/2024")
    runs.finish_run(run, {"read": 3, "created": 2, "rejected": 1})
    return run


@pytest.fixture
def kommun_run(collab_a, org_a):
    run = runs.start_run(collab_a, ImportRun.Kind.TABLE, source="kommun.csv", filename="kommun.csv",
                         organisation=org_a)
    runs.finish_run(run, {"read": 1, "created": 1})
    return run


def urls(run):
    return [reverse("imports:run", args=[run.uuid]), reverse("imports:run_progress", args=[run.uuid]),
            reverse("imports:rejected_csv", args=[run.uuid])]


def test_an_analyst_of_the_importing_organisation_sees_its_runs_and_rejected_rows(client_for, partner_org_a,
                                                                                  partner_run, kommun_run):
    analyst = member("analyst_partner", partner_org_a, "analyst")
    client = client_for(analyst)
    for url in urls(partner_run):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("imports:runs")).content.decode()
    assert "hyresgaster.csv" in listing and "kommun.csv" not in listing
    assert reverse("imports:table_upload") not in listing  # seeing is not importing
    for url in urls(kommun_run):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["partner_a", "reporter_a", "police_a", "outsider_b"])
def test_reporters_and_other_organisations_get_404_on_a_partners_run(request, client_for, partner_run, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in urls(partner_run):
        assert client.get(url).status_code == 404, (persona, url)


def test_an_analyst_of_another_organisation_in_the_collaboration_gets_404(client_for, org_a, partner_run):
    analyst = member("analyst_kommun", org_a, "analyst")
    client = client_for(analyst)
    for url in urls(partner_run):
        assert client.get(url).status_code == 404, url
    assert "hyresgaster.csv" not in client.get(reverse("imports:runs")).content.decode()


def test_the_collaborations_coordinator_sees_every_organisations_runs(client_for, coordinator_a, partner_run,
                                                                      kommun_run):
    client = client_for(coordinator_a)
    for url in urls(partner_run):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("imports:runs")).content.decode()
    assert "hyresgaster.csv" in listing and "kommun.csv" in listing


def test_another_organisations_saved_mapping_is_not_found_in_the_wizard(client_for, org_a, partner_org_a,
                                                                        outsider_b):
    mapping = ImportMapping.objects.create(organisation=org_a, name="Kommunens larm", spec={"columns": {}})
    csv = b"Id;Datum;Typ;Lat;Lon\n1;2024-03-01 10:00;brand;59.5;17.85\n"
    partner_coordinator = member("coordinator_partner", partner_org_a, "coordinator")
    for user in (outsider_b, partner_coordinator):
        client = client_for(user)
        response = client.post(reverse("imports:table_upload"), {"file": SimpleUploadedFile("a.csv", csv)})
        token = response["Location"].rstrip("/").split("/")[-1]
        url = reverse("imports:table_map", args=[token])
        assert client.get(url).status_code == 200  # their own wizard works ...
        assert client.get(url, {"mapping": str(mapping.uuid)}).status_code == 404, user  # ... A's mapping is not there


# --- resuming from the run page -----------------------------------------------------------------

@pytest.fixture
def interrupted_police_run(collab_a, tmp_path):
    """A police run killed after its first notice: the checkpoint says 1, the file holds three."""
    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1), notice(2), notice(3)]), encoding="utf-8")
    run = runs.start_run(collab_a, ImportRun.Kind.POLISEN, source=str(path), options={"path": str(path)})
    from trygg.imports.polisen import PoliceImporter

    importer = PoliceImporter(run)
    importer.import_stream([notice(1)])  # the first chunk committed, then the process died
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.INTERRUPTED)
    run.refresh_from_db()
    return run


def test_an_interrupted_run_has_a_resume_button_that_finishes_it_without_duplicates(
        client_for, coordinator_a, collab_a, interrupted_police_run):
    run = interrupted_police_run
    client = client_for(coordinator_a)
    html = client.get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert reverse("imports:run_resume", args=[run.uuid]) in html
    response = client.post(reverse("imports:run_resume", args=[run.uuid]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE  # the worker (immediate in tests) has resumed it
    assert (run.read, run.created) == (3, 3)
    assert sorted(Event.objects.filter(collaboration=collab_a).values_list("external_id", flat=True)) == ["1", "2", "3"]
    html = client.get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert reverse("imports:run_resume", args=[run.uuid]) not in html


def test_only_coordinators_may_resume(client_for, partner_org_a, reporter_a, interrupted_police_run):
    run = interrupted_police_run
    ImportRun.objects.filter(pk=run.pk).update(organisation=partner_org_a)
    analyst = member("analyst_partner", partner_org_a, "analyst")
    client = client_for(analyst)
    html = client.get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert reverse("imports:run_resume", args=[run.uuid]) not in html
    assert client.post(reverse("imports:run_resume", args=[run.uuid])).status_code == 404
    assert client_for(reporter_a).post(reverse("imports:run_resume", args=[run.uuid])).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED
