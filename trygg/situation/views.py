"""The working week: the draft document and the meeting's editor (htmx inline saves).

Coordinators and admins edit; police (and everyone who may see restricted events) read the
working copy; other members are sent to the published versions. Outsiders get 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trygg.areas.models import Area, Place
from trygg.core.decorators import with_collaboration

from .draft import current_week_key, week_key, week_label
from .editing import EditError, add_decision, change_priorities, save_assessment, update_decision
from .models import AreaAssessment, Decision, DecisionStatus, Status, WeekPicture
from .publish import PublishError, publish
from .render import render_fragment, render_pdf, render_print
from .service import can_edit, can_read_draft, document, draft, get_picture, meeting_parts


def _week_or_404(raw: str) -> int:
    try:
        return week_key(raw)
    except (ValueError, TypeError):
        raise Http404 from None


def week_view(view):
    """Parse ``week`` into an iso week key and pass the picture (created on first visit)."""

    @wraps(view)
    @login_required
    @with_collaboration
    def wrapper(request, collaboration, week, *args, **kwargs):
        key = _week_or_404(week)
        return view(request, collaboration, key, *args, **kwargs)

    return wrapper


def editor_only(view):
    @wraps(view)
    def wrapper(request, collaboration, key, *args, **kwargs):
        if not can_edit(request.user, collaboration):
            raise Http404
        return view(request, collaboration, key, *args, **kwargs)

    return wrapper


@login_required
@with_collaboration
def index(request, collaboration):
    return redirect("situation:week", week=week_label(current_week_key()))


def _draft_doc(picture: WeekPicture) -> dict:
    return document(picture, "full", picture.draft, meeting_parts(picture))


def _editor_context(request, collaboration, picture: WeekPicture) -> dict:
    picture.refresh_from_db()
    return {
        "collaboration": collaboration, "picture": picture, "editable": can_edit(request.user, collaboration),
        "assessments": picture.assessments.select_related("area").order_by("area__code", "area__name", "pk"),
        "statuses": Status.choices, "decision_statuses": DecisionStatus.choices,
        "priorities": picture.priorities.select_related("area", "place"),
        "decisions": picture.decisions.select_related("organisation", "area").order_by("due", "pk"),
        "organisations": collaboration.organisations.order_by("name"),
        "areas": Area.objects.filter(collaboration=collaboration).select_related("type").order_by("type__level", "name"),
        "places": Place.objects.filter(collaboration=collaboration).order_by("name")[:500],
        "versions": picture.versions.order_by("-number"),
    }


@week_view
def week(request, collaboration, key):
    if not can_read_draft(request.user, collaboration):
        picture = WeekPicture.objects.filter(collaboration=collaboration, iso_week=key).first()
        latest = picture.latest_version() if picture else None
        if latest is None:
            return render(request, "situation/not_published.html",
                          {"collaboration": collaboration, "week": week_label(key)}, status=404)
        return redirect("situation:version", week=week_label(key), number=latest.number)
    picture = get_picture(collaboration, key)
    if not picture.drafted_at:
        if not can_edit(request.user, collaboration):
            return render(request, "situation/not_published.html",
                          {"collaboration": collaboration, "week": week_label(key)}, status=404)
        picture = draft(collaboration, key)
    ctx = _editor_context(request, collaboration, picture)
    ctx["document_html"] = render_fragment(_draft_doc(picture), request.LANGUAGE_CODE)
    ctx["prev_week"] = week_label(_shift(key, -1))
    ctx["next_week"] = week_label(_shift(key, 1))
    return render(request, "situation/week.html", ctx)


def _shift(key: int, weeks: int) -> int:
    import datetime as dt

    d = dt.date.fromisocalendar(key // 100, key % 100, 1) + dt.timedelta(weeks=weeks)
    y, w, _d = d.isocalendar()
    return y * 100 + w


@require_POST
@week_view
@editor_only
def redraft(request, collaboration, key):
    draft(collaboration, key)
    messages.success(request, _("The numbers were recomputed from the current events."))
    return redirect("situation:week", week=week_label(key))


@week_view
def draft_print(request, collaboration, key, fmt="html"):
    if not can_read_draft(request.user, collaboration):
        raise Http404
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key, drafted_at__isnull=False)
    html = render_print(_draft_doc(picture), request.LANGUAGE_CODE)
    if fmt == "pdf":
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="lagesbild-{picture.week_label}-utkast.pdf"'
        return response
    return HttpResponse(html)


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_POST
@week_view
@editor_only
def assessment_save(request, collaboration, key, pk):
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key)
    assessment = get_object_or_404(AreaAssessment.objects.select_related("area"), picture=picture, pk=pk)
    errors, conflict, saved = {}, None, False
    choice = request.POST.get("choice", "")
    status_in, text_in = request.POST.get("status", ""), request.POST.get("text", "")
    if choice == "mine":
        status_in, text_in = request.POST.get("mine_status", ""), request.POST.get("mine_text", "")
    try:
        if choice == "theirs":  # keep the stored version: nothing to save
            assessment.refresh_from_db()
        else:
            assessment, conflict = save_assessment(assessment, base_version=request.POST.get("version"),
                                                   status=status_in, text=text_in, user=request.user)
            saved = conflict is None
    except EditError as exc:
        errors = exc.errors
    assessment.conflict, assessment.errors, assessment.saved = conflict, errors, saved
    ctx = {"a": assessment, "statuses": Status.choices, "editable": True, "picture": picture}
    status = 409 if conflict else 400 if errors else 200
    if _htmx(request):
        return render(request, "situation/_assessment.html", ctx, status=status)
    if conflict or errors:
        full = _editor_context(request, collaboration, picture)
        full["assessments"] = [assessment if x.pk == assessment.pk else x for x in full["assessments"]]
        full.update(document_html=render_fragment(_draft_doc(picture), request.LANGUAGE_CODE),
                    prev_week=week_label(_shift(key, -1)), next_week=week_label(_shift(key, 1)))
        return render(request, "situation/week.html", full, status=status)
    messages.success(request, _("Saved."))
    return redirect("situation:week", week=week_label(key))


@require_POST
@week_view
@editor_only
def priorities(request, collaboration, key):
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key)
    errors, conflict = {}, None
    try:
        conflict = change_priorities(picture, request.POST)
    except EditError as exc:
        errors = exc.errors
    ctx = _editor_context(request, collaboration, picture) | {"prio_errors": errors, "prio_conflict": conflict}
    if _htmx(request):
        return render(request, "situation/_priorities.html", ctx, status=409 if conflict else 200)
    if conflict:
        messages.error(request, _("Someone else changed the focus list at the same time; it is shown as it is "
                                  "now. Please make your change again."))
    for message in errors.values():
        messages.error(request, message)
    return redirect("situation:week", week=week_label(key))


@require_POST
@week_view
@editor_only
def decision_add(request, collaboration, key):
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key)
    errors = {}
    try:
        add_decision(picture, request.POST)
    except EditError as exc:
        errors = exc.errors
    ctx = _editor_context(request, collaboration, picture) | {"decision_errors": errors, "posted": request.POST}
    if _htmx(request):
        return render(request, "situation/_decisions.html", ctx, status=400 if errors else 200)
    for message in errors.values():
        messages.error(request, message)
    return redirect("situation:week", week=week_label(key))


@require_POST
@week_view
@editor_only
def decision_edit(request, collaboration, key, pk):
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key)
    decision = get_object_or_404(Decision, picture=picture, pk=pk)
    errors, conflict = {}, None
    if request.POST.get("action") == "delete":
        decision.delete()
    else:
        try:
            decision, conflict = update_decision(decision, request.POST)
        except EditError as exc:
            errors = exc.errors
    ctx = _editor_context(request, collaboration, picture) | {"decision_errors": errors,
                                                               "decision_conflict": conflict,
                                                               "conflict_decision": decision.pk}
    if _htmx(request):
        return render(request, "situation/_decisions.html", ctx, status=409 if conflict else 400 if errors else 200)
    for message in errors.values():
        messages.error(request, message)
    if conflict:
        messages.error(request, _("Someone else saved this decision at the same time. Nothing was overwritten."))
    return redirect("situation:week", week=week_label(key))


@require_POST
@week_view
@editor_only
def publish_view(request, collaboration, key):
    picture = get_object_or_404(WeekPicture, collaboration=collaboration, iso_week=key)
    try:
        version = publish(picture, request.user, change_note=request.POST.get("change_note", ""))
    except PublishError as exc:
        for message in exc.errors.values():
            messages.error(request, message)
        return redirect("situation:week", week=week_label(key))
    messages.success(request, _("Version %(n)s is published and sent to the partners and this week's reporters.")
                     % {"n": version.number})
    return redirect("situation:version", week=picture.week_label, number=version.number)
