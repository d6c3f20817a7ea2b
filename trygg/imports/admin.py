from django.contrib import admin

from .models import ImportRun, PoliceTypeMapping


@admin.register(PoliceTypeMapping)
class PoliceTypeMappingAdmin(admin.ModelAdmin):
    list_display = ("police_type", "category", "collaboration")
    list_filter = ("collaboration",)
    list_editable = ("category",)
    search_fields = ("police_type",)
    ordering = ("collaboration", "police_type")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = db_field.related_model.objects.select_related("collaboration", "parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "source", "status", "read", "created", "updated", "unchanged",
                    "rejected", "started_by", "collaboration")
    list_filter = ("kind", "status", "collaboration")
    search_fields = ("source", "filename", "uuid")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
