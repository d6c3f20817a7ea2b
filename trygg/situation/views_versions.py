"""Published versions (stored bytes, never re-rendered), the history with status strips and search,
and the per-collaboration settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from trygg.core import svg
from trygg.core.decorators import with_collaboration

from .draft import week_key
from .models import PublishedDocument, PublishedVersion, SituationSettings, Status, Variant
from .publish import document_pdf
from .service import can_edit, variants_for


def _version_for_user(user, collaboration, week: str, number: int) -> PublishedVersion:
    try:
        key = week_key(week)
    except (ValueError, TypeError):
        raise Http404 from None
    return get_object_or_404(PublishedVersion.objects.select_related("picture"), picture__collaboration=collaboration,
                             picture__iso_week=key, number=number)


def _document(version: PublishedVersion, variant: str) -> PublishedDocument:
    lang = (translation.get_language() or "sv")[:2]
    docs = {d.language: d for d in version.documents.filter(variant=variant)}
    doc = docs.get(lang) or docs.get("sv") or next(iter(docs.values()), None)
    if doc is None:
        raise Http404
    return doc


def _allowed_variant(request, collaboration, variant: str | None) -> str:
    allowed = variants_for(request.user, collaboration)
    if variant is None:
        return allowed[0]
    if variant not in allowed:
        raise Http404
    return variant


@login_required
@with_collaboration
def version(request, collaboration, week, number, variant=None):
    v = _version_for_user(request.user, collaboration, week, number)
    variant = _allowed_variant(request, collaboration, variant)
    doc = _document(v, variant)
    return render(request, "situation/version.html", {
        "collaboration": collaboration, "version": v, "picture": v.picture, "variant": variant,
        "variants": [(x, Variant(x).label) for x in variants_for(request.user, collaboration)],
        "fragment": doc.fragment, "others": v.picture.versions.order_by("-number"),
        "editable": can_edit(request.user, collaboration)})


@login_required
@with_collaboration
def version_print(request, collaboration, week, number, variant):
    v = _version_for_user(request.user, collaboration, week, number)
    doc = _document(v, _allowed_variant(request, collaboration, variant))
    return HttpResponse(doc.html.encode("utf-8"), content_type="text/html; charset=utf-8")


@login_required
@with_collaboration
def version_pdf(request, collaboration, week, number, variant):
    v = _version_for_user(request.user, collaboration, week, number)
    doc = _document(v, _allowed_variant(request, collaboration, variant))
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = (f'inline; filename="lagesbild-{v.picture.week_label}-v{v.number}-'
                                       f'{variant}.pdf"')
    return response


def status_history(collaboration, weeks: int = 26) -> tuple[list[str], list[tuple[str, list[str | None]]]]:
    """Each area's status in the latest published version of each of the last ``weeks`` weeks."""
    latest: dict[int, PublishedVersion] = {}
    for v in (PublishedVersion.objects.filter(picture__collaboration=collaboration)
              .select_related("picture").order_by("-picture__iso_week", "-number")):
        latest.setdefault(v.picture.iso_week, v)
    keys = sorted(latest)[-weeks:]
    areas: dict[str, str] = {}
    table: dict[str, dict[int, str]] = {}
    for k in keys:
        for a in latest[k].snapshots.get(Variant.FULL, {}).get("assessments", []):
            areas.setdefault(a["area"], a["name"])
            table.setdefault(a["area"], {})[k] = a["status"] or None
    labels = [f"v{k % 100}" for k in keys]
    rows = [(name, [table.get(uuid, {}).get(k) for k in keys]) for uuid, name in sorted(areas.items(),
                                                                                         key=lambda x: x[1])]
    return labels, rows


@login_required
@with_collaboration
def history(request, collaboration):
    versions = PublishedVersion.objects.filter(picture__collaboration=collaboration).select_related("picture")
    q = (request.GET.get("q") or "").strip()[:100]
    week = (request.GET.get("vecka") or "").strip()
    error = ""
    if week:
        try:
            versions = versions.filter(picture__iso_week=week_key(week))
        except (ValueError, TypeError):
            error = _("week: use the form 2026-W47.")
    if q:
        versions = versions.filter(Q(search_text__icontains=q) | Q(change_note__icontains=q))
    labels, rows = status_history(collaboration)
    strip = svg.status_strip(rows, labels, title=_("Status per area over the weeks"),
                             desc=_("One row per area, one cell per published week; green, yellow or red.")) \
        if rows else ""
    return render(request, "situation/history.html", {
        "collaboration": collaboration, "versions": versions.order_by("-picture__iso_week", "-number")[:200],
        "q": q, "week": week, "error": error, "strip": strip, "strip_labels": labels, "strip_rows": rows,
        "status_labels": dict(Status.choices), "editable": can_edit(request.user, collaboration)})


@login_required
@with_collaboration
def settings_view(request, collaboration):
    if not can_edit(request.user, collaboration):
        raise Http404
    obj = SituationSettings.for_collaboration(collaboration)
    errors = {}
    if request.method == "POST":
        import datetime as dt

        obj.criteria_green = request.POST.get("criteria_green", "").strip()
        obj.criteria_yellow = request.POST.get("criteria_yellow", "").strip()
        obj.criteria_red = request.POST.get("criteria_red", "").strip()
        try:
            threshold = int(request.POST.get("feedback_threshold", "3"))
            if not 1 <= threshold <= 50:
                raise ValueError
            obj.feedback_threshold = threshold
        except ValueError:
            errors["feedback_threshold"] = _("feedback_threshold: a whole number from 1 to 50.")
        raw_time = request.POST.get("draft_time", "").strip()
        try:
            obj.draft_time = dt.time.fromisoformat(raw_time) if raw_time else None
        except ValueError:
            errors["draft_time"] = _("draft_time: use the form 06:00.")
        if not errors:
            obj.save()
            messages.success(request, _("Saved."))
            return redirect("situation:settings")
    return render(request, "situation/settings.html", {"collaboration": collaboration, "obj": obj,
                                                       "errors": errors, "criteria": obj.criteria()},
                  status=400 if errors else 200)
