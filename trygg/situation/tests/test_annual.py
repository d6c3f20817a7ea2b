"""The statutory lägesbild and the action plan: semantic HTML that pastes into a word processor, and PDF."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from trygg.situation.models import ActionItem, ActionPlan
from trygg.situation.publish import publish
from trygg.situation.service import draft

from .conftest import WEEK_KEY

pytestmark = pytest.mark.django_db


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.div_in_article, self.headings, self.th_scopes = [], [], 0, [], []
        self._in_h = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "div" and "article" in self.stack:
            self.div_in_article += 1
        if tag == "th":
            self.th_scopes.append(dict(attrs).get("scope"))
        if tag in ("h1", "h2", "h3"):
            self._in_h = [tag, ""]
        if tag not in ("br", "meta", "link", "input", "rect", "circle", "line", "path", "polyline", "polygon"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._in_h:
            self.headings.append((self._in_h[0], self._in_h[1].strip()))
            self._in_h = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self._in_h:
            self._in_h[1] += data


def test_the_statutory_report_is_semantic_html_with_headings_and_th(week_data, coordinator_a, org_a, client_for):
    picture = draft(week_data["collab"], WEEK_KEY)
    a = picture.assessments.first()
    a.status, a.text = "yellow", "Oroligt kring centrum."
    a.save()
    publish(picture, coordinator_a, send=False)
    plan = ActionPlan.objects.create(collaboration=week_data["collab"], title="Åtgärdsplan 2026",
                                     period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 12, 31))
    ActionItem.objects.create(plan=plan, problem="Klotter i Väster", measures="Sanering inom 24 timmar",
                              owner=org_a, follow_up=dt.date(2027, 3, 1))
    client = client_for(coordinator_a)
    response = client.get("/lagesbild/arsrapport/?from=2026-01-01&to=2026-12-31&format=print")
    assert response.status_code == 200
    html = response.content.decode()
    parser = Structure()
    parser.feed(html)
    headings = [h for _t, h in parser.headings]
    assert parser.headings[0][0] == "h1"
    for h in ("Utveckling per kategori", "Utveckling per område", "Koncentration",
              "Polisens händelser och parternas rapporter", "Områdenas status", "Parternas bedömningar",
              "Åtgärdsplan"):
        assert h in headings, h
    assert parser.div_in_article == 0
    assert parser.th_scopes and all(s in ("col", "row") for s in parser.th_scopes)
    assert "Oroligt kring centrum." in html and "Sanering inom 24 timmar" in html
    # vandalism: 6 events in the fixture week + 8 in the weeks before (2026), 1 in 2025
    assert '<th scope="row">Skadegörelse</th><td>0</td><td>0</td><td>0</td><td>1</td><td>14</td>' in html
    pdf = client.get("/lagesbild/arsrapport/pdf/?from=2026-01-01&to=2026-12-31")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_statutory_report_names_a_bad_date(week_data, coordinator_a, client_for):
    response = client_for(coordinator_a).get("/lagesbild/arsrapport/?from=2026-13-01")
    assert response.status_code == 400
    assert "from" in response.content.decode()


def test_the_action_plan_editor_links_problems_to_measures_owners_and_dates(week_data, coordinator_a, org_a,
                                                                            partner_a, client_for):
    client = client_for(coordinator_a)
    response = client.post("/lagesbild/atgardsplan/", {"title": "Plan 2027", "period_from": "2027-01-01",
                                                       "period_to": "2027-12-31"})
    plan = ActionPlan.objects.get(title="Plan 2027")
    assert response["Location"] == f"/lagesbild/atgardsplan/{plan.pk}/"
    bad = client.post(f"/lagesbild/atgardsplan/{plan.pk}/", {"problem": "Otrygg gångtunnel", "measures": "",
                                                             "owner": org_a.pk, "follow_up": "2027-04-01"})
    assert bad.status_code == 400 and "measures" in bad.content.decode()
    assert not plan.items.exists()
    client.post(f"/lagesbild/atgardsplan/{plan.pk}/", {"problem": "Otrygg gångtunnel", "measures": "Ny belysning",
                                                       "owner": org_a.pk, "follow_up": "2027-04-01"})
    item = plan.items.get()
    assert (item.owner, item.follow_up) == (org_a, dt.date(2027, 4, 1))
    # partners read, never edit
    partner = client_for(partner_a)
    assert "Ny belysning" in partner.get(f"/lagesbild/atgardsplan/{plan.pk}/").content.decode()
    assert partner.post(f"/lagesbild/atgardsplan/{plan.pk}/", {"action": "delete", "item": item.pk}).status_code == 404
    assert plan.items.exists()
    pdf = client.get(f"/lagesbild/atgardsplan/{plan.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")
