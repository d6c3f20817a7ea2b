"""Categories (a two-level taxonomy), reports, events, their areas and their history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trygg.core.ids import uuid7


class Category(models.Model):
    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("main category"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60)
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    colour = models.CharField(_("colour"), max_length=7, default="#666666")
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Retired categories keep their events but take no new ones.")
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "code"], name="category_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv

    @property
    def main(self) -> "Category":
        return self.parent if self.parent_id else self


class Source(models.TextChoices):
    MANUAL = "manual", _("Reported in Trygg")
    POLISEN = "polisen", _("Police events feed")
    TABLE = "table", _("Spreadsheet import")
    DEMO = "demo", _("Demo data")


class Precision(models.TextChoices):
    POINT = "point", _("Exact point")
    PLACE = "place", _("Named place")
    MUNICIPALITY = "kommun", _("Municipality")
    COUNTY = "lan", _("County")


class Visibility(models.TextChoices):
    PARTNERS = "partners", _("All partners")
    RESTRICTED = "restricted", _("Coordinators and police only")


class Report(models.Model):
    """One submission by one user on behalf of one organisation; holds one or more events."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="reports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A phone that loses its connection sends the same report again later: the client's id makes
    # the second delivery a no-op (exactly once).
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.created_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    # Time-ordered: new events append to the uuid index instead of landing on random pages.
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    # Indexes are chosen for a table of millions of rows that imports write in bulk: every query
    # is scoped to one collaboration, so the composite indexes below serve the collaboration and
    # its time filters; foreign keys that are empty for most events (report, subcategory, place,
    # creator) are indexed only where set.
    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="events"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="events"
    )
    subcategory = models.ForeignKey(
        Category, verbose_name=_("subcategory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    occurred_from = models.DateTimeField(_("occurred from"))
    occurred_to = models.DateTimeField(_("occurred to"), null=True, blank=True)
    # ISO week of occurred_from in Europe/Stockholm time, as yyyyww (e.g. 202647): counted often.
    iso_week = models.IntegerField(default=0)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    x = models.FloatField(help_text="SWEREF 99 TM easting (m)")
    y = models.FloatField(help_text="SWEREF 99 TM northing (m)")
    precision = models.CharField(
        _("location precision"), max_length=8, choices=Precision.choices, default=Precision.POINT
    )
    place = models.ForeignKey(
        "areas.Place", verbose_name=_("named place"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="events", db_index=False,
    )
    outside = models.BooleanField(
        _("outside every area"), default=False, help_text=_("The point lies in none of the collaboration's areas.")
    )
    areas = models.ManyToManyField("areas.Area", through="EventArea", related_name="events", blank=True)
    description = models.TextField(_("description"), blank=True)
    people_count = models.PositiveIntegerField(_("number of people involved"), null=True, blank=True)
    assessment = models.PositiveSmallIntegerField(
        _("assessment"), null=True, blank=True,
        choices=[(1, _("1 – minor")), (2, _("2 – noticeable")), (3, _("3 – serious"))],
    )
    police_notified = models.BooleanField(_("police notified"), default=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    source_data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="event_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["collaboration", "occurred_from"]),
            models.Index(fields=["collaboration", "iso_week", "category"]),
            models.Index(fields=["report"], condition=models.Q(report__isnull=False), name="event_report_set"),
            models.Index(fields=["subcategory"], condition=models.Q(subcategory__isnull=False),
                         name="event_subcategory_set"),
            models.Index(fields=["place"], condition=models.Q(place__isnull=False), name="event_place_set"),
            models.Index(fields=["created_by"], condition=models.Q(created_by__isnull=False),
                         name="event_created_by_set"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.occurred_from:%Y-%m-%d %H:%M}"

    @property
    def is_restricted(self) -> bool:
        return self.visibility == Visibility.RESTRICTED


class EventArea(models.Model):
    """An event lies in an area (one per area type). Denormalised for fast weekly counts."""

    # Both foreign keys lead an index below (the unique pair, the counting index).
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_areas", db_index=False)
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="event_areas", db_index=False)
    category_id_copy = models.BigIntegerField(default=0)
    iso_week = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "area"], name="eventarea_unique")]
        indexes = [models.Index(fields=["area", "iso_week", "category_id_copy"])]


class EventHistory(models.Model):
    """One change to an event. Kept when the event is deleted: the deletion itself is the last
    entry (kind DELETE, with a snapshot of the event), and ``event_uuid``/``collaboration`` keep
    the entries findable and scoped after ``event`` has become empty."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="history")
    event_uuid = models.UUIDField(_("event id"), db_index=True)
    collaboration = models.ForeignKey(
        "accounts.Collaboration", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHANGE)
    at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict, help_text="field → [old, new]")
    snapshot = models.JSONField(default=dict, blank=True, help_text="The event as it was when deleted.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["event_uuid", "version"]
        verbose_name = _("event change")
        verbose_name_plural = _("event history")
        indexes = [models.Index(fields=["collaboration", "at"])]

    def __str__(self) -> str:
        return f"{self.event_uuid} v{self.version} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.event_id is not None and (self.event_uuid is None or self.collaboration_id is None):
            self.event_uuid = self.event_uuid or self.event.uuid
            self.collaboration_id = self.collaboration_id or self.event.collaboration_id
        super().save(*args, **kwargs)
