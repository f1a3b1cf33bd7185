"""The view log by login, under /staff/: for the registered manager."""

from django.urls import path

from sharedlives import views_viewlog

urlpatterns = [
    path("", views_viewlog.staff_list, name="staff_list"),
    path("<int:user_pk>/viewed/", views_viewlog.user_record_views, name="user_record_views"),
]
