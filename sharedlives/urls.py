from django.contrib import admin
from django.urls import include, path

from carers.urls import panel_urlpatterns
from sharedlives import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("schemes/choose/", views.choose_scheme, name="choose_scheme"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("carers/", include("carers.urls")),
    path("panels/", include(panel_urlpatterns)),
    path("my/", include("carers.portal_urls")),
    path("people/", include("people.urls")),
    path("referrals/", include("placements.referral_urls")),
    path("arrangements/", include("placements.urls")),
    path("admin/", admin.site.urls),
]
