"""``trygg areas backfill``: recompute which areas every event lies in (after the areas changed)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from trygg.events.models import Event
from trygg.events.services import backfill_areas


class Command(BaseCommand):
    help = "Recompute every event's areas for a collaboration, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--collaboration", help="collaboration slug (needed when there are several)")

    def handle(self, *args, **opts):
        from django.conf import settings

        from .areas_import import collaboration_from

        collaboration = collaboration_from(opts["collaboration"])
        if "trygg.imports" in settings.INSTALLED_APPS:  # police notices follow their named areas
            from trygg.imports.polisen import reassign_named_areas

            reassign_named_areas(collaboration)
        total = Event.objects.filter(collaboration=collaboration).count()
        done = 0
        tty = getattr(self.stderr, "isatty", lambda: False)() or sys.stderr.isatty()

        def progress(n):
            nonlocal done
            done += n
            if tty and total:
                width = 30
                filled = int(width * done / total)
                self.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}", ending="")

        moved = backfill_areas(collaboration, progress=progress)
        if tty:
            self.stderr.write("")
        self.stdout.write(_("%(total)d events checked, %(moved)d got new areas.") % {"total": total, "moved": moved})
