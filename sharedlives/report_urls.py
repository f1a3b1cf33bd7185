"""The scheme's reports, under /reports/. Each page gives its figures as CSV
too, with ``?format=csv``."""

from django.urls import path

from sharedlives.reports import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("at-a-glance/", views.report_at_a_glance, name="report_at_a_glance"),
    path("yearly-count/", views.report_yearly_count, name="report_yearly_count"),
    path("inspection/", views.report_inspection, name="report_inspection"),
]
