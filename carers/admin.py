from django.contrib import admin
from django.db.models import Count

from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    Carer,
    CarerReview,
    Certificate,
    ChangeRequest,
    Check,
    HouseholdMember,
    PanelItem,
    PanelMeeting,
    Pet,
    Room,
    SchemeCheckSetting,
    StageChange,
    Unavailability,
)


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


class PetInline(admin.TabularInline):
    model = Pet
    extra = 0


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Carer)
class CarerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "status", "town", "postcode", "coordinator"]
    list_filter = ["scheme", "status", "smoking"]
    search_fields = ["first_name", "last_name", "joint_first_name", "joint_last_name", "postcode", "town"]
    list_select_related = ["scheme", "coordinator"]
    autocomplete_fields = ["coordinator"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [HouseholdMemberInline, PetInline, RoomInline]


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "relationship", "date_of_birth", "carer"]
    search_fields = ["name", "carer__last_name"]
    list_select_related = ["carer"]
    autocomplete_fields = ["carer"]


@admin.register(Pet)
class PetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "carer"]
    list_filter = ["kind"]
    search_fields = ["name", "carer__last_name"]
    list_select_related = ["carer"]
    autocomplete_fields = ["carer"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "carer", "ground_floor", "step_free", "own_bathroom"]
    list_filter = ["ground_floor", "step_free", "own_bathroom"]
    search_fields = ["name", "carer__last_name"]
    list_select_related = ["carer"]
    autocomplete_fields = ["carer"]


# --- Approval: for administrators putting a record right; staff use the pages ---


@admin.register(SchemeCheckSetting)
class SchemeCheckSettingAdmin(admin.ModelAdmin):
    list_display = ["scheme", "kind", "required", "renewal_months"]
    list_filter = ["scheme", "kind", "required"]
    list_select_related = ["scheme"]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "carer", "status", "issued_on", "expires_on", "recorded_by"]
    list_filter = ["kind", "status", "subject", "carer__scheme"]
    search_fields = ["carer__first_name", "carer__last_name", "details", "household_member__name"]
    list_select_related = ["carer", "recorded_by"]
    autocomplete_fields = ["carer", "household_member", "signed_off_by", "recorded_by"]
    date_hierarchy = "issued_on"
    readonly_fields = ["recorded_at"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["carer", "assessor", "home_visits", "report_written_on", "shared_with_applicant_on"]
    list_filter = ["carer__scheme", "applicant_declined_to_comment"]
    search_fields = ["carer__first_name", "carer__last_name"]
    list_select_related = ["carer", "assessor"]
    autocomplete_fields = ["carer", "assessor"]


class PanelItemInline(admin.TabularInline):
    model = PanelItem
    extra = 0
    fields = ["carer", "recommendation", "reasons", "conditions", "recorded_by", "recorded_at"]
    autocomplete_fields = ["carer", "recorded_by"]


@admin.register(PanelMeeting)
class PanelMeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "scheme", "location", "chair", "applicant_count"]
    list_filter = ["scheme"]
    search_fields = ["location", "chair", "members", "items__carer__last_name"]
    date_hierarchy = "date"
    inlines = [PanelItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("scheme").annotate(_applicants=Count("items"))

    @admin.display(description="applicants", ordering="_applicants")
    def applicant_count(self, meeting):
        return meeting._applicants


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(admin.ModelAdmin):
    list_display = ["carer", "outcome", "decided_on", "decided_by"]
    list_filter = ["outcome", "carer__scheme"]
    search_fields = ["carer__first_name", "carer__last_name", "reasons"]
    list_select_related = ["carer", "decided_by"]
    autocomplete_fields = ["carer", "decided_by"]
    raw_id_fields = ["panel_item"]
    date_hierarchy = "decided_on"


@admin.register(ApprovalTerms)
class ApprovalTermsAdmin(admin.ModelAdmin):
    list_display = ["carer", "max_people", "starts_on", "ends_on", "probation_ends_on"]
    list_filter = ["carer__scheme", "max_people"]
    search_fields = ["carer__first_name", "carer__last_name"]
    list_select_related = ["carer"]
    autocomplete_fields = ["carer", "decision"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """The record of every move between stages: read-only, because only the
    workflow (carers.services.move_carer) writes it."""

    list_display = ["carer", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status", "from_status", "carer__scheme"]
    search_fields = ["carer__first_name", "carer__last_name", "reason"]
    list_select_related = ["carer", "changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CarerReview)
class CarerReviewAdmin(admin.ModelAdmin):
    list_display = ["carer", "held_on", "reviewer", "next_due_on", "home_safety_checked"]
    list_filter = ["carer__scheme", "home_safety_checked"]
    search_fields = ["carer__first_name", "carer__last_name", "findings"]
    list_select_related = ["carer", "reviewer"]
    autocomplete_fields = ["carer", "reviewer"]
    date_hierarchy = "held_on"


# --- The carers' portal: what carers told the scheme, and what they uploaded ---


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Answered through the "Changes from carers" page (carers.changes), which
    applies the change to the household; here only to look things up."""

    list_display = [
        "carer",
        "kind",
        "status",
        "proposed_at",
        "proposed_by",
        "decided_at",
        "decided_by",
        "noted_at",
    ]
    list_filter = ["status", "kind", "carer__scheme"]
    search_fields = ["carer__first_name", "carer__last_name", "reason"]
    list_select_related = ["carer", "proposed_by", "decided_by"]
    date_hierarchy = "proposed_at"
    readonly_fields = [
        "carer",
        "kind",
        "status",
        "before",
        "after",
        "data",
        "target_id",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "reason",
        "noted_by",
        "noted_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["carer", "starts_on", "ends_on", "note"]
    list_filter = ["carer__scheme"]
    search_fields = ["carer__first_name", "carer__last_name", "note"]
    list_select_related = ["carer"]
    autocomplete_fields = ["carer"]
    date_hierarchy = "starts_on"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """The files themselves are opened from the carer's approval tab, which
    serves them only to the carer and their scheme's staff; the storage has
    no public address, so admin does not link to them."""

    list_display = ["carer", "kind", "original_name", "content_type", "size", "uploaded_at", "verified_by"]
    list_filter = ["kind", "content_type", "carer__scheme", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["carer__first_name", "carer__last_name", "original_name", "note"]
    list_select_related = ["carer", "verified_by"]
    date_hierarchy = "uploaded_at"
    exclude = ["file"]
    readonly_fields = [
        "carer",
        "kind",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "verified_by",
        "verified_at",
    ]

    def has_add_permission(self, request):
        return False
