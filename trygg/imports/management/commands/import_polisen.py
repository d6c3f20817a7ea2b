"""``trygg import polisen FILE|-`` and ``trygg import polisen --fetch [--location NAME ...]``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trygg.accounts.models import Collaboration
from trygg.imports import runs
from trygg.imports.feed import FeedError
from trygg.imports.models import ImportRun
from trygg.imports.progress import TerminalProgress


def pick_collaboration(slug: str | None) -> Collaboration:
    if slug:
        found = Collaboration.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(_("No collaboration is called %(slug)s.") % {"slug": slug})
        return found
    found = list(Collaboration.objects.all()[:2])
    if len(found) != 1:
        raise CommandError(_("Say which collaboration with --collaboration SLUG."))
    return found[0]


def pick_user(username: str | None, collaboration):
    """``--user USERNAME``: the Trygg user the run is recorded for (a member of the collaboration)."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("--user: no active user is called %(name)s.") % {"name": username})
    if not user.memberships_in(collaboration):
        raise CommandError(_("--user: %(name)s is not a member of %(collaboration)s.")
                           % {"name": username, "collaboration": collaboration.name})
    return user


def print_outcome(command: BaseCommand, run: ImportRun, out) -> None:
    run.refresh_from_db()
    command.stdout.write(_("Read %(read)d, created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                           "rejected %(rejected)d, skipped %(skipped)d.") % run.counts)
    if out.skipped_summaries:
        command.stdout.write(_("%(n)d summary notices were skipped (--include-summaries takes them).")
                             % {"n": out.skipped_summaries})
    if out.skipped_elsewhere:
        command.stdout.write(_("%(n)d notices about other municipalities were skipped (--all takes them).")
                             % {"n": out.skipped_elsewhere})
    if out.unmapped:
        command.stdout.write(_("Police types without a category (put in “Övrigt (polis)”; map them in the admin):"))
        for name, n in out.unmapped.most_common():
            command.stdout.write(f"  {name}: {n}")
    for item in getattr(out, "recoded", [])[:20]:
        command.stdout.write(_("Notice %(n)d (id %(id)s) was not UTF-8 (byte %(byte)d): read as Windows-1252.")
                             % {"n": item["notice"], "id": item["id"], "byte": item["byte"]})
    if run.rejected:
        command.stdout.write(_("Rejected notices: trygg import runs show %(uuid)s") % {"uuid": run.uuid})
    if out.broken:
        command.stderr.write(out.broken)


class Command(BaseCommand):
    help = "Import police notices from a file (or - for standard input), or fetch the live feed."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a JSON file from the police events feed, or - for stdin")
        parser.add_argument("--fetch", action="store_true", help="fetch https://polisen.se/api/events")
        parser.add_argument("--location", action="append", default=[], help="with --fetch: a location name")
        parser.add_argument("--collaboration", help="collaboration slug (needed when there are several)")
        parser.add_argument("--all", action="store_true", dest="all_municipalities",
                            help="take notices about every municipality (a national collaboration)")
        parser.add_argument("--include-summaries", action="store_true",
                            help="also import summary notices (“Sammanfattning natt” etc.)")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--user", help="record the run as started by this Trygg user (a member of the "
                                           "collaboration); otherwise the operating-system user is recorded")

    def handle(self, *args, **opts):
        # `kill` (SIGTERM) ends the import like Ctrl-C: the run is marked interrupted and can resume.
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
        collaboration = pick_collaboration(opts["collaboration"])
        user = pick_user(opts["user"], collaboration)
        progress = None if opts["no_progress"] else TerminalProgress(self.stderr)
        kwargs = {"include_summaries": opts["include_summaries"], "all_municipalities": opts["all_municipalities"]}
        if opts["fetch"]:
            from trygg.imports.polisen_fetch import FetchError, fetch_and_import

            try:
                results = fetch_and_import(collaboration, locations=opts["location"] or None, user=user, **kwargs)
            except FetchError as exc:
                raise CommandError(str(exc)) from exc
            for run, out in results:
                print_outcome(self, run, out)
            return
        if not opts["file"]:
            raise CommandError(_("Give a FILE (or - for standard input), or --fetch."))
        from trygg.imports.polisen import import_polisen

        source = opts["file"]
        if source == "-":
            stream, size, options = sys.stdin.buffer, None, {}
            label = _("standard input")
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": source})
            stream, size = open(path, "rb"), path.stat().st_size
            options, label = {"path": str(path.resolve())}, str(path)
        run = runs.start_run(collaboration, ImportRun.Kind.POLISEN, source=label, filename=Path(label).name,
                             options=options | kwargs, user=user)
        try:
            out = import_polisen(run, stream, size=size, progress=progress, **kwargs)
        except FeedError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if progress:
                progress.close()
            if stream is not sys.stdin.buffer:
                stream.close()
        print_outcome(self, run, out)
