from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    """Rule-based strategies with backtests, paper runs and live runs."""

    name = "strategies"
    verbose_name = _("Strategies")
