from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    """Per-exchange guides for connecting an API key, in French and English."""

    name = "guides"
    verbose_name = _("Guides")

    def ready(self) -> None:
        from guides import selectors, signals
        from noonbarbari.page_cache import register_version

        signals.connect()
        register_version("guides", selectors.guides_version)
        register_version(
            selectors.GUIDE_PAGES,
            selectors.guide_pages_version,
            depends_on=selectors.GUIDE_PAGES_DEPEND_ON,
        )
