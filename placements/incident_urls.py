"""Incidents and their CQC notifications, at /incidents/."""

from django.urls import path

from placements.views import incidents as views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_new, name="incident_new"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("<int:pk>/close/", views.incident_close, name="incident_close"),
    path("<int:pk>/history/", views.incident_history, name="incident_history"),
    # The registered manager records that CQC has been told.
    path("<int:pk>/notification/sent/", views.notification_sent, name="notification_sent"),
]
