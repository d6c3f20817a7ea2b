"""The collaboration's audit log for its administrators: browse with filters, export as CSV.

Only members with the role *admin* in the collaboration get the page; everyone else — other
roles and other collaborations — gets 404. The export is itself written to the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.core.decorators import with_collaboration

from .. import audit
from ..models import AuditLog, Role, User

PAGE_SIZE = 50
# Entries not bound to one collaboration (logins, tokens, two-factor) that concern its members.
PERSONAL_ACTIONS = (AuditLog.Action.LOGIN, AuditLog.Action.LOGIN_FAILED, AuditLog.Action.TOKEN,
                    AuditLog.Action.UPDATE)


def _require_admin(request, collaboration) -> None:
    if not request.user.has_role(collaboration, Role.ADMIN):
        raise Http404


def _object_type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def entries_for(collaboration):
    members = User.objects.filter(memberships__organisation__collaboration=collaboration)
    member_ids = list(members.values_list("pk", flat=True).distinct())
    usernames = list(members.values_list("username", flat=True).distinct())
    personal = Q(collaboration__isnull=True, action__in=PERSONAL_ACTIONS, object_type__startswith="accounts.") & (
        Q(actor_id__in=member_ids) | Q(action=AuditLog.Action.LOGIN_FAILED, object_id__in=usernames)
    )
    return AuditLog.objects.filter(Q(collaboration=collaboration) | personal)


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.ChoiceField(label=gettext_lazy("Who"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False)

    def __init__(self, data, *, collaboration, base):
        super().__init__(data)
        members = (User.objects.filter(memberships__organisation__collaboration=collaboration)
                   .distinct().order_by("username"))
        self.fields["actor"].choices = [("", _("Everyone"))] + [(str(u.pk), u.get_username()) for u in members]
        self.fields["action"].choices = [("", _("All actions"))] + list(AuditLog.Action.choices)
        types = sorted(set(base.values_list("object_type", flat=True).distinct()))
        self.fields["object_type"].choices = [("", _("All types"))] + [(t, _object_type_label(t)) for t in types]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def apply(self, qs):
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
        if data.get("date_to"):
            qs = qs.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        if data.get("actor"):
            qs = qs.filter(actor_id=int(data["actor"]))
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        return qs

    def as_detail(self) -> dict:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _filtered(request, collaboration):
    base = entries_for(collaboration)
    form = AuditFilterForm(request.GET or None, collaboration=collaboration, base=base)
    if form.is_bound and form.is_valid():
        return form, form.apply(base)
    if not form.is_bound:
        form.cleaned_data = {}
        return form, base
    return form, base.none()


@login_required
@with_collaboration
def audit_log(request, collaboration):
    _require_admin(request, collaboration)
    form, qs = _filtered(request, collaboration)
    page = Paginator(qs.select_related("actor").order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for entry in page.object_list:
        entry.type_label = _object_type_label(entry.object_type)
    return render(request, "accounts/audit_log.html", {
        "collaboration": collaboration, "form": form, "page": page, "query": query.urlencode(),
        "total": page.paginator.count,
    })


def _cell(value) -> str:
    """Neutralise spreadsheet formulas in user-written text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@with_collaboration
def audit_export(request, collaboration):
    _require_admin(request, collaboration)
    form, qs = _filtered(request, collaboration)
    qs = qs.order_by("-at", "-pk")
    rows = qs.count()
    audit.record(AuditLog.Action.EXPORT, None, actor=request.user, collaboration=collaboration,
                 object_type="accounts.auditlog", detail={"filters": form.as_detail() if form.is_bound else {},
                                                          "rows": rows})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="granskningslogg-{collaboration.slug}-{stamp}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Time"), _("Who"), _("Action"), _("Object type"), _("Object id"), _("Object"),
                     _("IP address"), _("Details")])
    for entry in qs.iterator(chunk_size=2000):
        writer.writerow([
            timezone.localtime(entry.at).isoformat(timespec="seconds"), _cell(entry.actor_label),
            entry.get_action_display(), entry.object_type, _cell(entry.object_id), _cell(entry.object_label),
            entry.ip or "", _cell(json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)),
        ])
    return response
