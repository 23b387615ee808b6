from django.contrib.sitemaps import Sitemap
from django.urls import reverse

DOCS_PAGES = ("docs:index", "docs:rules", "docs:indicators", "docs:risk")


class DocsSitemap(Sitemap):
    """The strategies documentation, in every language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> list[str]:
        return list(DOCS_PAGES)

    def location(self, item: str) -> str:
        return reverse(item)
