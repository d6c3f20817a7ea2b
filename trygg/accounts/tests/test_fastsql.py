"""The plain-SQL hot path of API requests: token look-up, memberships, inserts.

Each must give exactly what the ORM gives (same instances, same stored rows), in fewer
statements and with less CPU."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trygg.accounts import audit, fastsql
from trygg.accounts.models import ApiToken, AuditLog, Membership, User


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_updates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].startswith("UPDATE") and ApiToken._meta.db_table in q["sql"]]


def test_a_token_used_twice_within_a_minute_is_stamped_once(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "script")
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    assert len(token_updates(ctx)) == 1
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_token_whose_stamp_is_over_a_minute_old_is_stamped_again(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "script")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(seconds=61))
    with CaptureQueriesContext(connection) as ctx:
        Client().get("/api/v1/me", **bearer(raw))
    assert len(token_updates(ctx)) == 1


def test_the_token_lookup_loads_the_token_and_its_user_in_one_query(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "script")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    with CaptureQueriesContext(connection) as ctx:
        found = ApiToken.authenticate(raw)
        user = found.user
    assert len(ctx.captured_queries) == 1
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert found == expected and user == expected.user
    for field in ApiToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected.user, field.attname), field.name
    assert not found._state.adding and found._state.db == "default"


def test_revoked_tokens_and_tokens_of_inactive_users_are_not_found(reporter_a):
    revoked, raw_revoked = ApiToken.issue(reporter_a, "old")
    revoked.revoke()
    assert ApiToken.authenticate(raw_revoked) is None
    _token, raw = ApiToken.issue(reporter_a, "new")
    User.objects.filter(pk=reporter_a.pk).update(is_active=False)
    assert ApiToken.authenticate(raw) is None
    assert ApiToken.authenticate("tg_unknown") is None and ApiToken.authenticate("nonsense") is None


def test_memberships_come_with_organisation_and_collaboration_as_the_orm_gives_them(
        reporter_a, org_a, org_b, partner_org_a):
    Membership.objects.create(user=reporter_a, organisation=org_b, role="analyst")
    Membership.objects.create(user=reporter_a, organisation=partner_org_a, role="reporter", is_active=False)
    user = User.objects.get(pk=reporter_a.pk)
    with CaptureQueriesContext(connection) as ctx:
        memberships = user.active_memberships
        names = [(m.organisation.name, m.organisation.collaboration.name, m.organisation.collaboration.settings)
                 for m in memberships]
    assert len(ctx.captured_queries) == 1
    expected = list(Membership.objects.filter(user=reporter_a, is_active=True)
                    .select_related("organisation", "organisation__collaboration")
                    .order_by("organisation__collaboration__name", "organisation__name"))
    assert memberships == expected
    assert names == [(m.organisation.name, m.organisation.collaboration.name, m.organisation.collaboration.settings)
                     for m in expected]
    for got, want in zip(memberships, expected):
        for model_obj, orm_obj in ((got, want), (got.organisation, want.organisation),
                                   (got.organisation.collaboration, want.organisation.collaboration)):
            for field in type(orm_obj)._meta.concrete_fields:
                assert getattr(model_obj, field.attname) == getattr(orm_obj, field.attname), field.name


def test_an_audit_entry_is_stored_as_the_orm_would_store_it(reporter_a, collab_a):
    entry = audit.record("export", None, actor=reporter_a, collaboration=collab_a, detail={"rows": 3, "ä": "ö"},
                         object_type="events.event", object_id="x", ip="127.0.0.1")
    assert entry.pk is not None and not entry._state.adding
    stored = AuditLog.objects.get(pk=entry.pk)
    assert (stored.actor, stored.actor_label, stored.collaboration, stored.action, stored.detail, stored.ip) == (
        reporter_a, "reporter_a", collab_a, "export", {"rows": 3, "ä": "ö"}, "127.0.0.1")
    assert abs(stored.at - entry.at) < dt.timedelta(microseconds=1)


def test_plain_inserts_store_the_values_the_orm_stores(reporter_a, org_a, collab_a):
    from trygg.events.models import Report

    if not fastsql.can_insert(connection):  # pragma: no cover - SQLite before 3.35
        return
    client_ids = [uuid.uuid4(), None]
    mine = [Report(collaboration=collab_a, organisation=org_a, created_by=reporter_a, client_id=c) for c in client_ids]
    fastsql.insert(mine, connection)
    assert all(r.pk for r in mine) and len({r.pk for r in mine}) == 2
    orm = Report.objects.create(collaboration=collab_a, organisation=org_a, created_by=reporter_a,
                                client_id=uuid.uuid4())
    for report in mine:
        stored = Report.objects.get(pk=report.pk)
        assert stored.uuid == report.uuid and stored.client_id == report.client_id
        assert stored.created_at == report.created_at and timezone.is_aware(stored.created_at)
    assert Report.objects.filter(client_id=client_ids[0]).get().pk == mine[0].pk
    assert list(Report.objects.filter(created_at__lte=orm.created_at).order_by("pk")) == [*mine, orm]
