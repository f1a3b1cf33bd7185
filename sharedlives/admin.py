from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from carers.models import SchemeCheckSetting
from sharedlives.models import Membership, RetentionSettings, Scheme, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["scheme", "carer"]


@admin.register(User)
class SharedLivesUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "memberships__role", "memberships__scheme"]


class SchemeCheckSettingInline(admin.TabularInline):
    """Where the scheme's checks differ from the defaults in carers.checklist."""

    model = SchemeCheckSetting
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "cqc_location_id", "registered_manager"]
    search_fields = ["name", "cqc_location_id"]
    autocomplete_fields = ["registered_manager"]
    inlines = [SchemeCheckSettingInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "scheme", "role", "carer"]
    list_filter = ["role", "scheme"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "scheme", "carer"]
    autocomplete_fields = ["user", "scheme", "carer"]


@admin.register(RetentionSettings)
class RetentionSettingsAdmin(admin.ModelAdmin):
    """How long a scheme keeps records once the relationship has ended, before
    ``manage.py anonymise_expired`` anonymises them (one row a scheme; a
    scheme without one keeps people's records 8 years and households' 6)."""

    list_display = ["scheme", "person_years", "carer_years"]
    list_select_related = ["scheme"]


# Two-step sign-in (allauth's own admin shows the keys; this one does not).
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Each account's authenticator app and recovery codes. Someone who has
    lost their phone and their recovery codes: delete both here, and at their
    next sign-in they set up the app again (staff must). The keys and codes
    themselves are never shown."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # set up by the person themselves, on their phone
