from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class SuperuserAdminSite(OTPAdminSite):
    """Admin is for the scheme's system administrators (superusers) alone:
    managers and coordinators work through the app, where every view is
    scoped to their scheme.

    django-otp guards it: only an administrator who gave the code from their
    authenticator app when signing in gets in (``is_verified``; see
    sharedlives.second_factor for how allauth's codes count). Signing in
    happens on the app's own sign-in page, never on a login form of admin's."""

    site_header = "Shared Lives administration"
    site_title = "Shared Lives admin"

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser and user.is_verified()

    @login_not_required
    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Sending them to sign in would only bring them back here.
            return render(request, "admin/not_allowed.html", status=403)
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
