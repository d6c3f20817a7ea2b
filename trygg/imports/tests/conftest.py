"""Fixtures for the import tests: a national collaboration with all municipalities and counties."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def national(db, shared_dir):
    """Collaboration "Sverige" with the 290 municipalities and 21 counties of ../shared/data/geo as areas."""
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.importer import apply_plan, plan_import
    from trygg.events.taxonomy import seed_categories

    collab = Collaboration.objects.create(name="Sverige", slug="sverige")
    seed_categories(collab)
    Organisation.objects.create(collaboration=collab, name="Polisen", kind="polis")
    geo = shared_dir / "data" / "geo"
    apply_plan(plan_import(geo / "swedish_regions.geojson", collab, type_code="lan", level="county",
                           name_field="name", code_field="l_id"))
    apply_plan(plan_import(geo / "swedish_municipalities.geojson", collab, type_code="kommun",
                           level="municipality", name_field="kom_namn", code_field="id"))
    return collab


def write_feed(path, notices, *, raw_tail: str = "") -> None:
    path.write_text(json.dumps(notices, ensure_ascii=False)[: None if not raw_tail else -1] + raw_tail, encoding="utf-8")


def notice(i=1, *, type="Skadegörelse", when="2023-06-07 0:23:45 +02:00", place="Testby",
           gps="59.525,17.85", summary="Klotter på skolan.", name=None):
    return {"id": i, "datetime": when, "name": name or f"07 juni 00.23, {type}, {place}", "summary": summary,
            "url": f"/aktuellt/handelser/2023/juni/7/{i}/", "type": type,
            "location": {"name": place, "gps": gps}}
