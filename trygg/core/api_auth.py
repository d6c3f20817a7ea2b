"""API authentication: personal tokens (Bearer) and browser sessions (with CSRF)."""

from __future__ import annotations

from ninja.security import APIKeyCookie, HttpBearer

from trygg.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; ninja checks CSRF for unsafe methods."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
