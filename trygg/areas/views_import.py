"""The web face of ``trygg areas import`` (journey J5): an administrator uploads a boundary file,
chooses the area type and the name and code fields, sees the dry run (a table and a small map),
then commits it: the background worker writes the areas and recomputes the events' areas while
the run page shows a progress bar, then the result.

The logic is the importer's (``plan_import`` is the dry run, made in the request; ``apply_plan``
the commit, made by ``tasks.import_boundary_run`` as an import run). This module keeps the uploaded
file between the steps (under ``MEDIA_ROOT/areas_import/``, named by a random token kept in the
session); on commit the file becomes the run's and the worker removes it, and a cancelled import
removes it at once. Administrators of the collaboration only; everyone else gets 404.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trygg.accounts import audit
from trygg.accounts.models import Role
from trygg.core.decorators import with_collaboration
from trygg.core.svg import area_map

from .import_runs import boundary_problem, plan_for, signature, start_boundary_run
from .importer import CODE_FIELDS, NAME_FIELDS, BoundaryFileError, _pick, read_features
from .models import Area, AreaType

SESSION_KEY = "areas_import"
NEW_TYPE = "__new__"
SUFFIXES = {".geojson": ".geojson", ".json": ".geojson", ".gpkg": ".gpkg", ".zip": ".zip"}
MAX_UPLOAD_BYTES = 300 * 1024 * 1024
STALE_SECONDS = 24 * 3600
TABLE_LIMIT = 500
PREVIEW_LIMIT = 1500
ACTION_FILLS = {"create": "#8fd19e", "update": "#ffd966", "unchanged": "#dfe3e8"}
CRS_CHOICES = [
    ("", gettext_lazy("As the file says (metres are read as SWEREF 99 TM)")),
    ("EPSG:3006", gettext_lazy("SWEREF 99 TM (EPSG:3006)")),
    ("EPSG:4326", gettext_lazy("WGS 84, degrees (EPSG:4326)")),
]


# --- Permissions and the pending upload -------------------------------------------------------

def _require_admin(user, collaboration) -> None:
    if not (user.is_authenticated and user.has_role(collaboration, Role.ADMIN)):
        raise Http404


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "areas_import"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads() -> None:
    """Uploads left behind by imports nobody finished are removed after a day."""
    limit = time.time() - STALE_SECONDS
    for path in upload_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _forget(request) -> None:
    """Remove the pending upload (file and session entry), if any."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        Path(pending["path"]).unlink(missing_ok=True)


def _pending_for(request, collaboration, token: str) -> dict:
    """The pending upload this token names, in this session and collaboration; 404 otherwise."""
    pending = request.session.get(SESSION_KEY)
    if (not pending or not secrets.compare_digest(pending["token"], token)
            or pending["collaboration"] != collaboration.pk or not Path(pending["path"]).exists()):
        raise Http404
    return pending


# --- The form of step 1 (after the upload) ----------------------------------------------------

class ImportSettingsForm(forms.Form):
    area_type = forms.ChoiceField(label=gettext_lazy("Area type"))
    new_type_name = forms.CharField(label=gettext_lazy("Name of the new area type"), max_length=100, required=False)
    new_type_code = forms.CharField(label=gettext_lazy("Code of the new area type"), max_length=40, required=False,
                                    help_text=gettext_lazy("Letters, digits and hyphens; made from the name if empty."))
    new_type_level = forms.TypedChoiceField(label=gettext_lazy("Level of the new area type"), coerce=int,
                                            choices=AreaType.Level.choices, initial=AreaType.Level.DISTRICT)
    name_field = forms.ChoiceField(label=gettext_lazy("Field with the area's name"))
    code_field = forms.ChoiceField(label=gettext_lazy("Field with the area's code"))
    parent = forms.ChoiceField(label=gettext_lazy("Parent area"), required=False)
    crs = forms.ChoiceField(label=gettext_lazy("Coordinate system"), choices=CRS_CHOICES, required=False)
    set_boundary = forms.BooleanField(
        label=gettext_lazy("This is the municipal boundary: use it as the collaboration's boundary"), required=False)

    def __init__(self, *args, collaboration, fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        self.types = {t.code: t for t in AreaType.objects.filter(collaboration=collaboration)}
        self.fields["area_type"].choices = (
            [("", _("Choose…"))]
            + [(t.code, f"{t.name} ({t.get_level_display()})") for t in self.types.values()]
            + [(NEW_TYPE, _("A new area type…"))]
        )
        field_choices = [(f, f) for f in fields]
        self.fields["name_field"].choices = field_choices
        self.fields["code_field"].choices = field_choices
        for name, candidates, what in (("name_field", NAME_FIELDS, "name"), ("code_field", CODE_FIELDS, "code")):
            try:
                self.fields[name].initial = _pick(fields, None, candidates, what)
            except BoundaryFileError:
                pass
        # The importer finds the parent by code (the highest level first): offer each code once.
        parents, seen = [("", _("None"))], set()
        for area in Area.objects.filter(collaboration=collaboration).select_related("type").order_by(
                "type__level", "name"):
            if area.code not in seen:
                seen.add(area.code)
                parents.append((area.code, f"{area.name} ({area.type.name}, {area.code})"))
        self.fields["parent"].choices = parents

    def clean_area_type(self):
        value = self.cleaned_data["area_type"]
        if not value:
            raise forms.ValidationError(_("Area type: choose an area type, or a new one."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("area_type") != NEW_TYPE:
            return data
        name = (data.get("new_type_name") or "").strip()
        if not name:
            self.add_error("new_type_name", _("Name of the new area type: write a name, e.g. Stadsdel."))
            return data
        code = slugify(data.get("new_type_code") or name)[:40]
        if not code:
            self.add_error("new_type_code", _("Code of the new area type: use letters, digits or hyphens."))
        elif code in self.types:
            self.add_error("new_type_code", _("Code of the new area type: the collaboration already has an area "
                                              "type with the code %(code)s; choose it in the list instead.")
                           % {"code": code})
        data["new_type_name"], data["new_type_code"] = name, code
        return data

    def options(self) -> dict:
        d = self.cleaned_data
        new = d["area_type"] == NEW_TYPE
        return {
            "type_code": d["new_type_code"] if new else d["area_type"],
            "new_type": {"name": d["new_type_name"], "level": d["new_type_level"]} if new else None,
            "name_field": d["name_field"], "code_field": d["code_field"],
            "parent_code": d.get("parent") or None, "crs": d.get("crs") or None,
            "set_boundary": bool(d.get("set_boundary")),
        }


def _plan(pending: dict, collaboration):
    return plan_for(pending["path"], collaboration, pending["options"])


def _preview(plan, collaboration) -> str:
    """A small SVG of the areas the file gives (coloured by what happens to them)."""
    import shapely
    from shapely.geometry import mapping, shape

    kept = [i for i in plan.items if i.action != "reject" and i.geometry][:PREVIEW_LIMIT]
    if not kept:
        return ""
    span = max(max(i.bounds[2] for i in kept) - min(i.bounds[0] for i in kept),
               max(i.bounds[3] for i in kept) - min(i.bounds[1] for i in kept))
    tolerance = span / 800
    areas = []
    boundary = collaboration.boundary
    if boundary is not None:
        areas.append({"geometry": boundary.geometry, "name": _("The collaboration's boundary: %(name)s")
                      % {"name": boundary.name}, "fill": "#ffffff", "label": False})
    for item in kept:
        geom = shapely.simplify(shape(item.geometry), tolerance, preserve_topology=True)
        areas.append({"geometry": mapping(geom), "name": f"{item.name} ({item.code})",
                      "fill": ACTION_FILLS[item.action], "label": len(kept) <= 25})
    c = plan.counts
    return area_map(areas, title=_("Preview of the areas in the file"),
                    desc=_("%(create)d new (green), %(update)d changed (yellow), %(unchanged)d unchanged (grey).")
                    % c, width=480)


# --- Views ------------------------------------------------------------------------------------

@login_required
@with_collaboration
@require_http_methods(["GET", "POST"])
def import_upload(request, collaboration):
    """Step 1a: upload a GeoJSON, GeoPackage or zipped shapefile."""
    _require_admin(request.user, collaboration)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = SUFFIXES.get(Path(upload.name).suffix.lower(), "") if upload is not None else ""
        if upload is None:
            error = _("File: choose a GeoJSON file, a GeoPackage or a zipped shapefile.")
        elif upload.size == 0:
            error = _("File: the file is empty (0 bytes).")
        elif upload.size > MAX_UPLOAD_BYTES:
            error = _("File: the file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        elif not suffix:
            error = _("File: %(name)s is not a GeoJSON file (.geojson, .json), a GeoPackage (.gpkg) or a zipped "
                      "shapefile (.zip).") % {"name": upload.name}
        else:
            _forget(request)
            _remove_stale_uploads()
            token = secrets.token_urlsafe(16)
            target = upload_dir() / f"{token}{suffix}"
            with open(target, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                _meta, fields, records, _crs = read_features(target)
                if not records:
                    raise BoundaryFileError(_("The file holds no features."))
                if not fields:
                    raise BoundaryFileError(_("The features in the file have no properties (no name or code)."))
            except BoundaryFileError as exc:
                target.unlink(missing_ok=True)
                error = _("File: %(error)s") % {"error": exc}
            else:
                request.session[SESSION_KEY] = {
                    "token": token, "path": str(target), "filename": upload.name, "fields": fields,
                    "features": len(records), "collaboration": collaboration.pk, "options": None,
                }
                return redirect("areas:import_settings", token=token)
    return render(request, "areas/import_upload.html", {
        "collaboration": collaboration, "error": error, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status=400 if error else 200)


@login_required
@with_collaboration
@require_http_methods(["GET", "POST"])
def import_settings(request, collaboration, token):
    """Step 1b: the area type, the name and code fields (from the file), the parent area."""
    _require_admin(request.user, collaboration)
    pending = _pending_for(request, collaboration, token)
    kwargs = {"collaboration": collaboration, "fields": pending["fields"]}
    if request.method == "POST":
        form = ImportSettingsForm(request.POST, **kwargs)
        if form.is_valid():
            pending["options"] = form.options()
            request.session[SESSION_KEY] = pending
            return redirect("areas:import_dry_run", token=token)
    else:
        initial = {}
        if pending["options"]:
            o = pending["options"]
            new = o["new_type"]
            initial = {"area_type": NEW_TYPE if new else o["type_code"], "name_field": o["name_field"],
                       "code_field": o["code_field"], "parent": o["parent_code"] or "", "crs": o["crs"] or "",
                       "set_boundary": o["set_boundary"]}
            if new:
                initial |= {"new_type_name": new["name"], "new_type_code": o["type_code"],
                            "new_type_level": new["level"]}
        form = ImportSettingsForm(initial=initial, **kwargs)
    return render(request, "areas/import_settings.html", {
        "collaboration": collaboration, "pending": pending, "form": form, "new_type": NEW_TYPE,
    }, status=400 if form.errors else 200)


def _dry_run_context(collaboration, pending) -> dict:
    plan = _plan(pending, collaboration)
    shown = [i for i in plan.items if i.action != "unchanged"][:TABLE_LIMIT]
    o = pending["options"]
    return {
        "collaboration": collaboration, "pending": pending, "plan": plan, "counts": plan.counts,
        "items": shown, "hidden": sum(1 for i in plan.items if i.action != "unchanged") - len(shown),
        "signature": signature(plan), "preview": _preview(plan, collaboration),
        "type_name": o["new_type"]["name"] if o["new_type"] else getattr(AreaType.objects.filter(
            collaboration=collaboration, code=o["type_code"]).first(), "name", o["type_code"]),
        "boundary_problem": boundary_problem(plan) if o["set_boundary"] else "",
        "writes": plan.count("create") + plan.count("update") + (1 if o["new_type"] else 0)
        + (1 if o["set_boundary"] else 0),
    }


@login_required
@with_collaboration
def import_dry_run(request, collaboration, token):
    """Step 2: what would be created, changed, left unchanged or rejected; nothing is written.

    The dry run is made here, in the request: reading and reprojecting a municipality's districts
    or DeSO areas takes a second or two, and the page needs the plan to show it."""
    _require_admin(request.user, collaboration)
    pending = _pending_for(request, collaboration, token)
    if not pending["options"]:
        return redirect("areas:import_settings", token=token)
    try:
        context = _dry_run_context(collaboration, pending)
    except BoundaryFileError as exc:
        messages.error(request, str(exc))
        return redirect("areas:import_settings", token=token)
    pending["signature"] = context["signature"]  # what the administrator saw, checked again by the worker
    pending["boundary_problem"] = context["boundary_problem"]
    request.session[SESSION_KEY] = pending
    return render(request, "areas/import_dry_run.html", context)


@login_required
@with_collaboration
@require_POST
def import_commit(request, collaboration, token):
    """Step 3: hand the file to the background worker, which writes the areas (one transaction,
    recorded as an import run) and recomputes the events' areas; the run page shows the progress."""
    _require_admin(request.user, collaboration)
    pending = _pending_for(request, collaboration, token)
    if not pending["options"] or not pending.get("signature"):
        raise Http404
    if not secrets.compare_digest(request.POST.get("signature", ""), pending["signature"]):
        messages.error(request, _("The dry run changed since this page was shown. Check the new dry run before "
                                  "importing."))
        return redirect("areas:import_dry_run", token=token)
    if pending.get("boundary_problem"):
        messages.error(request, pending["boundary_problem"])
        return redirect("areas:import_dry_run", token=token)
    if "trygg.imports" not in settings.INSTALLED_APPS:  # runs, and so the worker's progress, live there
        raise Http404
    from .tasks import import_boundary_run

    run = start_boundary_run(collaboration, filename=pending["filename"], user=request.user, pending=True, options={
        "path": pending["path"], "settings": pending["options"], "signature": pending["signature"]})
    request.session.pop(SESSION_KEY, None)  # the file is the run's now; the token is spent
    audit.record("import", run, actor=request.user, collaboration=collaboration,
                 detail={"kind": run.kind, "filename": pending["filename"]})
    import_boundary_run.enqueue(str(run.uuid))
    messages.success(request, _("The file was received; the areas are imported in the background."))
    return redirect("areas:import_run", run_uuid=run.uuid)


@login_required
@with_collaboration
@require_POST
def import_cancel(request, collaboration, token):
    _require_admin(request.user, collaboration)
    _pending_for(request, collaboration, token)
    _forget(request)
    messages.success(request, _("The import was cancelled and the uploaded file removed. Nothing was written."))
    return redirect("areas:list")


def _run_for(request, run_uuid):
    """The boundary run, for administrators of its collaboration; 404 for everyone else."""
    from trygg.imports.models import ImportRun

    run = get_object_or_404(ImportRun.objects.select_related("collaboration", "started_by"), uuid=run_uuid,
                            kind=ImportRun.Kind.BOUNDARY)
    _require_admin(request.user, run.collaboration)
    return run


def _run_context(run) -> dict:
    try:
        detail_url = reverse("imports:run", kwargs={"run_uuid": run.uuid})
    except NoReverseMatch:
        detail_url = ""
    return {"run": run, "collaboration": run.collaboration, "phase": run.summary.get("phase", ""),
            "detail_url": detail_url, "started_by": getattr(run, "who", None) or run.started_by,
            "boundary": run.summary.get("boundary", ""), "events_checked": run.summary.get("events_checked"),
            "events_moved": run.summary.get("events_moved")}


@login_required
def import_run(request, run_uuid):
    """Step 4: the run, with a progress bar while the worker writes and recomputes, then its result."""
    run = _run_for(request, run_uuid)
    return render(request, "areas/import_run.html", _run_context(run))


@login_required
def import_run_progress(request, run_uuid):
    """The progress fragment, polled by htmx every two seconds until the run is finished."""
    run = _run_for(request, run_uuid)
    return render(request, "areas/_import_progress.html", _run_context(run))
