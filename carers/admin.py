from django.contrib import admin

from carers.models import Carer, HouseholdMember, Pet, Room


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
