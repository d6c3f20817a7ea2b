import pytest

from trygg.events.models import EventArea


def area_names(event):
    return sorted(EventArea.objects.filter(event=event).values_list("area__name", flat=True))


@pytest.mark.django_db
def test_it_assigns_a_point_to_its_district_and_municipality(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.50, lon=17.85)
    assert area_names(event) == ["Testby", "Väster"]
    assert event.outside is False


@pytest.mark.django_db
def test_a_point_on_the_shared_district_boundary_gets_exactly_one_district(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.50, lon=17.90)
    names = area_names(event)
    assert "Testby" in names
    assert len([n for n in names if n in ("Väster", "Öster")]) == 1
    assert "Väster" in names  # D1 < D2: the smallest code wins, deterministically


@pytest.mark.django_db
def test_a_point_on_the_municipal_boundary_is_inside(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.45, lon=17.85)
    assert area_names(event) == ["Testby", "Väster"]


@pytest.mark.django_db
def test_a_point_in_a_hole_is_in_the_municipality_but_not_the_district(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.53, lon=17.96)
    assert area_names(event) == ["Testby"]


@pytest.mark.django_db
def test_a_point_outside_every_area_is_kept_and_marked_outside(collab_a, org_a, make_event):
    collab_a.boundary = None
    collab_a.save()
    event = make_event(collab_a, org_a, lat=59.70, lon=17.85)
    assert event.pk is not None
    assert event.outside is True
    assert area_names(event) == []
    assert (event.lat, event.lon) == (59.70, 17.85)  # never snapped


@pytest.mark.django_db
def test_it_stores_sweref_coordinates_beside_lat_lon(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.50, lon=17.85)
    # SWEREF 99 TM has the same definition as ETRS89 / UTM zone 33N (EPSG:25833): an independent check.
    from pyproj import Transformer

    from trygg.core.geo import to_wgs84

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True).transform(17.85, 59.50)
    assert (event.x, event.y) == (pytest.approx(x, abs=0.01), pytest.approx(y, abs=0.01))
    assert 600_000 < event.x < 700_000 and 6_590_000 < event.y < 6_610_000
    lon, lat = to_wgs84(event.x, event.y)
    assert (lat, lon) == (pytest.approx(59.50, abs=1e-9), pytest.approx(17.85, abs=1e-9))


@pytest.mark.django_db
def test_a_municipality_precision_event_is_never_placed_in_a_district(collab_a, org_a, make_event):
    event = make_event(collab_a, org_a, lat=59.50, lon=17.85, precision="kommun")
    assert area_names(event) == ["Testby"]


@pytest.mark.django_db
def test_backfill_moves_events_after_areas_change(collab_a, org_a, make_event):
    from trygg.areas.models import Area
    from trygg.events.services import backfill_areas

    event = make_event(collab_a, org_a, lat=59.50, lon=17.85)
    west = Area.objects.get(collaboration=collab_a, code="D1")
    west.set_geometry({"type": "Polygon", "coordinates": [[[17.80, 59.45], [17.84, 59.45], [17.84, 59.60],
                                                            [17.80, 59.60], [17.80, 59.45]]]})
    west.save()
    assert backfill_areas(collab_a) == 1
    assert area_names(event) == ["Testby"]


@pytest.mark.django_db
def test_an_area_is_assigned_only_to_events_inside_its_validity_period(collab_a, org_a, make_event):
    """A district redrawn on 1 March: events before go to the old one, events from that day on
    (Stockholm calendar day, even just after local midnight) to the new one."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from trygg.areas.models import Area

    stockholm = ZoneInfo("Europe/Stockholm")
    old = Area.objects.get(collaboration=collab_a, code="D1")
    old.valid_to = dt.date(2025, 2, 28)
    old.save()
    new = Area(collaboration=collab_a, type=old.type, name="Nya Väster", code="D1b", parent=old.parent,
               valid_from=dt.date(2025, 3, 1))
    new.set_geometry(old.geometry)
    new.save()

    before = make_event(collab_a, org_a, occurred_from=dt.datetime(2025, 2, 28, 23, 30, tzinfo=stockholm))
    after = make_event(collab_a, org_a, occurred_from=dt.datetime(2025, 3, 1, 0, 15, tzinfo=stockholm))
    # 00:15 in Stockholm is still 28 February in UTC: the local day decides.
    assert after.occurred_from.astimezone(dt.timezone.utc).day == 28
    assert area_names(before) == ["Testby", "Väster"]
    assert area_names(after) == ["Nya Väster", "Testby"]
