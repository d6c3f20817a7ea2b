"""Request middleware: audit context, and the two-factor requirement for coordinators and admins."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .audit import current_actor, current_ip

TWO_FACTOR_FREE_PREFIXES = (
    "/konto/",
    "/static/",
    "/i18n/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/healthz",
)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor_token = current_actor.set(getattr(request, "user", None))
        ip_token = current_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(actor_token)
            current_ip.reset(ip_token)


class RequireTwoFactorMiddleware:
    """Coordinators and admins must have verified a TOTP device in this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_FREE_PREFIXES)
            and not user.is_verified()
            and user.needs_two_factor()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "two_factor_required",
                               "message": _("Two-factor authentication is required for your role."),
                               "fields": {}}},
                    status=403,
                )
            from django_otp import devices_for_user

            has_device = any(True for _d in devices_for_user(user, confirmed=True))
            return redirect("accounts:otp_verify" if has_device else "accounts:otp_setup")
        return self.get_response(request)
