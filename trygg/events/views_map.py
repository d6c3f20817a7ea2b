"""The map page: the collaboration's areas and the filtered events, coloured by category."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trygg.areas.views import areas_geojson, collaboration_bounds
from trygg.core.decorators import with_collaboration

from . import exports
from .views_list import filter_context, filtered_events, log_restricted_reads, own_org_ids

MAP_LIMIT = 5000


@login_required
@with_collaboration
def event_map(request, collaboration):
    event_filter, errors, qs = filtered_events(request, collaboration)
    total = qs.count()
    events = list(qs[:MAP_LIMIT])
    data = exports.rows(events, own_org_ids(request.user, collaboration))
    log_restricted_reads(request.user, collaboration, events, "map")
    counts = Counter(e.category_id for e in events)
    legend, seen = [], set()
    for event in events:
        if event.category_id not in seen:
            seen.add(event.category_id)
            legend.append({"name": event.category.name, "colour": event.category.colour,
                           "count": counts[event.category_id], "order": event.category.sort_order})
    legend.sort(key=lambda item: item["order"])
    context = filter_context(request, collaboration, event_filter, errors)
    context.update({
        "stable_link": request.build_absolute_uri(context["map_url"]),
        "events_geojson": exports.to_geojson(events, set(), data, colours=True),
        "areas_geojson": areas_geojson(collaboration),
        "map_bounds": collaboration_bounds(collaboration),
        "legend": legend,
        "shown": len(events),
        "total": total,
        "limit": MAP_LIMIT,
    })
    return render(request, "events/event_map.html", context, status=400 if errors else 200)
