from django.contrib import admin

from people.models import Contact, Person


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "date_of_birth", "coordinator"]
    list_filter = ["scheme", "wheelchair_user", "smoking_preference"]
    search_fields = ["first_name", "last_name", "preferred_name", "postcode"]
    list_select_related = ["scheme", "coordinator"]
    autocomplete_fields = ["coordinator"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "person", "phone", "email"]
    list_filter = ["kind"]
    search_fields = ["name", "person__last_name", "organisation"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
