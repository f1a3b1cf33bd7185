from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class SharedLivesConfig(AppConfig):
    name = "sharedlives"
    verbose_name = "Schemes and accounts"


class AdminConfig(DjangoAdminConfig):
    """Django admin, open to superusers only (see SuperuserAdminSite)."""

    default_site = "sharedlives.admin_site.SuperuserAdminSite"
