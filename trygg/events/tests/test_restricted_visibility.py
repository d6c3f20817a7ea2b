"""Restricted events are for coordinators and police only (issue 2), plus the person who reported
them; a collaboration may widen that to the reporting organisation or to every partner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trygg.accounts.models import Membership, User
from trygg.events.services import create_report, visible_events
from trygg.events.tests.test_api_support import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague_a(org_a):
    """Another reporter of organisation A (the reporting organisation), not the reporter."""
    user = User.objects.create_user("colleague_a", password="correct horse battery")
    Membership.objects.create(user=user, organisation=org_a, role="reporter")
    return user


@pytest.fixture
def restricted(reporter_a, org_a):
    report, _ = create_report(reporter_a, org_a, [{
        "category": "narkotika", "occurred_from": timezone.now() - dt.timedelta(hours=1), "lat": 59.5,
        "lon": 17.85, "visibility": "restricted"}])
    return report.events.get()


def sees(user, collab, event) -> bool:
    user.__dict__.pop("active_memberships", None)
    return visible_events(user, collab).filter(pk=event.pk).exists()


def test_by_default_the_reporting_organisations_other_members_do_not_see_it(colleague_a, collab_a, restricted):
    assert not sees(colleague_a, collab_a, restricted)


def test_the_reporter_coordinators_admins_and_police_see_it(reporter_a, coordinator_a, admin_a, police_a, collab_a,
                                                            restricted):
    assert all(sees(user, collab_a, restricted) for user in (reporter_a, coordinator_a, admin_a, police_a))


def test_partners_and_outsiders_do_not_see_it(partner_a, outsider_b, collab_a, restricted):
    assert not sees(partner_a, collab_a, restricted)
    assert not sees(outsider_b, collab_a, restricted)


def test_the_colleague_gets_404_on_the_api_and_the_page(colleague_a, client_for, restricted):
    assert token_client(colleague_a).get(f"/api/v1/events/{restricted.uuid}").status_code == 404
    assert client_for(colleague_a).get(f"/handelser/{restricted.uuid}/").status_code == 404


def test_a_collaboration_may_share_them_within_the_reporting_organisation(colleague_a, partner_a, collab_a,
                                                                          restricted):
    collab_a.restricted_shared_with_organisation = True
    collab_a.save()
    assert sees(colleague_a, collab_a, restricted)
    assert not sees(partner_a, collab_a, restricted)


def test_a_collaboration_may_share_them_with_every_partner(colleague_a, partner_a, collab_a, restricted):
    collab_a.restricted_shared_with_partners = True
    collab_a.save()
    assert sees(colleague_a, collab_a, restricted) and sees(partner_a, collab_a, restricted)
