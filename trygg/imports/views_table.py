"""The spreadsheet import wizard: upload → columns → mapping → preview → import in the background.

The uploaded file is kept under MEDIA_ROOT/imports; the wizard's state (file, organisation,
mapping so far) lives in the session under a random token, so nothing is recorded until the
user presses Import — then one import run is created and the worker imports the file while the
run page shows a progress bar. Coordinators and admins only; everyone else gets 404.
"""

from __future__ import annotations

import secrets
from collections import Counter
from itertools import islice

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trygg.accounts import audit
from trygg.core.decorators import with_collaboration

from . import table_dates
from .mapping import FIELD_LABELS, FIELDS, Coordinates, ImportMapping, MappingError, Spec, detect_swap
from .models import ImportRun
from .table_import import prepare, start_table_run, validate_chunk
from .tabular import DELIMITER_NAMES, DELIMITERS, ENCODING_LABELS, TableError, list_sheets, open_table
from .views import MAX_UPLOAD_BYTES, _require_importer, upload_dir

SESSION_KEY = "table_imports"
PREVIEW_ROWS = 20
SAMPLE_ROWS = 1000


def _organisations(user, collaboration):
    return list(user.organisations_in(collaboration))


def _draft(request, collaboration, token) -> dict:
    draft = request.session.get(SESSION_KEY, {}).get(token)
    if not draft or draft.get("collaboration") != collaboration.pk:
        raise Http404
    return draft


def _save_draft(request, token, draft) -> None:
    drafts = request.session.get(SESSION_KEY, {})
    drafts[token] = draft
    request.session[SESSION_KEY] = dict(list(drafts.items())[-5:])  # the last few wizards only


def _mappings(user, collaboration):
    return ImportMapping.objects.filter(organisation__in=_organisations(user, collaboration)).order_by("name")


@login_required
@with_collaboration
@require_http_methods(["GET", "POST"])
def table_upload(request, collaboration):
    """Step 1: choose the file (CSV or XLSX) and the importing organisation."""
    _require_importer(request.user, collaboration)
    organisations = _organisations(request.user, collaboration)
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        org = next((o for o in organisations if str(o.uuid) == request.POST.get("organisation")), None)
        if org is None and len(organisations) == 1:
            org = organisations[0]
        if org is None:
            errors["organisation"] = _("Organisation: choose the organisation the events come from.")
        if upload is None:
            errors["file"] = _("File: choose a CSV or XLSX file.")
        elif upload.size == 0:
            errors["file"] = _("File: the file is empty (0 bytes).")
        elif upload.size > MAX_UPLOAD_BYTES:
            errors["file"] = _("File: the file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        if not errors:
            token = secrets.token_urlsafe(12)
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            target = upload_dir() / f"table-{token}{suffix}"
            with open(target, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                sheets = list_sheets(target)
                if len(sheets) <= 1:
                    open_table(target)  # a clear message now for an unreadable file
            except TableError as exc:
                target.unlink(missing_ok=True)
                errors["file"] = _("File: %(message)s") % {"message": exc.message}
            else:
                _save_draft(request, token, {"collaboration": collaboration.pk, "organisation": org.pk,
                                             "path": str(target), "filename": upload.name[:200], "spec": None})
                return redirect("imports:table_map", token=token)
    return render(request, "imports/table_upload.html", {
        "collaboration": collaboration, "organisations": organisations, "errors": errors,
    }, status=400 if errors else 200)


ENCODING_CHOICES = [(key, label) for key, label in ENCODING_LABELS.items()]
DELIMITER_CHOICES = [("tab" if d == "\t" else d, DELIMITER_NAMES[d]) for d in DELIMITERS]


def _reading_override(data, errors: dict[str, str]) -> dict[str, str | None]:
    """The encoding and delimiter the user chose instead of the detected ones (CSV only)."""
    chosen: dict[str, str | None] = {"encoding": None, "delimiter": None}
    encoding = (data.get("encoding") or "").strip()
    if encoding:
        if encoding in ENCODING_LABELS:
            chosen["encoding"] = encoding
        else:
            errors["encoding"] = _("Text encoding: choose one of the encodings.")
    delimiter = data.get("delimiter") or ""
    if delimiter:
        delimiter = "\t" if delimiter == "tab" else delimiter
        if delimiter in DELIMITERS:
            chosen["delimiter"] = delimiter
        else:
            errors["delimiter"] = _("Delimiter: choose semicolon, comma, tab or |.")
    return chosen


def _as_form(reading: dict) -> dict:
    return {**reading, "delimiter": "tab" if reading.get("delimiter") == "\t" else reading.get("delimiter")}


def _spec_from_post(post, header) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    columns = {f: post.get(f"col_{f}") for f in FIELDS if post.get(f"col_{f}") in header}
    spec = {
        "columns": columns,
        "date_format": post.get("date_format") or None,
        "time_format": post.get("time_format") or None,
        "coordinates": post.get("coordinates") or Coordinates.WGS84,
        "swap_coordinates": {"yes": True, "no": False}.get(post.get("swap_coordinates"), "auto"),
        "default_category": post.get("default_category", ""),
        "visibility": post.get("visibility") or "partners",
        "sheet": post.get("sheet") or None,
        "category_values": {},
        **_reading_override(post, errors),
    }
    for key, value in post.items():
        if key.startswith("catval_") and value:
            spec["category_values"][post.get("catname_" + key[7:], "")] = value
    if spec["date_format"] and spec["date_format"] not in dict(table_dates.FORMAT_CHOICES):
        errors["date_format"] = _("Date format: choose one of the formats.")
    return spec, errors


@login_required
@with_collaboration
@require_http_methods(["GET", "POST"])
def table_map(request, collaboration, token):
    """Step 2: the detected columns with sample values, and the mapping (saved or new)."""
    _require_importer(request.user, collaboration)
    draft = _draft(request, collaboration, token)
    spec_data = draft.get("spec") or {}
    chosen = request.GET.get("mapping")
    if chosen:
        try:
            saved = _mappings(request.user, collaboration).filter(uuid=chosen).first()
        except (ValueError, ValidationError):
            saved = None
        if saved is None:
            raise Http404
        spec_data = dict(saved.spec)
    sheet = request.POST.get("sheet") or request.GET.get("sheet") or spec_data.get("sheet")
    sheets = list_sheets(draft["path"])
    errors: dict[str, str] = {}
    table = None
    form_data = request.POST if request.method == "POST" else request.GET
    if "encoding" in form_data or "delimiter" in form_data:  # chosen by hand (like the CLI's --encoding)
        reading = _reading_override(form_data, errors)
    else:
        reading = {"encoding": spec_data.get("encoding"), "delimiter": spec_data.get("delimiter")}
    try:
        table = open_table(draft["path"], sheet=sheet, delimiter=reading["delimiter"], encoding=reading["encoding"])
    except TableError as exc:
        errors["sheet" if exc.code in ("several_sheets", "sheet") else "file"] = exc.message
    except (LookupError, UnicodeError) as exc:
        errors["encoding"] = _("Text encoding: the file cannot be read as %(enc)s (%(error)s).") % {
            "enc": ENCODING_LABELS.get(reading["encoding"], reading["encoding"]), "error": exc}
    if table is None:
        return render(request, "imports/table_map.html", {
            "collaboration": collaboration, "token": token, "draft": draft, "sheets": sheets, "errors": errors,
            "table": None, "reading": _as_form(reading), "encoding_choices": ENCODING_CHOICES,
            "delimiter_choices": DELIMITER_CHOICES}, status=400 if request.method == "POST" or errors else 200)
    sample = list(islice(table.rows(), SAMPLE_ROWS))
    header = table.header
    if request.method == "POST":
        spec_data, errors = _spec_from_post(request.POST, header)
        spec_data["sheet"] = table.info.sheet or None
        try:
            spec = Spec.from_dict(spec_data)
            spec.check(header)
            if spec.date_format is None:
                from .table_import import resolve_formats

                resolve_formats(spec, table, sample)
                spec_data["date_format"] = spec.date_format
                spec_data["time_format"] = spec.time_format
        except MappingError as exc:
            errors["mapping"] = exc.message
        name = request.POST.get("save_as", "").strip()[:100]
        if not errors:
            if name:
                org = next(o for o in _organisations(request.user, collaboration) if o.pk == draft["organisation"])
                ImportMapping.objects.update_or_create(organisation=org, name=name, defaults={
                    "spec": spec_data, "created_by": request.user})
            draft["spec"] = spec_data
            draft["mapping_name"] = name
            _save_draft(request, token, draft)
            return redirect("imports:table_preview", token=token)
    columns = spec_data.get("columns", {})
    samples = {h: [r.cells[i] for r in sample[:3] if i < len(r.cells)] for i, h in enumerate(header)}
    date_col = columns.get("occurred_from")
    date_guess, date_message = (None, "")
    if date_col in header:
        i = header.index(date_col)
        date_guess, date_message = table_dates.guess_format([r.cells[i] for r in sample if not r.error])
    cat_values: list[str] = []
    if columns.get("category") in header:
        i = header.index(columns["category"])
        cat_values = [v for v, _n in Counter(str(r.cells[i]).strip() for r in sample
                                             if r.cells[i] not in (None, "")).most_common(60)]
    swapped = False
    try:
        spec_now = Spec.from_dict({**spec_data, "columns": columns}) if columns else None
        if spec_now and all(spec_now.columns.get(k) in header for k in ("lat", "lon")):
            swapped = detect_swap(spec_now, header, sample)
    except MappingError:
        pass
    from trygg.events.models import Category

    categories = Category.objects.filter(collaboration=collaboration, is_active=True).order_by("sort_order", "code")
    return render(request, "imports/table_map.html", {
        "collaboration": collaboration, "token": token, "draft": draft, "table": table, "info": table.info,
        "sheets": sheets, "header": header, "samples": samples, "errors": errors, "spec": spec_data,
        "columns": columns, "fields": [(f, FIELD_LABELS[f], columns.get(f, "")) for f in FIELDS],
        "date_choices": table_dates.FORMAT_CHOICES, "time_choices": table_dates.TIME_CHOICES,
        "date_guess": date_guess, "date_message": date_message, "coordinate_choices": Coordinates.choices,
        "category_values": [(i, v, spec_data.get("category_values", {}).get(v, "")) for i, v in enumerate(cat_values)],
        "categories": categories, "swapped": swapped, "mappings": _mappings(request.user, collaboration),
        "reading": _as_form(reading), "encoding_choices": ENCODING_CHOICES, "delimiter_choices": DELIMITER_CHOICES,
    }, status=400 if errors else 200)


@login_required
@with_collaboration
def table_preview(request, collaboration, token):
    """Step 3: the first rows as they would be imported, with each row's errors."""
    _require_importer(request.user, collaboration)
    draft = _draft(request, collaboration, token)
    if not draft.get("spec"):
        return redirect("imports:table_map", token=token)
    error, rows, notices = "", [], []
    try:
        prep = prepare(draft["path"], Spec.from_dict(draft["spec"]), collaboration, draft["organisation"])
        first = list(islice(prep.table.rows(), PREVIEW_ROWS))
        kept, inputs, bad = validate_chunk(prep, first)
        by_row = {r.number: item for r, item in zip(kept, inputs)}
        problems = {b.row: b.reason for b in bad}
        names = {c.pk: c.name for c in prep.writer.catalogue.by_id.values()}
        for r in first:
            item = by_row.get(r.number)
            rows.append({"number": r.number, "cells": r.cells, "error": problems.get(r.number, ""), "item": item,
                         "category": names.get(item.subcategory_id or item.category_id) if item else ""})
        notices = prep.notices
        header = prep.table.header
    except (TableError, MappingError) as exc:
        error, header = exc.message, []
    return render(request, "imports/table_preview.html", {
        "collaboration": collaboration, "token": token, "draft": draft, "rows": rows, "header": header,
        "error": error, "notices": notices, "ok": sum(1 for r in rows if not r["error"]),
    }, status=400 if error else 200)


@login_required
@with_collaboration
@require_POST
def table_start(request, collaboration, token):
    """Step 4: record the run and hand the file to the background worker."""
    _require_importer(request.user, collaboration)
    draft = _draft(request, collaboration, token)
    if not draft.get("spec"):
        return redirect("imports:table_map", token=token)
    org = next((o for o in _organisations(request.user, collaboration) if o.pk == draft["organisation"]), None)
    if org is None:
        raise Http404
    from .tasks_table import import_table_run

    run = start_table_run(draft["path"], Spec.from_dict(draft["spec"]), organisation=org, user=request.user,
                          filename=draft["filename"], mapping_name=draft.get("mapping_name", ""),
                          status=ImportRun.Status.PENDING)
    audit.record("import", run, actor=request.user, collaboration=collaboration,
                 detail={"kind": run.kind, "filename": draft["filename"]})
    drafts = request.session.get(SESSION_KEY, {})
    drafts.pop(token, None)
    request.session[SESSION_KEY] = drafts
    import_table_run.enqueue(str(run.uuid))
    messages.success(request, _("The file was received; the import runs in the background."))
    return redirect("imports:run", run_uuid=run.uuid)


urlpatterns = [
    path("tabell/", table_upload, name="table_upload"),
    path("tabell/<str:token>/", table_map, name="table_map"),
    path("tabell/<str:token>/forhandsgranska/", table_preview, name="table_preview"),
    path("tabell/<str:token>/importera/", table_start, name="table_start"),
]
