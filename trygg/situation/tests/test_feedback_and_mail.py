"""The feedback version suppresses small counts; publication e-mails partners and the week's reporters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from trygg.events.services import create_report
from trygg.situation.models import SituationSettings
from trygg.situation.publish import publish
from trygg.situation.service import draft

from .conftest import MONDAY, WEEK, WEEK_KEY, at

pytestmark = pytest.mark.django_db


def _feedback_html(version):
    return version.documents.get(variant="feedback", language="sv").html


def test_counts_below_the_threshold_are_suppressed_in_the_feedback_version(week_data, coordinator_a):
    picture = draft(week_data["collab"], WEEK_KEY)
    version = publish(picture, coordinator_a, send=False)
    html = _feedback_html(version)
    # partner scope: 6 klotter (skadegörelse), 2 littering (below 3 → "<3"), total 8
    assert "<td>6</td>" in html
    assert "<td>&lt;3</td>" in html
    assert "<td>2</td>" not in html
    assert "<td>8</td>" in html


def test_the_threshold_is_configurable(week_data, coordinator_a):
    settings_obj = SituationSettings.for_collaboration(week_data["collab"])
    settings_obj.feedback_threshold = 7
    settings_obj.save()
    picture = draft(week_data["collab"], WEEK_KEY)
    html = _feedback_html(publish(picture, coordinator_a, send=False))
    assert "<td>&lt;7</td>" in html and "<td>6</td>" not in html
    assert "<td>8</td>" in html


def test_publication_mails_partner_contacts_and_the_weeks_reporters(week_data, coordinator_a, reporter_a, org_a,
                                                                    django_capture_on_commit_callbacks):
    create_report(reporter_a, org_a, [{"category": "belysning", "occurred_from": at(MONDAY + dt.timedelta(days=3), 20),
                                       "lat": 59.52, "lon": 17.84}])
    picture = draft(week_data["collab"], WEEK_KEY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(picture, coordinator_a)
    assert all(d.pdf for d in version.documents.filter(language="sv"))  # rendered before mailing
    by_rcpt = {m.to[0]: m for m in mail.outbox}
    assert set(by_rcpt) == {"kommun@example.org", "hem@example.org", "reporter_a@example.org"}
    for m in mail.outbox:
        assert m.subject == "Lägesbild vecka 45 publicerad – Testby"
    assert f"http://localhost:8000/lagesbild/{WEEK}/v1/" in by_rcpt["hem@example.org"].body
    assert f"/lagesbild/{WEEK}/v1/feedback/" in by_rcpt["reporter_a@example.org"].body
    assert "Logga in" in by_rcpt["reporter_a@example.org"].body


def test_the_reporter_link_opens_the_feedback_version(week_data, coordinator_a, reporter_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    publish(picture, coordinator_a, send=False)
    assert client_for(reporter_a).get(f"/lagesbild/{WEEK}/v1/feedback/").status_code == 200
    from django.test import Client

    anonymous = Client().get(f"/lagesbild/{WEEK}/v1/feedback/")
    assert anonymous.status_code == 302 and "/konto/logga-in/" in anonymous["Location"]
