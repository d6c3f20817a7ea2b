"""Admin for collaborations, organisations, people and memberships, API tokens and the audit log.

Collaboration admins are scoped by :class:`trygg.core.admin.CollaborationScopedAdmin`: they see
their own collaborations' objects only, never set passwords or superuser flags, and may change a
person only when every collaboration that person belongs to is one they administer.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.core.admin import (
    CollaborationScopedAdmin,
    ReadOnlyAdminMixin,
    ScopedInline,
    admin_collaboration_ids,
    is_global,
)

from . import audit
from .models import ApiToken, AuditLog, Collaboration, Membership, Organisation, User


@admin.register(Collaboration)
class CollaborationAdmin(CollaborationScopedAdmin, admin.ModelAdmin):
    collaboration_field = "pk"
    scoped_can_add = False
    scoped_can_delete = False
    list_display = ("name", "slug", "municipality_code", "restricted_shared_with_partners")
    search_fields = ("name", "slug", "municipality_code")
    readonly_fields = ("uuid", "created_at")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if is_global(request) else (*fields, "slug")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "boundary" and field is not None:
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            if object_id:  # the boundary is one of this collaboration's own areas
                field.queryset = field.queryset.filter(collaboration_id=object_id)
        return field


class MembershipInline(ScopedInline, admin.TabularInline):
    model = Membership
    collaboration_field = "organisation__collaboration"
    extra = 0
    fields = ("organisation", "role", "is_active")

    def get_min_num(self, request, obj=None, **kwargs):
        # A collaboration admin adds a person together with a membership, else they could not
        # see the person they just created.
        return 0 if is_global(request) or obj is not None else 1

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "collaboration", "contact_email")
    list_filter = ("kind", ("collaboration", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    readonly_fields = ("uuid", "created_at")


@admin.register(Membership)
class MembershipAdmin(CollaborationScopedAdmin, admin.ModelAdmin):
    collaboration_field = "organisation__collaboration"
    list_display = ("user", "organisation", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation")


class InviteUserForm(forms.ModelForm):
    """A collaboration admin adds a person without a password; they choose one from the invitation."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The invitation with a link to choose a password is sent here.")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class ScopedUserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")


def send_invitation(user, request) -> None:
    """Mail a link to choose a password (the password-reset link, valid once)."""
    context = {
        "email": user.email, "domain": request.get_host(), "site_name": "Trygg",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http", "base_url": settings.BASE_URL,
    }
    PasswordResetForm().send_mail(
        "accounts/invitation_subject.txt", "accounts/invitation_email.txt", context, None, user.email,
    )


@admin.register(User)
class UserAdmin(CollaborationScopedAdmin, DjangoUserAdmin):
    collaboration_field = "memberships__organisation__collaboration"
    scoped_can_delete = False  # collaboration admins end memberships; only superusers delete people
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "two_factor")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    actions = ["reset_two_factor", "invite"]
    scoped_fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    scoped_add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),)

    @admin.display(description=_("two-factor"), boolean=True)
    def two_factor(self, obj):
        return TOTPDevice.objects.filter(user=obj, confirmed=True).exists()

    # --- scope: change a person only if all their collaborations are administered by you -----
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or is_global(request):
            return True
        if obj.is_superuser:
            return False
        theirs = set(obj.memberships.filter(is_active=True).values_list("organisation__collaboration_id", flat=True))
        return theirs <= set(admin_collaboration_ids(request))

    def get_fieldsets(self, request, obj=None):
        if is_global(request):
            return super().get_fieldsets(request, obj)
        return self.scoped_add_fieldsets if obj is None else self.scoped_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if is_global(request):
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_form(self, request, obj=None, **kwargs):
        if not is_global(request):
            kwargs["form"] = InviteUserForm if obj is None else ScopedUserChangeForm
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        if not is_global(request):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ids = sorted(admin_collaboration_ids(request))
        audit.record("update" if change else "create", obj, object_type="accounts.user",
                     collaboration=ids[0] if ids else None,
                     detail={"fields": sorted(form.changed_data)} if change else None)
        if not change and not obj.has_usable_password() and obj.email:
            send_invitation(obj, request)
            messages.info(request, _("An invitation was sent to %(email)s.") % {"email": obj.email})

    # --- actions -----------------------------------------------------------------------------
    def _changeable(self, request, queryset):
        return [u for u in queryset if self.has_change_permission(request, u)]

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        users = self._changeable(request, queryset)
        for user in users:
            TOTPDevice.objects.filter(user=user).delete()
            audit.record("update", user, object_type="accounts.user", detail={"two_factor": "reset by admin"},
                         collaboration=next(iter(user.collaborations()), None))
        self.message_user(request, ngettext(
            "Two-factor authentication was reset for %(count)d person. They set it up again at their next login.",
            "Two-factor authentication was reset for %(count)d people. They set it up again at their next login.",
            len(users)) % {"count": len(users)}, messages.SUCCESS)

    @admin.action(description=_("Send an invitation / a link to choose a new password"))
    def invite(self, request, queryset):
        users = [u for u in self._changeable(request, queryset) if u.email and u.is_active]
        for user in users:
            send_invitation(user, request)
        self.message_user(request, ngettext("An e-mail was sent to %(count)d person.",
                                            "An e-mail was sent to %(count)d people.", len(users))
                          % {"count": len(users)}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    collaboration_field = "user__memberships__organisation__collaboration"
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "user__username", "hint")
    fields = ("uuid", "user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            token.revoke()
            audit.record(AuditLog.Action.TOKEN, token, object_type="accounts.apitoken",
                         detail={"event": "revoked by admin", "name": token.name, "hint": token.hint},
                         collaboration=next(iter(token.user.collaborations()), None))
            count += 1
        self.message_user(request, ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count)
                          % {"count": count}, messages.SUCCESS)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_label", "collaboration", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "object_label")
    date_hierarchy = "at"
    list_select_related = ("collaboration",)

    def get_list_filter(self, request):
        if is_global(request):
            return (*self.list_filter, ("collaboration", admin.RelatedOnlyFieldListFilter))
        return self.list_filter
