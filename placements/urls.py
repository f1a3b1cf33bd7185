from django.urls import path

from placements.views import arrangements as views
from placements.views import bookings

urlpatterns = [
    path("", views.arrangement_list, name="arrangement_list"),
    path("new/", views.arrangement_create, name="arrangement_create"),
    path("rates/", views.arrangement_rates, name="arrangement_rates"),
    path("<int:pk>/", views.arrangement_detail, name="arrangement_detail"),
    path("<int:pk>/edit/", views.arrangement_edit, name="arrangement_edit"),
    path("<int:pk>/history/", views.arrangement_history, name="arrangement_history"),
    # The steps of an arrangement's life: starting and ending it.
    path("<int:pk>/start/", views.arrangement_start, name="arrangement_start"),
    path("<int:pk>/end/", views.arrangement_end, name="arrangement_end"),
    # Short breaks are booked night by night; day support recurs weekly.
    path("<int:pk>/bookings/new/", bookings.booking_create, name="arrangement_booking_create"),
    path(
        "<int:pk>/bookings/<int:booking_pk>/cancel/",
        bookings.booking_cancel,
        name="arrangement_booking_cancel",
    ),
    path("<int:pk>/sessions/", bookings.day_sessions, name="arrangement_sessions"),
]
