from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from guides import selectors
from guides.models import Guide


class GuideSitemap(Sitemap):
    """Every published guide, in every language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[Guide]:
        return selectors.guides_in_sitemap()

    def location(self, item: Guide) -> str:
        return reverse("guides:detail", kwargs={"slug": item.exchange.slug})

    def lastmod(self, item: Guide):
        return item.updated_at


class PageSitemap(Sitemap):
    """The site's fixed pages."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["home", "guides:index", "live_exchanges"]

    def location(self, item: str) -> str:
        return reverse(item)
