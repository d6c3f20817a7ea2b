"""My account: memberships, two-factor status and personal API tokens (create, list, revoke)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user

from .. import audit
from ..models import ApiToken, AuditLog, Role

MAX_ACTIVE_TOKENS = 20


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “GIS export” or “Police feed script”."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean(self):
        active = ApiToken.objects.filter(user=self.user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(
                _("You have %(count)d active tokens. Revoke one you no longer use first.") % {"count": active}
            )
        return super().clean()


def _context(request, form=None):
    user = request.user
    admin_collaborations = [c for c in user.collaborations() if user.has_role(c, Role.ADMIN)]
    return {
        "memberships": user.active_memberships,
        "tokens": user.api_tokens.all(),
        "form": form or NewTokenForm(user=user),
        "two_factor_on": any(True for _d in devices_for_user(user, confirmed=True)),
        "two_factor_required": user.needs_two_factor(),
        "admin_collaborations": admin_collaborations,
    }


@login_required
def profile(request):
    return render(request, "accounts/profile.html", _context(request))


@never_cache
@login_required
@require_POST
def token_create(request):
    form = NewTokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _context(request, form), status=400)
    token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
    audit.record(AuditLog.Action.TOKEN, token, actor=request.user, object_type="accounts.apitoken",
                 detail={"event": "issued", "name": token.name, "hint": token.hint})
    # Rendered, not redirected: the raw token exists only in this response and is never stored.
    response = render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_uuid):
    token = get_object_or_404(ApiToken, uuid=token_uuid, user=request.user)
    if token.revoked_at is None:
        token.revoke()
        audit.record(AuditLog.Action.TOKEN, token, actor=request.user, object_type="accounts.apitoken",
                     detail={"event": "revoked", "name": token.name, "hint": token.hint})
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:profile")
