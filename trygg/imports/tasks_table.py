"""Background task (django-tasks): a spreadsheet import started from the web wizard."""

from __future__ import annotations

from django_tasks import task


@task()
def import_table_run(run_uuid: str) -> dict:
    """Import (or resume) the file of a pending table run; the run page polls its progress."""
    from .models import ImportRun
    from .table_import import run_table_import
    from .tabular import TableError
    from .mapping import MappingError

    run = ImportRun.objects.get(uuid=run_uuid)
    if run.is_finished and run.status == ImportRun.Status.DONE:
        return run.counts
    try:
        run_table_import(run)
    except (TableError, MappingError):
        pass  # the run is marked failed with the message; the run page shows it
    run.refresh_from_db()
    return run.counts
