"""The statutory lägesbild for a period and the action plan (åtgärdsplan) editor, as HTML that pastes
cleanly into a word processor (semantic headings and tables, no layout boxes) and as PDF."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts.models import Role
from trygg.analysis_db.scope import scope_for
from trygg.areas.models import Area
from trygg.core.decorators import with_collaboration
from trygg.events.models import Category

from . import annual as annual_report
from .models import ActionItem, ActionPlan, DecisionStatus, Status
from .render import CSS_PATH, render_pdf
from .service import can_edit


def _period(request) -> tuple[dt.date, dt.date, dict]:
    today = timezone.localdate()
    errors = {}
    default_from, default_to = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    values = []
    for name, default in (("from", default_from), ("to", default_to)):
        raw = (request.GET.get(name) or "").strip()
        try:
            values.append(dt.date.fromisoformat(raw) if raw else default)
        except ValueError:
            errors[name] = _("%(param)s: not a date (YYYY-MM-DD).") % {"param": name}
            values.append(default)
    if values[1] < values[0]:
        errors["to"] = _("to: the period ends before it starts.")
        values = [default_from, default_to]
    return values[0], values[1], errors


def _standalone(template: str, ctx: dict, title: str) -> str:
    body = render_to_string(template, ctx)
    return render_to_string("situation/print.html", {"fragment": body, "css": CSS_PATH.read_text(encoding="utf-8"),
                                                     "title": title, "language": ctx.get("language", "sv")})


@login_required
@with_collaboration
def annual(request, collaboration, fmt="html"):
    if not request.user.has_role(collaboration, Role.ANALYST):
        raise Http404
    date_from, date_to, errors = _period(request)
    report = annual_report.build(collaboration, scope_for(request.user, collaboration), date_from, date_to)
    plans = ActionPlan.objects.filter(collaboration=collaboration, period_from__lte=date_to,
                                      period_to__gte=date_from).prefetch_related("items__owner", "items__area")
    ctx = {"collaboration": collaboration, "r": report, "plans": plans, "errors": errors,
           "status_labels": dict(Status.choices), "language": request.LANGUAGE_CODE}
    title = _("Lägesbild %(from)s – %(to)s") % {"from": date_from, "to": date_to}
    if fmt == "pdf" or request.GET.get("format") == "print":
        html = _standalone("situation/annual_document.html", ctx, title)
        if fmt == "pdf":
            response = HttpResponse(render_pdf(html), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="lagesbild-{date_from}-{date_to}.pdf"'
            return response
        return HttpResponse(html)
    return render(request, "situation/annual.html", ctx, status=400 if errors else 200)


@login_required
@with_collaboration
def plans(request, collaboration):
    editable = can_edit(request.user, collaboration)
    errors = {}
    if request.method == "POST":
        if not editable:
            raise Http404
        title = request.POST.get("title", "").strip()[:200]
        if not title:
            errors["title"] = _("title: give the plan a title.")
        try:
            period_from = dt.date.fromisoformat(request.POST.get("period_from", ""))
            period_to = dt.date.fromisoformat(request.POST.get("period_to", ""))
            if period_to < period_from:
                errors["period_to"] = _("period_to: the period ends before it starts.")
        except ValueError:
            errors["period_from"] = _("period_from, period_to: dates in the form YYYY-MM-DD.")
        if not errors:
            plan_obj = ActionPlan.objects.create(collaboration=collaboration, title=title, period_from=period_from,
                                                 period_to=period_to)
            return redirect("situation:plan", pk=plan_obj.pk)
    return render(request, "situation/plans.html", {
        "collaboration": collaboration, "plans": ActionPlan.objects.filter(collaboration=collaboration),
        "editable": editable, "errors": errors, "posted": request.POST}, status=400 if errors else 200)


def _item_values(collaboration, data) -> tuple[dict, dict]:
    errors, values = {}, {}
    values["problem"] = (data.get("problem") or "").strip()[:300]
    if not values["problem"]:
        errors["problem"] = _("problem: describe the identified problem.")
    values["measures"] = (data.get("measures") or "").strip()
    if not values["measures"]:
        errors["measures"] = _("measures: describe the planned measures.")
    values["owner"] = collaboration.organisations.filter(pk=data.get("owner") or 0).first() \
        if str(data.get("owner") or "").isdigit() else None
    if values["owner"] is None:
        errors["owner"] = _("owner: choose the responsible organisation.")
    try:
        values["follow_up"] = dt.date.fromisoformat(data.get("follow_up") or "")
    except ValueError:
        errors["follow_up"] = _("follow_up: not a date (YYYY-MM-DD).")
    values["area"] = Area.objects.filter(collaboration=collaboration, pk=data.get("area")).first() \
        if str(data.get("area") or "").isdigit() else None
    values["category"] = Category.objects.filter(collaboration=collaboration, pk=data.get("category")).first() \
        if str(data.get("category") or "").isdigit() else None
    status = data.get("status") or DecisionStatus.OPEN
    values["status"] = status if status in DecisionStatus.values else DecisionStatus.OPEN
    return values, errors


@login_required
@with_collaboration
def plan(request, collaboration, pk, fmt="html"):
    if not request.user.has_role(collaboration, Role.REPORTER):
        raise Http404
    plan_obj = get_object_or_404(ActionPlan, collaboration=collaboration, pk=pk)
    editable = can_edit(request.user, collaboration)
    errors = {}
    if request.method == "POST":
        if not editable:
            raise Http404
        action = request.POST.get("action", "add")
        if action == "delete":
            ActionItem.objects.filter(plan=plan_obj, pk=request.POST.get("item") or 0).delete()
            return redirect("situation:plan", pk=plan_obj.pk)
        values, errors = _item_values(collaboration, request.POST)
        if not errors:
            if action == "edit":
                item = get_object_or_404(ActionItem, plan=plan_obj, pk=request.POST.get("item") or 0)
                for k, v in values.items():
                    setattr(item, k, v)
                item.save()
            else:
                ActionItem.objects.create(plan=plan_obj, **values)
            messages.success(request, _("Saved."))
            return redirect("situation:plan", pk=plan_obj.pk)
    ctx = {"collaboration": collaboration, "plan": plan_obj, "editable": editable, "errors": errors,
           "items": plan_obj.items.select_related("owner", "area", "category"),
           "organisations": collaboration.organisations.order_by("name"),
           "areas": Area.objects.filter(collaboration=collaboration).order_by("name"),
           "categories": Category.objects.filter(collaboration=collaboration, parent__isnull=True),
           "statuses": DecisionStatus.choices, "posted": request.POST, "language": request.LANGUAGE_CODE}
    if fmt == "pdf":
        html = _standalone("situation/plan_document.html", ctx, plan_obj.title)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="atgardsplan-{plan_obj.pk}.pdf"'
        return response
    return render(request, "situation/plan.html", ctx, status=400 if errors else 200)
