from django.contrib import admin


class SuperuserAdminSite(admin.AdminSite):
    """Admin is for the scheme's system administrators (superusers) alone:
    managers and coordinators work through the app, where every view is
    scoped to their scheme."""

    site_header = "Shared Lives administration"
    site_title = "Shared Lives admin"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
