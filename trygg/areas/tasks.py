"""Background task (django-tasks): a boundary file committed from the web import."""

from __future__ import annotations

from django_tasks import task


@task()
def import_boundary_run(run_uuid: str) -> dict:
    """Write the areas of a pending boundary run and recompute the events' areas; the run page
    polls its progress."""
    from trygg.imports.models import ImportRun

    from .import_runs import run_boundary_import

    run = ImportRun.objects.select_related("collaboration").get(uuid=run_uuid, kind=ImportRun.Kind.BOUNDARY)
    if run.status == ImportRun.Status.PENDING:
        run_boundary_import(run)
        run.refresh_from_db()
    return run.counts
