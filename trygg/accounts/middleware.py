"""Request middleware: audit context, and the two-factor requirement for coordinators and admins."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .audit import current_actor, current_ip, current_request

# Paths a signed-in user who still owes the second step may reach: logging in and out, the
# two-factor pages themselves, password reset, static files, language switch and health check.
# Everything else — including "My account" and its API tokens — needs a verified session, so a
# stolen password alone can neither read data nor mint a token that would bypass the second step.
TWO_FACTOR_FREE_PREFIXES = (
    "/konto/logga-in/",
    "/konto/logga-ut/",
    "/konto/tvastegs/",
    "/konto/losenord/",
    "/static/",
    "/i18n/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/healthz",
)


def client_ip(request) -> str | None:
    """The client's address; behind a trusted proxy, the address the proxy saw (last hop)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor_token = current_actor.set(getattr(request, "user", None))
        ip_token = current_ip.set(client_ip(request))
        request_token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(request_token)
            current_actor.reset(actor_token)
            current_ip.reset(ip_token)


def two_factor_pending(user) -> bool:
    """True when this signed-in user's role needs a second step they have not taken."""
    if not settings.REQUIRE_2FA or user is None or not user.is_authenticated:
        return False
    # OTPMiddleware adds is_verified(); a user object fresh from login() has not got it yet.
    is_verified = getattr(user, "is_verified", None)
    verified = bool(is_verified()) if callable(is_verified) else False
    return not verified and user.needs_two_factor()


class RequireTwoFactorMiddleware:
    """Coordinators, admins and superusers must have verified a TOTP device in this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None:
            # No session cookie: nobody is signed in (API token requests authenticate later, in
            # the view), so there is nothing to check and no reason to load the session user.
            return self.get_response(request)
        user = getattr(request, "user", None)
        if not request.path.startswith(TWO_FACTOR_FREE_PREFIXES) and two_factor_pending(user):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "two_factor_required",
                               "message": _("Two-factor authentication is required for your role."),
                               "fields": {}}},
                    status=403,
                )
            from django_otp import devices_for_user

            has_device = any(True for _d in devices_for_user(user, confirmed=True))
            target = reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            response = HttpResponse(status=302)
            response["Location"] = target
            return response
        return self.get_response(request)
