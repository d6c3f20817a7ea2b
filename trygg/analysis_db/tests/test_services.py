"""The services compute the right numbers from the database (the maths is tested in trygg.analysis)."""

import datetime as dt

import numpy as np
import pytest
import shapely

from trygg.analysis_db import services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import full_scope
from trygg.analysis_db.units import sweref_geometry

from .conftest import STHLM, local

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc


def run(analysis, collab, **params):
    return services.SERVICES[analysis](full_scope(collab), parse(analysis, params))


def row(result, area=None, category=None):
    for r in result["rows"]:
        if (r["area"] or {}).get("name") == area and (r["category"] or {}).get("code") == category:
            return r
    raise AssertionError(f"no row for {area}/{category}")


def test_weekly_flags_a_week_far_above_the_prior_eight_weeks(collab_a, org_a, write_events):
    items = [{"occurred_from": local(2026, 1, 13) + dt.timedelta(weeks=k)} for k in range(8)]  # 1 a week
    items += [{"occurred_from": local(2026, 3, 10, h)} for h in range(8, 20)]  # 12 in 2026-W11
    items += [{"occurred_from": local(2025, 3, 11)}] * 2  # same week last year
    write_events(collab_a, org_a, items)
    result = run("weekly", collab_a, week="2026-W11", level="stadsdel")
    west = row(result, "Väster", "skadegorelse")
    assert west["count"] == 12 and west["prior_mean"] == 1 and west["last_year"] == 2
    assert west["prior_weeks"] == [1] * 8
    assert west["flag"] is True and west["direction"] == "up"
    assert west["expected_high"] == pytest.approx((1 + 1.5) ** 2)
    assert west["z"] == pytest.approx(2 * (12 ** 0.5 - 1))
    assert result["prior_weeks"][0] == "2026-W03" and result["same_week_last_year"] == "2025-W11"


def test_weekly_z_is_configurable(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 3)}] * 4 + [{"occurred_from": local(2026, 3, 10)}] * 4)
    assert row(run("weekly", collab_a, week="2026-W11"), None, None)["flag"] is False  # μ = 0.5, band up to 4.87
    assert row(run("weekly", collab_a, week="2026-W11", z="1"), None, None)["flag"] is True


def test_weekly_reports_events_not_placed_at_the_chosen_level(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "precision": "kommun"},
                                   {"occurred_from": local(2026, 3, 10)}])
    result = run("weekly", collab_a, week="2026-W11", level="stadsdel")
    assert row(result, None, None)["count"] == 2
    assert row(result, "Väster", None)["count"] == 1
    assert result["not_in_level"] == [{"category": None, "count": 1}, {"category": "skadegorelse", "count": 1}]


def test_weekly_with_a_subcategory_filter_counts_from_the_event_rows(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "category": "klotter"},
                                   {"occurred_from": local(2026, 3, 10), "category": "glaskross"}])
    result = run("weekly", collab_a, week="2026-W11", category="glaskross")
    assert result["source"] == "events"
    assert row(result, None, None)["count"] == 1
    main = run("weekly", collab_a, week="2026-W11", category="skadegorelse")
    assert main["source"] == "weekly_counts" and row(main, None, None)["count"] == 2


def test_compare_rate_adjusts_periods_of_different_length(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 2 + i % 7)} for i in range(9)]
                 + [{"occurred_from": local(2026, 2, 1 + i)} for i in range(28)])
    result = run("compare", collab_a, **{"from": "2026-03-02", "to": "2026-03-08"}, base_from="2026-02-01",
                 base_to="2026-02-28")
    total = row(result, None, None)
    assert (total["current"], total["baseline"], total["baseline_scaled"]) == (9, 28, 7)
    assert total["z"] == pytest.approx(2 * (9 ** 0.5 - 7 ** 0.5), abs=1e-4)


def test_aoristic_spreads_windows_across_midnight_and_the_dst_night(collab_a, org_a, write_events):
    # 2026-03-29: clocks go from 02:00 to 03:00 in Stockholm. Window Sat 23:00 → Sun 04:00 local = 4 real hours.
    start = dt.datetime(2026, 3, 28, 23, 0, tzinfo=STHLM)
    end = dt.datetime(2026, 3, 29, 4, 0, tzinfo=STHLM)
    write_events(collab_a, org_a, [{"occurred_from": start, "occurred_to": end},
                                   {"occurred_from": local(2026, 3, 30, 8)}])
    result = run("aoristic", collab_a)
    table = np.array(result["day_hour"], dtype=float)
    assert table.sum() == pytest.approx(2)
    assert table[5][23] == pytest.approx(0.25)  # Saturday 23-24
    assert table[6][0] == pytest.approx(0.25) and table[6][1] == pytest.approx(0.25)
    assert table[6][2] == 0  # the hour that does not exist
    assert table[6][3] == pytest.approx(0.25)
    assert table[0][8] == pytest.approx(1)
    assert sum(result["hour_profile"]) == pytest.approx(2)
    assert result["month_profile"][2] == pytest.approx(2)  # March
    assert result["events_with_window"] == 1


def test_hotspots_find_the_cluster(collab_a, org_a, write_events):
    rng = np.random.default_rng(1)
    items = [{"occurred_from": local(2026, 3, 10), "lat": 59.50 + rng.normal(0, 0.001),
              "lon": 17.85 + rng.normal(0, 0.002)} for _ in range(40)]
    items += [{"occurred_from": local(2026, 3, 10), "lat": float(rng.uniform(59.46, 59.59)),
               "lon": float(rng.uniform(17.81, 17.99))} for _ in range(20)]
    write_events(collab_a, org_a, items)
    result = run("hotspots", collab_a, cell="500", permutations="0", seed="3")  # analytic p: BH over ~750 cells
    assert result["events"] == 60 and result["hot"] >= 1
    hottest = max(result["cells"], key=lambda c: c["count"])
    assert hottest["class"] == "hot"
    lon, lat = hottest["centre"]
    assert abs(lon - 17.85) < 0.01 and abs(lat - 59.50) < 0.005
    again = run("hotspots", collab_a, cell="500", permutations="0", seed="3")
    assert again["cells"] == result["cells"]  # seeded


def test_hotspots_never_place_municipality_precision_events_in_cells(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "precision": "kommun"}] * 5
                 + [{"occurred_from": local(2026, 3, 10)}] * 3)
    result = run("hotspots", collab_a, cell="1000", permutations="0")
    assert result["events"] == 3 and result["not_placed"] == 5


def test_the_grid_covers_the_boundary_and_uses_queen_neighbours(collab_a):
    from trygg.analysis_db import units

    u = units.build(full_scope(collab_a), "grid", 1000.0)
    bound = units.boundary(collab_a.pk)
    assert abs(u.n * 1e6 - bound.area) < 0.25 * bound.area + 4 * 1e6 * (bound.length / 4000)
    degrees = np.asarray(u.w.sum(axis=1)).ravel()
    assert degrees.max() == 8 and degrees.min() >= 3


def test_local_moran_on_hexagons_finds_the_high_high_cluster(collab_a, org_a, write_events):
    rng = np.random.default_rng(4)
    items = [{"occurred_from": local(2026, 3, 10), "lat": 59.50 + rng.normal(0, 0.004),
              "lon": 17.85 + rng.normal(0, 0.008)} for _ in range(80)]
    write_events(collab_a, org_a, items)
    result = run("moran", collab_a, shape="hex", cell="700", permutations="99")
    assert result["events"] == 80
    top = max(result["cells"], key=lambda c: c["count"])
    assert top["quadrant"] == "HH"


def test_local_moran_needs_three_places(collab_a, org_a, write_events):
    from trygg.events.filters import FilterError

    with pytest.raises(FilterError) as exc:
        run("moran", collab_a, shape="areas", level="stadsdel")
    assert set(exc.value.errors) == {"level"}


def test_kde_integrates_to_about_the_number_of_events(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "lat": 59.52, "lon": 17.88}] * 4)
    result = run("kde", collab_a, cell="50", bandwidth="400")
    density = np.array(result["density"], dtype=float)  # per km²
    assert density.sum() * (0.05 * 0.05) == pytest.approx(4, rel=0.03)
    assert result["bandwidth"] == 400 and result["bandwidth_rule"] == "given"


def test_concentration_of_events_in_district_areas(collab_a, org_a, write_events):
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10)}] * 9
                 + [{"occurred_from": local(2026, 3, 10), "lon": 17.95, "lat": 59.47}])
    result = run("concentration", collab_a, shape="areas", level="stadsdel", include_empty="yes")
    assert result["places_considered"] == 2 and result["events"] == 10
    assert result["half_places"] == 1
    assert result["rows"][0]["event_share"] == pytest.approx(0.9)


def test_effect_counts_the_buffer_ring_geometrically(collab_a, org_a, write_events):
    west = collab_a.areas.get(name="Väster")
    east = collab_a.areas.get(name="Öster")
    before = {"occurred_from": local(2026, 2, 10)}
    after = {"occurred_from": local(2026, 4, 10)}
    # Inside Öster 300 m east of Väster's edge (lon 17.90 ≈ 56 m per 0.001°) = in Väster's 500 m ring.
    ring_point = {"lon": 17.905, "lat": 59.50}
    far_point = {"lon": 17.99, "lat": 59.46}
    write_events(collab_a, org_a, [before] * 20 + [after] * 10 + [before | ring_point] * 3 + [after | ring_point] * 5
                 + [before | far_point] * 4 + [after | far_point] * 4)
    result = run("effect", collab_a, target=str(west.uuid), comparison=str(east.uuid), buffer="500",
                 before_from="2026-01-01", before_to="2026-03-01", after_from="2026-03-02", after_to="2026-04-30")
    counts = result["counts"]
    assert counts["target"] == {"before": 20, "after": 10}
    assert counts["comparison"] == {"before": 7, "after": 9}
    assert counts["buffer"] == {"before": 3, "after": 5}
    ring = shapely.geometry.shape(result["buffer_geometry"])
    assert ring.contains(shapely.Point(17.905, 59.50)) and not ring.contains(shapely.Point(17.85, 59.50))
    t = sweref_geometry(west.geometry)
    ring_m = t.buffer(500).difference(t)
    assert sweref_geometry(result["buffer_geometry"]).area == pytest.approx(ring_m.area, rel=1e-3)
    assert result["days_before"] == result["days_after"] == 60
    assert result["wdd"]["per_day"] is False
    assert result["wdq"]["defined"] is True


def test_effect_matches_the_published_example_without_a_buffer(collab_a, org_a, write_events):
    west = collab_a.areas.get(name="Väster")
    east = collab_a.areas.get(name="Öster")
    b, a = local(2026, 2, 10), local(2026, 4, 10)
    east_pt = {"lon": 17.93, "lat": 59.47}
    write_events(collab_a, org_a, [{"occurred_from": b}] * 20 + [{"occurred_from": a}] * 10
                 + [{"occurred_from": b} | east_pt] * 20 + [{"occurred_from": a} | east_pt] * 20)
    result = run("effect", collab_a, target=str(west.uuid), comparison=str(east.uuid), buffer="0",
                 before_from="2026-01-01", before_to="2026-03-01", after_from="2026-03-02", after_to="2026-04-30")
    assert result["wdd"]["estimate"] == -10
    assert result["wdd"]["se"] == pytest.approx(70 ** 0.5, abs=1e-4)
    assert result["wdq"] is None
    assert result["too_few_events"] is False


def test_effect_names_unknown_areas(collab_a):
    from trygg.events.filters import FilterError

    with pytest.raises(FilterError) as exc:
        run("effect", collab_a, target="00000000-0000-0000-0000-000000000000",
            comparison="00000000-0000-0000-0000-000000000001", before_from="2026-01-01", before_to="2026-01-31",
            after_from="2026-02-01", after_to="2026-02-28")
    assert set(exc.value.errors) == {"target", "comparison"}


def test_hotspot_permutations_are_seeded(collab_a, org_a, write_events):
    rng = np.random.default_rng(2)
    write_events(collab_a, org_a, [{"occurred_from": local(2026, 3, 10), "lat": float(rng.uniform(59.46, 59.59)),
                                    "lon": float(rng.uniform(17.81, 17.99))} for _ in range(30)])
    first = run("hotspots", collab_a, cell="2000", permutations="99", seed="7")
    assert first["cells"] == run("hotspots", collab_a, cell="2000", permutations="99", seed="7")["cells"]
    assert first["min_p"] == pytest.approx(0.02)
