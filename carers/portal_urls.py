"""The carers' own portal, at /my/: every page works on the signed-in
carer's own household, never on one named in the address."""

from django.urls import path

from carers.views import portal
from placements.views import my_payments

urlpatterns = [
    path("", portal.home, name="portal_home"),
    path("household/", portal.household, name="portal_household"),
    path("contact/", portal.contact, name="portal_contact"),
    path("members/new/", portal.member_add, name="portal_member_add"),
    path("members/<int:member_pk>/moved-out/", portal.member_remove, name="portal_member_remove"),
    path("pets/new/", portal.pet_add, name="portal_pet_add"),
    path("pets/<int:pet_pk>/gone/", portal.pet_remove, name="portal_pet_remove"),
    path("rooms/new/", portal.room_add, name="portal_room_add"),
    path("rooms/<int:room_pk>/edit/", portal.room_change, name="portal_room_change"),
    path("rooms/<int:room_pk>/remove/", portal.room_remove, name="portal_room_remove"),
    path("smoking/", portal.smoking, name="portal_smoking"),
    path("interests/", portal.interests, name="portal_interests"),
    path("away/", portal.availability, name="portal_availability"),
    path("away/<int:away_pk>/remove/", portal.availability_remove, name="portal_availability_remove"),
    path("changes/", portal.changes, name="portal_changes"),
    path("certificates/", portal.certificates, name="portal_certificates"),
    path("checks/", portal.checks, name="portal_checks"),
    path("people/", portal.people, name="portal_people"),
    path("payments/", my_payments.portal_payments, name="portal_payments"),
]
