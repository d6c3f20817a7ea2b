"""GET /api/v1/reports: the reports a caller may see, with their visible events, filtered and paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trygg.events.models import Report
from trygg.events.services import create_report
from trygg.events.tests.test_api_support import assert_error, token_client

pytestmark = pytest.mark.django_db


def event(**extra):
    return {"category": "klotter", "occurred_from": timezone.now() - dt.timedelta(hours=1), "lat": 59.5,
            "lon": 17.85} | extra


@pytest.fixture
def reports(reporter_a, partner_a, org_a, partner_org_a):
    """A's municipality: one open report of two events and one report with a single restricted
    event; the housing company: one open report."""
    open_report, _ = create_report(reporter_a, org_a, [event(), event(description="två")])
    secret, _ = create_report(reporter_a, org_a, [event(visibility="restricted")])
    partner, _ = create_report(partner_a, partner_org_a, [event()])
    return {"open": open_report, "secret": secret, "partner": partner}


def listed(user, **params):
    response = token_client(user).get("/api/v1/reports", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_coordinator_lists_every_report_newest_first_with_their_events(coordinator_a, reports):
    body = listed(coordinator_a)
    assert [r["uuid"] for r in body["results"]] == [
        str(reports[k].uuid) for k in ("partner", "secret", "open")]
    assert [len(r["events"]) for r in body["results"]] == [1, 1, 2]
    assert body["count"] == 3 and body["next"] is None


def test_a_partner_does_not_see_a_report_whose_only_event_is_restricted(partner_a, reports):
    assert {r["uuid"] for r in listed(partner_a)["results"]} == {str(reports["open"].uuid),
                                                                 str(reports["partner"].uuid)}


def test_a_report_lists_only_the_events_the_caller_may_see(partner_a, reporter_a, org_a, reports):
    mixed, _ = create_report(reporter_a, org_a, [event(), event(visibility="restricted")])
    row = next(r for r in listed(partner_a)["results"] if r["uuid"] == str(mixed.uuid))
    assert [e["visibility"] for e in row["events"]] == ["partners"]


def test_the_outsider_sees_nothing_of_a(outsider_b, collab_a, reports):
    assert listed(outsider_b)["results"] == []  # their own collaboration has no reports
    response = token_client(outsider_b).get("/api/v1/reports", {"collaboration": str(collab_a.uuid)})
    assert_error(response, 404, "not_found")


def test_filter_by_organisation(coordinator_a, partner_org_a, reports):
    body = listed(coordinator_a, organisation=str(partner_org_a.uuid))
    assert [r["uuid"] for r in body["results"]] == [str(reports["partner"].uuid)]


def test_filter_by_period_in_stockholm_days(coordinator_a, reports):
    old = reports["open"]
    Report.objects.filter(pk=old.pk).update(created_at=dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.timezone.utc))
    # 22:30 UTC on 5 January is 23:30 on 5 January in Stockholm
    assert [r["uuid"] for r in listed(coordinator_a, to="2026-01-05")["results"]] == [str(old.uuid)]
    assert listed(coordinator_a, **{"from": "2026-01-06", "to": "2026-01-31"})["results"] == []
    assert str(old.uuid) not in {r["uuid"] for r in listed(coordinator_a, **{"from": "2026-01-06"})["results"]}


def test_bad_filters_name_the_field(coordinator_a, reports):
    response = token_client(coordinator_a).get("/api/v1/reports", {"from": "igår", "organisation": "x"})
    error = assert_error(response, 422, "validation_error")
    assert set(error["fields"]) == {"from", "organisation"}
    assert error["fields"]["from"] == "from: not a date (YYYY-MM-DD): igår"


def test_reports_are_paginated(coordinator_a, reports):
    first = listed(coordinator_a, page_size=2)
    assert (first["count"], first["pages"], len(first["results"])) == (3, 2, 2)
    second = token_client(coordinator_a).get(first["next"]).json()
    assert [r["uuid"] for r in second["results"]] == [str(reports["open"].uuid)]
    assert_error(token_client(coordinator_a).get("/api/v1/reports", {"page": 3, "page_size": 2}), 404)
