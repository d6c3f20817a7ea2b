"""Restricted events never leak into another organisation's numbers."""

import pytest
from django.http import Http404

from trygg.analysis_db import services
from trygg.analysis_db.params import parse
from trygg.analysis_db.scope import scope_for

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(collab_a, org_a, partner_org_a, write_events):
    """3 open events and 2 restricted ones by the municipality, 1 restricted one by the partner."""
    when = {"occurred_from": local(2026, 3, 10)}
    write_events(collab_a, org_a, [when] * 3 + [when | {"visibility": "restricted"}] * 2)
    write_events(collab_a, partner_org_a, [when | {"visibility": "restricted"}])
    return collab_a


def total(user, collab):
    result = services.weekly(scope_for(user, collab), parse("weekly", {"week": "2026-W11"}))
    return next(r["count"] for r in result["rows"] if r["area"] is None and r["category"] is None)


def test_partner_counts_exclude_other_organisations_restricted_events(mixed, partner_a):
    assert total(partner_a, mixed) == 3  # the open ones only (restricted: coordinators and police)


def test_coordinator_counts_include_restricted_events(mixed, coordinator_a):
    assert total(coordinator_a, mixed) == 6


def test_police_counts_include_restricted_events(mixed, police_a):
    assert total(police_a, mixed) == 6


def test_reporter_of_the_reporting_organisation_does_not_count_its_colleagues_restricted_events(mixed, reporter_a):
    assert total(reporter_a, mixed) == 3


def test_a_collaboration_sharing_restricted_events_within_organisations_counts_the_own_ones(
        mixed, partner_a, reporter_a):
    mixed.restricted_shared_with_organisation = True
    mixed.save()
    assert total(partner_a, mixed) == 4  # 3 open + its own restricted one
    assert total(reporter_a, mixed) == 5


def test_a_collaboration_that_shares_restricted_events_gives_partners_everything(mixed, partner_a):
    mixed.restricted_shared_with_partners = True
    mixed.save()
    assert total(partner_a, mixed) == 6


def test_the_outsider_gets_nothing(mixed, outsider_b):
    with pytest.raises(Http404):
        scope_for(outsider_b, mixed)


def test_the_partner_and_the_coordinator_never_share_a_cached_result(mixed, partner_a, coordinator_a):
    assert total(coordinator_a, mixed) == 6
    assert total(partner_a, mixed) == 3
    assert total(coordinator_a, mixed) == 6


def test_scope_matches_the_event_list_visibility(mixed, partner_a, coordinator_a, reporter_a):
    from trygg.analysis_db.data import events
    from trygg.events.services import visible_events

    for user in (partner_a, coordinator_a, reporter_a):
        assert set(events(scope_for(user, mixed)).values_list("pk", flat=True)) == set(
            visible_events(user, mixed).values_list("pk", flat=True))


def test_hotspot_and_effect_counts_also_respect_visibility(mixed, partner_a, coordinator_a):
    req = parse("concentration", {"shape": "areas", "level": "stadsdel"})
    assert services.concentration(scope_for(partner_a, mixed), req)["events"] == 3
    assert services.concentration(scope_for(coordinator_a, mixed), req)["events"] == 6
