import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language_from_path, get_language_from_request
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
_View = TypeVar("_View", bound=Callable[..., HttpResponse])


class RememberLanguageMiddleware:
    """Remember the language of the pages a visitor reads, so that `/` brings them back to it.

    The language switcher is a pair of plain links (crawlable, no form, no CSRF token, so
    pages stay cacheable); this is what makes the choice stick.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = get_language_from_path(request.path_info)
        if (
            language
            and response.status_code == 200
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response


class RefuseUnreadableInputMiddleware:
    """Answer 400, with a page in the reader's language, to input no view can use.

    Placed before everything that reads the request (the body is parsed in process_view, so
    before CsrfViewMiddleware reads it and before the view): a form body in another charset than
    UTF-8 (Django refuses it with a traceback per request) or a malformed multipart body, and
    a NUL character in the query string (PostgreSQL refuses it in any text value, so an admin
    filter or a search would fail with a server error). Form fields already refuse NUL
    characters themselves, next to the field, which says more than this page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in text for text in _texts(request.GET)):
            return refuse(request, NUL_CHARACTER, "NUL character in the query string")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        # Here rather than in __call__: a view marked @reads_its_own_body sets its own upload
        # handlers first (they cannot change once the body is read) and calls read_body itself.
        if getattr(view_func, "reads_its_own_body", False):
            return None
        return read_body(request)


def reads_its_own_body(view: _View) -> _View:
    """Mark a view that sets request.upload_handlers, then calls read_body() itself."""
    view.reads_its_own_body = True  # type: ignore[attr-defined]
    return view


def read_body(request: HttpRequest) -> HttpResponse | None:
    """Parse the form body now; the 400 page if it cannot be read, else None."""
    try:
        request.POST  # noqa: B018 - parsed here, where a failure can be answered
    except (BadRequest, MultiPartParserError):
        return refuse(request, UNREADABLE_FORM, "form body cannot be read")
    return None


UNREADABLE_FORM = _(
    "This form was sent in a way we cannot read (form data must be encoded in UTF-8). "
    "Reload the page and send it again."
)
NUL_CHARACTER = _(
    "This address contains a character that has no place in text (NUL). Remove it and try again."
)


def _texts(data: QueryDict) -> list[str]:
    return [text for key, values in data.lists() for text in (key, *values)]


def refuse(request: HttpRequest, reason: str | Promise, log_reason: str) -> HttpResponse:
    """The 400 page saying `reason`, in the language of the address (or the visitor's)."""
    language = get_language_from_path(request.path_info) or get_language_from_request(request)
    with translation.override(language):
        response = render(request, "400.html", {"reason": reason}, status=400)
    # One line, without the traceback Django would attach to a BadRequest.
    logger.warning("Bad request refused (%s): %s", log_reason, request.path)
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
