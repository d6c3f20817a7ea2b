"""``trygg areas import FILE --type TYPE [--commit]``: boundary files into areas (a dry run unless --commit)."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.accounts.models import Collaboration
from trygg.areas.import_runs import recompute_event_areas, start_boundary_run
from trygg.areas.importer import LEVELS, BoundaryFileError, apply_plan, plan_import
from trygg.imports.progress import TerminalProgress


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
        # A commit is one import run, started before the file is read: its duration is the work's.
        run = start_boundary_run(collaboration, filename=opts["file"]) if opts["commit"] else None
        with _running(run):
            self._import(collaboration, run, opts)

    def _import(self, collaboration, run, opts) -> None:
        try:
            plan = plan_import(opts["file"], collaboration, type_code=opts["type"], level=opts["level"],
                               name_field=opts["name_field"], code_field=opts["code_field"],
                               parent_code=opts["parent_code"], layer=opts["layer"], crs=opts["crs"])
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc  # the run, if any, is marked failed with the message
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
        bar = TerminalProgress(self.stderr)
        counts = apply_plan(plan, filename=opts["file"], run=run, progress=bar)
        bar.close()
        counts.pop("run", None)
        self.stdout.write(self.style.SUCCESS(
            _("Written: %(created)d created, %(updated)d changed.") % counts))
        summary = {}
        if counts["created"] or counts["updated"]:
            if opts["backfill"]:
                self.stdout.write(_("Recomputing the events' areas…"))
                bar = TerminalProgress(self.stderr)
                checked, moved = recompute_event_areas(collaboration, progress=bar)
                bar.close()
                summary = {"events_checked": checked, "events_moved": moved}
                self.stdout.write(_("%(total)d events checked, %(moved)d got new areas.")
                                  % {"total": checked, "moved": moved})
            else:
                self.stdout.write(_("Events keep their old areas until you run: trygg areas backfill --collaboration "
                                    "%(slug)s") % {"slug": collaboration.slug})
        if run is not None:
            from trygg.imports import runs

            runs.finish_run(run, counts, summary=summary)
            self.stdout.write(_("Import run %(uuid)s") % {"uuid": run.uuid})


def _running(run):
    """Fail (or interrupt, on Ctrl-C) the run when the import stops with an exception."""
    if run is None:
        return nullcontext()
    from trygg.imports import runs

    return runs.running(run)
