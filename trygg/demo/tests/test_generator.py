"""The generator on its own (no database): determinism and the shipped boundary."""

from __future__ import annotations

import datetime as dt
import json

import shapely

from trygg.demo import generator, geometry

END = dt.datetime(2025, 9, 30, 20, 0, tzinfo=dt.timezone.utc)


def keys(events):
    return [e.key() for e in events]


def test_the_same_seed_gives_the_same_events():
    first = generator.generate(seed=5, years=0.5, scale=0.3, end=END)
    second = generator.generate(seed=5, years=0.5, scale=0.3, end=END)
    assert len(first) > 500
    assert keys(first) == keys(second)


def test_another_seed_gives_other_events():
    assert keys(generator.generate(seed=5, years=0.3, scale=0.3, end=END)) != keys(
        generator.generate(seed=6, years=0.3, scale=0.3, end=END))


def test_the_scale_factor_sets_the_volume():
    small = len(generator.generate(seed=5, years=0.5, scale=0.2, end=END))
    large = len(generator.generate(seed=5, years=0.5, scale=0.6, end=END))
    assert 2.5 < large / small < 3.5


def test_no_event_lies_in_the_future_or_before_the_period():
    events = generator.generate(seed=3, years=0.25, scale=0.5, end=END)
    first, last = generator.period(END, 0.25)
    assert all(e.data["occurred_from"] <= END for e in events)
    assert all((e.data["occurred_to"] or END) <= END for e in events)
    assert min(e.data["occurred_from"] for e in events).astimezone(generator.STOCKHOLM).date() >= first


def test_the_intervention_date_moves_to_the_middle_when_the_period_does_not_contain_it():
    assert generator.intervention_date(dt.date(2024, 1, 1), dt.date(2026, 1, 1)) == generator.INTERVENTION_DATE
    assert generator.intervention_date(dt.date(2027, 1, 1), dt.date(2028, 1, 1)) == dt.date(2027, 7, 2)


def test_it_falls_back_to_the_shipped_boundary_when_shared_data_is_absent(monkeypatch, tmp_path):
    monkeypatch.setattr(geometry, "SHARED_GEO", tmp_path / "missing")
    feature = geometry.municipality_feature()
    assert feature["properties"]["id"] == "0114"
    assert feature["properties"]["kom_namn"] == "Upplands Väsby"
    county = geometry.county_feature()
    assert shapely.geometry.shape(county["geometry"]).contains(shapely.geometry.shape(feature["geometry"]))


def test_the_shipped_boundary_is_the_shared_one(shared_dir):
    with (shared_dir / "data" / "geo" / "swedish_municipalities.geojson").open(encoding="utf-8") as fh:
        shared = next(f for f in json.load(fh)["features"] if f["properties"]["id"] == "0114")
    with (geometry.DATA / "upplands_vasby_0114.geojson").open(encoding="utf-8") as fh:
        shipped = json.load(fh)["features"][0]
    assert shipped["geometry"] == shared["geometry"]


def test_the_districts_are_labelled_as_demo_areas_and_tile_the_boundary():
    boundary = geometry.boundary_shape()
    districts = geometry.district_shapes(boundary)
    assert len(districts) == 12
    assert all(geometry.district_label(name).endswith("(demoområde)") for _c, name, _g, _w in districts)
    union = shapely.union_all([g for _c, _n, g, _w in districts])
    assert abs(union.area - boundary.area) / boundary.area < 1e-6
    for place in geometry.PLACES:
        assert boundary.contains(shapely.Point(place.lon, place.lat)), place.name
