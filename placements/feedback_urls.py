"""Compliments and complaints, at /feedback/."""

from django.urls import path

from placements.views import feedback as views

urlpatterns = [
    path("", views.feedback_list, name="feedback_list"),
    path("new/", views.feedback_new, name="feedback_new"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("<int:pk>/edit/", views.feedback_edit, name="feedback_edit"),
    path("<int:pk>/close/", views.feedback_close, name="feedback_close"),
    path("<int:pk>/history/", views.feedback_history, name="feedback_history"),
]
