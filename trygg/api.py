"""API v1: django-ninja under /api/v1/, one error shape for every error response.

Every error is ``{"error": {"code": ..., "message": ..., "fields": {...}}}`` — ninja's own
validation errors, Http404, wrong methods (405) and unknown paths under /api/v1/ included.
Each domain app owns its router (``trygg/<app>/api.py`` exporting ``router`` and ``PREFIX``);
they are mounted here. The browsable docs (/api/v1/docs) use the Swagger UI files bundled with
django-ninja, served by this module: no CDN.
"""

from __future__ import annotations

import importlib
import logging
import mimetypes
from functools import wraps
from pathlib import Path

import ninja
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import URLPattern, path, re_path
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import DocsBase
from pydantic import Field

from trygg.core.api_auth import ApiRateThrottle, SessionAuth, TokenAuth
from trygg.core.api_errors import ApiError, error_response, errors, validation_fields

logger = logging.getLogger("trygg.api")

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"}

DESCRIPTION = """Trygg's JSON API (version 1). Full guide with examples: `docs/api.md`.

**Authentication**: `Authorization: Bearer tg_...` (a personal token from *My account*) or a
logged-in browser session (send the `X-CSRFToken` header on POST, PATCH and DELETE).

**Errors**: every error response is `{"error": {"code", "message", "fields"}}`; messages follow
`Accept-Language` (Swedish by default).

**Times**: stored in UTC, returned in ISO 8601 with the Europe/Stockholm offset
(`2026-11-16T21:30:00+01:00`). Times sent without an offset are read as Stockholm time.

**Scope**: everything is limited to the caller's collaborations; anything else is a 404.
"""


class LocalSwagger(DocsBase):
    """Swagger UI from django-ninja's bundled files, served under /api/v1/docs/assets/."""

    def render_page(self, request, api, **kwargs):
        base = request.path.rstrip("/") + "/assets/"
        html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{base}swagger-ui.css">
<link rel="icon" href="{base}favicon.svg" type="image/svg+xml">
</head>
<body data-csrf-token="{escape(get_token(request))}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">
{{"layout": "BaseLayout", "deepLinking": true, "url": "{escape(self.get_openapi_url(api, kwargs))}"}}
</script>
<div id="swagger-ui"></div>
<script src="{base}swagger-ui-bundle.js"></script>
<script src="{base}swagger-ui-init.js"></script>
</body>
</html>"""
        return HttpResponse(html, content_type="text/html; charset=utf-8")


def docs_asset(request, name: str):
    if name not in DOCS_ASSETS:
        return error_response(request, 404)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@csrf_exempt
def not_found(request, rest=""):
    """Any path under /api/v1/ that no endpoint matches."""
    return error_response(request, 404, "not_found", _("There is no such API endpoint."))


def api_root(request):
    """/api/v1/: where the documentation is."""
    base = request.build_absolute_uri(request.path).rstrip("/")
    return JsonResponse({"name": "Trygg API", "version": "1", "docs": f"{base}/docs",
                         "openapi": f"{base}/openapi.json"})


def _shape_405(view):
    """ninja answers a wrong method with a bare text 405: give it the error shape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            shaped = error_response(request, 405)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response

    wrapper.csrf_exempt = True
    return wrapper


class TryggAPI(NinjaAPI):
    def _get_urls(self):
        result = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                pattern = URLPattern(pattern.pattern, api_root, pattern.default_args, pattern.name)
            elif isinstance(pattern, URLPattern):
                pattern = URLPattern(pattern.pattern, _shape_405(pattern.callback), pattern.default_args, pattern.name)
            result.append(pattern)
        result.append(path("docs/assets/<str:name>", docs_asset, name="docs-asset"))
        result.append(re_path(r"^(?P<rest>.*)$", not_found, name="not-found"))
        return result


api = TryggAPI(
    title="Trygg API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), SessionAuth()],
    throttle=[ApiRateThrottle()],
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
)


# --- one error shape -----------------------------------------------------------------------------
@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    if any(err.get("type") == "json_invalid" for err in exc.errors):
        return error_response(request, 400, "bad_request", _("The request body is not valid JSON."))
    return error_response(request, 422, "validation_error", None, validation_fields(exc.errors))


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(request, 401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404)


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return error_response(request, 429)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(request, exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from trygg.events.filters import FilterError
    from trygg.events.services import PermissionDenied
    from trygg.events.validation import EventValidationError

    if isinstance(exc, (PermissionDenied, DjangoPermissionDenied)):
        return error_response(request, 403, "forbidden", str(exc) or None)
    if isinstance(exc, FilterError):
        return error_response(request, 422, "validation_error", None, exc.errors)
    if isinstance(exc, EventValidationError):
        if set(exc.errors) == {"version"}:
            return error_response(request, 409, "conflict", exc.errors["version"], exc.errors)
        return error_response(request, 422, "validation_error", None, exc.errors)
    if isinstance(exc, (ValueError,)) and type(exc).__name__ == "JSONDecodeError":
        return error_response(request, 400, "bad_request", _("The request body is not valid JSON."))
    if settings.DEBUG:
        raise exc
    logger.exception("unhandled API error")
    return error_response(request, 500)


# --- collaborations (the caller's) ---------------------------------------------------------------
class OrganisationOut(Schema):
    uuid: str = Field(description="The organisation's id.")
    name: str
    kind: str = Field(description="kommun, polis, bostadsbolag, …")
    role: str = Field(description="The caller's role in it: reporter, analyst, coordinator or admin.")


class CollaborationOut(Schema):
    uuid: str = Field(description="The collaboration's id; pass it as `collaboration=` to other endpoints.")
    name: str
    slug: str
    municipality_code: str
    role: str = Field(description="The caller's highest role in the collaboration.")
    can_see_restricted: bool = Field(description="Whether the caller sees restricted events.")
    organisations: list[OrganisationOut] = Field(description="The caller's organisations in it.")


@api.get("/collaborations", response={200: list[CollaborationOut], **errors(401, 429)}, tags=["Collaborations"],
         summary="The caller's collaborations")
def list_collaborations(request):
    """Every collaboration the caller is an active member of, with their organisations and roles.
    The first one is the default wherever `collaboration=` is optional."""
    user = request.user
    out = []
    for collab in user.collaborations():
        out.append({
            "uuid": str(collab.uuid), "name": collab.name, "slug": collab.slug,
            "municipality_code": collab.municipality_code, "role": user.best_role_in(collab),
            "can_see_restricted": user.can_see_restricted(collab),
            "organisations": [
                {"uuid": str(m.organisation.uuid), "name": m.organisation.name, "kind": m.organisation.kind,
                 "role": m.role}
                for m in user.memberships_in(collab)
            ],
        })
    return out


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
