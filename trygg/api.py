"""API v1: django-ninja under /api/v1/, one error shape for every error response.

Every error is ``{"error": {"code": ..., "message": ..., "fields": {...}}}``. Each domain app
owns its router (``trygg/<app>/api.py``); they are mounted here.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from trygg.core.api_auth import SessionAuth, TokenAuth
from trygg.core.api_errors import ApiError, error_response

api = NinjaAPI(
    title="Trygg API",
    version="1",
    description="Trygg's JSON API. Authenticate with `Authorization: Bearer <token>` (create a token "
    "under My account) or with a browser session (send the CSRF token). Every error has the shape "
    '`{"error": {"code", "message", "fields"}}`.',
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        fields[".".join(loc) or "request"] = err.get("msg", "")
    return error_response(request, 422, "validation_error", _("The request has invalid fields."), fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(request, 401, "not_authenticated", _("Log in or send a valid API token."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 429: "rate_limited"}
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _unexpected(request, exc):
    if settings.DEBUG:
        raise exc
    import logging

    logging.getLogger("trygg.api").exception("unhandled API error")
    return error_response(request, 500, "server_error", _("Something went wrong on the server."))


for app in ("areas", "events", "accounts", "imports", "analysis_db", "situation", "interventions", "walks",
            "promises"):
    if f"trygg.{app}" in settings.INSTALLED_APPS or app in ("areas", "events", "accounts"):
        try:
            module = importlib.import_module(f"trygg.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"trygg.{app}.api":
                raise
            continue
        api.add_router(module.PREFIX, module.router)
