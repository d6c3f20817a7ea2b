"""Boundary imports as import runs: who started them, when the work really began, how long it took.

``start_boundary_run`` opens the run before the real work (reading the file, writing the areas,
recomputing the events' areas); ``run_boundary_import`` is that work for a run the web page handed
to the background worker (``tasks.import_boundary_run``), reporting its progress on the run so the
run page can draw a progress bar. The imports app is optional: without it there is no run.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

PHASE_WRITE = "write"
PHASE_RECOMPUTE = "recompute"
WRITE_PROGRESS_EVERY = 100  # areas written between two progress updates of the run


def start_boundary_run(collaboration, *, filename: str = "", user=None, options: dict | None = None,
                       pending: bool = False):
    """A new boundary-file run (None without the imports app). Without a web user, ``start_run``
    records the operating-system user running the command (``started_by_name``)."""
    if "trygg.imports" not in settings.INSTALLED_APPS:
        return None
    from trygg.imports import runs
    from trygg.imports.models import ImportRun

    return runs.start_run(collaboration, ImportRun.Kind.BOUNDARY, source=str(filename), filename=Path(filename).name,
                          user=user, options=options,
                          status=ImportRun.Status.PENDING if pending else ImportRun.Status.RUNNING)


def recompute_event_areas(collaboration, *, progress=None) -> tuple[int, int]:
    """Recompute which areas every event lies in; (events checked, events that got new areas).

    ``progress(done, total)`` is called after each batch of events.
    """
    from trygg.events.models import Event
    from trygg.events.services import backfill_areas

    if "trygg.imports" in settings.INSTALLED_APPS:  # police notices follow their named areas
        from trygg.imports.polisen import reassign_named_areas

        reassign_named_areas(collaboration)
    total = Event.objects.filter(collaboration=collaboration).count()
    done = 0

    def batch(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    moved = backfill_areas(collaboration, progress=batch)
    return total, moved


def signature(plan) -> str:
    """What the dry run showed, in short: the commit goes ahead only if the plan is still the same."""
    c = plan.counts
    return f"{c['create']}-{c['update']}-{c['unchanged']}-{c['reject']}"


def boundary_problem(plan) -> str:
    kept = [i for i in plan.items if i.action != "reject"]
    if len(kept) != 1:
        return _("Only a file with exactly one area can become the collaboration's boundary; this one gives "
                 "%(n)d.") % {"n": len(kept)}
    return ""


def plan_for(path, collaboration, o: dict):
    """The importer's plan for the options of the web form (``ImportSettingsForm.options``)."""
    from .importer import plan_import

    return plan_import(path, collaboration, type_code=o["type_code"],
                       level=o["new_type"]["level"] if o["new_type"] else None, name_field=o["name_field"],
                       code_field=o["code_field"], parent_code=o["parent_code"], crs=o["crs"])


def _set_phase(run, phase: str) -> None:
    from trygg.imports.models import ImportRun

    run.summary = {**run.summary, "phase": phase}
    ImportRun.objects.filter(pk=run.pk).update(summary=run.summary, heartbeat_at=timezone.now())


def run_boundary_import(run) -> None:
    """The worker's part of a web boundary import: plan again from the uploaded file, check that
    the plan is still the one the dry run showed, write the areas (one transaction), then recompute
    the events' areas. The run is failed with a message the run page shows when anything is wrong;
    the uploaded file is removed in every case."""
    from trygg.events.models import Event
    from trygg.imports import runs
    from trygg.imports.models import ImportRun

    from .importer import BoundaryFileError, apply_plan
    from .models import Area, AreaType

    path = Path(run.options.get("path", ""))
    try:
        now = timezone.now()  # the work starts now, not when the page queued it
        run.status, run.started_at, run.heartbeat_at = ImportRun.Status.RUNNING, now, now
        run.save(update_fields=["status", "started_at", "heartbeat_at"])
        collaboration = run.collaboration
        o = run.options["settings"]
        with runs.running(run):
            try:
                plan = plan_for(path, collaboration, o)
            except BoundaryFileError as exc:
                runs.finish_run(run, status=ImportRun.Status.FAILED, error=str(exc))
                return
            problem = boundary_problem(plan) if o["set_boundary"] else ""
            if signature(plan) != run.options.get("signature"):
                problem = _("The areas changed since the dry run; nothing was written. Upload the file again and "
                            "check the new dry run.")
            if problem:
                runs.finish_run(run, {"read": len(plan.items)}, status=ImportRun.Status.FAILED, error=problem)
                return
            writes = plan.count("create") + plan.count("update")
            events = Event.objects.filter(collaboration=collaboration).count() if writes else 0
            total = writes + events
            runs.report_progress(run, done=0, total=total)
            _set_phase(run, PHASE_WRITE)
            with transaction.atomic():
                if o["new_type"]:
                    AreaType.objects.get_or_create(collaboration=collaboration, code=o["type_code"], defaults={
                        "name": o["new_type"]["name"], "level": o["new_type"]["level"]})
                counts = apply_plan(plan, run=run, progress=lambda done, _t: (
                    runs.report_progress(run, done=done) if done % WRITE_PROGRESS_EVERY == 0 else None))
                boundary = None
                if o["set_boundary"]:
                    code = next(i.code for i in plan.items if i.action != "reject")
                    boundary = Area.objects.get(collaboration=collaboration, type__code=o["type_code"], code=code)
                    collaboration.boundary = boundary
                    collaboration.save(update_fields=["boundary"])
            counts.pop("run", None)
            runs.report_progress(run, done=writes, counts=counts)
            summary = {"phase": "", "area_type": o["type_code"], "boundary": boundary.name if boundary else ""}
            if writes:
                _set_phase(run, PHASE_RECOMPUTE)
                checked, moved = recompute_event_areas(
                    collaboration, progress=lambda done, _t: runs.report_progress(run, done=writes + done))
                summary |= {"events_checked": checked, "events_moved": moved}
            runs.finish_run(run, counts, summary=summary)
    finally:
        path.unlink(missing_ok=True)
