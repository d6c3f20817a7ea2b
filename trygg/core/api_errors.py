"""The API's one error shape: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.

Every error response of /api/v1/ (400, 401, 403, 404, 405, 409, 422, 429, 500) has this shape,
with the message in the caller's language (Accept-Language; Swedish by default). ``fields``
maps a field or query parameter (``events[1].occurred_to``, ``page``) to what is wrong with it.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field


class ApiError(Exception):
    """Raise anywhere in an API view for a response in the one error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, str(message), fields or {}


# status → (code, default message). Messages are looked up lazily so they follow the request's language.
def default_error(status: int) -> tuple[str, str]:
    table = {
        400: ("bad_request", lambda: _("The request could not be understood.")),
        401: ("not_authenticated", lambda: _("Log in or send a valid API token.")),
        403: ("forbidden", lambda: _("You may not do this.")),
        404: ("not_found", lambda: _("Not found.")),
        405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
        409: ("conflict", lambda: _("The request conflicts with the current state.")),
        422: ("validation_error", lambda: _("The request has invalid fields.")),
        429: ("rate_limited", lambda: _("Too many requests. Wait a moment and try again.")),
        500: ("server_error", lambda: _("Something went wrong on the server.")),
    }
    code, message = table.get(status, ("error", lambda: _("The request failed.")))
    return code, message()


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}}}


def error_response(request, status: int, code: str | None = None, message: str | None = None,
                   fields: dict | None = None) -> JsonResponse:
    default_code, default_message = default_error(status)
    response = JsonResponse(error_body(code or default_code, message or default_message, fields), status=status)
    response["Content-Language"] = _lang()
    return response


def _lang() -> str:
    from django.utils.translation import get_language

    return (get_language() or "sv")[:2]


# --- pydantic / ninja validation errors ----------------------------------------------------------
def field_key(loc) -> str:
    """("body", "payload", "events", 1, "occurred_to") → "events[1].occurred_to"."""
    parts = [p for p in loc if p not in ("body", "query", "path", "payload", "form", "header", "cookie")]
    key = ""
    for part in parts:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + str(part)
    return key or "request"


def pydantic_message(err: dict) -> str:
    """A translated message for one pydantic error (its ``type``), falling back to a generic one."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("uuid"):
        return _("Not a valid UUID.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Not a whole number.")
    if kind in ("float_parsing", "float_type", "finite_number"):
        return _("Not a number.")
    if kind.startswith("bool"):
        return _("Must be true or false.")
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return _("Not a valid date and time (ISO 8601, e.g. 2026-11-16T21:30:00+01:00).")
    if kind.startswith("date"):
        return _("Not a valid date (YYYY-MM-DD).")
    if kind in ("string_type",):
        return _("Must be text.")
    if kind == "string_too_long":
        return _("Too long: at most %(max)s characters.") % {"max": ctx.get("max_length", "?")}
    if kind in ("too_long",):
        return _("Too many items: at most %(max)s.") % {"max": ctx.get("max_length", "?")}
    if kind in ("too_short",):
        return _("Too few items: at least %(min)s.") % {"min": ctx.get("min_length", "?")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(min)s.") % {"min": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(max)s.") % {"max": ctx.get("le", ctx.get("lt", "?"))}
    if kind in ("list_type", "tuple_type"):
        return _("Must be a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Must be an object.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in ("literal_error", "enum"):
        return _("Not one of the allowed values: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind == "json_invalid":
        return _("Not valid JSON.")
    return _("Invalid value.")


def validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(field_key(err.get("loc", ())), pydantic_message(err))
    return fields


# --- OpenAPI -------------------------------------------------------------------------------------
class ErrorDetail(Schema):
    code: str = Field(description="Machine-readable error code, e.g. `not_found`, `validation_error`.")
    message: str = Field(description="Human-readable message in the caller's language (sv or en).")
    fields: dict[str, str] = Field(
        description="Per field or query parameter: what is wrong with it (e.g. `events[1].occurred_to`)."
    )


class ErrorOut(Schema):
    """Every error response has this shape."""

    error: ErrorDetail


def errors(*codes: int) -> dict:
    """Response declarations for OpenAPI: ``{401: ErrorOut, 404: ErrorOut, ...}``."""
    return {code: ErrorOut for code in codes}
