"""The report form (J1): one or more events in one report, on a phone, online or queued offline."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trygg.areas.models import Place
from trygg.areas.views import areas_geojson, collaboration_bounds
from trygg.core.decorators import with_collaboration

from . import services
from .forms import STOCKHOLM, WHEN_CHOICES, ReportBlock, attach_errors, categories_for, parse_report
from .models import Event, Report, Visibility
from .privacy import personal_data_warnings
from .validation import EventValidationError


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _chosen_organisation(request, collaboration, organisations):
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    if wanted:
        for org in organisations:
            if str(org.uuid) == wanted:
                return org
        return None
    return organisations[0] if organisations else None


def _empty_block(index: int) -> ReportBlock:
    return ReportBlock(index=index, raw={"when": "now", "visibility": Visibility.PARTNERS}, data={})


def _form_context(request, collaboration, organisation, organisations, blocks, **extra):
    mains, subs = categories_for(collaboration, organisation)
    return {
        "collaboration": collaboration,
        "organisations": organisations,
        "organisation": organisation,
        "blocks": blocks,
        "main_categories": mains,
        "subcategories": subs,
        "when_choices": WHEN_CHOICES,
        "visibility_choices": Visibility.choices,
        "places": Place.objects.filter(collaboration=collaboration).only("name", "uuid"),
        "areas_geojson": areas_geojson(collaboration),
        "map_bounds": collaboration_bounds(collaboration),
        "client_id": request.POST.get("client_id") or str(uuid.uuid4()),
        "has_block_errors": any(b.errors for b in blocks),
        "max_local": timezone.localtime(timezone.now(), STOCKHOLM).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def _valid_client_id(raw):
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


@login_required
@with_collaboration
def report(request, collaboration):
    organisations = request.user.organisations_in(collaboration)
    if not organisations:
        raise Http404
    if request.method != "POST":
        organisation = _chosen_organisation(request, collaboration, organisations) or organisations[0]
        return render(request, "events/report_form.html",
                      _form_context(request, collaboration, organisation, organisations, [_empty_block(0)]))

    organisation = _chosen_organisation(request, collaboration, organisations)
    blocks = parse_report(request.POST, now=timezone.now())
    general: list[str] = []
    if organisation is None:
        general.append(_("Organisation: choose one of your organisations."))
        organisation = organisations[0]
    action = request.POST.get("action", "send")
    if action == "add":  # without JavaScript: show one more event block
        blocks.append(_empty_block(len(blocks)))
        return render(request, "events/report_form.html",
                      _form_context(request, collaboration, organisation, organisations, blocks))

    client_id = _valid_client_id(request.POST.get("client_id"))
    queued = request.headers.get("X-Trygg-Queued") == "1"
    for b in blocks:
        b.warnings = personal_data_warnings(b.raw["description"])
    needs_check = any(b.warnings for b in blocks) and not request.POST.get("personal_data_checked") and not queued
    if not general and not needs_check:
        try:
            saved, created = services.create_report(
                request.user, organisation, [b.data for b in blocks], client_id=client_id
            )
        except services.PermissionDenied as exc:
            general.append(str(exc))
        except EventValidationError as exc:
            general.extend(attach_errors(blocks, exc.errors))
        else:
            url = reverse("events:report_done", args=[saved.uuid])
            if _wants_json(request):
                return JsonResponse({"status": "created" if created else "duplicate", "report": str(saved.uuid),
                                     "url": url}, status=201 if created else 200)
            return redirect(url)
    if needs_check and not general:
        general.extend(attach_errors(blocks, _dry_run_errors(collaboration, blocks)))
    if _wants_json(request):
        fields = {f"events[{b.index}].{k}": v for b in blocks for k, v in b.errors.items()}
        status = "check" if needs_check and not general and not fields else "invalid"
        return JsonResponse({"status": status, "errors": general, "fields": fields}, status=400)
    context = _form_context(request, collaboration, organisation, organisations, blocks,
                            general_errors=general, needs_check=needs_check and not general)
    return render(request, "events/report_form.html", context, status=400)


def _dry_run_errors(collaboration, blocks) -> dict[str, str]:
    """Validation errors of every block without saving (shown together with the privacy check)."""
    writer = services.EventWriter(collaboration)
    errors = {}
    for b in blocks:
        try:
            writer.validate({**b.data, "source": "manual"})
        except EventValidationError as exc:
            errors.update({f"events[{b.index}].{k}": v for k, v in exc.errors.items()})
    return errors


@login_required
@require_POST
def report_check(request):
    """htmx: gentle warnings while the reporter types a description."""
    text = ""
    for key, value in request.POST.items():
        if key.endswith("description"):
            text = value
            break
    return render(request, "events/_privacy_warnings.html", {"warnings": personal_data_warnings(text)})


def week_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(STOCKHOLM)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0, 0), STOCKHOLM)


@login_required
@with_collaboration
def report_done(request, collaboration, report_uuid):
    saved = get_object_or_404(Report, uuid=report_uuid, collaboration=collaboration)
    if not request.user.is_member_of(saved.organisation_id):
        raise Http404
    since = week_start(timezone.now())
    events = saved.events.select_related("category", "subcategory", "place").order_by("occurred_from", "pk")
    org_events = Event.objects.filter(organisation_id=saved.organisation_id, report__isnull=False, created_at__gte=since)
    org_reports = Report.objects.filter(organisation_id=saved.organisation_id, created_at__gte=since)
    return render(request, "events/report_done.html", {
        "collaboration": collaboration, "report": saved, "events": events,
        "week_events": org_events.count(), "week_reports": org_reports.count(),
        "week_number": timezone.localtime(timezone.now(), STOCKHOLM).isocalendar()[1],
    })
