"""``trygg places import FILE [--name-field F] [--kind-field F] [--commit]``: named places in bulk.

GeoJSON points, or CSV with a name and lat/lon (WGS 84) or x/y (SWEREF 99 TM). A dry run unless
--commit; a place is known by its name, so the same file twice changes nothing the second time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.areas.gazetteer import GazetteerFileError, import_places, plan_places

from .areas_import import collaboration_from


class Command(BaseCommand):
    help = "Load named places from GeoJSON points or a CSV file (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name-field", help="column or property with the place's name")
        parser.add_argument("--kind-field", help="column or property with the kind of place (school, square…)")
        parser.add_argument("--collaboration", help="collaboration slug (needed when there are several)")
        parser.add_argument("--commit", action="store_true", help="write the changes (otherwise only show them)")

    def handle(self, *args, **opts):
        collaboration = collaboration_from(opts["collaboration"])
        try:
            plan = plan_places(opts["file"], collaboration, name_field=opts["name_field"],
                               kind_field=opts["kind_field"])
        except GazetteerFileError as exc:
            raise CommandError(str(exc)) from exc
        labels = {"create": _("create"), "update": _("change"), "unchanged": _("unchanged"), "reject": _("REJECT")}
        for note in plan.notes:
            self.stdout.write(note)
        for item in plan.items:
            if item.action == "unchanged" and opts["verbosity"] < 2:
                continue
            if item.action == "reject":
                self.stdout.write(f"{labels['reject']:>10}  {item.message}")
                continue
            detail = ", ".join(item.changes)
            kind = f" [{item.kind}]" if item.kind else ""
            self.stdout.write(f"{labels[item.action]:>10}  {item.name}{kind}  {item.lat:.5f}, {item.lon:.5f}"
                              + (f"  ({detail})" if detail else ""))
        self.stdout.write(_("%(create)d to create, %(update)d to change, %(unchanged)d unchanged, "
                            "%(reject)d rejected (CRS %(crs)s).") % {**plan.counts, "crs": plan.source_crs})
        if not opts["commit"]:
            self.stdout.write(_("Dry run: nothing was written. Add --commit to write."))
            return
        counts, run = import_places(plan, filename=opts["file"])
        self.stdout.write(self.style.SUCCESS(_("Written: %(created)d created, %(updated)d changed.") % counts))
        if run is not None:
            self.stdout.write(_("Import run %(uuid)s") % {"uuid": run.uuid})
