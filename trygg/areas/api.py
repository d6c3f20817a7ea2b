"""API: the collaboration's areas as GeoJSON (WGS84, coordinates in lon, lat order)."""

from __future__ import annotations

import uuid as uuid_mod

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from trygg.core.api_errors import ApiError, errors
from trygg.core.decorators import get_collaboration_for_user

from .models import Area, AreaType

PREFIX = "/areas"
router = Router(tags=["Areas"])

GEOJSON = "application/geo+json"


class AreaProperties(Schema):
    uuid: str = Field(description="The area's id.")
    name: str
    code: str = Field(description="The area's code within its type (e.g. a municipality code).")
    type: str = Field(description="The area type's code (kommun, stadsdel, …).")
    parent: str | None = Field(description="The parent area's id, or null.")


class AreaFeature(Schema):
    type: str = Field("Feature", description="Always `Feature`.")
    id: str = Field(description="The area's id (same as properties.uuid).")
    geometry: dict = Field(description="GeoJSON MultiPolygon in WGS84; positions are [lon, lat].")
    properties: AreaProperties


class AreaCollection(Schema):
    type: str = Field("FeatureCollection", description="Always `FeatureCollection`.")
    features: list[AreaFeature]


class AreaQuery(Schema):
    collaboration: uuid_mod.UUID | None = Field(
        None, description="Collaboration id (default: the caller's first collaboration)."
    )
    type: str | None = Field(None, description="Only areas of this area type (its code, e.g. `stadsdel`).")


def _feature(area: Area) -> dict:
    return {
        "type": "Feature",
        "id": str(area.uuid),
        "geometry": area.geometry,
        "properties": {
            "uuid": str(area.uuid), "name": area.name, "code": area.code, "type": area.type.code,
            "parent": str(area.parent.uuid) if area.parent_id else None,
        },
    }


def _queryset():
    return Area.objects.select_related("type", "parent").only(
        "uuid", "name", "code", "geometry", "parent_id", "type__code", "parent__uuid", "collaboration_id",
        "type__level",
    )


@router.get("", response={200: AreaCollection, **errors(401, 404, 422, 429)}, summary="List areas (GeoJSON)")
def list_areas(request, params: Query[AreaQuery]):
    """The collaboration's areas as a GeoJSON FeatureCollection (`application/geo+json`),
    ordered by level (county, municipality, district, …) and name."""
    collaboration = get_collaboration_for_user(request.user, params.collaboration)
    qs = _queryset().filter(collaboration=collaboration)
    if params.type:
        if not AreaType.objects.filter(collaboration=collaboration, code=params.type).exists():
            raise ApiError(422, "validation_error", _("The request has invalid fields."),
                           {"type": _("No area type has the code %(code)s.") % {"code": params.type}})
        qs = qs.filter(type__code=params.type)
    body = {"type": "FeatureCollection", "features": [_feature(a) for a in qs]}
    return JsonResponse(body, content_type=GEOJSON)


@router.get("/{uuid}", response={200: AreaFeature, **errors(401, 404, 422, 429)}, summary="One area (GeoJSON)")
def get_area(request, uuid: uuid_mod.UUID):
    """One area as a GeoJSON Feature. 404 unless it belongs to one of the caller's collaborations."""
    area = _queryset().filter(uuid=uuid).first()
    if area is None or area.collaboration_id not in {c.pk for c in request.user.collaborations()}:
        raise Http404
    return JsonResponse(_feature(area), content_type=GEOJSON)
