from django.contrib import admin

from placements.models import (
    Arrangement,
    MatchingSettings,
    MonitoringSettings,
    PaymentRate,
    PaymentSettings,
    PostcodeLocation,
    RateAmount,
)
from placements.models.incidents import CqcNotification, Feedback, Incident


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "kind", "status", "start_date", "end_date"]
    list_filter = ["scheme", "kind", "status"]
    search_fields = ["person__last_name", "person__first_name", "carer__last_name"]
    list_select_related = ["scheme", "person", "carer"]
    autocomplete_fields = ["person", "carer"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "start_date"


class RateAmountInline(admin.TabularInline):
    """Each amount a rate has had: add a new row for an uplift (and give the
    old one its last day) rather than changing a past amount."""

    model = RateAmount
    extra = 1
    fields = [
        "effective_from",
        "effective_to",
        "care_payment",
        "rent",
        "household_contribution",
        "amount",
        "session_hours",
        "extra_person_uplift",
    ]


@admin.register(PaymentRate)
class PaymentRateAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "kind", "description"]
    list_filter = ["scheme", "kind"]
    search_fields = ["name", "description"]
    list_select_related = ["scheme"]
    inlines = [RateAmountInline]


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(admin.ModelAdmin):
    """A scheme's weights for ranking carers and its limits (one row a
    scheme; a scheme without one uses the defaults)."""

    list_display = ["scheme", "max_distance_miles", "probation_max_people"]
    list_select_related = ["scheme"]
    fieldsets = [
        (None, {"fields": ["scheme", "max_distance_miles", "probation_max_people"]}),
        (
            "Points",
            {
                "fields": [
                    ("points_per_shared_interest", "most_interest_points"),
                    "points_for_language",
                    "points_for_faith",
                    ("points_per_year_of_experience", "most_experience_points"),
                    "points_for_nearby",
                    ("points_for_same_district", "points_for_same_area"),
                    "points_for_own_bathroom",
                ]
            },
        ),
    ]


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(admin.ModelAdmin):
    """A scheme's timetable for reviews, visits and renewals (one row a
    scheme; a scheme without one uses the defaults). A change applies to
    arrangements started, and reviews recorded, after it."""

    list_display = ["scheme", "first_review_weeks", "review_every_months", "visit_every_months"]
    list_select_related = ["scheme"]
    fieldsets = [
        (None, {"fields": ["scheme"]}),
        ("Arrangement reviews", {"fields": ["first_review_weeks", "review_every_months"]}),
        ("Monitoring visits", {"fields": ["visit_every_months", "visits_for_months"]}),
        ("Checks and training", {"fields": ["expiry_warning_days"]}),
    ]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    """How a scheme pays while the person is away (one row a scheme; a scheme
    without one uses the defaults). A change applies to runs worked out after it."""

    list_display = ["scheme", "hospital_paid_percent", "hospital_paid_nights", "holiday_paid_percent"]
    list_select_related = ["scheme"]
    fieldsets = [
        (None, {"fields": ["scheme"]}),
        ("Hospital stays", {"fields": ["hospital_paid_percent", "hospital_paid_nights"]}),
        ("Holidays and leave", {"fields": ["holiday_paid_percent", "carer_leave_paid_percent"]}),
    ]


@admin.register(PostcodeLocation)
class PostcodeLocationAdmin(admin.ModelAdmin):
    """Where postcodes are; filled by ``manage.py import_postcodes``."""

    list_display = ["postcode", "latitude", "longitude"]
    search_fields = ["postcode"]
    # Millions of rows: counting them for every page of the list is slow.
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Postcodes that start with what was typed ("ls6 2" finds LS6 2AB),
        which the primary key's index answers at once."""
        typed = " ".join(search_term.upper().split())
        return (queryset.filter(postcode__startswith=typed) if typed else queryset), False


class CqcNotificationInline(admin.StackedInline):
    """The notification the app created for an incident (the registered
    manager records it as sent on the incident's page)."""

    model = CqcNotification
    extra = 0
    fields = ["reasons", "due_from", "sent_on", "reference", "sent_by"]
    raw_id_fields = ["sent_by"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "category", "person", "carer", "closed_on"]
    list_filter = ["scheme", "category"]
    search_fields = ["what_happened", "person__last_name", "carer__last_name"]
    list_select_related = ["scheme", "person", "carer"]
    autocomplete_fields = ["person", "carer", "arrangement"]
    raw_id_fields = ["recorded_by", "closed_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "occurred_at"
    inlines = [CqcNotificationInline]


@admin.register(CqcNotification)
class CqcNotificationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "due_from", "sent_on", "reference"]
    list_filter = ["scheme"]
    search_fields = ["reference"]
    list_select_related = ["scheme", "incident"]
    raw_id_fields = ["incident", "sent_by"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "kind", "received_on", "outcome", "closed_on"]
    list_filter = ["scheme", "kind", "outcome"]
    search_fields = ["from_whom", "summary"]
    list_select_related = ["scheme"]
    autocomplete_fields = ["person", "carer"]
    raw_id_fields = ["recorded_by", "closed_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "received_on"
