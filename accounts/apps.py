from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-up, login and two-factor authentication (django-allauth + django-otp)."""

    default = True
    name = "accounts"
    # allauth's own app is "Accounts" too: two admin sections of one name otherwise.
    verbose_name = _("Users and security")

    def ready(self) -> None:
        from accounts import receivers

        receivers.connect()


class AdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that requires a session verified with a two-factor code."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "accounts.admin_site.AdminSite"
