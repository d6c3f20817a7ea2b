"""GET /api/v1/categories: the collaboration's two-level category tree."""

from __future__ import annotations

from trygg.events.tests.test_api_support import assert_error, token_client


def test_categories_are_a_two_level_tree(reporter_a, collab_a):
    from trygg.events.models import Category

    Category.objects.filter(collaboration=collab_a, code="glaskross").update(is_active=False)
    body = token_client(reporter_a).get("/api/v1/categories").json()
    main = {c["code"]: c for c in body}
    assert "klotter" not in main
    vandalism = main["skadegorelse"]
    assert (vandalism["name_sv"], vandalism["name_en"], vandalism["colour"]) == ("Skadegörelse", "Vandalism", "#8e44ad")
    children = {c["code"]: c for c in vandalism["children"]}
    assert set(children) == {"klotter", "glaskross", "annan-skadegorelse"}
    assert children["glaskross"]["active"] is False and children["klotter"]["active"] is True
    assert all(c["children"] == [] for c in vandalism["children"])


def test_categories_of_another_collaboration_are_404(outsider_b, collab_a):
    assert_error(token_client(outsider_b).get(f"/api/v1/categories?collaboration={collab_a.uuid}"), 404)
