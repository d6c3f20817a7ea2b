"""Collaborations (samverkan), partner organisations, people, roles, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Collaboration(models.Model):
    """One municipality's EST collaboration: it owns areas, categories and partners."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    municipality_code = models.CharField(_("municipality code"), max_length=4, blank=True)
    boundary = models.ForeignKey(
        "areas.Area", verbose_name=_("boundary"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Events must lie inside this area (usually the municipality)."),
    )
    restricted_shared_with_partners = models.BooleanField(
        _("share restricted events with all partners"), default=False,
        help_text=_("Off: restricted events are seen by coordinators, admins, police and the reporter only."),
    )
    restricted_shared_with_organisation = models.BooleanField(
        _("share restricted events within the reporting organisation"), default=False,
        help_text=_("On: every member of the reporting organisation also sees its restricted events."),
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        KOMMUN = "kommun", _("Municipality")
        POLIS = "polis", _("Police")
        RADDNINGSTJANST = "raddningstjanst", _("Rescue service")
        BOSTADSBOLAG = "bostadsbolag", _("Housing company")
        FASTIGHETSAGARE = "fastighetsagare", _("Property owner")
        BEVAKNINGSFORETAG = "bevakningsforetag", _("Security company")
        BID = "bid", _("BID association")
        SKOLA = "skola", _("School")
        CIVILSAMHALLE = "civilsamhalle", _("Civil society")
        ANNAN = "annan", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, verbose_name=_("collaboration"), on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.ANNAN)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "name"], name="org_unique_name_per_collab")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == self.Kind.POLIS


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    ANALYST = "analyst", _("Analyst")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.REPORTER: 1, Role.ANALYST: 2, Role.COORDINATOR: 3, Role.ADMIN: 4}


class User(AbstractUser):
    """A person. What they may do comes from their memberships, never from flags on the user."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # --- permission helpers (cached per request object) --------------------------------
    @cached_property
    def active_memberships(self) -> list["Membership"]:
        """Active memberships with their organisation and collaboration, by collaboration and
        organisation name: one plain-SQL query (asked on nearly every request)."""
        from django.db import connection

        from .fastsql import Columns, real

        connection = real(connection)
        global _MEMBERSHIP_COLUMNS
        if _MEMBERSHIP_COLUMNS is None:
            _MEMBERSHIP_COLUMNS = (Columns(Membership, "m"), Columns(Organisation, "o"), Columns(Collaboration, "c"))
        m_cols, o_cols, c_cols = _MEMBERSHIP_COLUMNS
        qn = connection.ops.quote_name
        sql = (
            f"SELECT {m_cols.sql(connection)}, {o_cols.sql(connection)}, {c_cols.sql(connection)}"
            f" FROM {qn(Membership._meta.db_table)} m"
            f" JOIN {qn(Organisation._meta.db_table)} o ON o.id = m.organisation_id"
            f" JOIN {qn(Collaboration._meta.db_table)} c ON c.id = o.collaboration_id"
            f" WHERE m.user_id = %s AND m.is_active = %s ORDER BY c.name, o.name"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk, True])
            rows = cursor.fetchall()
        org_field = Membership._meta.get_field("organisation")
        collab_field = Organisation._meta.get_field("collaboration")
        out = []
        for row in rows:
            membership = m_cols.build(row, 0, connection)
            organisation = o_cols.build(row, m_cols.width, connection)
            collab_field.set_cached_value(organisation, c_cols.build(row, m_cols.width + o_cols.width, connection))
            org_field.set_cached_value(membership, organisation)
            out.append(membership)
        return out

    def memberships_in(self, collaboration) -> list["Membership"]:
        cid = collaboration.pk if hasattr(collaboration, "pk") else collaboration
        return [m for m in self.active_memberships if m.organisation.collaboration_id == cid]

    def collaborations(self) -> list[Collaboration]:
        seen: dict[int, Collaboration] = {}
        for m in self.active_memberships:
            seen.setdefault(m.organisation.collaboration_id, m.organisation.collaboration)
        return list(seen.values())

    def organisations_in(self, collaboration) -> list[Organisation]:
        return [m.organisation for m in self.memberships_in(collaboration)]

    def best_role_in(self, collaboration) -> str | None:
        roles = [m.role for m in self.memberships_in(collaboration)]
        return max(roles, key=lambda r: ROLE_RANK[r]) if roles else None

    def has_role(self, collaboration, minimum: str) -> bool:
        role = self.best_role_in(collaboration)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]

    def is_member_of(self, organisation) -> bool:
        oid = organisation.pk if hasattr(organisation, "pk") else organisation
        return any(m.organisation_id == oid for m in self.active_memberships)

    def role_in_organisation(self, organisation) -> str | None:
        oid = organisation.pk if hasattr(organisation, "pk") else organisation
        for m in self.active_memberships:
            if m.organisation_id == oid:
                return m.role
        return None

    def can_see_restricted(self, collaboration) -> bool:
        """Every restricted event: coordinators, admins and police (or every partner when the
        collaboration shares them). Others see only the restricted events they reported
        themselves (and their organisation's, when the collaboration shares them within it):
        see :func:`trygg.events.services.visible_events`."""
        members = self.memberships_in(collaboration)
        if not members:
            return False
        if collaboration.restricted_shared_with_partners:
            return True
        return any(
            m.organisation.is_police or ROLE_RANK[m.role] >= ROLE_RANK[Role.COORDINATOR] for m in members
        )

    def needs_two_factor(self) -> bool:
        return self.is_superuser or any(
            ROLE_RANK[m.role] >= ROLE_RANK[Role.COORDINATOR] for m in self.active_memberships
        )


class Membership(models.Model):
    Role = Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REPORTER)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


# Column lists for the plain-SQL lookups below, made on first use.
_MEMBERSHIP_COLUMNS = None
_TOKEN_COLUMNS = None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "tg_"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text=_("First characters, to recognise it"))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=hash_token(raw), hint=raw[:8])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        if not raw or not raw.startswith(cls.PREFIX):
            return None
        token = cls._active_by_hash(hash_token(raw))
        if token is None:
            return None
        now = timezone.now()
        # Touch at most once a minute: a busy client must not turn every read into a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @classmethod
    def _active_by_hash(cls, token_hash: str):
        """The unrevoked token of an active user with this hash, its user loaded: one plain-SQL query."""
        from django.contrib.auth import get_user_model
        from django.db import connection

        from .fastsql import Columns, real

        connection = real(connection)
        global _TOKEN_COLUMNS
        user_model = get_user_model()
        if _TOKEN_COLUMNS is None or _TOKEN_COLUMNS[1].model is not user_model:
            _TOKEN_COLUMNS = (Columns(cls, "t"), Columns(user_model, "u"))
        t_cols, u_cols = _TOKEN_COLUMNS
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {t_cols.sql(connection)}, {u_cols.sql(connection)} FROM {qn(cls._meta.db_table)} t"
                f" JOIN {qn(user_model._meta.db_table)} u ON u.id = t.user_id"
                f" WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s",
                [token_hash, True],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        token = t_cols.build(row, 0, connection)
        cls._meta.get_field("user").set_cached_value(token, u_cols.build(row, t_cols.width, connection))
        return token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditLog(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        READ = "read", _("Read")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        TOKEN = "token", _("Token issued or revoked")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    collaboration = models.ForeignKey(
        Collaboration, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
