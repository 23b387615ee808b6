from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject


def site_url(path: str) -> str:
    """`path` on the configured site (SITE_URL), whatever Host the request named."""
    return settings.SITE_URL + path


def _alternates(request: HttpRequest) -> list[dict[str, str]]:
    """This page in every language, absolute, for hreflang links (x-default is English)."""
    alternates = [
        {"code": code, "url": site_url(translate_url(request.path, code))}
        for code, _name in settings.LANGUAGES
    ]
    default = next(a for a in alternates if a["code"] == settings.LANGUAGE_CODE)
    return [*alternates, {"code": "x-default", "url": default["url"]}]


def _language_links(request: HttpRequest) -> list[dict[str, str]]:
    """This page (query string included) in each language, for the language switcher."""
    return [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
    ]


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs."""
    return {
        "support_email": settings.NOONBARBARI_SUPPORT_EMAIL,
        "canonical_url": SimpleLazyObject(lambda: site_url(request.path)),
        "alternate_urls": SimpleLazyObject(lambda: _alternates(request)),
        "language_links": SimpleLazyObject(lambda: _language_links(request)),
    }
