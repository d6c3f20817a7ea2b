"""The police type mapping and the import runs in the admin: seeded when a collaboration gets its
categories, editable by the collaboration's admins, invisible to every other collaboration."""

from __future__ import annotations

import pytest

from trygg.accounts.models import Collaboration, Membership
from trygg.events.models import Category
from trygg.imports import runs
from trygg.imports.models import ImportRun, PoliceTypeMapping

pytestmark = pytest.mark.django_db

URL = "/admin/imports/policetypemapping/"


@pytest.fixture
def admin_b(outsider_b, org_b):
    Membership.objects.filter(user=outsider_b).update(role="admin")
    Membership.objects.get(user=outsider_b).save()  # the staff flag follows the admin membership
    outsider_b.refresh_from_db()
    return outsider_b


def test_a_new_collaboration_has_its_police_types_mapped_before_any_import():
    from trygg.events.taxonomy import seed_categories

    collab = Collaboration.objects.create(name="Nystad", slug="nystad")
    seed_categories(collab)
    mapping = {m.police_type: m.category.code for m in PoliceTypeMapping.objects.filter(collaboration=collab)}
    assert mapping["Skadegörelse"] == "skadegorelse"
    assert mapping["Trafikolycka"] == "ovrigt-polis"
    assert len(mapping) >= 80
    assert not ImportRun.objects.filter(collaboration=collab).exists()


def test_the_mapping_is_seeded_once_the_other_police_category_exists_whatever_the_order():
    collab = Collaboration.objects.create(name="Senstad", slug="senstad")
    # Whatever a hook seeded goes (sub-categories first); the mapping goes with them.
    Category.objects.filter(collaboration=collab, parent__isnull=False).delete()
    Category.objects.filter(collaboration=collab).delete()
    assert not PoliceTypeMapping.objects.filter(collaboration=collab).exists()
    Category.objects.create(collaboration=collab, code="brak", name_sv="Bråk", name_en="Fights")
    assert not PoliceTypeMapping.objects.filter(collaboration=collab).exists()  # waits for "Övrigt (polis)"
    Category.objects.create(collaboration=collab, code="ovrigt-polis", name_sv="Övrigt (polis)",
                            name_en="Other (police)")
    rows = PoliceTypeMapping.objects.filter(collaboration=collab)
    assert rows.filter(police_type="Skadegörelse", category__code="ovrigt-polis").exists()  # no own category yet


def test_a_collaboration_admin_lists_and_edits_only_their_own_mappings(client_for, admin_a, collab_a, admin_b,
                                                                       collab_b):
    client = client_for(admin_a)
    page = client.get(URL)
    assert page.status_code == 200
    listed = set(page.context["cl"].queryset.values_list("collaboration_id", flat=True))
    assert listed == {collab_a.pk}
    mine = PoliceTypeMapping.objects.get(collaboration=collab_a, police_type="Trafikolycka")
    theirs = PoliceTypeMapping.objects.get(collaboration=collab_b, police_type="Trafikolycka")
    assert client.get(f"{URL}{theirs.pk}/change/").status_code == 404
    new_category = Category.objects.get(collaboration=collab_a, code="ordningsstorning")
    response = client.post(f"{URL}{mine.pk}/change/", {
        "collaboration": collab_a.pk, "police_type": "Trafikolycka", "category": new_category.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.category == new_category


def test_a_category_of_another_collaboration_is_refused(client_for, admin_a, collab_a, collab_b):
    client = client_for(admin_a)
    mine = PoliceTypeMapping.objects.get(collaboration=collab_a, police_type="Bråk")
    foreign = Category.objects.get(collaboration=collab_b, code="brak")
    response = client.post(f"{URL}{mine.pk}/change/", {
        "collaboration": collab_a.pk, "police_type": "Bråk", "category": foreign.pk})
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.category.collaboration_id == collab_a.pk


def test_the_model_refuses_a_category_of_another_collaboration(collab_a, collab_b):
    from django.core.exceptions import ValidationError

    mapping = PoliceTypeMapping(collaboration=collab_a, police_type="Nytt",
                                category=Category.objects.get(collaboration=collab_b, code="brak"))
    with pytest.raises(ValidationError) as info:
        mapping.full_clean()
    assert "category" in info.value.message_dict


def test_the_other_collaborations_admin_sees_nothing_of_a(client_for, admin_b, collab_a, collab_b):
    run_a = runs.start_run(collab_a, ImportRun.Kind.POLISEN, source="a.json")
    client = client_for(admin_b)
    page = client.get(URL)
    assert set(page.context["cl"].queryset.values_list("collaboration_id", flat=True)) == {collab_b.pk}
    runs_page = client.get("/admin/imports/importrun/")
    assert runs_page.status_code == 200
    assert run_a.pk not in set(runs_page.context["cl"].queryset.values_list("pk", flat=True))
    assert client.get(f"/admin/imports/importrun/{run_a.pk}/change/").status_code == 404


def test_import_runs_are_read_only_in_the_admin(client_for, admin_a, collab_a):
    run = runs.start_run(collab_a, ImportRun.Kind.POLISEN, source="a.json")
    client = client_for(admin_a)
    page = client.get(f"/admin/imports/importrun/{run.pk}/change/")
    assert page.status_code == 200
    client.post(f"/admin/imports/importrun/{run.pk}/change/", {"source": "changed"})
    run.refresh_from_db()
    assert run.source == "a.json"


def test_an_unknown_type_becomes_an_editable_mapping_row_and_is_listed_on_the_run_page(
        collab_a, tmp_path, client_for, coordinator_a):
    import json

    from django.urls import reverse

    from trygg.imports.polisen import import_polisen_file

    from .conftest import notice

    path = tmp_path / "f.json"
    path.write_text(json.dumps([notice(1, type="Drönarlarm"), notice(2, type="Drönarlarm"), notice(3)]),
                    encoding="utf-8")
    run, _out = import_polisen_file(collab_a, path)
    added = PoliceTypeMapping.objects.get(collaboration=collab_a, police_type="Drönarlarm")
    assert added.category.code == "ovrigt-polis"
    html = client_for(coordinator_a).get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert "Drönarlarm (2)" in html
    assert "/admin/imports/policetypemapping/" in html  # where to map it
