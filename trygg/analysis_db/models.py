"""Denormalised weekly counts and the per-collaboration data version.

``WeekCount`` holds, per collaboration × ISO week × area × main category, the number of
events (all, and visible to every partner) plus per-organisation rows for restricted events. ``area`` NULL is the whole collaboration (every event,
also those outside every area), so per-level sums can be checked against the total. Rows are
never updated one event at a time: the write path removes the "counted" mark of every (collaboration, week) it
touches (``CountedWeek``) and the next reader recounts exactly those weeks from the event tables.
"""

from __future__ import annotations

from django.db import models


class WeekCount(models.Model):
    """Events per collaboration × ISO week × area × main category.

    ``organisation`` NULL: ``n_all`` = every event, ``n_open`` = those visible to all partners.
    ``organisation`` set: ``n_all`` = that organisation's *restricted* events (rows only where
    there are some), so a partner's numbers are ``n_open`` + its own organisations' rows and a
    coordinator's are ``n_all`` — without grouping at read time.
    """

    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE, related_name="+")
    iso_week = models.IntegerField()  # yyyyww, Europe/Stockholm
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("events.Category", on_delete=models.CASCADE, related_name="+")
    n_all = models.IntegerField()
    n_open = models.IntegerField(default=0)

    class Meta:
        # Covering: the weekly table reads (collaboration, 10 weeks, organisation NULL) and nothing else.
        indexes = [models.Index(fields=["collaboration", "iso_week", "organisation", "area", "category", "n_all",
                                        "n_open"], name="weekcount_lookup")]


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
