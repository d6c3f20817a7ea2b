"""``trygg areas import FILE --type TYPE [--commit]``: boundary files into areas (a dry run unless --commit)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.accounts.models import Collaboration
from trygg.areas.importer import LEVELS, BoundaryFileError, apply_plan, plan_import


def collaboration_from(slug: str | None) -> Collaboration:
    if slug:
        found = Collaboration.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(_("No collaboration is called %(slug)s.") % {"slug": slug})
        return found
    all_collabs = list(Collaboration.objects.all()[:2])
    if len(all_collabs) != 1:
        raise CommandError(_("Say which collaboration with --collaboration SLUG."))
    return all_collabs[0]


class Command(BaseCommand):
    help = "Import areas from GeoJSON, GeoPackage or a zipped shapefile (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--type", required=True, help="area type code, e.g. kommun, stadsdel, deso")
        parser.add_argument("--level", choices=sorted(LEVELS), help="level of a new area type (default district)")
        parser.add_argument("--name-field")
        parser.add_argument("--code-field")
        parser.add_argument("--parent-code", help="code of the parent area of every imported area")
        parser.add_argument("--collaboration", help="collaboration slug (needed when there are several)")
        parser.add_argument("--layer", help="layer of a GeoPackage with several")
        parser.add_argument("--crs", help="the file's CRS when it does not say (e.g. EPSG:3006)")
        parser.add_argument("--commit", action="store_true", help="write the changes (otherwise only show them)")
        parser.add_argument("--backfill", action="store_true", help="after --commit, recompute events' areas")

    def handle(self, *args, **opts):
        collaboration = collaboration_from(opts["collaboration"])
        try:
            plan = plan_import(opts["file"], collaboration, type_code=opts["type"], level=opts["level"],
                               name_field=opts["name_field"], code_field=opts["code_field"],
                               parent_code=opts["parent_code"], layer=opts["layer"], crs=opts["crs"])
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        labels = {"create": _("create"), "update": _("change"), "unchanged": _("unchanged"), "reject": _("REJECT")}
        verbosity = opts["verbosity"]
        for note in plan.notes:
            self.stdout.write(note)
        for item in plan.items:
            if item.action == "unchanged" and verbosity < 2:
                continue
            detail = item.message if item.action == "reject" else ", ".join(item.changes)
            self.stdout.write(f"{labels[item.action]:>10}  {item.code:<12} {item.name}"
                              + (f"  ({detail})" if detail else ""))
        c = plan.counts
        self.stdout.write(_("%(create)d to create, %(update)d to change, %(unchanged)d unchanged, "
                            "%(reject)d rejected (CRS %(crs)s).") % {**c, "crs": plan.source_crs})
        if not opts["commit"]:
            self.stdout.write(_("Dry run: nothing was written. Add --commit to write."))
            return
        counts = apply_plan(plan, filename=opts["file"])
        self.stdout.write(self.style.SUCCESS(
            _("Written: %(created)d created, %(updated)d changed.") % counts))
        if not (counts["created"] or counts["updated"]):
            return
        if opts["backfill"]:
            call_command("areas_backfill", collaboration=collaboration.slug, stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write(_("Events keep their old areas until you run: trygg areas backfill --collaboration %(slug)s")
                              % {"slug": collaboration.slug})
