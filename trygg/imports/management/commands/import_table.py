"""``trygg import table FILE --mapping NAME|FILE.json [--organisation UUID] [--sheet NAME] [--commit]``.

Without ``--commit`` it is a dry run: every row is read, converted and validated (inside Sweden,
inside the collaboration, categories, dates) and the counts plus the first rejected rows are
printed; nothing is written and no run is recorded. With ``--commit`` the rows are written as
one recorded import run (counts, duration, rejected rows downloadable from the run page).
``--resume RUN`` continues an interrupted run from its last committed chunk.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.accounts.models import Organisation
from trygg.imports.mapping import ImportMapping, MappingError, Spec
from trygg.imports.models import ImportRun
from trygg.imports.progress import TerminalProgress
from trygg.imports.table_import import estimate_rows, import_table, run_table_import, start_table_run
from trygg.imports.tabular import TableError


def find_organisation(value: str | None) -> Organisation | None:
    if not value:
        return None
    try:
        return Organisation.objects.select_related("collaboration").get(uuid=value)
    except (Organisation.DoesNotExist, ValueError, Exception):
        found = Organisation.objects.select_related("collaboration").filter(name=value).first()
        if found is None:
            raise CommandError(_("No organisation has the id or name %(value)s.") % {"value": value}) from None
        return found


def load_mapping(value: str, organisation: Organisation | None) -> tuple[Spec, Organisation, str]:
    """A mapping file (JSON) or the name of a saved mapping; returns (spec, organisation, name)."""
    path = Path(value)
    if path.suffix.lower() == ".json" or path.is_file():
        try:
            spec = Spec.load(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(_("The mapping file cannot be read: %(error)s") % {"error": exc}) from exc
        if organisation is None:
            raise CommandError(_("Say which organisation imports with --organisation UUID."))
        return spec, organisation, path.stem
    saved = ImportMapping.objects.filter(name=value).select_related("organisation__collaboration")
    if organisation is not None:
        saved = saved.filter(organisation=organisation)
    found = list(saved[:2])
    if not found:
        raise CommandError(_("No saved mapping is called %(name)s.") % {"name": value})
    if len(found) > 1:
        raise CommandError(_("Several organisations have a mapping called %(name)s: add --organisation UUID.")
                           % {"name": value})
    return Spec.from_dict(found[0].spec), found[0].organisation, found[0].name


class Command(BaseCommand):
    help = "Import events from a CSV or XLSX file with a column mapping (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a CSV or XLSX file")
        parser.add_argument("--mapping", help="the name of a saved mapping, or a mapping file (.json)")
        parser.add_argument("--organisation", help="the importing organisation's id (uuid) or name")
        parser.add_argument("--sheet", help="XLSX: the sheet's name or number (from 1)")
        parser.add_argument("--delimiter", help="CSV: the delimiter, when sniffing guesses wrong")
        parser.add_argument("--encoding", help="CSV: the encoding, when detection guesses wrong")
        parser.add_argument("--commit", action="store_true", help="write the events (otherwise a dry run)")
        parser.add_argument("--save-as", help="save a mapping file under this name for the organisation")
        parser.add_argument("--resume", metavar="RUN", help="continue an interrupted run (its uuid)")
        parser.add_argument("--user", help="record the run as started by this Trygg user (a member of the "
                                           "collaboration); otherwise the operating-system user is recorded")

    def handle(self, *args, **opts):
        if opts["resume"]:
            return self._resume(opts["resume"])
        if not opts["file"] or not opts["mapping"]:
            raise CommandError(_("Give a file and --mapping NAME|FILE.json."))
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        spec, organisation, name = load_mapping(opts["mapping"], find_organisation(opts["organisation"]))
        from .import_polisen import pick_user

        user = pick_user(opts["user"], organisation.collaboration)
        for key in ("sheet", "delimiter", "encoding"):
            if opts[key]:
                setattr(spec, key, opts[key].replace("\\t", "\t") if key == "delimiter" else opts[key])
        if opts["save_as"]:
            ImportMapping.objects.update_or_create(organisation=organisation, name=opts["save_as"],
                                                   defaults={"spec": spec.as_dict()})
            self.stdout.write(_("Mapping saved as %(name)s.") % {"name": opts["save_as"]})
        total = estimate_rows(path)
        bar = TerminalProgress(self.stderr)
        try:
            if not opts["commit"]:
                counts = import_table(None, path, spec, organisation=organisation, commit=False,
                                      progress=lambda done, c: bar(done, total))
                bar.close()
                self._notices(counts.notices)
                self.stdout.write(_("Dry run: read %(read)d, would write %(created)d, rejected %(rejected)d. "
                                    "Nothing was written; add --commit to import.") % counts.as_dict())
                for rej in counts.rejected_sample[:20]:
                    self.stdout.write(f"  {rej.reason}")
                return
            run = start_table_run(path, spec, organisation=organisation, filename=path.name, mapping_name=name,
                                  user=user)
            self.stdout.write(_("Import run %(uuid)s") % {"uuid": run.uuid})
            self._run(run, bar, total)
        except (TableError, MappingError) as exc:
            bar.close()
            raise CommandError(exc.message) from exc

    def _run(self, run: ImportRun, bar, total) -> None:
        try:
            run_table_import(run, progress=lambda done, c: bar(done, total))
        except (TableError, MappingError) as exc:
            bar.close()
            raise CommandError(exc.message) from exc
        bar.close()
        run.refresh_from_db()
        self._notices(run.summary.get("notices", []))
        self.stdout.write(_("Read %(read)d, created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                            "rejected %(rejected)d.") % run.counts)
        if run.rejected:
            self.stdout.write(_("Rejected rows: trygg import runs show %(uuid)s") % {"uuid": run.uuid})

    def _resume(self, value: str) -> None:
        run = ImportRun.objects.filter(uuid=value, kind=ImportRun.Kind.TABLE).first() if len(value) >= 32 else None
        if run is None:
            raise CommandError(_("No spreadsheet import run has the id %(id)s.") % {"id": value})
        self.resume(run)

    def resume(self, run: ImportRun) -> None:
        from trygg.imports.runs import mark_stale_runs

        mark_stale_runs(run.collaboration)
        run.refresh_from_db()
        if run.status == ImportRun.Status.DONE:
            raise CommandError(_("That run is already done."))
        if run.status == ImportRun.Status.RUNNING:
            raise CommandError(_("That run is still running (process %(pid)s on %(host)s).")
                               % {"pid": run.pid or "?", "host": run.hostname or "?"})
        self.stdout.write(_("Resuming after row %(row)s.") % {"row": run.checkpoint.get("row", 0)})
        self._run(run, TerminalProgress(self.stderr), run.progress_total)

    def _notices(self, notices) -> None:
        for notice in notices or []:
            self.stdout.write(notice)
