from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject


def _alternates(request: HttpRequest) -> list[dict[str, str]]:
    """This page in every language, absolute, for hreflang links (x-default is English)."""
    alternates = [
        {"code": code, "url": request.build_absolute_uri(translate_url(request.path, code))}
        for code, _name in settings.LANGUAGES
    ]
    default = next(a for a in alternates if a["code"] == settings.LANGUAGE_CODE)
    return [*alternates, {"code": "x-default", "url": default["url"]}]


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs."""
    return {
        "support_email": settings.NOONBARBARI_SUPPORT_EMAIL,
        "canonical_url": SimpleLazyObject(lambda: request.build_absolute_uri(request.path)),
        "alternate_urls": SimpleLazyObject(lambda: _alternates(request)),
    }
