"""The events list with filters, paging, a stable link, and the exports of exactly that list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from trygg.accounts import audit
from trygg.accounts.models import Organisation
from trygg.areas.views import current_areas
from trygg.core.decorators import with_collaboration

from . import exports
from .filters import EventFilter, FilterError
from .models import Category, Source, Visibility
from .services import visible_events

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def own_org_ids(user, collaboration) -> set[int]:
    return {o.pk for o in user.organisations_in(collaboration)}


def filtered_events(request, collaboration):
    """(filter, errors, queryset): the user's visible events narrowed by the GET parameters."""
    try:
        event_filter = EventFilter.from_params(request.GET)
        errors = {}
    except FilterError as exc:
        event_filter, errors = EventFilter(), exc.errors
    qs = visible_events(request.user, collaboration)
    qs = qs.none() if errors else event_filter.apply(qs)
    qs = (qs.select_related("category", "subcategory", "organisation", "place")
          .prefetch_related("areas").order_by("-occurred_from", "-pk"))
    return event_filter, errors, qs


def log_restricted_reads(user, collaboration, events, reason: str) -> int:
    restricted = [e for e in events if e.visibility == Visibility.RESTRICTED]
    return audit.record_reads(user, restricted, collaboration=collaboration, reason=reason) if restricted else 0


def filter_options(collaboration) -> dict:
    return {
        "area_options": current_areas(collaboration).order_by("type__level", "name"),
        "category_options": Category.objects.filter(collaboration=collaboration).select_related("parent")
        .order_by("sort_order", "code"),
        "organisation_options": Organisation.objects.filter(collaboration=collaboration).order_by("name"),
        "source_options": Source.choices,
    }


def filter_context(request, collaboration, event_filter, errors) -> dict:
    qs = event_filter.querystring()
    list_url = reverse("events:list") + (f"?{qs}" if qs else "")
    return {
        "collaboration": collaboration,
        "filter": event_filter,
        "filter_errors": errors,
        "querystring": qs,
        "list_url": list_url,
        "stable_link": request.build_absolute_uri(list_url),
        "map_url": reverse("events:map") + (f"?{qs}" if qs else ""),
        "export_urls": {fmt: reverse("events:export", args=[fmt]) + (f"?{qs}" if qs else "")
                        for fmt in ("csv", "xlsx", "geojson")},
        **filter_options(collaboration),
    }


@login_required
@with_collaboration
def event_list(request, collaboration):
    event_filter, errors, qs = filtered_events(request, collaboration)
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    mine = own_org_ids(request.user, collaboration)
    items = list(page.object_list)
    for event in items:
        event.shown_description = exports.shown_description(event, mine)
    log_restricted_reads(request.user, collaboration, items, "list")
    context = filter_context(request, collaboration, event_filter, errors)
    context.update({"page": page, "events": items, "total": paginator.count})
    return render(request, "events/event_list.html", context, status=400 if errors else 200)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@login_required
@with_collaboration
def export(request, collaboration, fmt):
    if fmt not in CONTENT_TYPES:
        raise Http404
    event_filter, errors, qs = filtered_events(request, collaboration)
    if errors:
        return JsonResponse({"error": {"code": "bad_filter", "message": "; ".join(errors.values()),
                                       "fields": errors}}, status=400)
    events = list(qs[:EXPORT_LIMIT])
    data = exports.rows(events, own_org_ids(request.user, collaboration))
    filter_text = event_filter.querystring()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"trygg-{collaboration.slug}-{stamp}.{fmt}"
    if fmt == "csv":
        body = exports.to_csv(data)
    elif fmt == "xlsx":
        body = exports.to_xlsx(data, filter_text=filter_text, title=collaboration.name)
    else:
        import json

        body = json.dumps(exports.to_geojson(events, set(), data), ensure_ascii=False).encode("utf-8")
    audit.record("export", None, actor=request.user, collaboration=collaboration, object_type="events.event",
                 object_id="", detail={"format": fmt, "filter": event_filter.to_params(), "rows": len(events)})
    log_restricted_reads(request.user, collaboration, events, "export")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "geojson" and request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Trygg-Rows"] = str(len(events))
    return response

