"""The draft's figures are the analysis engine's figures for the same filters."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from trygg.analysis_db import services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import full_scope
from trygg.situation.draft import build_numbers, partner_scope
from trygg.situation.models import WeekPicture
from trygg.situation.service import draft

from .conftest import WEEK, WEEK_KEY

pytestmark = pytest.mark.django_db


def _engine_rows(scope, **extra):
    res = services.weekly(scope, parse("weekly", {"week": WEEK, "level": "stadsdel", **extra}))
    return {((r["area"] or {}).get("uuid"), (r["category"] or {}).get("code")): r for r in res["rows"]}


@pytest.mark.parametrize("scope_kind", ["full", "partner"])
def test_the_draft_numbers_equal_the_engine_for_the_same_filters(week_data, scope_kind):
    collab = week_data["collab"]
    scope = full_scope(collab) if scope_kind == "full" else partner_scope(collab)
    numbers = build_numbers(collab, WEEK_KEY, scope)
    engine = _engine_rows(scope)
    keys = ("count", "prior_mean", "last_year", "flag", "direction", "z")
    assert {k: numbers["total"][k] for k in keys} == {k: engine[(None, None)][k] for k in keys}
    for c in numbers["categories"]:
        assert {k: c[k] for k in keys} == {k: engine[(None, c["category"])][k] for k in keys}
    for a in numbers["areas"]:
        if a["total"]:
            assert {k: a["total"][k] for k in keys} == {k: engine[(a["uuid"], None)][k] for k in keys}
        for c in a["categories"]:
            assert c["count"] == engine[(a["uuid"], c["category"])]["count"]
    aoristic = services.aoristic(scope, parse("aoristic", {"week": WEEK}))
    assert numbers["day_hour"] == aoristic["day_hour"]
    for p in numbers["partners"]:
        org_rows = _engine_rows(scope, organisation=p["uuid"])
        assert {k: p["total"][k] for k in keys} == {k: org_rows[(None, None)][k] for k in keys}
    hs = services.hotspots(scope, parse("hotspots", {"week": WEEK, "permutations": "0", "cell": "250"}))
    assert numbers["hotspots"]["hot"] == hs["hot"]
    assert numbers["hotspots"]["p_source"] == "normal"
    em = services.emerging(scope, parse("emerging", {"week": WEEK, "weeks": "12", "recurring": "4",
                                                     "permutations": "0", "cell": "250"}))
    engine_recurring = {c["id"]: c["hot_weeks"] for c in em["cells"] if c["recurring"]}
    assert engine_recurring, "the fixture has a place with klotter every week"
    assert len(engine_recurring) <= 20  # the draft lists at most 20
    assert {r["id"]: r["hot_weeks"] for r in numbers["recurring"]} == engine_recurring


def test_the_full_draft_counts_this_week_against_prior_weeks_and_last_year(week_data):
    numbers = build_numbers(week_data["collab"], WEEK_KEY, full_scope(week_data["collab"]))
    assert numbers["total"]["count"] == 9  # 6 klotter + 2 littering + 1 restricted
    assert numbers["total"]["prior_mean"] == 1
    assert numbers["total"]["last_year"] == 1
    assert numbers["flags"], "a jump from 1 to 9 is flagged"
    assert numbers["flags"][0]["direction"] == "up"
    assert len(numbers["points"]) == 9
    assert numbers["week_start"] == "2026-11-02" and numbers["week_end"] == "2026-11-08"


def test_the_command_drafts_a_week(week_data):
    out = StringIO()
    call_command("lagesbild_draft", "--week", WEEK, "--collaboration", "testby", stdout=out)
    picture = WeekPicture.objects.get(collaboration=week_data["collab"], iso_week=WEEK_KEY)
    assert picture.draft["total"]["count"] == 9
    assert "testby 2026-W45: 9 events" in out.getvalue()
    assert picture.assessments.count() == 2  # Väster and Öster


def test_the_command_names_a_bad_week(week_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--week"):
        call_command("lagesbild_draft", "--week", "2026-47")


def test_the_dst_night_counts_both_0230s(collab_a, org_a, make_event):
    # 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice (00:30 and 01:30 UTC).
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    for when in (first, second):
        make_event(collab_a, org_a, category="klotter", occurred_from=when, lat=59.5, lon=17.85)
    picture = draft(collab_a, 202643)
    assert picture.draft["total"]["count"] == 2
    sunday = picture.draft["day_hour"][6]
    assert sunday[2] == 2, sunday
    assert sum(sum(r) for r in picture.draft["day_hour"]) == 2
