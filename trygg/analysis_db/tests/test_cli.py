"""``trygg analyse …``: JSON with parameters echoed, CSV, clear errors."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(collab_a, org_a, partner_org_a, write_events, partner_a):
    when = {"occurred_from": local(2026, 3, 10)}
    write_events(collab_a, org_a, [when] * 2 + [when | {"visibility": "restricted"}])
    return collab_a


def run(*args):
    out = io.StringIO()
    call_command("analyse", *args, stdout=out)
    return out.getvalue()


def total(body):
    return next(r["count"] for r in body["rows"] if r["area"] is None and r["category"] is None)


def test_weekly_prints_json_with_parameters(data):
    body = json.loads(run("weekly", "--collaboration", "testby", "--week", "2026-W11", "--z", "2"))
    assert body["parameters"]["collaboration"] == "testby"
    assert body["parameters"]["week"] == "2026-W11"
    assert body["parameters"]["z"] == 2.0
    assert total(body) == 3


def test_as_user_applies_that_users_visibility(data):
    body = json.loads(run("weekly", "--collaboration", "testby", "--week", "2026-W11", "--as-user", "partner_a"))
    assert total(body) == 2
    assert body["parameters"]["as_user"] == "partner_a"


def test_compare_as_csv(data):
    text = run("compare", "--collaboration", "testby", "--from", "2026-03-09", "--to", "2026-03-15",
               "--base-from", "2026-03-02", "--base-to", "2026-03-08", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["area", "area_type", "category", "current", "baseline", "baseline_scaled", "z", "flag",
                       "direction"]
    first = rows[1]
    assert first[3] == "3" and first[4] == "0" and float(first[6]) == pytest.approx(2 * 3 ** 0.5, abs=1e-3)


def test_aoristic_table_sums_to_the_event_count(data):
    body = json.loads(run("aoristic", "--collaboration", "testby"))
    assert sum(map(sum, body["day_hour"])) == pytest.approx(3)
    assert body["day_hour"][1][12] == pytest.approx(3)  # Tuesday 12:00 local


def test_a_bad_parameter_is_a_clear_error(data):
    with pytest.raises(CommandError, match="week"):
        run("weekly", "--collaboration", "testby", "--week", "11")


def test_an_unknown_collaboration_is_a_clear_error(data):
    with pytest.raises(CommandError, match="collaboration"):
        run("weekly", "--collaboration", "nowhere")
