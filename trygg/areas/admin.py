"""Admin for area types, areas and named places (scoped to the admin's collaborations).

Areas are loaded with ``trygg areas import FILE.geojson --type TYPE`` (geometry is not edited
here); the admin changes their names, codes, parents and validity. Named places are added one by
one, or many at once from a file ("Import named places": the same dry run and commit as
``trygg places import``).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trygg.core.admin import CollaborationScopedAdmin, is_global, scope_related

from .gazetteer import GazetteerFileError, import_places, plan_places
from .models import Area, AreaType, Place

PLACES_SESSION_KEY = "places_import"
PLACES_SUFFIXES = {".geojson", ".json", ".csv", ".txt"}
PLACES_MAX_BYTES = 20 * 1024 * 1024


class _CollaborationFilterMixin:
    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if is_global(request):
            filters += (("collaboration", admin.RelatedOnlyFieldListFilter),)
        return filters


@admin.register(AreaType)
class AreaTypeAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "level", "collaboration")
    list_filter = ("level",)
    search_fields = ("name", "code")


@admin.register(Area)
class AreaAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "type", "parent", "valid_from", "valid_to", "collaboration")
    list_filter = (("type", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "code")
    list_select_related = ("type", "parent", "collaboration")
    fields = ("collaboration", "type", "name", "code", "parent", "valid_from", "valid_to", "description",
              "external_codes", "extent", "uuid", "updated_at")
    readonly_fields = ("collaboration", "extent", "uuid", "updated_at")
    scoped_can_add = False  # areas come from a GeoJSON import, with their geometry

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("extent (WGS84)"))
    def extent(self, obj):
        return f"{obj.min_lon:.5f}, {obj.min_lat:.5f} – {obj.max_lon:.5f}, {obj.max_lat:.5f}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if field is not None and object_id and db_field.name in ("parent", "type"):
            area = Area.objects.filter(pk=object_id).only("collaboration_id").first()
            if area is not None:
                field.queryset = field.queryset.filter(collaboration_id=area.collaboration_id)
                if db_field.name == "parent":
                    field.queryset = field.queryset.exclude(pk=area.pk)
        return field


def places_upload_dir() -> Path:
    target = Path(settings.MEDIA_ROOT) / "places_import"
    target.mkdir(parents=True, exist_ok=True)
    return target


class PlaceImportForm(forms.Form):
    collaboration = forms.ModelChoiceField(label=_("Collaboration"), queryset=None)
    file = forms.FileField(label=_("File"), help_text=_(
        "GeoJSON points, or CSV with a name column and lat/lon (WGS 84) or x/y (SWEREF 99 TM) columns."))
    name_field = forms.CharField(label=_("Column with the name"), required=False,
                                 help_text=_("Found by itself when it is called name or namn."))
    kind_field = forms.CharField(label=_("Column with the kind of place"), required=False,
                                 help_text=_("For example typ or kind; leave empty if the file has none."))

    def __init__(self, *args, collaborations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collaboration"].queryset = collaborations
        if collaborations.count() == 1:
            self.fields["collaboration"].initial = collaborations.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in PLACES_SUFFIXES:
            raise forms.ValidationError(gettext("File: %(name)s is not a GeoJSON or CSV file (.geojson, .json, "
                                                ".csv).") % {"name": upload.name})
        if upload.size > PLACES_MAX_BYTES:
            raise forms.ValidationError(gettext("File: the file is larger than %(mb)d MB.")
                                        % {"mb": PLACES_MAX_BYTES // (1024 * 1024)})
        return upload


@admin.register(Place)
class PlaceAdmin(_CollaborationFilterMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "lat", "lon", "collaboration")
    search_fields = ("name", "kind")
    fields = ("collaboration", "name", "kind", "aliases", "lat", "lon")

    def get_urls(self):
        return [path("importera/", self.admin_site.admin_view(self.import_view), name="areas_place_import"),
                *super().get_urls()]

    def import_view(self, request):
        """Upload a file of places, see the dry run, then import it (the file is kept in between)."""
        from trygg.accounts.models import Collaboration

        if not self.has_add_permission(request):
            raise Http404
        collaborations = scope_related(request, Collaboration, Collaboration.objects.order_by("name"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": gettext("Import named places")}
        if request.method == "POST" and request.POST.get("token"):
            return self._commit(request, collaborations)
        form = PlaceImportForm(request.POST or None, request.FILES or None, collaborations=collaborations)
        if request.method == "POST" and form.is_valid():
            pending = self._keep(request, form)
            try:
                plan = plan_places(pending["path"], form.cleaned_data["collaboration"],
                                   name_field=pending["name_field"], kind_field=pending["kind_field"],
                                   filename=pending["filename"])
            except GazetteerFileError as exc:
                self._forget(request)
                form.add_error("file", gettext("File: %(error)s") % {"error": exc})
            else:
                shown = [i for i in plan.items if i.action != "unchanged"]
                context |= {"plan": plan, "counts": plan.counts, "items": shown[:500],
                            "hidden": max(0, len(shown) - 500), "pending": pending,
                            "writes": plan.count("create") + plan.count("update")}
        context["form"] = form
        return TemplateResponse(request, "admin/areas/place/import.html", context,
                                status=400 if form.errors else 200)

    def _keep(self, request, form) -> dict:
        self._forget(request)
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(16)
        target = places_upload_dir() / f"{token}{Path(upload.name).suffix.lower()}"
        with open(target, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        pending = {"token": token, "path": str(target), "filename": upload.name,
                   "collaboration": form.cleaned_data["collaboration"].pk,
                   "name_field": form.cleaned_data["name_field"].strip() or None,
                   "kind_field": form.cleaned_data["kind_field"].strip() or None}
        request.session[PLACES_SESSION_KEY] = pending
        return pending

    def _forget(self, request) -> None:
        pending = request.session.pop(PLACES_SESSION_KEY, None)
        if pending:
            Path(pending["path"]).unlink(missing_ok=True)

    def _commit(self, request, collaborations):
        pending = request.session.get(PLACES_SESSION_KEY)
        if not pending or not secrets.compare_digest(pending["token"], request.POST["token"]):
            raise Http404
        collaboration = collaborations.filter(pk=pending["collaboration"]).first()
        if collaboration is None or not Path(pending["path"]).exists():
            raise Http404
        try:
            plan = plan_places(pending["path"], collaboration, name_field=pending["name_field"],
                               kind_field=pending["kind_field"], filename=pending["filename"])
        except GazetteerFileError as exc:
            messages.error(request, str(exc))
        else:
            counts, _run = import_places(plan, filename=pending["filename"], user=request.user)
            messages.success(request, gettext("%(name)s was imported: %(created)d created, %(updated)d changed, "
                                              "%(rejected)d rejected.") % {"name": pending["filename"], **counts})
        self._forget(request)
        return redirect("admin:areas_place_changelist")
