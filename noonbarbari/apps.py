from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoonBarbariConfig(AppConfig):
    """The project itself: site-wide templates, static files, health and operator commands."""

    name = "noonbarbari"
    verbose_name = _("Noon Barbari")
