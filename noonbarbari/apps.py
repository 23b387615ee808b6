from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_site(using: str = "default", **kwargs: object) -> None:
    """Keep django.contrib.sites' row in step with SITE_DOMAIN (sitemap URLs, allauth mail)."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": "Noon Barbari"}
    )


class NoonBarbariConfig(AppConfig):
    """The project itself: site-wide templates, static files, health and operator commands."""

    name = "noonbarbari"
    verbose_name = _("Noon Barbari")

    def ready(self) -> None:
        from django.apps import apps

        # Sent once the sites app's table exists (and again after a test database flush).
        post_migrate.connect(
            _sync_site, sender=apps.get_app_config("sites"), dispatch_uid="noonbarbari.sync_site"
        )
