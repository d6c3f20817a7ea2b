"""Admin for area types, areas and named places (scoped to the admin's collaborations).

Areas are loaded with ``trygg areas import FILE.geojson --type TYPE`` (geometry is not edited
here); the admin changes their names, codes, parents and validity.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trygg.core.admin import CollaborationScopedAdmin, is_global

from .models import Area, AreaType, Place


class _CollaborationFilterMixin:
    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if is_global(request):
            filters += (("collaboration", admin.RelatedOnlyFieldListFilter),)
        return filters


@admin.register(AreaType)
class AreaTypeAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "level", "collaboration")
    list_filter = ("level",)
    search_fields = ("name", "code")


@admin.register(Area)
class AreaAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "type", "parent", "valid_from", "valid_to", "collaboration")
    list_filter = (("type", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "code")
    list_select_related = ("type", "parent", "collaboration")
    fields = ("collaboration", "type", "name", "code", "parent", "valid_from", "valid_to", "description",
              "external_codes", "extent", "uuid", "updated_at")
    readonly_fields = ("collaboration", "extent", "uuid", "updated_at")
    scoped_can_add = False  # areas come from a GeoJSON import, with their geometry

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("extent (WGS84)"))
    def extent(self, obj):
        return f"{obj.min_lon:.5f}, {obj.min_lat:.5f} – {obj.max_lon:.5f}, {obj.max_lat:.5f}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if field is not None and object_id and db_field.name in ("parent", "type"):
            area = Area.objects.filter(pk=object_id).only("collaboration_id").first()
            if area is not None:
                field.queryset = field.queryset.filter(collaboration_id=area.collaboration_id)
                if db_field.name == "parent":
                    field.queryset = field.queryset.exclude(pk=area.pk)
        return field


@admin.register(Place)
class PlaceAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "lat", "lon", "collaboration")
    search_fields = ("name",)
    fields = ("collaboration", "name", "aliases", "lat", "lon")
