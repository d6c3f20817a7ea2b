"""Page-number pagination for API lists: ``?page=2&page_size=50`` → count, next, previous, results.

``next`` and ``previous`` are absolute links that keep every other query parameter, so a client
follows them until ``next`` is null. A page past the last is a 404 in the error shape naming
``page`` (page 1 of an empty list is an empty page).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from ninja import Field, Schema

from .api_errors import ApiError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})."
    )


@dataclass
class Page:
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    items: list


def _link(request, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(request, queryset, page: int, page_size: int, *, max_page_size: int = MAX_PAGE_SIZE,
             rows: bool = False) -> Page:
    """One COUNT and one LIMIT/OFFSET query. Raises a 404 ApiError for a page past the last.
    With ``rows`` the page's items are the sliced queryset itself (not yet evaluated), for callers
    that read it with ``.values()``."""
    if page_size > max_page_size:
        raise ApiError(422, "validation_error", _("The request has invalid fields."),
                       {"page_size": _("Must be at most %(max)s.") % {"max": max_page_size}})
    count = queryset.count()
    pages = max(1, math.ceil(count / page_size))
    if page > pages:
        raise ApiError(404, "not_found", _("There is no such page."),
                       {"page": _("The last page is %(pages)d.") % {"pages": pages}})
    start = (page - 1) * page_size
    sliced = queryset[start:start + page_size]
    items = (sliced if rows else list(sliced)) if count else ([] if not rows else queryset.none())
    return Page(
        count=count, page=page, pages=pages,
        next=_link(request, page + 1) if page < pages else None,
        previous=_link(request, page - 1) if page > 1 else None,
        items=items,
    )
