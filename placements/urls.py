from django.urls import path

from placements.views import absences, bookings, reviews
from placements.views import arrangements as views

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
    # Nights away (hospital, holiday, the carer's leave), paid as the scheme sets.
    path("<int:pk>/absences/new/", absences.absence_create, name="arrangement_absence_new"),
    path(
        "<int:pk>/absences/<int:absence_pk>/remove/",
        absences.absence_remove,
        name="arrangement_absence_remove",
    ),
    # Monitoring: reviews, the actions they agree, and monitoring visits.
    path("<int:pk>/reviews/new/", reviews.review_create, name="arrangement_review_new"),
    path("<int:pk>/reviews/<int:review_pk>/", reviews.review_detail, name="arrangement_review_detail"),
    path("<int:pk>/visits/<int:visit_pk>/", reviews.visit_record, name="arrangement_visit_record"),
    path("<int:pk>/actions/<int:action_pk>/done/", reviews.action_done, name="arrangement_action_done"),
]
