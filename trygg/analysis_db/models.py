"""Denormalised weekly counts and the per-collaboration data version.

``WeekCount`` holds, per collaboration × ISO week × area × main category × visibility ×
organisation, the number of events. ``area`` NULL is the whole collaboration (every event,
also those outside every area), so per-level sums can be checked against the total. Rows are
never updated one event at a time: the write path removes the "counted" mark of every (collaboration, week) it
touches (``CountedWeek``) and the next reader recounts exactly those weeks from the event tables.
"""

from __future__ import annotations

from django.db import models


class WeekCount(models.Model):
    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE, related_name="+")
    iso_week = models.IntegerField()  # yyyyww, Europe/Stockholm
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("events.Category", on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(max_length=10)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["collaboration", "iso_week", "area", "category"], name="weekcount_lookup")]


class CountedWeek(models.Model):
    """A week whose ``WeekCount`` rows are up to date. The write path deletes the mark for every
    week it touches (after bumping ``DataVersion``, whose row lock orders it against a reader
    that is recounting); a reader recounts the weeks it needs that carry no mark."""

    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE, related_name="+")
    iso_week = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collaboration", "iso_week"], name="countedweek_unique")]


class DataVersion(models.Model):
    """Bumped whenever events of the collaboration change: part of every cache key."""

    collaboration = models.OneToOneField("accounts.Collaboration", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
