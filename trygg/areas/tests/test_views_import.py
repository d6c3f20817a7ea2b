"""The boundary import pages (J5): upload → settings → dry run → commit → recompute event areas.
Administrators only; the dry run writes nothing; SWEREF 99 TM files are reprojected."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trygg.areas import views_import
from trygg.areas.models import Area, AreaType
from trygg.core.geo import to_sweref
from trygg.events.models import EventArea

pytestmark = pytest.mark.django_db

SQUARE = [[17.81, 59.46], [17.84, 59.46], [17.84, 59.49], [17.81, 59.49], [17.81, 59.46]]
NORTH = [[17.81, 59.55], [17.84, 59.55], [17.84, 59.58], [17.81, 59.58], [17.81, 59.55]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def geojson_bytes(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def feature(props, coords):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [coords]} if coords else None}


def upload(client, content: bytes, name="omraden.geojson"):
    return client.post(reverse("areas:import"), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return re.search(r"/importera/([^/]+)/", response["Location"]).group(1)


def settings_post(client, token, **data):
    payload = {"area_type": "stadsdel", "name_field": "namn", "code_field": "kod", "new_type_level": "30"} | data
    return client.post(reverse("areas:import_settings", kwargs={"token": token}), payload)


def est_file():
    return geojson_bytes([
        feature({"namn": "Centrum", "kod": "E1", "antal": 3}, SQUARE),
        feature({"namn": "Norr", "kod": "E2", "antal": 4}, NORTH),
        feature({"namn": "", "kod": "E3", "antal": 5}, SQUARE),
    ])


def dry_run(client, content=None, name="omraden.geojson", **data):
    response = upload(client, content or est_file(), name=name)
    assert response.status_code == 302, response.content.decode()[:2000]
    token = token_of(response)
    response = settings_post(client, token, **data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return token, client.get(reverse("areas:import_dry_run", kwargs={"token": token}))


def signature(response) -> str:
    return re.search(r'name="signature" value="([^"]+)"', response.content.decode()).group(1)


# --- Who may ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["coordinator_a", "reporter_a", "outsider_b"])
def test_only_administrators_reach_the_import_pages(persona, request, client_for, admin_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("areas:import")).status_code == 404
    assert upload(client, est_file()).status_code == 404
    assert not list(Path(views_import.upload_dir()).iterdir())


def test_someone_elses_pending_import_is_not_found(client_for, admin_a, coordinator_a):
    token, _page = dry_run(client_for(admin_a))
    other = client_for(coordinator_a)
    for name in ("import_settings", "import_dry_run"):
        assert other.get(reverse(f"areas:{name}", kwargs={"token": token})).status_code == 404
    assert other.post(reverse("areas:import_commit", kwargs={"token": token})).status_code == 404
    assert not Area.objects.filter(code="E1").exists()


def test_another_administrator_cannot_continue_someone_elses_upload(client_for, admin_a, org_a):
    from trygg.accounts.models import Membership, User

    other_admin = User.objects.create_user(username="admin2_a", password="x" * 20)
    Membership.objects.create(user=other_admin, organisation=org_a, role="admin")
    token, page = dry_run(client_for(admin_a))
    other = client_for(other_admin)
    assert other.get(reverse("areas:import_dry_run", kwargs={"token": token})).status_code == 404
    response = other.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": signature(page)})
    assert response.status_code == 404
    assert not Area.objects.filter(code="E1").exists()


def test_the_area_list_links_to_the_import_for_administrators_only(client_for, admin_a, coordinator_a):
    link = reverse("areas:import")
    assert link in client_for(admin_a).get(reverse("areas:list")).content.decode()
    assert link not in client_for(coordinator_a).get(reverse("areas:list")).content.decode()


def test_the_pages_need_the_csrf_token(admin_a):
    from conftest import verified_client

    client = verified_client(admin_a)
    client.handler.enforce_csrf_checks = True
    assert upload(client, est_file()).status_code == 403


# --- Step 1 ----------------------------------------------------------------------------------

def test_the_settings_offer_the_files_fields_with_a_guess(client_for, admin_a):
    client = client_for(admin_a)
    token = token_of(upload(client, est_file()))
    page = client.get(reverse("areas:import_settings", kwargs={"token": token})).content.decode()
    assert '<option value="antal">antal</option>' in page
    assert '<option value="namn" selected>namn</option>' in page
    assert '<option value="kod" selected>kod</option>' in page
    assert "<h1>" in page and 'for="id_name_field"' in page


def test_a_file_that_is_not_geodata_gives_a_swedish_error_naming_the_field(client_for, admin_a):
    response = upload(client_for(admin_a), b"this is not json", name="trasig.geojson")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fil: Filen kan inte läsas som GeoJSON" in page
    assert 'aria-invalid="true"' in page
    assert not list(Path(views_import.upload_dir()).iterdir())


def test_a_file_of_another_kind_is_refused_by_its_name(client_for, admin_a):
    response = upload(client_for(admin_a), b"a;b\n1;2\n", name="omraden.csv")
    assert response.status_code == 400
    assert "Fil: omraden.csv är inte en GeoJSON-fil" in response.content.decode()


def test_a_new_area_type_needs_a_name_and_a_free_code(client_for, admin_a):
    client = client_for(admin_a)
    token = token_of(upload(client, est_file()))
    response = settings_post(client, token, area_type="__new__", new_type_name="")
    assert response.status_code == 400
    assert "Namn på den nya områdestypen: skriv ett namn" in response.content.decode()
    response = settings_post(client, token, area_type="__new__", new_type_name="Stadsdel")
    assert response.status_code == 400
    assert "redan en områdestyp med koden stadsdel" in response.content.decode()


# --- Step 2: the dry run ---------------------------------------------------------------------

def test_the_dry_run_shows_the_plan_and_writes_nothing(client_for, admin_a, collab_a):
    from trygg.accounts.models import AuditLog

    client = client_for(admin_a)
    before = (Area.objects.count(), AreaType.objects.count(), AuditLog.objects.count())
    _token, response = dry_run(client, area_type="__new__", new_type_name="EST-område",
                               new_type_level="40")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Inget har sparats ännu" in page
    assert "Centrum" in page and "Norr" in page
    assert "Objekt 3: namnet (fältet namn) är tomt." in page  # the reason, with the feature number
    assert '<svg' in page and "Förhandsvisning" in page
    assert re.search(r"<strong>2</strong>\s*att skapa", page)
    assert (Area.objects.count(), AreaType.objects.count(), AuditLog.objects.count()) == before


def test_changes_to_existing_areas_are_shown_as_changes(client_for, admin_a, collab_a):
    content = geojson_bytes([feature({"namn": "Väster Nya", "kod": "D1"}, SQUARE)])
    _token, response = dry_run(client_for(admin_a), content)
    page = response.content.decode()
    assert "Väster → Väster Nya" in page
    assert re.search(r"<strong>1</strong>\s*att ändra", page)
    assert Area.objects.get(collaboration=collab_a, code="D1").name == "Väster"


# --- Step 3: the commit, in the background worker -------------------------------------------

def commit(client, token, page):
    return client.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": signature(page)})


def boundary_run():
    from trygg.imports.models import ImportRun

    return ImportRun.objects.get(kind=ImportRun.Kind.BOUNDARY)


def test_importing_creates_the_areas_with_the_new_type_and_removes_the_file(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client, area_type="__new__", new_type_name="EST-område", new_type_level="40",
                              parent="9999")
    response = commit(client, token, response)
    run = boundary_run()
    assert response.status_code == 302
    assert response["Location"] == reverse("areas:import_run", kwargs={"run_uuid": run.uuid})
    est = AreaType.objects.get(collaboration=collab_a, code="est-omrade")
    assert est.name == "EST-område" and est.level == AreaType.Level.NEIGHBOURHOOD
    areas = {a.code: a for a in Area.objects.filter(type=est)}
    assert sorted(areas) == ["E1", "E2"]
    assert areas["E1"].name == "Centrum" and areas["E1"].parent.code == "9999"
    assert areas["E1"].min_lon == pytest.approx(17.81)
    assert run.started_by == admin_a and run.rejected_rows.count() == 1
    assert (run.status, run.created, run.updated, run.unchanged, run.rejected) == ("done", 2, 0, 0, 1)
    assert not list(Path(views_import.upload_dir()).iterdir())
    # The token is spent: nothing can be committed twice.
    assert client.post(reverse("areas:import_commit", kwargs={"token": token})).status_code == 404


def test_the_commit_is_handed_to_the_worker_and_the_run_page_waits_for_it(client_for, admin_a, collab_a,
                                                                          monkeypatch):
    from trygg.accounts.models import AuditLog
    from trygg.areas import tasks

    queued = []
    monkeypatch.setattr(tasks, "import_boundary_run", type("Fake", (), {"enqueue": staticmethod(queued.append)}))
    client = client_for(admin_a)
    token, response = dry_run(client)
    response = commit(client, token, response)
    run = boundary_run()
    assert queued == [str(run.uuid)]
    assert run.status == "pending" and run.started_by == admin_a
    assert AuditLog.objects.filter(action="import", actor=admin_a, object_id=str(run.uuid)).exists()
    assert not Area.objects.filter(code="E1").exists()  # the worker writes, not the request
    page = client.get(response["Location"]).content.decode()
    assert "Väntar på bakgrundsprocessen" in page
    assert f'hx-get="{reverse("areas:import_run_progress", kwargs={"run_uuid": run.uuid})}"' in page
    assert Path(run.options["path"]).exists()  # kept for the worker


def test_the_progress_fragment_shows_a_bar_while_the_events_are_recomputed(client_for, admin_a, collab_a):
    from trygg.areas.import_runs import start_boundary_run
    from trygg.imports.runs import report_progress

    run = start_boundary_run(collab_a, filename="stadsdelar.geojson", user=admin_a)
    run.summary = {"phase": "recompute"}
    run.save()
    report_progress(run, done=40, total=100)
    page = client_for(admin_a).get(reverse("areas:import_run_progress", kwargs={"run_uuid": run.uuid}))
    html = page.content.decode()
    assert '<progress max="100" value="40"' in html
    assert "Räknar om händelsernas områden" in html and "hx-trigger" in html


def test_the_finished_run_shows_its_counts_and_stops_polling(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client)
    response = commit(client, token, response)
    page = client.get(response["Location"]).content.decode()
    assert "2 skapade, 0 ändrade" in page
    assert re.search(r"<strong>1</strong>\s*avvisade", page)
    assert "hx-trigger" not in page and "<progress" not in page
    fragment = client.get(reverse("areas:import_run_progress", kwargs={"run_uuid": boundary_run().uuid}))
    assert "2 skapade, 0 ändrade" in fragment.content.decode()


@pytest.mark.parametrize("persona", ["coordinator_a", "reporter_a", "outsider_b"])
def test_only_administrators_see_the_run_and_its_progress(persona, request, client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client)
    commit(client, token, response)
    run = boundary_run()
    other = client_for(request.getfixturevalue(persona))
    assert other.get(reverse("areas:import_run", kwargs={"run_uuid": run.uuid})).status_code == 404
    assert other.get(reverse("areas:import_run_progress", kwargs={"run_uuid": run.uuid})).status_code == 404


def test_the_run_starts_when_the_worker_starts_and_lasts_as_long_as_the_work(client_for, admin_a, collab_a,
                                                                               monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from trygg.areas import import_runs, tasks
    from trygg.imports.models import ImportRun

    monkeypatch.setattr(tasks, "import_boundary_run", type("Fake", (), {"enqueue": staticmethod(lambda u: None)}))
    client = client_for(admin_a)
    token, response = dry_run(client)
    commit(client, token, response)
    queued_at = timezone.now() - dt.timedelta(hours=1)  # it waited an hour in the queue
    ImportRun.objects.filter(kind=ImportRun.Kind.BOUNDARY).update(started_at=queued_at)
    seen = {}
    real_plan, real_recompute = import_runs.plan_for, import_runs.recompute_event_areas

    def plan_for(*args):
        seen["plan"] = timezone.now()
        return real_plan(*args)

    def recompute(*args, **kwargs):
        result = real_recompute(*args, **kwargs)
        seen["recomputed"] = timezone.now()
        return result

    monkeypatch.setattr(import_runs, "plan_for", plan_for)
    monkeypatch.setattr(import_runs, "recompute_event_areas", recompute)
    import_runs.run_boundary_import(boundary_run())
    run = boundary_run()
    assert run.status == "done"
    assert queued_at < run.started_at <= seen["plan"]
    assert run.finished_at >= seen["recomputed"]
    assert run.duration == run.finished_at - run.started_at


def test_a_sweref_geopackage_is_reprojected_to_wgs84(client_for, admin_a, collab_a, tmp_path):
    from pyogrio.raw import write

    (x0, x1), (y0, y1) = to_sweref([17.81, 17.84], [59.46, 59.49])
    path = tmp_path / "deso.gpkg"
    write(str(path), geometry=np.array([shapely.to_wkb(shapely.box(x0, y0, x1, y1))], dtype=object),
          field_data=[np.array(["Åby"], dtype=object), np.array(["0180C1010"], dtype=object)],
          fields=["namn", "deso"], geometry_type="MultiPolygon", crs="EPSG:3006", driver="GPKG")
    client = client_for(admin_a)
    token, response = dry_run(client, path.read_bytes(), name="deso.gpkg", code_field="deso")
    assert "EPSG:3006" in response.content.decode()
    client.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": signature(response)})
    area = Area.objects.get(collaboration=collab_a, code="0180C1010")
    assert area.type.code == "stadsdel" and area.name == "Åby"
    # A box in SWEREF 99 TM is not quite a box in degrees: within 0.001° (about 100 m) of the corners.
    assert (area.min_lon, area.min_lat) == (pytest.approx(17.81, abs=1e-3), pytest.approx(59.46, abs=1e-3))
    assert (area.max_lon, area.max_lat) == (pytest.approx(17.84, abs=1e-3), pytest.approx(59.49, abs=1e-3))


def test_a_zipped_shapefile_can_be_uploaded(client_for, admin_a, collab_a, tmp_path):
    from pyogrio.raw import write

    (x0, x1), (y0, y1) = to_sweref([17.81, 17.84], [59.46, 59.49])
    write(str(tmp_path / "o.shp"), geometry=np.array([shapely.to_wkb(shapely.box(x0, y0, x1, y1))], dtype=object),
          field_data=[np.array(["Öby"], dtype=object), np.array(["S1"], dtype=object)], fields=["namn", "kod"],
          geometry_type="Polygon", crs="EPSG:3006", driver="ESRI Shapefile", encoding="UTF-8")
    archive = tmp_path / "o.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("o.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    client = client_for(admin_a)
    token, response = dry_run(client, archive.read_bytes(), name="omraden.shp.zip")
    client.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": signature(response)})
    assert Area.objects.get(collaboration=collab_a, code="S1").min_lat == pytest.approx(59.46, abs=1e-3)


def test_a_commit_after_the_areas_changed_fails_the_run_and_writes_nothing(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client)
    Area.objects.filter(collaboration=collab_a, code="D1").update(code="E1")  # someone else's change
    response = commit(client, token, response)
    run = boundary_run()
    assert run.status == "failed" and "Områdena har ändrats sedan provkörningen" in run.error
    assert not Area.objects.filter(collaboration=collab_a, code="E2").exists()
    assert "Områdena har ändrats sedan provkörningen" in client.get(response["Location"]).content.decode()
    assert not list(Path(views_import.upload_dir()).iterdir())


def test_a_commit_of_an_older_dry_run_asks_to_check_the_new_one(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client)
    response = client.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": "0-0-0-0"})
    assert response["Location"] == reverse("areas:import_dry_run", kwargs={"token": token})
    assert not Area.objects.filter(collaboration=collab_a, code="E1").exists()


def test_the_municipal_boundary_becomes_the_collaborations_boundary(client_for, admin_a, collab_a):
    collab_a.boundary = None
    collab_a.save()
    content = geojson_bytes([feature({"kom_namn": "Testby", "id": "9999"}, SQUARE)])
    client = client_for(admin_a)
    token, response = dry_run(client, content, area_type="kommun", name_field="kom_namn", code_field="id",
                              set_boundary="on")
    client.post(reverse("areas:import_commit", kwargs={"token": token}), {"signature": signature(response)})
    collab_a.refresh_from_db()
    assert collab_a.boundary.code == "9999" and collab_a.boundary.max_lat == pytest.approx(59.49)


def test_a_file_of_several_areas_cannot_become_the_boundary(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, response = dry_run(client, set_boundary="on")
    assert "exakt ett område" in response.content.decode()
    assert 'name="signature"' not in response.content.decode()


def test_cancelling_removes_the_file_and_writes_nothing(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    token, _response = dry_run(client)
    assert list(Path(views_import.upload_dir()).iterdir())
    client.post(reverse("areas:import_cancel", kwargs={"token": token}))
    assert not list(Path(views_import.upload_dir()).iterdir())
    assert not Area.objects.filter(code="E1").exists()


# --- After the commit: the events' areas, recomputed by the worker ---------------------------

def test_the_worker_puts_existing_events_into_the_new_areas(client_for, admin_a, collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.47, lon=17.82)
    client = client_for(admin_a)
    # A type of its own: within one area type an event lies in one area only (Väster, D1, here).
    token, response = dry_run(client, area_type="__new__", new_type_name="EST-område", new_type_level="40")
    response = commit(client, token, response)
    centrum = Area.objects.get(collaboration=collab_a, code="E1")
    assert EventArea.objects.filter(event=event, area=centrum).exists()
    run = boundary_run()
    assert run.summary["events_checked"] == 1 and run.summary["events_moved"] == 1
    assert run.progress_done == run.progress_total == 3  # two areas written, one event recomputed
    assert "1 händelser kontrollerade, 1 fick nya områden" in client.get(response["Location"]).content.decode()
