"""``trygg areas import``: GeoJSON, GeoPackage and zipped shapefiles; SWEREF 99 TM reprojected;
a dry run unless --commit; invalid geometries repaired or rejected naming the feature."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from trygg.areas.importer import apply_plan, plan_import
from trygg.areas.models import Area
from trygg.core.geo import to_sweref

pytestmark = pytest.mark.django_db


def sweref_box(lon0, lat0, lon1, lat1):
    (x0, x1), (y0, y1) = to_sweref([lon0, lon1], [lat0, lat1])
    return shapely.box(x0, y0, x1, y1)


def write_layer(path, driver, geoms, names, codes, crs="EPSG:3006"):
    from pyogrio.raw import write

    write(str(path), geometry=np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
          field_data=[np.array(names, dtype=object), np.array(codes, dtype=object)], fields=["namn", "kod"],
          geometry_type="MultiPolygon" if driver == "GPKG" else "Polygon", crs=crs, driver=driver,
          **({"encoding": "UTF-8"} if driver == "ESRI Shapefile" else {}))


def geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def feature(name, code, coords):
    return {"type": "Feature", "properties": {"name": name, "code": code},
            "geometry": {"type": "Polygon", "coordinates": [coords]} if coords else None}


SQUARE = [[17.81, 59.46], [17.84, 59.46], [17.84, 59.49], [17.81, 59.49], [17.81, 59.46]]
BOWTIE = [[17.81, 59.46], [17.84, 59.49], [17.84, 59.46], [17.81, 59.49], [17.81, 59.46]]


def cmd(*args):
    out = io.StringIO()
    call_command("areas_import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_dry_run_prints_what_would_be_created_and_writes_nothing(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    before = Area.objects.count()
    out = cmd(str(path), "--type", "stadsdel", "--collaboration", "testby")
    assert "C1" in out and "Centrum" in out and "--commit" in out
    assert Area.objects.count() == before


def test_commit_creates_then_a_second_commit_finds_everything_unchanged(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    cmd(str(path), "--type", "stadsdel", "--collaboration", "testby", "--commit")
    area = Area.objects.get(collaboration=collab_a, code="C1")
    assert area.type.code == "stadsdel" and area.geometry["type"] == "MultiPolygon"
    plan = plan_import(path, collab_a, type_code="stadsdel")
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 1, "reject": 0}


def test_a_changed_name_or_boundary_is_shown_as_a_change(collab_a, tmp_path):
    cmd(str(geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])), "--type", "stadsdel", "--commit")
    bigger = [[17.81, 59.46], [17.85, 59.46], [17.85, 59.49], [17.81, 59.49], [17.81, 59.46]]
    out = cmd(str(geojson(tmp_path / "b.geojson", [feature("Centrum Norra", "C1", bigger)])), "--type", "stadsdel")
    assert "Centrum → Centrum Norra" in out


def test_a_geopackage_in_sweref_is_reprojected_to_wgs84(collab_a, tmp_path):
    path = tmp_path / "omraden.gpkg"
    write_layer(path, "GPKG", [shapely.MultiPolygon([sweref_box(17.81, 59.46, 17.84, 59.49)])], ["Söder"], ["S1"])
    plan = plan_import(path, collab_a, type_code="stadsdel")
    assert plan.source_crs == "EPSG:3006" and plan.counts["create"] == 1
    apply_plan(plan)
    area = Area.objects.get(code="S1")
    assert area.name == "Söder"
    assert area.min_lon == pytest.approx(17.81, abs=0.01) and area.max_lat == pytest.approx(59.49, abs=0.01)


def test_a_zipped_shapefile_in_sweref_is_read(collab_a, tmp_path):
    write_layer(tmp_path / "o.shp", "ESRI Shapefile", [sweref_box(17.81, 59.46, 17.84, 59.49)], ["Åby"], ["A1"])
    archive = tmp_path / "o.shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("o.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    plan = plan_import(archive, collab_a, type_code="stadsdel")
    item = plan.items[0]
    assert (item.action, item.name, item.code) == ("create", "Åby", "A1")
    assert item.bounds[1] == pytest.approx(59.46, abs=0.01)


def test_geojson_with_metres_and_no_crs_is_read_as_sweref(collab_a, tmp_path):
    box = sweref_box(17.81, 59.46, 17.84, 59.49)
    feat = {"type": "Feature", "properties": {"name": "Metervis", "code": "M1"},
            "geometry": json.loads(shapely.to_geojson(box))}
    plan = plan_import(geojson(tmp_path / "m.geojson", [feat]), collab_a, type_code="stadsdel")
    assert plan.source_crs == "EPSG:3006" and plan.notes
    assert plan.items[0].bounds[0] == pytest.approx(17.81, abs=0.01)


def test_an_invalid_polygon_is_repaired_and_an_unusable_one_rejected_naming_the_feature(collab_a, tmp_path):
    path = geojson(tmp_path / "x.geojson", [
        feature("Fluga", "F1", BOWTIE),
        feature("Tom", "T1", None),
        feature("", "N1", SQUARE),
        feature("Dubblett", "F1", SQUARE),
    ])
    plan = plan_import(path, collab_a, type_code="stadsdel")
    by_number = {i.number: i for i in plan.items}
    assert by_number[1].action == "create" and by_number[1].changes  # repaired
    assert shapely.from_geojson(json.dumps(by_number[1].geometry)).is_valid
    for n in (2, 3, 4):
        assert by_number[n].action == "reject" and f" {n}" in by_number[n].message
    counts = apply_plan(plan, filename=str(path))
    assert counts["created"] == 1 and counts["rejected"] == 3
    from trygg.imports.models import ImportRun

    run = ImportRun.objects.get(kind=ImportRun.Kind.BOUNDARY)
    assert run.rejected == 3 and run.rejected_rows.count() == 3


@pytest.mark.parametrize("content", [b"", b"this is not a map", b'{"type": "FeatureCollection"'])
def test_an_unreadable_boundary_file_is_a_clear_error(collab_a, tmp_path, content):
    path = tmp_path / "bad.geojson"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        cmd(str(path), "--type", "stadsdel")
    assert not Area.objects.filter(type__code="stadsdel", code__startswith="X").exists()


def test_a_missing_name_field_names_the_fields_the_file_has(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    with pytest.raises(CommandError, match="code"):
        cmd(str(path), "--type", "stadsdel", "--name-field", "namn_saknas")


def test_commit_with_backfill_moves_events_into_the_new_areas(collab_a, org_a, make_event, tmp_path):
    ev = make_event(collab_a, org_a, lat=59.47, lon=17.82)
    assert not ev.areas.filter(code="C1").exists()
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    out = cmd(str(path), "--type", "kvarter", "--level", "neighbourhood", "--collaboration", "testby",
              "--commit", "--backfill")
    assert ev.areas.filter(code="C1").exists()
    assert "1" in out


def test_commit_without_backfill_says_how_to_run_it(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    out = cmd(str(path), "--type", "stadsdel", "--commit")
    assert "trygg areas backfill --collaboration testby" in out


def test_the_parent_code_sets_each_areas_parent(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    cmd(str(path), "--type", "stadsdel", "--parent-code", "9999", "--commit")
    assert Area.objects.get(code="C1").parent.code == "9999"
    with pytest.raises(CommandError):
        cmd(str(path), "--type", "stadsdel", "--parent-code", "0000")


# --- The import run and the progress bar of the command line ---------------------------------

class Terminal(io.StringIO):
    """Captured output that says it is a terminal, so the progress bar is drawn."""

    def isatty(self):
        return True


def test_the_commit_is_one_run_recorded_with_the_os_user_over_the_whole_work(collab_a, org_a, make_event,
                                                                             tmp_path, monkeypatch):
    from django.utils import timezone

    from trygg.areas.management.commands import areas_import
    from trygg.imports.models import ImportRun

    make_event(collab_a, org_a, lat=59.47, lon=17.82)
    monkeypatch.setattr("getpass.getuser", lambda: "driftanv")
    seen = {}
    real_plan, real_recompute = areas_import.plan_import, areas_import.recompute_event_areas

    def plan(*args, **kwargs):
        seen["read"] = timezone.now()  # the file is read after the run started
        return real_plan(*args, **kwargs)

    def recompute(*args, **kwargs):
        result = real_recompute(*args, **kwargs)
        seen["recomputed"] = timezone.now()  # and the run finishes after the events' areas
        return result

    monkeypatch.setattr(areas_import, "plan_import", plan)
    monkeypatch.setattr(areas_import, "recompute_event_areas", recompute)
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE), feature("", "C2", SQUARE)])
    out = cmd(str(path), "--type", "kvarter", "--level", "neighbourhood", "--commit", "--backfill")
    run = ImportRun.objects.get(kind=ImportRun.Kind.BOUNDARY)
    assert str(run.uuid) in out
    assert run.started_by is None and run.started_by_name == "driftanv"
    assert run.started_at <= seen["read"] and run.finished_at >= seen["recomputed"]
    assert run.duration == run.finished_at - run.started_at
    assert (run.status, run.read, run.created, run.rejected) == ("done", 2, 1, 1)
    assert run.summary["events_checked"] == 1 and run.summary["events_moved"] == 1


def test_a_dry_run_records_no_run_and_an_unreadable_commit_a_failed_one(collab_a, tmp_path):
    from trygg.imports.models import ImportRun

    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    cmd(str(path), "--type", "stadsdel")
    assert not ImportRun.objects.exists()
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(b"this is not a map")
    with pytest.raises(CommandError):
        cmd(str(bad), "--type", "stadsdel", "--commit")
    run = ImportRun.objects.get(kind=ImportRun.Kind.BOUNDARY)
    assert run.status == "failed" and "GeoJSON" in run.error


def test_the_commit_and_the_recomputation_draw_a_progress_bar(collab_a, org_a, make_event, tmp_path):
    make_event(collab_a, org_a, lat=59.47, lon=17.82)
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    out, err = io.StringIO(), Terminal()
    call_command("areas_import", str(path), "--type", "kvarter", "--level", "neighbourhood", "--commit",
                 "--backfill", stdout=out, stderr=err)
    bars = [part for part in err.getvalue().split("\r") if part.strip()]
    assert "100% 1/~1" in bars[0]  # the one area written
    assert any("1/~1" in bar for bar in bars[1:])  # then the one event recomputed
    assert "\r" not in out.getvalue()  # the bar goes to stderr only


def test_the_progress_bar_is_left_out_when_the_output_is_not_a_terminal(collab_a, tmp_path):
    path = geojson(tmp_path / "a.geojson", [feature("Centrum", "C1", SQUARE)])
    err = io.StringIO()
    call_command("areas_import", str(path), "--type", "stadsdel", "--commit", stdout=io.StringIO(), stderr=err)
    assert "\r" not in err.getvalue()
