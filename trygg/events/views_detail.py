"""One event: its details, its history, and (for those allowed) the edit form and delete."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trygg.accounts.models import Role
from trygg.areas.models import Place
from trygg.core.decorators import with_collaboration

from . import services
from .exports import shown_description
from .forms import STOCKHOLM, categories_for, edit_changes, edit_initial
from .models import Category, Visibility
from .validation import FIELD_LABELS, EventValidationError
from .views_list import log_restricted_reads, own_org_ids

HISTORY_LABELS = {"category_id": "category", "subcategory_id": "subcategory", "place_id": "place"}


def _get_event_for_user(user, collaboration, event_uuid):
    """The event if this user may see it; 404 otherwise (outsiders learn nothing)."""
    qs = services.visible_events(user, collaboration).select_related(
        "category", "subcategory", "organisation", "place", "created_by", "report")
    return get_object_or_404(qs, uuid=event_uuid)


def _history_value(name: str, value, categories: dict, places: dict) -> str:
    if value in (None, ""):
        return "–"
    if name in ("category_id", "subcategory_id"):
        return categories.get(value, str(value))
    if name == "place_id":
        return places.get(value, str(value))
    if name in ("occurred_from", "occurred_to"):
        try:
            return dt.datetime.fromisoformat(value).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "visibility":
        return str(Visibility(value).label) if value in Visibility.values else str(value)
    return str(value)


def _history(event, *, masked: bool):
    entries = list(event.history.select_related("changed_by").order_by("version"))
    categories = {c.pk: c.name for c in Category.objects.filter(collaboration_id=event.collaboration_id)}
    places = dict(Place.objects.filter(collaboration_id=event.collaboration_id).values_list("pk", "name"))
    from .privacy import mask_personal_data

    for entry in entries:
        rows = []
        for name, pair in (entry.changes or {}).items():
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if name == "source_data":
                continue
            if name == "description" and masked:
                old, new = mask_personal_data(old or ""), mask_personal_data(new or "")
            label_fn = FIELD_LABELS.get(HISTORY_LABELS.get(name, name))
            rows.append({"field": label_fn() if label_fn else name,
                         "old": _history_value(name, old, categories, places),
                         "new": _history_value(name, new, categories, places)})
        entry.rows = rows
    return entries


def _offset(value: dt.datetime) -> str:
    raw = value.astimezone(STOCKHOLM).strftime("%z")  # +0100 in winter, +0200 in summer
    return f"{raw[:3]}:{raw[3:]}"


def _with_current_category(mains: list, subs: list, event) -> tuple[list, list]:
    """The edit form offers only active categories, plus the event's own even when retired, so
    that editing (say) the description of an old event keeps its category."""
    main = next((c for c in mains if c.pk == event.category_id), None)
    if main is None:
        main = event.category
        main.retired, main.subs = True, []
        mains = [*mains, main]
    if event.subcategory_id and all(s.pk != event.subcategory_id for s in main.subs):
        sub = event.subcategory
        sub.retired = True
        main.subs = [*main.subs, sub]
        subs = [*subs, sub]
    return mains, subs


@login_required
@with_collaboration
def detail(request, collaboration, event_uuid):
    event = _get_event_for_user(request.user, collaboration, event_uuid)
    mine = own_org_ids(request.user, collaboration)
    may_edit = services.can_edit_event(request.user, event)
    may_delete = request.user.has_role(collaboration, Role.COORDINATOR)
    own_event = event.organisation_id in mine
    errors: dict[str, str] = {}
    values = edit_initial(event)
    values["description"] = values["description"] if own_event else shown_description(event, mine)
    if request.method == "POST":
        action = request.POST.get("action", "edit")
        if action == "delete":
            if not may_delete:
                return HttpResponseForbidden(_("Only coordinators may delete events."))
            services.delete_event(request.user, event)
            messages.success(request, _("The event was deleted."))
            return redirect("events:list")
        if not may_edit:
            return HttpResponseForbidden(_("You may not change this event."))
        changes, posted = edit_changes(event, request.POST, may_edit_description=own_event)
        try:
            expected = int(request.POST.get("version") or event.version)
        except ValueError:
            expected = -1
        try:
            if changes:
                services.update_event(request.user, event, changes, expected_version=expected)
        except services.PermissionDenied:
            return HttpResponseForbidden(_("You may not change this event."))
        except EventValidationError as exc:
            errors = {HISTORY_LABELS.get(k, k): v for k, v in exc.errors.items()}
            for key in ("lat", "lon", "precision"):
                if key in errors:
                    errors["location"] = errors.pop(key)
            values = posted
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:detail", event_uuid=event.uuid)
    log_restricted_reads(request.user, collaboration, [event], "detail")
    mains, subs = _with_current_category(*categories_for(collaboration), event)
    return render(request, "events/event_detail.html", {
        "collaboration": collaboration,
        "event": event,
        "description": event.description if own_event else shown_description(event, mine),
        "utc_offset": _offset(event.occurred_from),
        "areas": event.areas.select_related("type").order_by("type__level", "name"),
        "history": _history(event, masked=not own_event),
        "may_edit": may_edit,
        "may_delete": may_delete,
        "may_edit_description": own_event,
        "values": values,
        "errors": errors,
        "main_categories": mains,
        "subcategories": subs,
        "visibility_choices": Visibility.choices,
        "places": Place.objects.filter(collaboration=collaboration).only("name"),
        "assessment_choices": [(1, _("1 – minor")), (2, _("2 – noticeable")), (3, _("3 – serious"))],
    }, status=400 if errors else 200)
