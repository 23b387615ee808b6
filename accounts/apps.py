from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-up, login and two-factor authentication (django-allauth + django-otp)."""

    name = "accounts"
    verbose_name = _("Accounts")
