"""A small week of data for collaboration A: ordinary events in Väster and Öster in 2026-W45 and the
eight weeks before, one a year earlier, and one restricted police event (category narkotika) that
partners must never see in any count, map or text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

STHLM = ZoneInfo("Europe/Stockholm")
WEEK = "2026-W45"
WEEK_KEY = 202645
MONDAY = dt.date(2026, 11, 2)
RESTRICTED_LON, RESTRICTED_LAT = 17.9811, 59.4711


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), STHLM)


@pytest.fixture
def week_data(collab_a, org_a, partner_org_a, police_org_a, reporter_a, partner_a, police_a, make_event):
    """Returns a dict with the objects; the police organisation has a contact e-mail."""

    org_a.contact_email = "kommun@example.org"
    org_a.save()
    partner_org_a.contact_email = "hem@example.org"
    partner_org_a.save()
    events = []
    # this week: 6 klotter in Väster (Mon–Sat evenings), 2 littering in Öster
    for d in range(6):
        events.append(make_event(collab_a, partner_org_a, user=partner_a, category="klotter",
                                 occurred_from=at(MONDAY + dt.timedelta(days=d), 21), lat=59.50 + d * 0.001,
                                 lon=17.85))
    for d in range(2):
        events.append(make_event(collab_a, org_a, user=reporter_a, category="nedskrapning",
                                 occurred_from=at(MONDAY + dt.timedelta(days=d), 10), lat=59.50, lon=17.93))
    # the prior 8 weeks: one klotter a week in Väster
    for k in range(1, 9):
        events.append(make_event(collab_a, org_a, category="klotter",
                                 occurred_from=at(MONDAY - dt.timedelta(weeks=k), 12), lat=59.48, lon=17.82))
    # same week last year
    events.append(make_event(collab_a, org_a, category="klotter", occurred_from=at(dt.date(2025, 11, 4), 12),
                             lat=59.48, lon=17.82))
    restricted = make_event(collab_a, police_org_a, user=police_a, category="narkotika",
                            occurred_from=at(MONDAY + dt.timedelta(days=2), 23), lat=RESTRICTED_LAT,
                            lon=RESTRICTED_LON, visibility="restricted", description="Hemlig uppgift")
    return {"collab": collab_a, "events": events, "restricted": restricted}
