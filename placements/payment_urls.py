"""Payments, at /payments/: runs and their steps, the CSV for the finance
system, and the allocation report. The carer's own payments are in the
portal (carers.portal_urls)."""

from django.urls import path

from placements.views import allocations
from placements.views import payments as views

urlpatterns = [
    path("", views.payment_run_list, name="payment_run_list"),
    path("new/", views.payment_run_new, name="payment_run_new"),
    path("allocations/", allocations.allocation_report, name="allocation_report"),
    path("<int:pk>/", views.payment_run_detail, name="payment_run_detail"),
    # The steps of a run: worked out (again), reviewed, approved; then adjusted.
    path("<int:pk>/recalculate/", views.payment_run_recalculate, name="payment_run_recalculate"),
    path("<int:pk>/review/", views.payment_run_review, name="payment_run_review"),
    path("<int:pk>/approve/", views.payment_run_approve, name="payment_run_approve"),
    path("<int:pk>/adjust/", views.payment_run_adjust, name="payment_run_adjust"),
    path("<int:pk>/csv/", views.payment_run_csv, name="payment_run_csv"),
]
