"""Signing in, under /accounts/: django-allauth's pages (sign in and out,
password change and reset, the second factor), and redirects from the
addresses Django's own pages had, which people may have bookmarked."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path(
        "password_change/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="old_password_change",
    ),
    path(
        "password_reset/",
        login_not_required(RedirectView.as_view(pattern_name="account_reset_password")),
        name="old_password_reset",
    ),
    path("", include("allauth.urls")),
]
