"""The web face of ``trygg areas import`` (journey J5): an administrator uploads a boundary file,
chooses the area type and the name and code fields, sees the dry run (a table and a small map),
then commits it and may recompute the events' areas.

The logic is the importer's (``plan_import`` is the dry run, ``apply_plan`` the commit, recorded
as an import run); this module only keeps the uploaded file between the steps (under
``MEDIA_ROOT/areas_import/``, named by a random token kept in the session) and removes it after
the commit or when the import is cancelled. Administrators of the collaboration only; everyone
else gets 404.
"""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trygg.accounts.models import Role
from trygg.core.decorators import with_collaboration
from trygg.core.svg import area_map
from trygg.events.models import Event

from .importer import CODE_FIELDS, NAME_FIELDS, BoundaryFileError, _pick, apply_plan, plan_import, read_features
from .models import Area, AreaType

SESSION_KEY = "areas_import"
DONE_KEY = "areas_import_done"
NEW_TYPE = "__new__"
SUFFIXES = {".geojson": ".geojson", ".json": ".geojson", ".gpkg": ".gpkg", ".zip": ".zip"}
MAX_UPLOAD_BYTES = 300 * 1024 * 1024
STALE_SECONDS = 24 * 3600
# Recomputing the events' areas in the request is fine for a municipality's events; beyond this
# the page points to ``trygg areas backfill`` (there is no background task for it yet).
BACKFILL_SYNC_LIMIT = 50_000
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
    o = pending["options"]
    return plan_import(pending["path"], collaboration, type_code=o["type_code"],
                       level=o["new_type"]["level"] if o["new_type"] else None, name_field=o["name_field"],
                       code_field=o["code_field"], parent_code=o["parent_code"], crs=o["crs"])


def _signature(plan) -> str:
    c = plan.counts
    return f"{c['create']}-{c['update']}-{c['unchanged']}-{c['reject']}"


def _boundary_problem(plan) -> str:
    kept = [i for i in plan.items if i.action != "reject"]
    if len(kept) != 1:
        return _("Only a file with exactly one area can become the collaboration's boundary; this one gives "
                 "%(n)d.") % {"n": len(kept)}
    return ""


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
        "signature": _signature(plan), "preview": _preview(plan, collaboration),
        "type_name": o["new_type"]["name"] if o["new_type"] else getattr(AreaType.objects.filter(
            collaboration=collaboration, code=o["type_code"]).first(), "name", o["type_code"]),
        "boundary_problem": _boundary_problem(plan) if o["set_boundary"] else "",
        "writes": plan.count("create") + plan.count("update") + (1 if o["new_type"] else 0)
        + (1 if o["set_boundary"] else 0),
    }


@login_required
@with_collaboration
def import_dry_run(request, collaboration, token):
    """Step 2: what would be created, changed, left unchanged or rejected; nothing is written."""
    _require_admin(request.user, collaboration)
    pending = _pending_for(request, collaboration, token)
    if not pending["options"]:
        return redirect("areas:import_settings", token=token)
    try:
        context = _dry_run_context(collaboration, pending)
    except BoundaryFileError as exc:
        messages.error(request, str(exc))
        return redirect("areas:import_settings", token=token)
    return render(request, "areas/import_dry_run.html", context)


@login_required
@with_collaboration
@require_POST
def import_commit(request, collaboration, token):
    """Step 3: write the plan (the importer's commit, one transaction, recorded as an import run)."""
    _require_admin(request.user, collaboration)
    pending = _pending_for(request, collaboration, token)
    if not pending["options"]:
        raise Http404
    o = pending["options"]
    try:
        plan = _plan(pending, collaboration)
    except BoundaryFileError as exc:
        messages.error(request, str(exc))
        return redirect("areas:import_settings", token=token)
    if request.POST.get("signature") != _signature(plan):
        messages.error(request, _("The areas changed since the dry run. Check the new dry run before importing."))
        return redirect("areas:import_dry_run", token=token)
    if o["set_boundary"] and _boundary_problem(plan):
        messages.error(request, _boundary_problem(plan))
        return redirect("areas:import_dry_run", token=token)
    with transaction.atomic():
        if o["new_type"]:
            AreaType.objects.get_or_create(collaboration=collaboration, code=o["type_code"],
                                           defaults={"name": o["new_type"]["name"], "level": o["new_type"]["level"]})
        counts = apply_plan(plan, user=request.user, filename=pending["filename"])
        boundary = None
        if o["set_boundary"]:
            code = next(i.code for i in plan.items if i.action != "reject")
            boundary = Area.objects.get(collaboration=collaboration, type__code=o["type_code"], code=code)
            collaboration.boundary = boundary
            collaboration.save(update_fields=["boundary"])
    _forget(request)
    request.session[DONE_KEY] = {
        "collaboration": collaboration.pk, "filename": pending["filename"], "counts": counts,
        "type_code": o["type_code"], "boundary": boundary.name if boundary else "",
    }
    return redirect("areas:import_done")


@login_required
@with_collaboration
@require_POST
def import_cancel(request, collaboration, token):
    _require_admin(request.user, collaboration)
    _pending_for(request, collaboration, token)
    _forget(request)
    messages.success(request, _("The import was cancelled and the uploaded file removed. Nothing was written."))
    return redirect("areas:list")


def _done_for(request, collaboration) -> dict:
    done = request.session.get(DONE_KEY)
    if not done or done["collaboration"] != collaboration.pk:
        raise Http404
    return done


@login_required
@with_collaboration
def import_done(request, collaboration):
    """After the commit: what was written, the import run, and the recomputation of event areas."""
    _require_admin(request.user, collaboration)
    done = _done_for(request, collaboration)
    events = Event.objects.filter(collaboration=collaboration).count()
    run_url = ""
    if done["counts"].get("run"):
        try:
            run_url = reverse("imports:run", kwargs={"run_uuid": done["counts"]["run"]})
        except NoReverseMatch:  # the imports app is optional
            run_url = ""
    return render(request, "areas/import_done.html", {
        "collaboration": collaboration, "done": done, "counts": done["counts"], "run_url": run_url,
        "events": events, "backfill_in_page": events <= BACKFILL_SYNC_LIMIT, "limit": BACKFILL_SYNC_LIMIT,
        "changed": done["counts"]["created"] + done["counts"]["updated"] > 0,
    })


@login_required
@with_collaboration
@require_POST
def import_backfill(request, collaboration):
    """Recompute every event's areas now (the same as ``trygg areas backfill``), for small data."""
    _require_admin(request.user, collaboration)
    _done_for(request, collaboration)
    if Event.objects.filter(collaboration=collaboration).count() > BACKFILL_SYNC_LIMIT:
        messages.error(request, _("Too many events to recompute here; run trygg areas backfill --collaboration "
                                  "%(slug)s on the server.") % {"slug": collaboration.slug})
        return redirect("areas:import_done")
    out = io.StringIO()
    call_command("areas_backfill", collaboration=collaboration.slug, stdout=out, stderr=io.StringIO())
    request.session.pop(DONE_KEY, None)
    messages.success(request, _("The events' areas were recomputed: %(result)s") % {"result": out.getvalue().strip()})
    return redirect("areas:list")
