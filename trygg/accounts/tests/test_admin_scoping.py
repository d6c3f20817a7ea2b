"""The Django admin for collaboration admins: staff status follows the admin membership, and
everything they see, pick and change is limited to their own collaborations."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from trygg.accounts.models import ApiToken, AuditLog, Membership, Organisation, User
from trygg.areas.models import Area
from trygg.events.models import Category, Event


def staff(user) -> bool:
    return User.objects.get(pk=user.pk).is_staff


# --- is_staff follows the admin membership ----------------------------------------------------

def test_admin_membership_gives_staff_and_losing_it_takes_it_away(admin_a, reporter_a):
    assert staff(admin_a) and not staff(reporter_a)
    membership = admin_a.memberships.get()
    membership.role = "coordinator"
    membership.save()
    assert not staff(admin_a)
    membership.role = "admin"
    membership.save()
    assert staff(admin_a)
    membership.is_active = False
    membership.save()
    assert not staff(admin_a)
    membership.is_active = True
    membership.save()
    membership.delete()
    assert not staff(admin_a)


def test_superuser_keeps_staff_without_memberships(superuser, org_a):
    m = Membership.objects.create(user=superuser, organisation=org_a, role="reporter")
    m.delete()
    assert staff(superuser)


# --- who may enter --------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["reporter_a", "coordinator_a", "police_a", "outsider_b"])
def test_non_admins_cannot_enter_the_admin(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/konto/logga-in/" in Client().get(response["Location"])["Location"] or \
        response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/organisation/").status_code == 302


def test_admin_login_page_sends_to_trygg_login(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=%2Fadmin%2F"


def test_admin_index_lists_the_trygg_apps_only(admin_a, client_for):
    body = client_for(admin_a).get("/admin/").content.decode()
    for path in ("/admin/accounts/organisation/", "/admin/areas/area/", "/admin/events/category/",
                 "/admin/accounts/auditlog/"):
        assert path in body
    for path in ("/admin/auth/group/", "/admin/otp_totp/", "/admin/axes/"):
        assert path not in body


# --- organisations ----------------------------------------------------------------------------

def test_admin_sees_own_organisations_not_others(admin_a, client_for, org_a, org_b, partner_org_a):
    client = client_for(admin_a)
    body = client.get("/admin/accounts/organisation/").content.decode()
    assert org_a.name in body and partner_org_a.name in body
    assert org_b.name not in body and "Annanstad" not in body


@pytest.mark.parametrize("suffix", ["change/", "delete/", "history/"])
def test_other_collaborations_objects_are_404(admin_a, client_for, org_b, suffix):
    client = client_for(admin_a)
    assert client.get(f"/admin/accounts/organisation/{org_b.pk}/{suffix}").status_code == 404
    # Collaboration admins may never delete collaborations: that one is refused before the lookup.
    expected = 403 if suffix == "delete/" else 404
    assert client.get(f"/admin/accounts/collaboration/{org_b.collaboration_id}/{suffix}").status_code == expected


def test_posting_to_another_collaborations_object_changes_nothing(admin_a, client_for, org_b):
    response = client_for(admin_a).post(f"/admin/accounts/organisation/{org_b.pk}/change/",
                                        {"collaboration": org_b.collaboration_id, "name": "Hacked", "kind": "annan"})
    assert response.status_code == 404
    org_b.refresh_from_db()
    assert org_b.name != "Hacked"


def test_new_organisation_can_only_go_into_own_collaboration(admin_a, client_for, collab_a, collab_b):
    client = client_for(admin_a)
    form = client.get("/admin/accounts/organisation/add/").content.decode()
    assert f'value="{collab_a.pk}"' in form and f'value="{collab_b.pk}"' not in form
    response = client.post("/admin/accounts/organisation/add/",
                           {"collaboration": collab_b.pk, "name": "Smuggled", "kind": "annan"})
    assert response.status_code == 200  # form error, nothing saved
    assert not Organisation.objects.filter(name="Smuggled").exists()
    response = client.post("/admin/accounts/organisation/add/",
                           {"collaboration": collab_a.pk, "name": "Bygdens BID", "kind": "bid"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Bygdens BID").collaboration == collab_a


def test_admin_cannot_add_or_delete_collaborations(admin_a, client_for, collab_a):
    client = client_for(admin_a)
    assert client.get("/admin/accounts/collaboration/add/").status_code == 403
    assert client.get(f"/admin/accounts/collaboration/{collab_a.pk}/delete/").status_code == 403
    assert client.get(f"/admin/accounts/collaboration/{collab_a.pk}/change/").status_code == 200


def test_superuser_sees_everything(superuser, client_for, org_a, org_b):
    body = client_for(superuser).get("/admin/accounts/organisation/").content.decode()
    assert org_a.name in body and org_b.name in body


# --- people -----------------------------------------------------------------------------------

def test_admin_sees_own_people_not_outsiders(admin_a, reporter_a, outsider_b, client_for):
    client = client_for(admin_a)
    body = client.get("/admin/accounts/user/").content.decode()
    assert "reporter_a" in body and "outsider_b" not in body
    assert client.get(f"/admin/accounts/user/{outsider_b.pk}/change/").status_code == 404


def test_admin_cannot_make_anyone_superuser_or_set_passwords(admin_a, reporter_a, client_for):
    client = client_for(admin_a)
    form = client.get(f"/admin/accounts/user/{reporter_a.pk}/change/").content.decode()
    assert "is_superuser" not in form and "user_permissions" not in form and 'name="password"' not in form
    assert client.get(f"/admin/accounts/user/{reporter_a.pk}/password/").status_code == 403
    membership = reporter_a.memberships.get()
    client.post(f"/admin/accounts/user/{reporter_a.pk}/change/", {
        "username": "reporter_a", "first_name": "Rut", "last_name": "", "email": "r@example.org",
        "is_active": "on", "is_superuser": "on", "is_staff": "on",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-id": membership.pk,
        "memberships-0-user": reporter_a.pk, "memberships-0-organisation": membership.organisation_id,
        "memberships-0-role": "reporter", "memberships-0-is_active": "on",
    })
    reporter_a.refresh_from_db()
    assert reporter_a.first_name == "Rut"
    assert not reporter_a.is_superuser and not reporter_a.is_staff


def test_person_in_two_collaborations_is_read_only_for_one_admin(admin_a, reporter_a, org_b, client_for):
    Membership.objects.create(user=reporter_a, organisation=org_b, role="reporter")
    client = client_for(admin_a)
    assert client.get(f"/admin/accounts/user/{reporter_a.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/accounts/user/{reporter_a.pk}/change/",
                           {"username": "reporter_a", "email": "takeover@evil.example", "is_active": "on"})
    assert response.status_code == 403
    reporter_a.refresh_from_db()
    assert reporter_a.email == "reporter_a@example.org"


def test_superuser_is_not_changeable_by_a_collaboration_admin(admin_a, superuser, org_a, client_for):
    Membership.objects.create(user=superuser, organisation=org_a, role="reporter")
    response = client_for(admin_a).post(f"/admin/accounts/user/{superuser.pk}/change/",
                                        {"username": "root", "email": "x@evil.example", "is_active": ""})
    assert response.status_code == 403
    assert User.objects.get(pk=superuser.pk).is_active


def test_membership_inline_offers_own_organisations_only(admin_a, reporter_a, client_for, org_a, org_b):
    form = client_for(admin_a).get(f"/admin/accounts/user/{reporter_a.pk}/change/").content.decode()
    assert org_a.name in form and org_b.name not in form


def test_admin_invites_a_new_person_with_a_membership(admin_a, client_for, org_a, org_b):
    client = client_for(admin_a)
    data = {
        "username": "new_person", "first_name": "Ny", "last_name": "Person", "email": "ny@example.org",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "1",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-organisation": org_b.pk,
        "memberships-0-role": "coordinator", "memberships-0-is_active": "on",
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200 and not User.objects.filter(username="new_person").exists()
    data["memberships-0-organisation"] = org_a.pk
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="new_person")
    assert not person.has_usable_password()
    assert person.memberships.get().organisation == org_a
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ny@example.org"]
    assert "/konto/losenord/aterstall/" in mail.outbox[0].body
    assert AuditLog.objects.filter(object_type="accounts.user", action="create", actor=admin_a).exists()


def test_adding_a_person_without_membership_is_refused(admin_a, client_for):
    response = client_for(admin_a).post("/admin/accounts/user/add/", {
        "username": "orphan", "email": "o@example.org",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "1",
        "memberships-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200
    assert not User.objects.filter(username="orphan").exists()


def test_admin_cannot_delete_people(admin_a, reporter_a, client_for):
    assert client_for(admin_a).get(f"/admin/accounts/user/{reporter_a.pk}/delete/").status_code == 403


# --- tokens and the audit log ---------------------------------------------------------------

def test_tokens_are_scoped_read_only_and_revocable(admin_a, reporter_a, outsider_b, client_for):
    token_a, _ = ApiToken.issue(reporter_a, "A-script")
    token_b, _ = ApiToken.issue(outsider_b, "B-script")
    client = client_for(admin_a)
    body = client.get("/admin/accounts/apitoken/").content.decode()
    assert "A-script" in body and "B-script" not in body
    assert client.get(f"/admin/accounts/apitoken/{token_b.pk}/change/").status_code == 404
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token_a.pk, token_b.pk]})
    token_a.refresh_from_db()
    token_b.refresh_from_db()
    assert token_a.revoked_at is not None and token_b.revoked_at is None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer x").status_code == 401


def test_audit_log_in_the_admin_is_scoped_and_read_only(admin_a, client_for, collab_a, collab_b):
    Organisation.objects.create(collaboration=collab_b, name="B-only org", kind="annan")
    Organisation.objects.create(collaboration=collab_a, name="A-only org", kind="annan")
    client = client_for(admin_a)
    body = client.get("/admin/accounts/auditlog/").content.decode()
    assert "A-only org" in body and "B-only org" not in body
    entry = AuditLog.objects.filter(collaboration=collab_a).first()
    assert client.post(f"/admin/accounts/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


# --- areas and categories ------------------------------------------------------------------

def test_areas_are_scoped_and_not_added_by_hand(admin_a, client_for, collab_a, collab_b):
    client = client_for(admin_a)
    body = client.get("/admin/areas/area/").content.decode()
    assert "Väster" in body and "Annanstad" not in body
    area_b = Area.objects.filter(collaboration=collab_b).first()
    assert client.get(f"/admin/areas/area/{area_b.pk}/change/").status_code == 404
    assert client.get("/admin/areas/area/add/").status_code == 403
    area_a = Area.objects.get(collaboration=collab_a, name="Väster")
    form = client.get(f"/admin/areas/area/{area_a.pk}/change/").content.decode()
    assert f'<option value="{area_b.pk}"' not in form


def test_place_admin_offers_own_collaboration_only(admin_a, client_for, collab_a, collab_b):
    form = client_for(admin_a).get("/admin/areas/place/add/").content.decode()
    assert f'value="{collab_a.pk}"' in form and f'value="{collab_b.pk}"' not in form


def test_retiring_a_category_keeps_it_and_its_children(admin_a, client_for, collab_a):
    main = Category.objects.filter(collaboration=collab_a, parent__isnull=True, children__isnull=False).first()
    children = list(main.children.all())
    client = client_for(admin_a)
    body = client.get("/admin/events/category/").content.decode()
    assert main.name_sv in body
    response = client.post("/admin/events/category/", {"action": "retire", "_selected_action": [main.pk]})
    assert response.status_code == 302
    main.refresh_from_db()
    assert not main.is_active
    assert all(not Category.objects.get(pk=c.pk).is_active for c in children)
    assert AuditLog.objects.filter(object_type="events.category", action="update", actor=admin_a).exists()
    assert client.get(f"/admin/events/category/{main.pk}/delete/").status_code == 403
    client.post("/admin/events/category/", {"action": "reactivate", "_selected_action": [main.pk]})
    main.refresh_from_db()
    assert main.is_active


def test_categories_of_b_are_invisible_to_admin_a(admin_a, client_for, collab_b):
    cat_b = Category.objects.filter(collaboration=collab_b).first()
    client = client_for(admin_a)
    assert client.get(f"/admin/events/category/{cat_b.pk}/change/").status_code == 404
    client.post("/admin/events/category/", {"action": "retire", "_selected_action": [cat_b.pk]})
    cat_b.refresh_from_db()
    assert cat_b.is_active


def test_category_parent_must_be_a_main_category_of_the_same_collaboration(admin_a, client_for, collab_a, collab_b):
    sub = Category.objects.filter(collaboration=collab_a, parent__isnull=False).first()
    client = client_for(admin_a)
    response = client.post("/admin/events/category/add/", {
        "collaboration": collab_a.pk, "parent": sub.pk, "code": "ny", "name_sv": "Ny", "name_en": "New",
        "colour": "#112233", "sort_order": 0, "is_active": "on"})
    assert response.status_code == 200
    assert not Category.objects.filter(code="ny").exists()


def test_events_are_listed_read_only_and_scoped(admin_a, client_for, collab_a, collab_b, org_a, org_b,
                                                reporter_a, make_event):
    event_a = make_event(collab_a, org_a, user=reporter_a)
    event_b = make_event(collab_b, org_b, lon=18.85)
    client = client_for(admin_a)
    assert client.get("/admin/events/event/").status_code == 200
    assert client.get(f"/admin/events/event/{event_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/events/event/{event_b.pk}/change/").status_code == 404
    assert client.get("/admin/events/event/add/").status_code == 403
    assert client.post(f"/admin/events/event/{event_a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event_a.pk).exists()


def test_opening_a_restricted_event_of_another_organisation_is_logged(admin_a, client_for, collab_a,
                                                                      police_org_a, police_a, make_event):
    event = make_event(collab_a, police_org_a, user=police_a, visibility="restricted")
    client_for(admin_a).get(f"/admin/events/event/{event.pk}/change/")
    assert AuditLog.objects.filter(action="read", actor=admin_a, object_id=str(event.uuid)).exists()


def test_admin_b_sees_nothing_of_a(admin_b, client_for, org_a, reporter_a):
    client = client_for(admin_b)
    assert org_a.name not in client.get("/admin/accounts/organisation/").content.decode()
    assert "reporter_a" not in client.get("/admin/accounts/user/").content.decode()
    assert "Väster" in client.get("/admin/areas/area/").content.decode()  # B's own (same names)
    assert client.get(f"/admin/accounts/organisation/{org_a.pk}/change/").status_code == 404
