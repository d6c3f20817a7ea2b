"""J2 step 1: the start page tells the coordinator about last week's draft and follow-ups."""

import datetime as dt

import pytest
from django.utils import timezone

from trygg.analysis import shift_week
from trygg.events.services import iso_week_key
from trygg.situation.models import Decision, DecisionStatus, WeekPicture


def week_int(offset):
    return shift_week(iso_week_key(timezone.now()), offset)


@pytest.mark.django_db
def test_the_coordinator_sees_the_draft_its_flags_and_the_decisions_to_follow_up(collab_a, org_a, coordinator_a,
                                                                                  client_for):
    WeekPicture.objects.create(collaboration=collab_a, iso_week=week_int(-1), drafted_at=timezone.now(),
                               draft={"flags": [{"area": "Väster"}, {"area": "Öster"}, {"area": None}]})
    earlier = WeekPicture.objects.create(collaboration=collab_a, iso_week=week_int(-2))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for text, status, due in [("Belysning", DecisionStatus.OPEN, yesterday),
                              ("Klotter", DecisionStatus.OPEN, yesterday + dt.timedelta(days=10)),
                              ("Klart", DecisionStatus.DONE, yesterday)]:
        Decision.objects.create(picture=earlier, text=text, organisation=org_a, due=due, status=status)
    page = client_for(coordinator_a).get("/").content.decode()
    assert 'data-testid="situation-summary"' in page
    assert 'data-testid="flag-count">3<' in page
    assert 'data-testid="follow-up-count">2<' in page
    assert "1 försenat" in page or "1 overdue" in page


@pytest.mark.django_db
def test_a_reporter_sees_no_draft_only_the_published_picture(collab_a, reporter_a, client_for):
    WeekPicture.objects.create(collaboration=collab_a, iso_week=week_int(-1), drafted_at=timezone.now(),
                               draft={"flags": [{"area": "Väster"}]})
    page = client_for(reporter_a).get("/").content.decode()
    assert 'data-testid="flag-count"' not in page
    assert "Ingen lägesbild har publicerats ännu." in page or "No situation picture" in page
