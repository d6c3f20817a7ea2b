"""Area pages: the list of a collaboration's areas and their GeoJSON for the web maps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from trygg.core.decorators import with_collaboration

from .models import Area

# About 10 m at Swedish latitudes: plenty for a phone map, and it keeps the page small.
SIMPLIFY_DEGREES = 0.0001


def current_areas(collaboration):
    today = timezone.localdate()
    return (
        Area.objects.filter(collaboration=collaboration)
        .exclude(valid_to__lt=today)
        .exclude(valid_from__gt=today)
        .select_related("type", "parent")
    )


def areas_geojson(collaboration) -> dict:
    """The collaboration's current areas as a GeoJSON FeatureCollection (simplified for display)."""
    areas = current_areas(collaboration)
    stamp = areas.aggregate(m=Max("updated_at"))["m"]
    key = f"areas-geojson:{collaboration.pk}:{stamp.timestamp() if stamp else 0}:{areas.count()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    import shapely
    from shapely.geometry import mapping, shape

    features = []
    for area in areas:
        geom = shape(area.geometry)
        simple = shapely.simplify(geom, SIMPLIFY_DEGREES, preserve_topology=True)
        features.append({
            "type": "Feature",
            "geometry": mapping(simple if not simple.is_empty else geom),
            "properties": {
                "uuid": str(area.uuid), "name": area.name, "code": area.code,
                "type": area.type.name, "level": area.type.level,
                "is_boundary": area.pk == collaboration.boundary_id,
            },
        })
    data = {"type": "FeatureCollection", "features": features}
    cache.set(key, data, 3600)
    return data


def collaboration_bounds(collaboration) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the boundary (or of all areas), for centring a map."""
    boundary = collaboration.boundary
    if boundary is not None:
        return [[boundary.min_lat, boundary.min_lon], [boundary.max_lat, boundary.max_lon]]
    agg = current_areas(collaboration).aggregate(
        a=Max("max_lat"), b=Max("max_lon"),
    )
    if agg["a"] is None:
        return None
    from django.db.models import Min

    low = current_areas(collaboration).aggregate(a=Min("min_lat"), b=Min("min_lon"))
    return [[low["a"], low["b"]], [agg["a"], agg["b"]]]


@login_required
@with_collaboration
def area_list(request, collaboration):
    areas = Area.objects.filter(collaboration=collaboration).select_related("type", "parent")
    can_import = request.user.has_role(collaboration, "admin")  # the boundary import (views_import)
    return render(request, "areas/area_list.html", {"areas": areas, "collaboration": collaboration,
                                                    "can_import": can_import})


@login_required
@with_collaboration
def area_geojson(request, collaboration):
    response = JsonResponse(areas_geojson(collaboration))
    response["Cache-Control"] = "private, max-age=300"
    return response
