"""API authentication (personal Bearer tokens, browser sessions with CSRF) and the rate limit."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf

from trygg.accounts import audit
from trygg.accounts.models import ApiToken

from .api_errors import ApiError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tg_...``. A token that is sent but unknown or revoked is a 401
    at once: the request does not fall back to a browser session."""

    def authenticate(self, request, token):
        found = ApiToken.authenticate(token.strip())
        if found is None:
            raise ApiError(401, "invalid_token", _("The API token is unknown or revoked."))
        request.user = found.user
        request.api_token = found
        audit.current_actor.set(found.user)  # the middleware resets it after the request
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods (POST, PATCH, DELETE) need the CSRF token
    (``X-CSRFToken`` header), exactly as Django forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # not logged in: 401, never a CSRF complaint
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", _("CSRF check failed: send the X-CSRFToken header with the "
                                                 "value of the csrftoken cookie."))
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


class ApiRateThrottle(BaseThrottle):
    """At most ``settings.API_RATE_LIMIT_PER_MINUTE`` requests per clock minute per token (or per
    user for browser sessions). A fixed one-minute window counted with ``cache.incr``: constant
    work per request whatever the limit. Read at each request, so the limit can change without a
    restart. The counters live in the default cache: with several worker processes and a
    per-process cache (locmem) the limit applies per process."""

    timer = staticmethod(time.time)

    def get_ident_key(self, request) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            return f"t{token.pk}"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return f"a{self.get_ident(request)}"

    def allow_request(self, request) -> bool:
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        if not limit or limit <= 0:
            return True
        now = self.timer()
        window = int(now // 60)
        self._reset_in = 60 - (now % 60)
        key = f"trygg_api_rate:{self.get_ident_key(request)}:{window}"
        if cache.add(key, 1, timeout=61):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=61)
            return True
        return count <= limit

    def wait(self):
        return getattr(self, "_reset_in", None)
