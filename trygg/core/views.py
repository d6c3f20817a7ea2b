from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from trygg.events.services import iso_week_key, visible_events

from .decorators import with_collaboration


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@with_collaboration
def home(request, collaboration):
    now = timezone.now()
    week = iso_week_key(now)
    events = visible_events(request.user, collaboration)
    this_week = events.filter(iso_week=week)
    own_orgs = [o.pk for o in request.user.organisations_in(collaboration)]
    monday = timezone.localtime(now).date() - dt.timedelta(days=timezone.localtime(now).weekday())
    context = {
        "collaboration": collaboration,
        "week": f"{week // 100}-W{week % 100:02d}",
        "week_number": week % 100,
        "events_this_week": this_week.count(),
        "own_reports_this_week": events.filter(
            organisation_id__in=own_orgs, report__isnull=False, created_at__date__gte=monday
        ).count(),
        "role": request.user.best_role_in(collaboration),
        "recent": events.select_related("category", "organisation").order_by("-occurred_from")[:8],
    }
    if apps.is_installed("trygg.situation"):
        from trygg.situation.startpage import start_summary

        context["situation"] = start_summary(request.user, collaboration, now)
    return render(request, "core/home.html", context)
