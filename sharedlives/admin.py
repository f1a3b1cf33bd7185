from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from carers.models import SchemeCheckSetting
from sharedlives.models import Membership, Scheme, User


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
