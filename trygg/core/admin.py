"""Django admin scoped to collaborations.

Collaboration administrators (role *admin* in a collaboration) are not superusers: they get
``is_staff`` while they hold an admin membership (see ``trygg.accounts.signals.sync_staff``) and
then see and edit, in the Django admin, only the objects of their own collaborations. Their
permissions come from :class:`CollaborationScopedAdmin` itself (``has_*_permission``), not from
Django's model permissions, so there is nothing to grant and nothing to forget to revoke.
Superusers see everything, with Django's ordinary permission checks.

Every model admin of a Trygg app uses the mixin and names the path from the model to its
collaboration in ``collaboration_field`` (``"pk"`` for Collaboration itself).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

SCOPE_CACHE_ATTR = "_trygg_admin_collaboration_ids"


def admin_collaboration_ids(request) -> frozenset[int]:
    """Collaborations in which the request's user holds an active *admin* membership."""
    cached = getattr(request, SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    from trygg.accounts.models import Role

    user = request.user
    ids: frozenset[int] = frozenset()
    if user.is_authenticated and user.is_active and user.is_staff:
        ids = frozenset(m.organisation.collaboration_id for m in user.active_memberships if m.role == Role.ADMIN)
    setattr(request, SCOPE_CACHE_ATTR, ids)
    return ids


def is_global(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def scope_queryset(queryset, path: str, ids):
    """Objects of ``queryset`` whose collaboration (via ``path``) is in ``ids``."""
    if path in ("pk", "id"):
        return queryset.filter(pk__in=ids)
    filtered = queryset.filter(**{f"{path}__in": ids})
    if "__" in path and not path.startswith(("organisation__", "collaboration__")):
        # A path through a many-valued relation (a user's memberships) would repeat rows.
        filtered = queryset.filter(pk__in=filtered.values("pk"))
    return filtered


def scope_related(request, model, queryset):
    """Limit the choices of a foreign key (or many-to-many) to the admin's collaborations."""
    if is_global(request):
        return queryset
    from trygg.accounts.models import Collaboration, User

    ids = admin_collaboration_ids(request)
    if model is Collaboration:
        return queryset.filter(pk__in=ids)
    if issubclass(model, User):
        return scope_queryset(queryset, "memberships__organisation__collaboration", ids)
    field_names = {f.name for f in model._meta.get_fields()}
    if "collaboration" in field_names:
        return queryset.filter(collaboration_id__in=ids)
    if "organisation" in field_names:
        return queryset.filter(organisation__collaboration_id__in=ids)
    return queryset.none()  # an unscoped model: a collaboration admin picks nothing from it


class CollaborationScopedAdmin:
    """Mixin for ``admin.ModelAdmin``: collaboration admins see only their collaborations."""

    collaboration_field = "collaboration"
    # Collaboration admins may add new objects of this model (superusers always may).
    scoped_can_add = True
    scoped_can_delete = True

    # --- scope -----------------------------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_global(request):
            return qs
        return scope_queryset(qs, self.collaboration_field, admin_collaboration_ids(request))

    def in_scope(self, request, obj) -> bool:
        if obj is None or is_global(request):
            return True
        if obj.pk is None:
            return True
        base = self.model._default_manager.filter(pk=obj.pk)
        return scope_queryset(base, self.collaboration_field, admin_collaboration_ids(request)).exists()

    # --- permissions -----------------------------------------------------------------------
    def _scoped_user(self, request) -> bool:
        return bool(admin_collaboration_ids(request))

    def has_module_permission(self, request):
        if is_global(request):
            return super().has_module_permission(request)
        return self._scoped_user(request)

    def has_view_permission(self, request, obj=None):
        if is_global(request):
            return super().has_view_permission(request, obj)
        return self._scoped_user(request) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        if is_global(request):
            return super().has_change_permission(request, obj)
        return self._scoped_user(request) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        if is_global(request):
            return super().has_add_permission(request, *args)
        return self.scoped_can_add and self._scoped_user(request)

    def has_delete_permission(self, request, obj=None):
        if is_global(request):
            return super().has_delete_permission(request, obj)
        return self.scoped_can_delete and self._scoped_user(request) and self.in_scope(request, obj)

    # --- form fields -----------------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_related(request, db_field.related_model, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_related(request, db_field.related_model, field.queryset)
        return field

    # An object outside the scope does not exist: 404, not Django's redirect to the index.
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class ScopedInline:
    """Mixin for inlines under a scoped parent: rows and choices limited to the admin's scope."""

    collaboration_field = "collaboration"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_global(request):
            return qs
        return scope_queryset(qs, self.collaboration_field, admin_collaboration_ids(request))

    def _allowed(self, request, obj):
        return bool(admin_collaboration_ids(request))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) if is_global(request) else self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) if is_global(request) else self._allowed(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) if is_global(request) else self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) if is_global(request) else self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_related(request, db_field.related_model, field.queryset)
        return field


class ReadOnlyAdminMixin:
    """Nothing is added, changed or deleted here (records written by the system)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _login_via_trygg(request, extra_context=None):
    """The admin logs in through Trygg's own login (rate limit, lockout, two-factor)."""
    target = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": target}))


admin.site.login = _login_via_trygg
admin.site.site_header = "Trygg"
admin.site.site_title = "Trygg"
