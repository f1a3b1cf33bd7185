from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class SharedLivesConfig(AppConfig):
    name = "sharedlives"
    verbose_name = "Schemes and accounts"

    def ready(self):
        # Signal receivers: the security log, the lockout's log line, ending
        # a disabled account's sessions and starting the idle clock; and the
        # system checks (the history tables stay append-only).
        from sharedlives import checks, lockout, security_log, session_security  # noqa: F401


class AdminConfig(DjangoAdminConfig):
    """Django admin, open to superusers only (see SuperuserAdminSite)."""

    default_site = "sharedlives.admin_site.SuperuserAdminSite"
