"""The events list with filters, paging, a stable link, and the exports of exactly that list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from trygg.accounts import audit
from trygg.accounts.models import Organisation
from trygg.areas.views import current_areas
from trygg.core.decorators import with_collaboration

from . import exports
from .filters import EventFilter, FilterError
from .models import Category, Source, Visibility
from .services import visible_events

PAGE_SIZE = 50
# Rows of an Excel export (the workbook is built whole); CSV and GeoJSON stream everything.
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2000


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
    context.update({"page": page, "events": items, "total": paginator.count,
                    "export_limit": EXPORT_LIMIT if paginator.count > EXPORT_LIMIT else None})
    return render(request, "events/event_list.html", context, status=400 if errors else 200)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@login_required
@with_collaboration
def export(request, collaboration, fmt):
    """The filtered list as a file. CSV and GeoJSON stream every event in chunks (constant memory);
    an Excel workbook holds at most ``EXPORT_LIMIT`` rows (the newest), and says so."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    event_filter, errors, qs = filtered_events(request, collaboration)
    if errors:
        return JsonResponse({"error": {"code": "bad_filter", "message": "; ".join(errors.values()),
                                       "fields": errors}}, status=400)
    total = qs.count()
    own = own_org_ids(request.user, collaboration)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"trygg-{collaboration.slug}-{stamp}.{fmt}"
    rows = min(total, EXPORT_LIMIT) if fmt == "xlsx" else total
    audit.record("export", None, actor=request.user, collaboration=collaboration, object_type="events.event",
                 object_id="", detail={"format": fmt, "filter": event_filter.to_params(), "rows": rows})
    if fmt == "xlsx":
        events = list(qs[:EXPORT_LIMIT])
        log_restricted_reads(request.user, collaboration, events, "export")
        response = HttpResponse(exports.to_xlsx(exports.rows(events, own), filter_text=event_filter.querystring(),
                                                title=collaboration.name, total=total),
                                content_type=CONTENT_TYPES[fmt])
    else:
        chunks = _chunks(request.user, collaboration, qs, own, translation.get_language())
        if fmt == "csv":
            body = exports.csv_stream(data for _events, data in chunks)
        else:
            body = exports.geojson_stream(chunks)
        response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "geojson" and request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Trygg-Rows"] = str(rows)
    response["X-Trygg-Total"] = str(total)
    if rows < total:
        response["X-Trygg-Truncated"] = "true"
    return response


def _chunks(user, collaboration, qs, own: set[int], language: str):
    """(events, rows) per chunk of the queryset; restricted reads are logged as they are sent."""
    events = []
    with translation.override(language):  # the body is made after the view has returned
        for event in qs.iterator(chunk_size=EXPORT_CHUNK):
            events.append(event)
            if len(events) == EXPORT_CHUNK:
                log_restricted_reads(user, collaboration, events, "export")
                yield events, exports.rows(events, own)
                events = []
        log_restricted_reads(user, collaboration, events, "export")
        yield events, exports.rows(events, own)
