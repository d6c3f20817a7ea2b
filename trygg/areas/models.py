"""Area types and areas (GeoJSON MultiPolygons in WGS84), and the gazetteer of named places."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaType(models.Model):
    class Level(models.IntegerChoices):
        COUNTY = 10, _("County")
        MUNICIPALITY = 20, _("Municipality")
        DISTRICT = 30, _("District")
        NEIGHBOURHOOD = 40, _("Neighbourhood")
        SITE = 50, _("Site")

    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="area_types"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    level = models.IntegerField(_("level"), choices=Level.choices, default=Level.DISTRICT)

    class Meta:
        verbose_name = _("area type")
        verbose_name_plural = _("area types")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "code"], name="areatype_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="areas"
    )
    type = models.ForeignKey(AreaType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="children",
    )
    geometry = models.JSONField(_("geometry"), help_text=_("GeoJSON MultiPolygon, WGS84"))
    # Bounding box, for quick filters and map extents (WGS84 degrees).
    min_lon = models.FloatField(default=0)
    min_lat = models.FloatField(default=0)
    max_lon = models.FloatField(default=0)
    max_lat = models.FloatField(default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    external_codes = models.JSONField(_("external codes"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["type__level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "type", "code"], name="area_unique_code_per_type")
        ]

    def __str__(self) -> str:
        return self.name

    def set_geometry(self, geometry: dict) -> None:
        """Store a (Multi)Polygon GeoJSON geometry, normalised to MultiPolygon, with its bbox."""
        from .geometry import normalise_geometry

        geom, bounds = normalise_geometry(geometry)
        self.geometry = geom
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = bounds


class Place(models.Model):
    """A named place in the gazetteer (a square, a school, a stop) that reporters can pick."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="places"
    )
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=100, blank=True,
                            help_text=_("What sort of place it is, e.g. school, square, stop."))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("named place")
        verbose_name_plural = _("named places")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "name"], name="place_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
