"""``trygg areas backfill``: recompute which areas every event lies in (after the areas changed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from trygg.areas.import_runs import recompute_event_areas
from trygg.imports.progress import TerminalProgress


class Command(BaseCommand):
    help = "Recompute every event's areas for a collaboration, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--collaboration", help="collaboration slug (needed when there are several)")

    def handle(self, *args, **opts):
        from .areas_import import collaboration_from

        collaboration = collaboration_from(opts["collaboration"])
        bar = TerminalProgress(self.stderr)
        total, moved = recompute_event_areas(collaboration, progress=bar)
        bar.close()
        self.stdout.write(_("%(total)d events checked, %(moved)d got new areas.") % {"total": total, "moved": moved})
