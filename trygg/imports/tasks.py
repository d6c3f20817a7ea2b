"""Background tasks (django-tasks): imports of uploaded police files and the scheduled live fetch."""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger("trygg.imports")


@task()
def import_polisen_run(run_uuid: str) -> dict:
    """Import (or resume) the police file of a pending run; the run page shows its progress."""
    from .models import ImportRun
    from .polisen import resume_run
    from .uploads import remove_upload

    run = ImportRun.objects.get(uuid=run_uuid)
    run = resume_run(run)
    if run.status == ImportRun.Status.DONE:
        remove_upload(run)
    return run.counts


@task()
def fetch_polisen_scheduled() -> dict:
    """Fetch the live police feed for every collaboration that has the fetch switched on."""
    from .polisen_fetch import scheduled_fetch

    return scheduled_fetch()


@task()
def clean_uploads_scheduled() -> int:
    """Remove uploaded import files no run needs any more (daily)."""
    from .uploads import clean_uploads

    return clean_uploads()
