"""``trygg import runs list|show RUN|resume RUN|release-indexes``: the record of imports, resuming a
broken one, and building again the indexes a killed large import set aside."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.imports.models import ImportRun


def get_run(ref: str) -> ImportRun:
    runs = list(ImportRun.objects.filter(uuid__startswith=ref)[:2]) if len(ref) < 36 else \
        list(ImportRun.objects.filter(uuid=ref)[:1])
    if len(runs) != 1:
        raise CommandError(_("No single import run matches %(ref)s.") % {"ref": ref})
    return runs[0]


class Command(BaseCommand):
    help = "List import runs, show one with its rejected rows, or resume an interrupted one."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "show", "resume", "release-indexes"])
        parser.add_argument("run", nargs="?", help="run uuid (or its first characters)")
        parser.add_argument("--collaboration", help="list: only this collaboration (slug)")
        parser.add_argument("--limit", type=int, default=30)

    def handle(self, *args, action, run=None, **opts):
        from trygg.imports.runs import mark_stale_runs

        mark_stale_runs()
        if action == "release-indexes":
            from trygg.imports.bulk_load import release

            self.stdout.write(_("%(n)d indexes and constraints built again.") % {"n": release()})
            return
        if action == "list":
            qs = ImportRun.objects.select_related("collaboration", "started_by")
            if opts["collaboration"]:
                qs = qs.filter(collaboration__slug=opts["collaboration"])
            for r in qs[: opts["limit"]]:
                self.stdout.write(
                    f"{r.uuid}  {r.started_at:%Y-%m-%d %H:%M}  {r.kind:<8} {r.status:<11} "
                    f"read {r.read} created {r.created} updated {r.updated} unchanged {r.unchanged} "
                    f"rejected {r.rejected}  {r.collaboration.slug}  {r.filename or r.source}  {r.who}")
            return
        if not run:
            raise CommandError(_("Give the run's uuid."))
        found = get_run(run)
        if action == "show":
            self._show(found)
            return
        if found.status == ImportRun.Status.DONE:
            raise CommandError(_("This run is finished; there is nothing to resume."))
        if found.status == ImportRun.Status.RUNNING:
            raise CommandError(_("That run is still running (process %(pid)s on %(host)s).")
                               % {"pid": found.pid or "?", "host": found.hostname or "?"})
        if found.kind == ImportRun.Kind.TABLE:
            from .import_table import Command as TableCommand

            table = TableCommand(stdout=self.stdout._out, stderr=self.stderr._out)
            table.resume(found)
            return
        if found.kind != ImportRun.Kind.POLISEN:
            raise CommandError(_("%(kind)s imports do not resume: run the import again (what was already "
                                 "imported is recognised).") % {"kind": found.get_kind_display()})
        from trygg.imports.feed import FeedError
        from trygg.imports.polisen import resume_run
        from trygg.imports.progress import TerminalProgress

        progress = TerminalProgress(self.stderr)
        offset = (found.checkpoint or {}).get("offset", 0)
        self.stdout.write(_("Resuming after notice %(n)d.") % {"n": offset})
        try:
            found = resume_run(found, progress=progress)
        except FeedError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()
        self._show(found, rows=0)

    def _show(self, r: ImportRun, rows: int = 20) -> None:
        self.stdout.write(f"{r.uuid}  {r.get_kind_display()}  {r.get_status_display()}")
        self.stdout.write(_("Source: %(s)s") % {"s": r.filename or r.source})
        self.stdout.write(_("Started %(at)s by %(who)s; duration %(d)s") % {
            "at": f"{r.started_at:%Y-%m-%d %H:%M:%S}", "who": r.who, "d": r.duration or "-"})
        self.stdout.write("  ".join(f"{k} {v}" for k, v in r.counts.items()))
        if r.error:
            self.stdout.write(r.error)
        for name, n in (r.summary or {}).get("unmapped_types", {}).items():
            self.stdout.write(_("  unmapped police type: %(t)s (%(n)d)") % {"t": name, "n": n})
        for rej in r.rejected_rows.order_by("row")[:rows]:
            self.stdout.write(f"  {rej.row}: {rej.reason}")
