"""Import pages: the runs of a collaboration, one run with its progress, its rejected rows as CSV,
and the upload of a police feed file (imported in the background worker).

Who sees a run: the collaboration's coordinators and admins (every run), and analysts (or higher)
of the organisation that imported it (that organisation's runs) — rejected rows hold the
partner's raw data, so reporters and other organisations' members do not. Everyone else gets
404. Starting and resuming imports: coordinators and admins only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trygg.accounts import audit
from trygg.accounts.models import ROLE_RANK, Role
from trygg.core.decorators import with_collaboration

from . import runs
from .models import ImportRun

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def may_import(user, collaboration) -> bool:
    return user.is_authenticated and user.has_role(collaboration, Role.COORDINATOR)


def _require_importer(user, collaboration) -> None:
    if not may_import(user, collaboration):
        raise Http404


def _analyst_organisations(user, collaboration) -> list[int]:
    """The user's organisations in the collaboration where they are analyst or higher."""
    return [m.organisation_id for m in user.memberships_in(collaboration)
            if ROLE_RANK[m.role] >= ROLE_RANK[Role.ANALYST]]


def may_see_run(user, run: ImportRun) -> bool:
    if not user.is_authenticated:
        return False
    if may_import(user, run.collaboration):
        return True
    return run.organisation_id is not None and run.organisation_id in _analyst_organisations(user, run.collaboration)


def _get_run_for_user(user, run_uuid) -> ImportRun:
    """The run, if the user may see it (see the module's docstring); 404 otherwise."""
    run = get_object_or_404(ImportRun.objects.select_related("collaboration", "started_by"), uuid=run_uuid)
    if not may_see_run(user, run):
        raise Http404
    return run


from .uploads import upload_dir


@login_required
@with_collaboration
def run_list(request, collaboration):
    qs = ImportRun.objects.filter(collaboration=collaboration).select_related("started_by")
    if not may_import(request.user, collaboration):
        own = _analyst_organisations(request.user, collaboration)
        if not own:
            raise Http404
        qs = qs.filter(organisation_id__in=own)
    runs.mark_stale_runs(collaboration)
    return render(request, "imports/run_list.html", {
        "collaboration": collaboration, "runs": qs[:200], "may_import": may_import(request.user, collaboration)})


@login_required
def run_detail(request, run_uuid):
    run = _get_run_for_user(request.user, run_uuid)
    if run.status == ImportRun.Status.RUNNING:
        runs.mark_stale_runs(run.collaboration)
        run.refresh_from_db()
    rejected = run.rejected_rows.order_by("row", "pk")[:50]
    return render(request, "imports/run_detail.html", {
        "run": run, "rejected": rejected, "collaboration": run.collaboration,
        "may_resume": run.can_resume and run.kind in RESUMABLE and may_import(request.user, run.collaboration),
    })


RESUMABLE = (ImportRun.Kind.POLISEN, ImportRun.Kind.TABLE)


@login_required
@require_http_methods(["POST"])
def run_resume(request, run_uuid):
    """Resume an interrupted (or failed) run in the background worker from its last committed chunk."""
    run = _get_run_for_user(request.user, run_uuid)
    if not may_import(request.user, run.collaboration):
        raise Http404
    runs.mark_stale_runs(run.collaboration)
    run.refresh_from_db()
    if not (run.can_resume and run.kind in RESUMABLE):
        messages.error(request, _("This run cannot be resumed: it is not interrupted, or its file is gone."))
        return redirect("imports:run", run_uuid=run.uuid)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PENDING, error="", finished_at=None)
    audit.record("import", run, actor=request.user, collaboration=run.collaboration,
                 detail={"kind": run.kind, "resume": True})
    if run.kind == ImportRun.Kind.TABLE:
        from .tasks_table import import_table_run as task
    else:
        from .tasks import import_polisen_run as task
    task.enqueue(str(run.uuid))
    messages.success(request, _("The import continues in the background from where it stopped."))
    return redirect("imports:run", run_uuid=run.uuid)


@login_required
def run_progress(request, run_uuid):
    """The progress fragment, polled by htmx every two seconds while the run is not finished."""
    run = _get_run_for_user(request.user, run_uuid)
    if run.status == ImportRun.Status.RUNNING:  # its process may have been killed meanwhile
        runs.mark_stale_runs(run.collaboration)
        run.refresh_from_db()
    return render(request, "imports/_run_progress.html", {"run": run})


@login_required
def rejected_csv(request, run_uuid):
    run = _get_run_for_user(request.user, run_uuid)
    audit.record("export", run, actor=request.user, collaboration=run.collaboration,
                 detail={"rejected_rows": run.rejected_rows.count()})
    response = StreamingHttpResponse(runs.rejected_csv_lines(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="avvisade-{run.uuid}.csv"'
    return response


@login_required
@with_collaboration
@require_http_methods(["GET", "POST"])
def polisen_upload(request, collaboration):
    """Upload a police feed JSON file; the worker imports it and the run page shows progress."""
    _require_importer(request.user, collaboration)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("File: choose a JSON file from the police events feed.")
        elif upload.size == 0:
            error = _("File: the file is empty (0 bytes).")
        elif upload.size > MAX_UPLOAD_BYTES:
            error = _("File: the file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        else:
            from .tasks import import_polisen_run

            organisation = next(iter(request.user.organisations_in(collaboration)), None)
            run = runs.start_run(
                collaboration, ImportRun.Kind.POLISEN, source=_("Uploaded file"), filename=upload.name,
                user=request.user, organisation=organisation, status=ImportRun.Status.PENDING,
                options={"include_summaries": bool(request.POST.get("include_summaries"))},
            )
            target = upload_dir() / f"{run.uuid}.json"
            with open(target, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            run.options = {**run.options, "path": str(target)}
            run.save(update_fields=["options"])
            audit.record("import", run, actor=request.user, collaboration=collaboration,
                         detail={"kind": run.kind, "filename": upload.name})
            import_polisen_run.enqueue(str(run.uuid))
            messages.success(request, _("The file was received; the import runs in the background."))
            return redirect("imports:run", run_uuid=run.uuid)
    return render(request, "imports/polisen_upload.html",
                  {"collaboration": collaboration, "error": error}, status=400 if error else 200)
