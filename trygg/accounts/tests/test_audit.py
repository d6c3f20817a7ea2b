"""The audit log: tracked models logged on create/update/delete with the acting user, reads of
restricted events by other organisations, and the admins' page with filters, paging and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from trygg.accounts import audit
from trygg.accounts.models import AuditLog, Organisation

URL = "/konto/granskningslogg/"
EXPORT = "/konto/granskningslogg/export.csv"


def test_tracked_models_are_logged_on_create_update_delete(collab_a):
    org = Organisation.objects.create(collaboration=collab_a, name="Skolan", kind="skola")
    org.name = "Skolan i Testby"
    org.save()
    org_uuid = str(org.uuid)
    org.delete()
    entries = AuditLog.objects.filter(object_type="accounts.organisation", object_id=org_uuid).order_by("at", "pk")
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.collaboration_id == collab_a.pk for e in entries)
    assert entries[1].object_label == "Skolan i Testby"
    assert entries[0].actor_label == "system"


def test_collaboration_changes_belong_to_the_collaboration_itself(collab_a):
    collab_a.name = "Testby kommun"
    collab_a.save()
    entry = AuditLog.objects.filter(object_type="accounts.collaboration", action="update").latest("pk")
    assert entry.collaboration_id == collab_a.pk


def test_changes_in_the_admin_name_the_acting_user(admin_a, org_a, client_for):
    client = client_for(admin_a)
    response = client.post(f"/admin/accounts/organisation/{org_a.pk}/change/",
                           {"collaboration": org_a.collaboration_id, "name": "Testby stad", "kind": "kommun",
                            "contact_email": ""})
    assert response.status_code == 302
    entry = AuditLog.objects.filter(object_type="accounts.organisation", action="update").latest("pk")
    assert entry.actor == admin_a and entry.actor_label == "admin_a"
    assert entry.ip == "127.0.0.1"


def test_changes_through_the_api_with_a_token_name_the_token_owner(admin_a, collab_a):
    """A token sets request.user inside the view; the audit context must see that user."""
    from django.test import RequestFactory

    from trygg.accounts.middleware import AuditContextMiddleware

    def view(request):
        request.user = admin_a  # what TokenAuth does
        Organisation.objects.create(collaboration=collab_a, name="Via API", kind="annan")
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().post("/api/v1/x")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    AuditContextMiddleware(view)(request)
    assert AuditLog.objects.get(object_label="Via API").actor == admin_a


def test_reads_of_restricted_events_by_other_organisations_are_logged(coordinator_a, police_a, org_a,
                                                                      police_org_a, collab_a, make_event):
    police_event = make_event(collab_a, police_org_a, user=police_a, visibility="restricted")
    own_event = make_event(collab_a, org_a, user=coordinator_a, visibility="restricted")
    written = audit.record_reads(coordinator_a, [police_event, own_event], collaboration=collab_a, reason="list")
    assert written == 1
    entry = AuditLog.objects.get(action="read")
    assert entry.object_id == str(police_event.uuid) and entry.actor == coordinator_a
    assert entry.detail == {"reason": "list"} and entry.collaboration_id == collab_a.pk


# --- the page -------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["reporter_a", "coordinator_a", "police_a", "partner_a", "outsider_b"])
def test_only_admins_get_the_page(request, client_for, persona, collab_a):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}?samverkan={collab_a.uuid}").status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AuditLog.objects.filter(action="export").exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_admin_sees_the_collaborations_log_in_swedish(admin_a, client_for, collab_a):
    Organisation.objects.create(collaboration=collab_a, name="Skolan", kind="skola")
    response = client_for(admin_a).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Granskningslogg för Testby" in body
    assert "Skolan" in body and "Skapad" in body


def test_admin_of_another_collaboration_sees_nothing_of_a(admin_b, client_for, collab_a, collab_b):
    Organisation.objects.create(collaboration=collab_a, name="Hemlig skola A", kind="skola")
    Organisation.objects.create(collaboration=collab_b, name="Skola B", kind="skola")
    client = client_for(admin_b)
    for url in (URL, f"{URL}?samverkan={collab_a.uuid}"):
        body = client.get(url).content.decode()
        assert "Hemlig skola A" not in body and "Skola B" in body
    csv_body = client.get(f"{EXPORT}?samverkan={collab_a.uuid}").content.decode("utf-8-sig")
    assert "Hemlig skola A" not in csv_body and "Skola B" in csv_body


def test_members_logins_are_shown_but_not_outsiders(admin_a, reporter_a, outsider_b, client_for):
    audit.record("login", reporter_a, actor=reporter_a, object_type="accounts.user")
    audit.record("login", outsider_b, actor=outsider_b, object_type="accounts.user")
    audit.record("login_failed", None, object_type="accounts.user", object_id="reporter_a")
    audit.record("login_failed", None, object_type="accounts.user", object_id="outsider_b")
    body = client_for(admin_a).get(f"{URL}?object_type=accounts.user").content.decode()
    assert "reporter_a" in body and "outsider_b" not in body
    # reporter_a's login and failed login, and admin_a's own login when the test client logged in
    assert body.count('data-testid="audit-row"') == 3


def _entry(collab, action="update", actor=None, at=None, object_type="accounts.organisation", label="x"):
    return AuditLog.objects.create(collaboration=collab, action=action, actor=actor,
                                   actor_label=actor.username if actor else "system", object_type=object_type,
                                   object_id="1", object_label=label, at=at or timezone.now())


def _rows(response) -> int:
    return response.content.decode().count('data-testid="audit-row"')


def test_filters_by_action_actor_type_and_period(admin_a, reporter_a, client_for, collab_a):
    AuditLog.objects.all().delete()
    tz = timezone.get_current_timezone()
    _entry(collab_a, "create", reporter_a, dt.datetime(2026, 3, 1, 10, tzinfo=tz), label="march")
    _entry(collab_a, "delete", admin_a, dt.datetime(2026, 3, 15, 23, 30, tzinfo=tz), label="mid-march-late")
    _entry(collab_a, "update", admin_a, dt.datetime(2026, 4, 2, 0, 30, tzinfo=tz), "areas.area", label="april")
    client = client_for(admin_a)
    AuditLog.objects.filter(action="login").delete()
    assert _rows(client.get(f"{URL}?action=delete")) == 1
    assert _rows(client.get(f"{URL}?actor={reporter_a.pk}")) == 1
    assert _rows(client.get(f"{URL}?object_type=areas.area")) == 1
    # Whole local days: 15 March 23:30 Swedish time is on the 15th (22:30 UTC).
    response = client.get(f"{URL}?date_from=2026-03-15&date_to=2026-03-15")
    assert _rows(response) == 1 and "mid-march-late" in response.content.decode()
    assert _rows(client.get(f"{URL}?date_from=2026-04-02")) == 1
    assert _rows(client.get(f"{URL}?date_to=2026-03-31")) == 2


def test_bad_filters_give_a_message_not_an_error(admin_a, client_for):
    response = client_for(admin_a).get(f"{URL}?date_from=2026-05-02&date_to=2026-05-01&action=bogus")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Slutdatumet ligger före startdatumet" in body
    assert _rows(response) == 0


def test_pages_of_fifty(admin_a, client_for, collab_a):
    AuditLog.objects.all().delete()
    AuditLog.objects.bulk_create([
        AuditLog(collaboration=collab_a, action="update", actor_label="system", object_type="areas.area",
                 object_id=str(i), object_label=f"row {i}", at=timezone.now() - dt.timedelta(minutes=i))
        for i in range(60)
    ])
    client = client_for(admin_a)
    first = client.get(f"{URL}?object_type=areas.area")
    assert _rows(first) == 50 and "Sida 1 av 2" in first.content.decode()
    second = client.get(f"{URL}?object_type=areas.area&page=2")
    assert _rows(second) == 10 and "row 59" in second.content.decode()
    assert "row 0<" in first.content.decode()  # newest first


def test_csv_export_has_the_filtered_rows_and_is_itself_audited(admin_a, client_for, collab_a):
    AuditLog.objects.all().delete()
    _entry(collab_a, "create", label="=HYPERLINK(\"http://evil\")")
    _entry(collab_a, "delete", label="gone")
    response = client_for(admin_a).get(f"{EXPORT}?action=create")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "granskningslogg-testby-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Tid", "Vem", "Händelse"]
    assert len(rows) == 2
    assert rows[1][2] == "Skapad"
    assert rows[1][5].startswith("'=")  # spreadsheet formulas are neutralised
    export = AuditLog.objects.get(action="export")
    assert export.actor == admin_a and export.collaboration_id == collab_a.pk
    assert export.detail == {"filters": {"action": "create"}, "rows": 1}


def test_export_entry_shows_up_in_the_log(admin_a, client_for):
    client = client_for(admin_a)
    client.get(EXPORT)
    assert "Exporterad" in client.get(f"{URL}?action=export").content.decode()
