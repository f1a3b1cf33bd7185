from django.contrib import admin

from placements.models import Arrangement


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "kind", "status", "start_date", "end_date"]
    list_filter = ["scheme", "kind", "status"]
    search_fields = ["person__last_name", "person__first_name", "carer__last_name"]
    list_select_related = ["scheme", "person", "carer"]
    autocomplete_fields = ["person", "carer"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "start_date"
