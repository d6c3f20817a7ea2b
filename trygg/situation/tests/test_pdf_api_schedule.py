"""The PDF's text, the API (shape and errors) and the Monday job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from trygg.core import schedule
from trygg.situation.models import Status, WeekPicture
from trygg.situation.publish import publish
from trygg.situation.service import draft
from trygg.situation.tasks import draft_due

from .conftest import WEEK, WEEK_KEY

pytestmark = pytest.mark.django_db


def test_the_pdf_renders_with_the_section_headings_and_figures(week_data, coordinator_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.select_related("area").get(area__name="Väster")
    a.status, a.text = Status.RED, "Klotter varje kväll vid skolan."
    a.save()
    publish(picture, coordinator_a, send=False)
    response = client_for(coordinator_a).get(f"/lagesbild/{WEEK}/v1/full/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Översikt" in flat or "Sammanfattning" in flat
    for heading in ("Lägesbild vecka 45 – Testby", "Status och bedömning per område", "Karta",
                    "När: veckodag och timme", "Återkommande platser", "Fokus kommande vecka", "Beslut",
                    "Uppföljning av förra veckans beslut"):
        assert heading in flat, heading
    assert "Vecka 45 registrerades 9 händelser" in flat
    assert "Klotter varje kväll vid skolan." in flat
    assert "Röd" in flat  # status written as text, not only as a colour


def test_the_api_lists_weeks_and_returns_a_versions_numbers(week_data, coordinator_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    publish(picture, coordinator_a, send=False)
    client = client_for(coordinator_a)
    weeks = client.get("/api/v1/situation/weeks").json()["weeks"]
    assert weeks[0]["week"] == WEEK and weeks[0]["versions"][0]["number"] == 1
    body = client.get(f"/api/v1/situation/{WEEK}/versions/1").json()
    assert body["variant"] == "full" and body["numbers"]["total"]["count"] == 9
    assert "geometry" not in body["numbers"]["areas"][0]
    feedback = client.get(f"/api/v1/situation/{WEEK}/versions/1?variant=feedback").json()
    assert feedback["numbers"]["total"] == "8"


def test_api_errors_have_the_projects_shape(week_data, coordinator_a, reporter_a, client_for):
    client = client_for(coordinator_a)
    bad = client.get("/api/v1/situation/2026-47/versions/1")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_parameters" and "week" in bad.json()["error"]["fields"]
    missing = client.get(f"/api/v1/situation/{WEEK}/versions/9")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    forbidden = client_for(reporter_a).post(f"/api/v1/situation/{WEEK}/draft")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"


def test_a_coordinator_drafts_through_the_api(week_data, coordinator_a, client_for):
    response = client_for(coordinator_a).post(f"/api/v1/situation/{WEEK}/draft")
    assert response.status_code == 201
    assert response.json()["total"]["count"] == 9
    assert WeekPicture.objects.get(iso_week=WEEK_KEY).drafted_at is not None


def test_the_monday_job_is_registered_for_monday_morning():
    job = schedule.JOBS["situation.monday_draft"]
    assert job.weekday == 0 and job.at == dt.time(6, 0)
    monday_0700 = dt.datetime(2026, 11, 9, 6, 0, tzinfo=dt.UTC)  # 07:00 Stockholm
    sunday = dt.datetime(2026, 11, 8, 12, 0, tzinfo=dt.UTC)
    assert job.due(monday_0700, None) and not job.due(sunday, None)


def test_the_monday_task_drafts_last_week_once_per_collaboration(week_data):
    monday_0500 = dt.datetime(2026, 11, 9, 4, 0, tzinfo=dt.UTC)  # 05:00 Stockholm: too early
    assert draft_due(monday_0500) == []
    monday_0700 = dt.datetime(2026, 11, 9, 6, 0, tzinfo=dt.UTC)
    assert draft_due(monday_0700) == ["testby"]
    picture = WeekPicture.objects.get(collaboration=week_data["collab"], iso_week=WEEK_KEY)
    assert picture.auto_drafted and picture.draft["total"]["count"] == 9
    assert draft_due(monday_0700 + dt.timedelta(minutes=15)) == []  # idempotent


def test_a_collaboration_may_choose_its_own_draft_time(week_data):
    from trygg.situation.models import SituationSettings

    s = SituationSettings.for_collaboration(week_data["collab"])
    s.draft_time = dt.time(8, 30)
    s.save()
    assert draft_due(dt.datetime(2026, 11, 9, 7, 0, tzinfo=dt.UTC)) == []  # 08:00 local
    assert draft_due(dt.datetime(2026, 11, 9, 7, 45, tzinfo=dt.UTC)) == ["testby"]
