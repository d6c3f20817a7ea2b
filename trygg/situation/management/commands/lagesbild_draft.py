"""``trygg lagesbild draft --week 2026-W47 [--collaboration SLUG]``: (re)compute a week's draft.

Without ``--collaboration`` every collaboration is drafted. Without ``--week``, last week.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from trygg.accounts.models import Collaboration


class Command(BaseCommand):
    help = "Draft the weekly lägesbild for an ISO week (default: last week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: last week)")
        parser.add_argument("--collaboration", help="collaboration slug (default: all)")

    def handle(self, *args, week=None, collaboration=None, **options):
        from ...draft import current_week_key, previous_week, week_key
        from ...service import draft

        try:
            key = week_key(week) if week else previous_week(current_week_key())
        except ValueError:
            raise CommandError("--week: use the form 2026-W47.") from None
        collabs = Collaboration.objects.order_by("slug")
        if collaboration:
            collabs = collabs.filter(slug=collaboration)
            if not collabs.exists():
                raise CommandError(f"--collaboration: no collaboration with the slug {collaboration!r}.")
        for collab in collabs:
            picture = draft(collab, key)
            total = (picture.draft.get("total") or {}).get("count", 0)
            flags = len(picture.draft.get("flags", []))
            self.stdout.write(f"{collab.slug} {picture.week_label}: {total} events, {flags} flagged changes")
