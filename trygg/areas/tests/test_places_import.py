"""``trygg places import`` and the admin's "Import named places": GeoJSON points or CSV (lat/lon or
SWEREF 99 TM x/y), a dry run unless committed, idempotent on the name, bad rows and points outside
the collaboration rejected naming the row."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from trygg.areas.admin import places_upload_dir
from trygg.areas.gazetteer import plan_places
from trygg.areas.models import Place
from trygg.core.geo import to_sweref

pytestmark = pytest.mark.django_db

# Inside Testby (17.80–18.00, 59.45–59.60), and Malmö, far outside it.
CSV = ("namn;typ;lat;lon\n"
       "Stortorget;torg;59,47;17,82\n"
       "Skolan;skola;59.50;17.85\n")


@pytest.fixture(autouse=True)
def _swedish():
    with translation.override("sv"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cmd(*args):
    out = io.StringIO()
    call_command("places_import", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def point_feature(props, coords, kind="Point"):
    return {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": coords}}


def test_a_dry_run_prints_what_would_be_created_and_writes_nothing(collab_a, tmp_path):
    out = cmd(write(tmp_path, "platser.csv", CSV), "--collaboration", "testby")
    assert "Stortorget [torg]  59.47000, 17.82000" in out
    assert "2 att skapa, 0 att ändra" in out and "--commit" in out
    assert not Place.objects.exists()


def test_commit_creates_the_places_with_their_kind(collab_a, tmp_path):
    cmd(write(tmp_path, "platser.csv", CSV), "--kind-field", "typ", "--commit")
    places = {p.name: p for p in Place.objects.filter(collaboration=collab_a)}
    assert sorted(places) == ["Skolan", "Stortorget"]
    assert (places["Stortorget"].lat, places["Stortorget"].lon, places["Stortorget"].kind) == (59.47, 17.82, "torg")


def test_the_same_file_twice_changes_nothing_and_a_moved_place_is_a_change(collab_a, tmp_path):
    path = write(tmp_path, "platser.csv", CSV)
    cmd(path, "--commit")
    assert plan_places(path, collab_a).counts == {"create": 0, "update": 0, "unchanged": 2, "reject": 0}
    cmd(path, "--commit")
    assert Place.objects.filter(collaboration=collab_a).count() == 2
    moved = write(tmp_path, "flyttad.csv", "namn;lat;lon\nStortorget;59.48;17.82\n")
    out = cmd(moved, "--commit")
    assert "flyttad 1112 m" in out
    assert Place.objects.get(collaboration=collab_a, name="Stortorget").lat == 59.48
    assert Place.objects.get(collaboration=collab_a, name="Stortorget").kind == "torg"  # no kind column: kept


@pytest.mark.parametrize("header", ["x;y", "y;x"])
def test_sweref_columns_are_read_whichever_way_round_they_are_named(collab_a, tmp_path, header):
    (x,), (y,) = to_sweref([17.82], [59.47])
    first, second = (y, x) if header == "x;y" else (x, y)  # northing first under x;y, as surveyors write it
    path = write(tmp_path, "sweref.csv", f"namn;{header}\nTorget;{first:.1f};{second:.1f}\n")
    plan = plan_places(path, collab_a)
    item = plan.items[0]
    assert plan.source_crs == "EPSG:3006" and item.action == "create"
    assert (item.lat, item.lon) == (pytest.approx(59.47, abs=1e-5), pytest.approx(17.82, abs=1e-5))


def test_geojson_points_are_read_with_the_chosen_name_and_kind_fields(collab_a, tmp_path):
    path = write(tmp_path, "platser.geojson", json.dumps({"type": "FeatureCollection", "features": [
        point_feature({"benamning": "Biblioteket", "slag": "bibliotek"}, [17.83, 59.48]),
        point_feature({"benamning": "Parken", "slag": "park"}, [[17.8, 59.4], [17.9, 59.5]], kind="LineString"),
    ]}))
    out = cmd(path, "--name-field", "benamning", "--kind-field", "slag", "--commit")
    assert Place.objects.get(collaboration=collab_a, name="Biblioteket").kind == "bibliotek"
    assert "Objekt 2 (Parken): geometrin är LineString, inte en punkt." in out
    assert not Place.objects.filter(name="Parken").exists()


def test_bad_rows_are_rejected_naming_the_row_and_the_rest_is_imported(collab_a, tmp_path):
    path = write(tmp_path, "platser.csv", CSV + ";torg;59.5;17.85\nTrasig;torg;abc;17.8\nStortorget;torg;59.48;17.83\n"
                                                "Polen;torg;95;17.8\n")
    out = cmd(path, "--commit")
    assert "Rad 4: namnet (namn) är tomt." in out
    assert "Rad 5 (Trasig): koordinaterna (lat, lon) saknas eller är inte tal." in out
    assert "Rad 6: namnet Stortorget finns redan (först på Rad 2)." in out
    assert "Rad 7 (Polen): 95.0, 17.8 är inte en latitud och longitud (lat, lon)." in out
    assert sorted(Place.objects.values_list("name", flat=True)) == ["Skolan", "Stortorget"]
    assert Place.objects.get(name="Stortorget").lat == 59.47  # the first row, not the repeated one


def test_a_committed_file_is_recorded_as_an_import_run_with_its_rejected_rows(collab_a, tmp_path, monkeypatch,
                                                                             client_for, coordinator_a):
    from trygg.imports import runs
    from trygg.imports.models import ImportRun

    monkeypatch.setattr(runs, "os_user", lambda: "driftanv")
    path = write(tmp_path, "platser.csv", CSV + "Trasig;torg;abc;17.8\n")
    cmd(path)  # a dry run records nothing
    assert not ImportRun.objects.exists()
    out = cmd(path, "--commit")
    run = ImportRun.objects.get(collaboration=collab_a)
    assert f"Importkörning {run.uuid}" in out
    assert (run.kind, run.status, run.started_by_name, run.filename) == (
        ImportRun.Kind.PLACES, ImportRun.Status.DONE, "driftanv", "platser.csv")
    assert (run.read, run.created, run.updated, run.rejected) == (3, 2, 0, 1)
    assert run.duration is not None
    rejected = run.rejected_rows.get()
    assert rejected.row == 4 and "Rad 4 (Trasig)" in rejected.reason and "Trasig" in rejected.raw
    # Coordinators find it among the collaboration's import runs, with its rejected rows.
    client = client_for(coordinator_a)
    assert str(run.uuid) in client.get(reverse("imports:runs")).content.decode()
    page = client.get(reverse("imports:run", args=[run.uuid]))
    assert page.status_code == 200 and "Namngivna platser" in page.content.decode()
    csv_text = b"".join(client.get(reverse("imports:rejected_csv", args=[run.uuid])).streaming_content).decode()
    assert "Trasig" in csv_text


def test_a_point_outside_the_collaboration_is_rejected_with_the_reason(collab_a, tmp_path):
    path = write(tmp_path, "platser.csv", "namn;lat;lon\nStortorget Malmö;55.605;13.0\nTorget;59.47;17.82\n")
    out = cmd(path, "--commit")
    assert "Rad 2 (Stortorget Malmö): punkten 55.60500, 13.00000 ligger utanför samverkans gräns (Testby)." in out
    assert list(Place.objects.values_list("name", flat=True)) == ["Torget"]


def test_places_belong_to_the_chosen_collaboration_only(collab_a, collab_b, tmp_path):
    Place.objects.create(collaboration=collab_b, name="Stortorget", lat=59.47, lon=17.82)
    cmd(write(tmp_path, "platser.csv", CSV), "--collaboration", "testby", "--commit")
    assert Place.objects.filter(name="Stortorget").count() == 2
    assert Place.objects.get(collaboration=collab_b, name="Stortorget").lat == 59.47


@pytest.mark.parametrize("text, message", [
    ("", "Filen är tom"),
    ("namn;adress\nTorget;Storgatan 1\n", "lat och lon"),
    ("plats_id;lat;lon\n1;59.47;17.82\n", "--name-field"),
    ('{"type": "FeatureCollection"', "inte giltig GeoJSON"),
])
def test_a_file_that_cannot_be_used_is_a_clear_error(collab_a, tmp_path, text, message):
    suffix = "geojson" if text.startswith("{") else "csv"
    with pytest.raises(CommandError, match=message):
        cmd(write(tmp_path, f"fel.{suffix}", text))


def test_the_trygg_script_maps_places_import_to_the_command(monkeypatch):
    import django.core.management as management

    from trygg import cli

    seen = {}
    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: seen.setdefault("argv", argv))
    cli.main(["trygg", "places", "import", "platser.csv", "--commit"])
    assert seen["argv"] == ["trygg", "places_import", "platser.csv", "--commit"]


# --- The admin page ------------------------------------------------------------------------------

def admin_upload(client, content: str, name="platser.csv", **data):
    return client.post(reverse("admin:areas_place_import"), {
        "file": SimpleUploadedFile(name, content.encode()), **data})


def test_an_administrator_uploads_sees_the_dry_run_and_imports(client_for, admin_a, collab_a):
    client = client_for(admin_a)
    listing = client.get(reverse("admin:areas_place_changelist")).content.decode()
    assert reverse("admin:areas_place_import") in listing
    page = admin_upload(client, CSV + "Långt bort;torg;55.6;13.0\n", collaboration=collab_a.pk, kind_field="typ")
    html = page.content.decode()
    assert page.status_code == 200 and "Inget har sparats ännu" in html
    assert "2 att skapa" in html and "ligger utanför samverkans gräns" in html
    assert not Place.objects.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("admin:areas_place_import"), {"token": token})
    assert response.status_code == 302
    assert Place.objects.get(collaboration=collab_a, name="Skolan").kind == "skola"
    assert Place.objects.count() == 2
    from trygg.imports.models import ImportRun

    run = ImportRun.objects.get(collaboration=collab_a, kind=ImportRun.Kind.PLACES)
    assert (run.started_by, run.filename, run.created, run.rejected) == (admin_a, "platser.csv", 2, 1)
    assert not list(places_upload_dir().iterdir())  # the kept file is removed after the import
    # The token is spent.
    assert client.post(reverse("admin:areas_place_import"), {"token": token}).status_code == 404


def test_the_admin_page_names_a_bad_file_and_another_collaboration_cannot_be_chosen(client_for, admin_a,
                                                                                    collab_a, collab_b):
    client = client_for(admin_a)
    response = admin_upload(client, "namn;adress\nTorget;Storgatan 1\n", collaboration=collab_a.pk)
    assert response.status_code == 400 and "Fil: Filen behöver kolumnerna lat och lon" in response.content.decode()
    response = admin_upload(client, CSV, collaboration=collab_b.pk)
    assert response.status_code == 400
    assert not Place.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_a", "reporter_a", "outsider_b"])
def test_only_collaboration_administrators_reach_the_import_page(persona, request, client_for, collab_a):
    client = client_for(request.getfixturevalue(persona))
    response = admin_upload(client, CSV, collaboration=collab_a.pk)
    assert response.status_code in (302, 404)  # the admin's login, or not found
    assert not Place.objects.exists()
