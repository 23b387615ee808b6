from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from strategies.models import CatalogEntry
from strategies.selectors import catalog

DOCS_PAGES = ("docs:index", "docs:rules", "docs:indicators", "docs:risk", "docs:backtests")


class CatalogSitemap(Sitemap):
    """Every published catalog strategy, in every language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.7

    def items(self) -> list[CatalogEntry]:
        return catalog.catalog_in_sitemap()

    def location(self, item: CatalogEntry) -> str:
        return reverse("strategies:detail", kwargs={"slug": item.slug})

    def lastmod(self, item: CatalogEntry):
        return item.updated_at


class LibrarySitemap(Sitemap):
    """The library and the strategies documentation, in every language."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["strategies:index", *DOCS_PAGES]

    def location(self, item: str) -> str:
        return reverse(item)
