from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    """Exchange venues, encrypted API keys and the ccxt clients that use them."""

    name = "exchanges"
    verbose_name = _("Exchanges")
