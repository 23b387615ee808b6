"""Whole pages for anonymous visitors, served early from a per-process cache.

A view opts in with `@cache_for_visitors("guides")`: its 200 answers to plain visitors (no
session, no pending message) are kept in the "pages" cache together with the version of the
content they were rendered from. `VisitorPageCacheMiddleware`, placed before the session,
locale and authentication middleware, answers the next identical request from that cache as
long as the content's version has not moved.

A version is derived from the database by a function the owning app registers; the value is
kept in the shared default cache, and `content_changed()` deletes it whenever a write may
change a page, so every process sees an edit at once. The entry expires after
VERSION_TIMEOUT as a backstop for writes that bypass the application.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

PAGE_TIMEOUT = 3600
VERSION_TIMEOUT = 60

_versions: dict[str, Callable[[], str]] = {}
# Sources whose pages also show another source's content (strategy pages list the exchanges
# whose guide is published): a change to the other forgets their version too.
_dependents: dict[str, set[str]] = {}


def register_version(
    source: str, compute: Callable[[], str], *, depends_on: tuple[str, ...] = ()
) -> None:
    """Declare how to read the version of `source` from the database, and which other
    sources its pages show."""
    _versions[source] = compute
    for other in depends_on:
        _dependents.setdefault(other, set()).add(source)


def content_version(source: str) -> str:
    key = f"content-version:{source}"
    version = cache.get(key)
    if version is None:
        version = _versions[source]()
        cache.set(key, version, VERSION_TIMEOUT)
    return version


def content_changed(source: str) -> None:
    """Call after any write that may change pages of `source`.

    The version is forgotten now and again at commit: another process that recomputes it
    in between still reads the old rows, and would otherwise keep that old version.
    """
    keys = [f"content-version:{name}" for name in (source, *_dependents.get(source, ()))]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


@dataclass(frozen=True)
class _Entry:
    source: str
    version: str
    content: bytes
    headers: tuple[tuple[str, str], ...]


def _plain_visitor(request: HttpRequest) -> bool:
    """Logged out, no session and no pending message: the page is the same for everyone."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request: HttpRequest) -> str:
    # The language is the URL's prefix, so the full path identifies the page.
    return "page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def cache_for_visitors(source: str):
    """Mark a view's answers as cacheable for plain visitors, versioned by `source`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not _plain_visitor(request):  # signed-in pages are never stored
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                return response
            # Read before rendering: a write during the render then moves the version past
            # what the stored page shows, never the other way round.
            version = content_version(source)
            response = view(request, *args, **kwargs)
            response.visitor_cache = (source, version)  # type: ignore[attr-defined]
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapped

    return decorator


class VisitorPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _plain_visitor(request):
            return self.get_response(request)
        pages = caches["pages"]
        key = _key(request)
        entry: _Entry | None = pages.get(key)
        if entry is not None and entry.version == content_version(entry.source):
            response = HttpResponse(entry.content)
            for name, value in entry.headers:
                response[name] = value
            return response
        response = self.get_response(request)
        marked = getattr(response, "visitor_cache", None)
        if marked and response.status_code == 200 and not response.cookies:
            headers = tuple((k, v) for k, v in response.items() if k.lower() != "set-cookie")
            source, version = marked
            pages.set(key, _Entry(source, version, response.content, headers), PAGE_TIMEOUT)
        return response
