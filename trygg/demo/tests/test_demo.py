"""The demo's planted structure is really in the database after ``build_demo``.

One demo (two years, half volume, a fixed end) is built once for this module through the real
write path; the statistical tests read its events. The seed is fixed, so nothing flakes; the
margins are still wide (about 3 standard deviations or more from the planted effect) so that
another seed would pass too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from django.test import override_settings
from django.urls import reverse

from trygg.demo import builder, generator, geometry

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SEED = 11
END = dt.datetime(2025, 9, 30, 20, 0, tzinfo=dt.timezone.utc)
YEARS = 2
SCALE = 0.5
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class DemoData:
    collaboration_id: int
    rows: list[dict]
    district_of: dict[int, str]  # event id → district code
    first: dt.date
    last: dt.date


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from trygg.events.models import Event, EventArea

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5):
        builder.delete_demo()
        result = builder.build_demo(seed=SEED, years=YEARS, scale=SCALE, end=END)
        collab = result.collaboration
        rows = list(Event.objects.filter(collaboration=collab).values(
            "id", "occurred_from", "occurred_to", "lat", "lon", "x", "y", "outside", "category__code",
            "category__parent__code", "subcategory__code", "visibility", "source", "organisation__kind"))
        district_of = dict(EventArea.objects.filter(
            event__collaboration=collab, area__type__code="stadsdel").values_list("event_id", "area__code"))
        yield DemoData(collab.pk, rows, district_of, *result.period)
        builder.delete_demo()


def local(row) -> dt.datetime:
    return row["occurred_from"].astimezone(STOCKHOLM)


def main_category(row) -> str:
    return row["category__parent__code"] or row["category__code"]


def days_between(first: dt.date, last: dt.date, keep=lambda d: True) -> int:
    return sum(1 for i in range((last - first).days + 1) if keep(first + dt.timedelta(days=i)))


def near(rows, place_key: str, metres: float) -> list[dict]:
    from trygg.core.geo import to_sweref

    place = next(p for p in geometry.PLACES if p.key == place_key)
    px, py = to_sweref(place.lon, place.lat)
    return [r for r in rows if math.hypot(r["x"] - px, r["y"] - py) <= metres]


# --- structure -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_demo_has_the_real_boundary_the_county_and_twelve_labelled_demo_districts(demo):
    from trygg.accounts.models import Collaboration

    collab = Collaboration.objects.get(pk=demo.collaboration_id)
    assert collab.name == "Upplands Väsby (demo)"
    assert collab.municipality_code == "0114"
    assert collab.boundary.code == "0114"
    real = shapely.geometry.shape(geometry.municipality_feature()["geometry"])
    assert shapely.geometry.shape(collab.boundary.geometry).equals(real)
    areas = list(collab.areas.select_related("type"))
    assert [a.name for a in areas if a.type.code == "lan"] == ["Stockholms län"]
    districts = [a for a in areas if a.type.code == "stadsdel"]
    assert len(districts) == 12
    assert all(a.name.endswith("(demoområde)") and "Demoområde" in a.description for a in districts)
    assert {a.name for a in districts} >= {"Runby (demoområde)", "Centrum (demoområde)", "Eds glesbygd (demoområde)"}
    union = shapely.union_all([shapely.geometry.shape(a.geometry) for a in districts])
    assert abs(union.area - real.area) / real.area < 1e-6  # the districts tile the municipality
    assert collab.places.count() == len(geometry.PLACES)
    assert collab.categories.filter(code="skadegorelse").exists()


@pytest.mark.django_db
def test_every_event_lies_inside_the_municipal_boundary(demo):
    boundary = geometry.boundary_shape()
    lon = np.array([r["lon"] for r in demo.rows])
    lat = np.array([r["lat"] for r in demo.rows])
    assert len(demo.rows) > 5000
    assert shapely.intersects_xy(boundary, lon, lat).all()
    assert not any(r["outside"] for r in demo.rows)
    assert len(demo.district_of) == len(demo.rows)  # each in exactly one district


@pytest.mark.django_db
def test_it_has_partners_sources_time_windows_and_restricted_events(demo):
    kinds = Counter(r["organisation__kind"] for r in demo.rows)
    assert set(kinds) == {"kommun", "polis", "raddningstjanst", "bostadsbolag", "bid", "bevakningsforetag"}
    sources = Counter(r["source"] for r in demo.rows)
    assert sources["demo"] > 0.2 * len(demo.rows) and sources["manual"] > 0.2 * len(demo.rows)
    windows = [r for r in demo.rows if r["occurred_to"] is not None]
    assert 0.05 * len(demo.rows) < len(windows) < 0.5 * len(demo.rows)
    assert all(r["occurred_to"] > r["occurred_from"] for r in windows)
    restricted = [r for r in demo.rows if r["visibility"] == "restricted"]
    assert 0.01 * len(demo.rows) < len(restricted) < 0.2 * len(demo.rows)
    assert max(r["occurred_from"] for r in demo.rows) <= END


# --- the planted rhythm ----------------------------------------------------------------------
@pytest.mark.django_db
def test_fridays_and_saturdays_have_more_events_per_day_than_monday_to_thursday(demo):
    by_weekday = Counter(local(r).weekday() for r in demo.rows)
    weekend = sum(by_weekday[d] for d in (4, 5)) / days_between(demo.first, demo.last, lambda d: d.weekday() in (4, 5))
    weekday = sum(by_weekday[d] for d in range(4)) / days_between(demo.first, demo.last, lambda d: d.weekday() < 4)
    assert weekend / weekday > 1.3  # planted: 1.43 / 0.89 ≈ 1.6


@pytest.mark.django_db
def test_evenings_and_nights_have_more_events_per_hour_than_mornings(demo):
    by_hour = Counter(local(r).hour for r in demo.rows)
    evening_night = np.mean([by_hour[h] for h in (18, 19, 20, 21, 22, 23, 0, 1, 2)])
    morning = np.mean([by_hour[h] for h in (6, 7, 8, 9, 10)])
    assert evening_night / morning > 2.5  # planted: about 4


@pytest.mark.django_db
def test_july_has_clearly_fewer_events_per_day_than_june_and_august(demo):
    by_month = Counter(local(r).month for r in demo.rows)

    def per_day(month):
        return by_month[month] / days_between(demo.first, demo.last, lambda d: d.month == month)

    assert per_day(7) / ((per_day(6) + per_day(8)) / 2) < 0.75  # planted: 0.55


# --- the planted places ----------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("place", list(generator.PERSISTENT_HOTSPOTS))
def test_the_persistent_hot_spots_have_far_more_events_per_area_than_average_every_year(demo, place):
    from trygg.core.geo import to_sweref

    boundary = geometry.boundary_shape()
    area_km2 = shapely.transform(boundary, lambda xy: np.column_stack(to_sweref(xy[:, 0], xy[:, 1]))).area / 1e6
    radius = 250.0
    circle_km2 = math.pi * (radius / 1000) ** 2
    split = demo.first + (demo.last - demo.first) / 2
    for half in (lambda r: local(r).date() < split, lambda r: local(r).date() >= split):
        rows = [r for r in demo.rows if half(r)]
        density_here = len(near(rows, place, radius)) / circle_km2
        density_average = len(rows) / area_km2
        assert density_here > 10 * density_average


@pytest.mark.django_db
def test_the_emerging_hot_spot_rises_in_the_last_six_weeks(demo):
    rows = near(demo.rows, generator.EMERGING_HOTSPOT, 250.0)
    start_recent = demo.last - dt.timedelta(weeks=generator.EMERGING_WEEKS) + dt.timedelta(days=1)
    start_before = start_recent - dt.timedelta(days=182)
    recent = sum(1 for r in rows if local(r).date() >= start_recent)
    before = sum(1 for r in rows if start_before <= local(r).date() < start_recent)
    recent_rate = recent / (generator.EMERGING_WEEKS * 7)
    before_rate = before / 182
    assert recent >= 15
    assert recent_rate > 4 * max(before_rate, 0.01)


@pytest.mark.django_db
def test_vandalism_halves_in_the_intervention_district_but_not_in_the_others(demo):
    cutoff = generator.intervention_date(demo.first, demo.last)
    assert cutoff == generator.INTERVENTION_DATE
    days_before = (cutoff - demo.first).days
    days_after = (demo.last - cutoff).days + 1

    def ratio(district_codes):
        rows = [r for r in demo.rows if main_category(r) == "skadegorelse"
                and demo.district_of.get(r["id"]) in district_codes]
        before = sum(1 for r in rows if local(r).date() < cutoff)
        after = len(rows) - before
        assert before >= 50
        return (after / days_after) / (before / days_before)

    controls = {c for c, *_ in geometry.DISTRICTS} - {generator.INTERVENTION_DISTRICT}
    treated = ratio({generator.INTERVENTION_DISTRICT})
    control = ratio(controls)
    assert 0.8 < control < 1.25
    assert treated / control < 0.7  # planted: 0.5
    # Other categories in the district do not change.
    others = [r for r in demo.rows if main_category(r) != "skadegorelse"
              and demo.district_of.get(r["id"]) == generator.INTERVENTION_DISTRICT]
    before = sum(1 for r in others if local(r).date() < cutoff) / days_before
    after = sum(1 for r in others if local(r).date() >= cutoff) / days_after
    assert 0.75 < after / before < 1.33


# --- idempotence and users -------------------------------------------------------------------
@pytest.mark.django_db
def test_building_again_without_reset_does_not_duplicate(demo):
    from trygg.accounts.models import Collaboration

    again = builder.build_demo(seed=SEED, years=YEARS, scale=SCALE, end=END)
    assert again.created is False
    assert again.collaboration.pk == demo.collaboration_id
    assert Collaboration.objects.filter(slug=builder.DEMO_SLUG).count() == 1
    assert again.events == len(demo.rows)


@pytest.mark.django_db
def test_there_is_one_demo_user_per_role_and_a_police_user(demo):
    from trygg.accounts.models import Collaboration, User

    collab = Collaboration.objects.get(pk=demo.collaboration_id)
    roles = {}
    for username, *_ in builder.USERS:
        user = User.objects.get(username=username)
        roles[username] = (user.best_role_in(collab), user.organisations_in(collab)[0].kind)
    assert {role for role, _kind in roles.values()} == {"reporter", "analyst", "coordinator", "admin"}
    assert roles["demo-police"][1] == "polis"
    assert User.objects.get(username="demo-police").can_see_restricted(collab)
    assert not User.objects.get(username="demo-reporter").can_see_restricted(collab)


@pytest.mark.django_db
@pytest.mark.parametrize("username,password", [(u[0], u[1]) for u in builder.USERS])
def test_each_demo_user_can_log_in_with_the_documented_password(demo, client, username, password, settings):
    settings.AXES_ENABLED = False
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    wrong = type(client)().post(reverse("accounts:login"), {"username": username, "password": "wrong-password-1"})
    assert wrong.status_code == 200
