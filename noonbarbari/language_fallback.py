"""Text kept per language in the database falls back to English, field by field."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

FALLBACK_LANGUAGE = settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Section:
    """One field's content and the language it is actually in."""

    value: Any
    language: str
    requested: str

    @property
    def fallback(self) -> bool:
        return self.language != self.requested

    def __bool__(self) -> bool:
        return bool(self.value)


def fallback_languages(language: str) -> list[str]:
    """The languages to read, in order: the one asked for, then English."""
    return list(dict.fromkeys([language, FALLBACK_LANGUAGE]))


def first_filled(options: Iterable[tuple[str, Any]], requested: str) -> Section:
    """The first non-blank (language, value) of `options`, as a Section."""
    last_language = requested
    for code, value in options:
        if value:
            return Section(value=value, language=code, requested=requested)
        last_language = code
    return Section(value="", language=last_language, requested=requested)
