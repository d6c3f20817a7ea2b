"""The write path, reports, edits with history, and visibility with the fixed personas."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from trygg.events.models import Event, EventHistory, Report
from trygg.events.services import (
    PermissionDenied, can_edit_event, create_report, iso_week_key, update_event, visible_events,
)
from trygg.events.validation import EventValidationError


def event_data(**extra):
    return {"category": "klotter", "occurred_from": timezone.now() - dt.timedelta(hours=1),
            "lat": 59.50, "lon": 17.85} | extra


@pytest.mark.django_db
def test_a_report_holds_several_events(reporter_a, org_a):
    report, created = create_report(reporter_a, org_a, [event_data(), event_data(category="brand", lon=17.95)])
    assert created
    assert report.events.count() == 2
    assert set(report.events.values_list("organisation", flat=True)) == {org_a.pk}


@pytest.mark.django_db
def test_one_bad_event_saves_nothing_and_names_the_event(reporter_a, org_a):
    with pytest.raises(EventValidationError) as info:
        create_report(reporter_a, org_a, [event_data(), event_data(lat=59.9)])
    assert list(info.value.errors) == ["events[1].location"]
    assert Report.objects.count() == 0
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_the_same_client_id_is_delivered_exactly_once(reporter_a, org_a):
    client_id = uuid.uuid4()
    first, created1 = create_report(reporter_a, org_a, [event_data()], client_id=client_id)
    second, created2 = create_report(reporter_a, org_a, [event_data()], client_id=client_id)
    assert (created1, created2) == (True, False)
    assert first.pk == second.pk
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_a_user_cannot_report_for_an_organisation_they_do_not_belong_to(outsider_b, org_a):
    with pytest.raises(PermissionDenied):
        create_report(outsider_b, org_a, [event_data()])
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_reporters_edit_their_own_events_for_48_hours_and_history_is_kept(reporter_a, org_a):
    report, _ = create_report(reporter_a, org_a, [event_data(description="Klotter på elskåp")])
    event = report.events.get()
    updated = update_event(reporter_a, event, {"description": "Klotter på elskåpet vid torget"})
    assert updated.version == 2
    history = EventHistory.objects.get(event=event)
    assert history.changes == {"description": ["Klotter på elskåp", "Klotter på elskåpet vid torget"]}
    assert history.changed_by == reporter_a
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))
    event.refresh_from_db()
    assert not can_edit_event(reporter_a, event)
    with pytest.raises(PermissionDenied):
        update_event(reporter_a, event, {"description": "för sent"})


@pytest.mark.django_db
def test_coordinators_edit_after_48_hours_and_moving_an_event_changes_its_areas(reporter_a, coordinator_a, org_a):
    report, _ = create_report(reporter_a, org_a, [event_data()])
    event = report.events.get()
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    event.refresh_from_db()
    updated = update_event(coordinator_a, event, {"lon": 17.95, "lat": 59.50})
    assert sorted(updated.areas.values_list("name", flat=True)) == ["Testby", "Öster"]
    assert set(EventHistory.objects.get(event=event).changes) == {"lon"}


@pytest.mark.django_db
def test_other_reporters_and_outsiders_cannot_edit(reporter_a, partner_a, outsider_b, org_a):
    report, _ = create_report(reporter_a, org_a, [event_data()])
    event = report.events.get()
    assert not can_edit_event(partner_a, event)
    assert not can_edit_event(outsider_b, event)
    with pytest.raises(PermissionDenied):
        update_event(outsider_b, event, {"description": "x"})
    event.refresh_from_db()
    assert event.version == 1


@pytest.mark.django_db
def test_an_edit_that_fails_validation_changes_nothing(reporter_a, org_a):
    report, _ = create_report(reporter_a, org_a, [event_data()])
    event = report.events.get()
    with pytest.raises(EventValidationError):
        update_event(reporter_a, event, {"occurred_from": timezone.now() + dt.timedelta(days=1)})
    event.refresh_from_db()
    assert event.version == 1 and not EventHistory.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_restricted_events_are_seen_by_coordinators_police_and_the_reporter_only(
    reporter_a, coordinator_a, police_a, partner_a, outsider_b, org_a, collab_a
):
    create_report(reporter_a, org_a, [event_data(visibility="restricted"), event_data()])
    assert visible_events(coordinator_a, collab_a).count() == 2
    assert visible_events(police_a, collab_a).count() == 2
    assert visible_events(reporter_a, collab_a).count() == 2  # they reported it themself
    assert visible_events(partner_a, collab_a).count() == 1
    assert visible_events(outsider_b, collab_a).count() == 0


@pytest.mark.django_db
def test_a_collaboration_may_share_restricted_events_with_all_partners(reporter_a, partner_a, org_a, collab_a):
    create_report(reporter_a, org_a, [event_data(visibility="restricted")])
    collab_a.restricted_shared_with_partners = True
    collab_a.save()
    partner_a.__dict__.pop("active_memberships", None)
    assert visible_events(partner_a, collab_a).count() == 1


@pytest.mark.parametrize(
    "utc, week",
    [
        # Spring forward: Sunday 29 March 2026, 02:00 local does not exist. Week 13 ends at
        # Sunday 24:00 local = 21:59:59 UTC (CEST, +02:00).
        ("2026-03-29T21:59:59+00:00", 202613),
        ("2026-03-29T22:00:00+00:00", 202614),
        ("2026-03-29T00:59:59+00:00", 202613),  # 01:59:59 CET, just before the jump
        ("2026-03-29T01:00:00+00:00", 202613),  # 03:00:00 CEST, just after
        # Fall back: Sunday 25 October 2026, 03:00 CEST → 02:00 CET; 02:30 happens twice.
        ("2026-10-25T00:30:00+00:00", 202643),  # 02:30 CEST
        ("2026-10-25T01:30:00+00:00", 202643),  # 02:30 CET
        ("2026-10-25T22:59:59+00:00", 202643),  # Sunday 23:59:59 CET
        ("2026-10-25T23:00:00+00:00", 202644),  # Monday 00:00 CET
        # New year inside an ISO week: 2026-12-31 is in week 53 of 2026.
        ("2026-12-31T12:00:00+00:00", 202653),
        ("2027-01-03T22:59:59+00:00", 202653),
    ],
)
def test_iso_weeks_follow_stockholm_time_across_the_dst_nights(utc, week):
    assert iso_week_key(dt.datetime.fromisoformat(utc)) == week


@pytest.mark.django_db
def test_an_event_in_the_repeated_october_hour_is_stored_in_utc_exactly(reporter_a, org_a, collab_a):
    from zoneinfo import ZoneInfo

    stockholm = ZoneInfo("Europe/Stockholm")
    first = dt.datetime(2025, 10, 26, 2, 30, tzinfo=stockholm, fold=0)
    second = dt.datetime(2025, 10, 26, 2, 30, tzinfo=stockholm, fold=1)
    report, _ = create_report(reporter_a, org_a, [event_data(occurred_from=first), event_data(occurred_from=second)])
    stored = sorted(report.events.values_list("occurred_from", flat=True))
    assert stored[1] - stored[0] == dt.timedelta(hours=1)
    assert stored[0] == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.timezone.utc)


@pytest.mark.django_db
def test_an_edit_keeps_the_named_place_of_the_event(reporter_a, org_a, collab_a):
    from trygg.areas.models import Place

    place = Place.objects.create(collaboration=collab_a, name="Torget", lat=59.51, lon=17.86)
    report, _ = create_report(reporter_a, org_a, [event_data(place="Torget", lat=None, lon=None)])
    event = report.events.get()
    assert event.place_id == place.pk and event.precision == "place"
    updated = update_event(reporter_a, event, {"description": "Nu med text"})
    assert updated.place_id == place.pk
    assert set(EventHistory.objects.get(event=event).changes) == {"description"}
