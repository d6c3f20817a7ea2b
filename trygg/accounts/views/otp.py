"""Two-factor authentication (TOTP): enrol an authenticator app, and the second step at login.

Hardening:
- a user who already has a confirmed authenticator cannot enrol another one until this session
  has passed the second step (otherwise a stolen password would be enough to add the thief's
  phone);
- wrong codes are throttled by django-otp (growing delay per device) and logged;
- a code is accepted only once (django-otp remembers the last time step used).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9]{6}", "autofocus": True}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the six digits the app shows."))
        return token


def safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _confirmed_devices(user) -> list[TOTPDevice]:
    return [d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)]


def _check(request, form, device: TOTPDevice) -> bool:
    """Verify the form's code on ``device``, honouring django-otp's throttle."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        form.add_error("token", _("Too many wrong codes. Wait a minute and try again."))
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    form.add_error("token", _("The code is wrong or too old. Try the newest code."))
    return False


@never_cache
@login_required
def otp_verify(request):
    devices = _confirmed_devices(request.user)
    if not devices:
        return redirect("accounts:otp_setup")
    if request.user.is_verified():
        return redirect(safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = [d for d in devices if d.verify_is_allowed()[0]]
        for device in allowed:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(safe_next(request))
        if allowed:
            form.add_error("token", _("The code is wrong or too old. Try the newest code."))
        else:
            form.add_error("token", _("Too many wrong codes. Wait a minute and try again."))
        audit.record("login_failed", request.user, actor=request.user, object_type="accounts.user",
                     detail={"step": "two_factor"})
    return render(request, "accounts/otp_verify.html", {"form": form, "next": safe_next(request, "")})


@never_cache
@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator: show the secret as a QR code, confirm with a first code.

    With a confirmed authenticator already, this replaces it — only from a verified session.
    """
    import segno

    user = request.user
    existing = _confirmed_devices(user)
    if existing and not user.is_verified():
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(request, form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        otp_login(request, device)
        audit.record("update", user, actor=user, object_type="accounts.user",
                     detail={"two_factor": "authenticator enrolled"})
        messages.success(request, _("Two-factor authentication is on."))
        return redirect(safe_next(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/otp_setup.html",
                  {"form": form, "qr": qr, "secret": secret, "replacing": bool(existing),
                   "next": safe_next(request, "")})
