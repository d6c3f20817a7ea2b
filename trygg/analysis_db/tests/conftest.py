import datetime as dt
from zoneinfo import ZoneInfo

import pytest

STHLM = ZoneInfo("Europe/Stockholm")


def local(y, m, d, h=12, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=STHLM)


@pytest.fixture
def write_events(db):
    """write_events(collab, org, [dict, ...]): many events through the write path, in one batch."""
    from trygg.events.services import EventWriter

    def write(collaboration, organisation, items, *, user=None):
        writer = EventWriter(collaboration, now=local(2030, 1, 1))
        inputs = [writer.validate({"category": "klotter", "lat": 59.50, "lon": 17.85} | item) for item in items]
        return writer.write(inputs, organisation=organisation, user=user).events

    return write


@pytest.fixture
def week_of():
    def key(when):
        y, w, _d = when.isocalendar()
        return y * 100 + w

    return key
