"""Admin for the police type mapping (editable by collaboration admins) and the import runs
(read-only), both limited to the admin's own collaborations like every Trygg admin."""

from django import forms
from django.contrib import admin

from trygg.core.admin import CollaborationScopedAdmin, ReadOnlyAdminMixin, admin_collaboration_ids, is_global

from .models import ImportRun, PoliceTypeMapping


class PoliceTypeMappingForm(forms.ModelForm):
    """The model's clean() refuses a category of another collaboration than the mapping's."""

    class Meta:
        model = PoliceTypeMapping
        fields = ["collaboration", "police_type", "category"]


@admin.register(PoliceTypeMapping)
class PoliceTypeMappingAdmin(CollaborationScopedAdmin, admin.ModelAdmin):
    form = PoliceTypeMappingForm
    list_display = ("police_type", "category", "collaboration")
    list_filter = ("collaboration",)
    list_editable = ("category",)
    list_select_related = ("category", "collaboration")
    search_fields = ("police_type",)
    ordering = ("collaboration", "police_type")

    def changelist_view(self, request, extra_context=None):
        # Every type of the national data is listed (and editable) before the first import.
        from trygg.accounts.models import Collaboration

        from .polisen import ensure_type_mappings

        scope = Collaboration.objects.all() if is_global(request) else \
            Collaboration.objects.filter(pk__in=admin_collaboration_ids(request))
        for collaboration in scope:
            ensure_type_mappings(collaboration)
        return super().changelist_view(request, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=PoliceTypeMappingForm, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "category" and field is not None:
            field.queryset = field.queryset.select_related("collaboration", "parent")
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "category" in form.base_fields:
            # An existing mapping offers only its own collaboration's categories.
            category = form.base_fields["category"]
            category.queryset = category.queryset.filter(collaboration_id=obj.collaboration_id)
        return form


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, CollaborationScopedAdmin, admin.ModelAdmin):
    list_display = ("started_at", "kind", "source", "status", "read", "created", "updated", "unchanged",
                    "rejected", "who", "collaboration")
    list_filter = ("kind", "status")
    list_select_related = ("started_by", "collaboration")
    search_fields = ("source", "filename", "uuid")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
