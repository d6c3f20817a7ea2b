"""The plain-SQL insert path of EventWriter (used by table imports) writes what the ORM path writes."""

from __future__ import annotations

import datetime as dt

from trygg.events.models import Event, EventArea
from trygg.events.services import EventWriter

FIELDS = ["collaboration_id", "organisation_id", "category_id", "subcategory_id", "occurred_from", "occurred_to",
          "iso_week", "lat", "lon", "x", "y", "precision", "place_id", "outside", "description", "people_count",
          "assessment", "police_notified", "visibility", "source", "source_data", "created_by_id", "version"]


def _inputs(writer, prefix):
    start = dt.datetime(2024, 3, 31, 1, 30, 15, tzinfo=dt.timezone.utc)  # fixed: repeated calls must match
    raw = [
        {"category": "klotter", "occurred_from": start, "lat": 59.50, "lon": 17.85, "description": "Tag, \"quoted\"",
         "people_count": 2, "assessment": 3},
        {"category": "brand", "occurred_from": start, "occurred_to": start + dt.timedelta(hours=2), "lat": 59.53,
         "lon": 17.96, "visibility": "restricted", "police_notified": True, "source_data": {"rad": 3}},
        {"category": "glaskross", "occurred_from": start.replace(microsecond=123456), "lat": 59.55, "lon": 17.95},
    ]
    return [writer.validate({**r, "source": "table", "external_id": f"{prefix}{i}"}) for i, r in enumerate(raw)]


def test_the_sql_path_writes_the_same_rows_as_the_orm_path(collab_a, org_a, coordinator_a):
    writer = EventWriter(collab_a)
    orm = writer.write(_inputs(writer, "orm-"), organisation=org_a, user=coordinator_a)
    sql = writer.write(_inputs(writer, "sql-"), organisation=org_a, user=coordinator_a, keep_events=False)
    assert orm.created == sql.created == 3 and sql.events == []
    for i in range(3):
        a = Event.objects.get(external_id=f"orm-{i}")
        b = Event.objects.get(external_id=f"sql-{i}")
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS]
        assert b.uuid.version == 4 and b.uuid != a.uuid
        assert abs(b.created_at - a.created_at) < dt.timedelta(minutes=1) and b.updated_at == b.created_at
        assert sorted(EventArea.objects.filter(event=a).values_list("area_id", "category_id_copy", "iso_week")) == \
            sorted(EventArea.objects.filter(event=b).values_list("area_id", "category_id_copy", "iso_week"))
    # The ids continue after the ORM's and later ORM writes continue after them.
    later = writer.write(_inputs(writer, "later-"), organisation=org_a)
    assert later.events[0].pk > Event.objects.get(external_id="sql-2").pk


def test_the_sql_path_upserts_like_the_orm_path(collab_a, org_a):
    writer = EventWriter(collab_a)
    writer.write(_inputs(writer, "x-"), organisation=org_a, upsert=True, keep_events=False)
    again = writer.write(_inputs(writer, "x-"), organisation=org_a, upsert=True, keep_events=False)
    assert (again.created, again.unchanged) == (0, 3)
    assert Event.objects.count() == 3
