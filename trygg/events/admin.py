"""Admin for categories (retire, never delete), and read-only lists of events and reports.

Events are changed only through the service layer (which keeps their history); here they are
listed for overview. Opening a restricted event of another organisation is logged as a read.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trygg.accounts import audit
from trygg.core.admin import CollaborationScopedAdmin, ReadOnlyAdminMixin, is_global

from .models import Category, Event, EventHistory, Report


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("collaboration", "parent", "code", "name_sv", "name_en", "colour", "icon", "sort_order",
                  "is_active")
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        import re

        if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
            raise forms.ValidationError(_("Give the colour as #RRGGBB."))
        return colour.lower()

    def clean(self):
        data = super().clean()
        parent, collaboration = data.get("parent"), data.get("collaboration")
        if parent is not None and collaboration is not None:
            if parent.collaboration_id != collaboration.pk:
                self.add_error("parent", _("The main category must belong to the same collaboration."))
            elif parent.parent_id is not None:
                self.add_error("parent", _("Categories have two levels: pick a main category."))
            elif self.instance.pk and parent.pk == self.instance.pk:
                self.add_error("parent", _("A category cannot be its own main category."))
        return data


@admin.register(Category)
class CategoryAdmin(CollaborationScopedAdmin, admin.ModelAdmin):
    form = CategoryForm
    list_display = ("name_sv", "name_en", "code", "parent", "is_active", "swatch", "sort_order")
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name_sv", "name_en")
    list_select_related = ("parent",)
    actions = ["retire", "reactivate"]
    scoped_can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: events keep their category

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        return filters + (("collaboration", admin.RelatedOnlyFieldListFilter),) if is_global(request) else filters

    @admin.display(description=_("colour"))
    def swatch(self, obj):
        return format_html('<span style="display:inline-block;width:1.5em;height:1em;background:{};'
                           'border:1px solid #333" aria-hidden="true"></span> {}', obj.colour, obj.colour)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and field is not None:
            field.queryset = field.queryset.filter(parent__isnull=True)
        return field

    @admin.action(description=_("Retire selected categories (keeps their events)"), permissions=["change"])
    def retire(self, request, queryset):
        selected = list(queryset)
        children = Category.objects.filter(parent__in=selected, is_active=True)
        count = 0
        for category in [*selected, *children]:
            if category.is_active:
                category.is_active = False
                category.save(update_fields=["is_active"])  # audited by the post_save signal
                count += 1
        self.message_user(request, ngettext("%(count)d category was retired.", "%(count)d categories were retired.",
                                            count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Take selected categories into use again"), permissions=["change"])
    def reactivate(self, request, queryset):
        count = 0
        for category in queryset.filter(is_active=False):
            category.is_active = True
            category.save(update_fields=["is_active"])
            count += 1
        self.message_user(request, ngettext("%(count)d category is in use again.",
                                            "%(count)d categories are in use again.", count)
                          % {"count": count}, messages.SUCCESS)


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("occurred_from", "category", "subcategory", "organisation", "visibility", "source", "outside")
    list_filter = ("visibility", "source", "outside", "police_notified",
                   ("category", admin.RelatedOnlyFieldListFilter),
                   ("organisation", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "occurred_from"
    search_fields = ("description", "external_id")
    list_select_related = ("category", "subcategory", "organisation")
    exclude = ("areas", "source_data")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        event = self.get_object(request, object_id)
        if event is not None and event.is_restricted:
            audit.record_reads(request.user, [event], collaboration=event.collaboration_id, reason="admin")
        return response


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("created_at", "organisation", "created_by", "collaboration")
    list_filter = (("organisation", admin.RelatedOnlyFieldListFilter),)
    date_hierarchy = "created_at"
    list_select_related = ("organisation", "created_by", "collaboration")


@admin.register(EventHistory)
class EventHistoryAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    """Every change to every event, also of deleted events (their last entry is the deletion)."""

    list_display = ("at", "event_uuid", "kind", "version", "changed_by", "event")
    list_filter = ("kind",)
    search_fields = ("event_uuid",)
    date_hierarchy = "at"
    list_select_related = ("changed_by", "event")
    scoped_can_add = False
    scoped_can_delete = False
