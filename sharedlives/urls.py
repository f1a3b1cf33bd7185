from django.contrib import admin
from django.urls import include, path

from carers.urls import panel_urlpatterns
from sharedlives import views, views_session, views_work
from sharedlives.bench import views as bench_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("schemes/choose/", views.choose_scheme, name="choose_scheme"),
    # What is due and overdue for a coordinator's caseload (or the whole scheme).
    path("my-work/", views_work.my_work, name="my_work"),
    path("healthz", views.healthz, name="healthz"),
    # "Stay signed in", from the warning before an idle session ends.
    path("session/keepalive/", views_session.session_keepalive, name="session_keepalive"),
    # What Django itself costs, for `make bench`; a 404 unless BENCH is on.
    path("bench/floor/", bench_views.floor, name="bench_floor"),
    path("accounts/", include("sharedlives.account_urls")),
    path("carers/", include("carers.urls")),
    path("panels/", include(panel_urlpatterns)),
    path("my/", include("carers.portal_urls")),
    path("people/", include("people.urls")),
    path("referrals/", include("placements.referral_urls")),
    path("arrangements/", include("placements.urls")),
    path("payments/", include("placements.payment_urls")),
    path("incidents/", include("placements.incident_urls")),
    path("feedback/", include("placements.feedback_urls")),
    path("reports/", include("sharedlives.report_urls")),
    # Who has looked at which records, login by login: the registered manager's.
    path("staff/", include("sharedlives.viewlog_urls")),
    path("admin/", admin.site.urls),
]
