"""Every new collaboration gets the EST categories (../shared/domain/EST.md), however it is made."""

import pytest

from trygg.events.models import Category
from trygg.events.taxonomy import EST_CATEGORIES, seed_categories

pytestmark = pytest.mark.django_db

# The fifteen main categories of EST.md, in its order (Swedish names as users see them).
EST_MAIN_SV = [
    "Skadegörelse", "Brand", "Nedskräpning", "Otrygghetsskapande samling av personer",
    "Ordningsstörning, bråk, hot, våld", "Narkotika", "Inbrott, stöld, rån", "Hot och våld mot anställd",
    "Olovlig trafik", "Olovligt boende/sovplats", "Tillhyggen/stenupplag", "Otrygg plats", "Arrangemang",
    "Rykten/sociala medier", "Trygg plats",
]


def assert_has_the_est_taxonomy(collab):
    mains = {c.name_sv: c for c in Category.objects.filter(collaboration=collab, parent=None)}
    assert [name for name in EST_MAIN_SV if name not in mains] == []
    assert mains["Skadegörelse"].name_en == "Vandalism"
    assert mains["Narkotika"].name_en == "Drugs"
    for code, sv, en, _colour, _icon, children in EST_CATEGORIES:
        main = mains[sv]
        assert (main.code, main.name_en, main.is_active) == (code, en, True)
        subs = {c.code: (c.name_sv, c.name_en) for c in main.children.all()}
        assert subs == {sub_code: (sub_sv, sub_en) for sub_code, sub_sv, sub_en in children}
    # some subcategories named in EST.md, in both languages
    klotter = Category.objects.get(collaboration=collab, code="klotter")
    assert (klotter.parent.code, klotter.name_sv, klotter.name_en) == ("skadegorelse", "Klotter/graffiti", "Graffiti")
    langning = Category.objects.get(collaboration=collab, code="langning")
    assert (langning.parent.code, langning.name_en) == ("narkotika", "Supplying alcohol to minors")


def test_a_collaboration_created_through_the_orm_gets_the_est_categories():
    from trygg.accounts.models import Collaboration

    collab = Collaboration.objects.create(name="Nyby", slug="nyby")
    assert_has_the_est_taxonomy(collab)


def test_a_collaboration_created_in_the_admin_gets_the_est_categories(client_for):
    from trygg.accounts.models import Collaboration, User

    root = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
    response = client_for(root).post("/admin/accounts/collaboration/add/", {
        "name": "Adminby", "slug": "adminby", "municipality_code": "0114", "settings": "{}",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_has_the_est_taxonomy(Collaboration.objects.get(slug="adminby"))


def test_seeding_again_creates_nothing_and_keeps_edits(collab_a):
    klotter = Category.objects.get(collaboration=collab_a, code="klotter")
    klotter.name_en = "Tags"
    klotter.save()
    before = Category.objects.filter(collaboration=collab_a).count()
    assert seed_categories(collab_a) == 0
    assert Category.objects.filter(collaboration=collab_a).count() == before
    assert Category.objects.get(pk=klotter.pk).name_en == "Tags"


def test_other_apps_hear_about_the_seeded_categories_after_they_exist():
    from trygg.accounts.models import Collaboration
    from trygg.events.signals import categories_seeded

    heard = []

    def listener(sender, collaboration, created, **kwargs):
        heard.append((collaboration.slug, created, Category.objects.filter(collaboration=collaboration).count()))

    categories_seeded.connect(listener)
    try:
        Collaboration.objects.create(name="Hörby", slug="horby")
    finally:
        categories_seeded.disconnect(listener)
    total = sum(1 + len(children) for *_rest, children in EST_CATEGORIES) + 1  # + "Övrigt (polis)"
    assert heard == [("horby", total, total)]


def test_saving_an_existing_collaboration_seeds_nothing_again(collab_a):
    Category.objects.filter(collaboration=collab_a, code="arrangemang").delete()
    collab_a.name = "Testby 2"
    collab_a.save()
    assert not Category.objects.filter(collaboration=collab_a, code="arrangemang").exists()
