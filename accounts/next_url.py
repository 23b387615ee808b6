"""The one rule for following a `next` parameter: a path on this site, nothing else."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(url: str, request: HttpRequest) -> bool:
    """Whether `url` is an absolute path on this site ("/en/profile/").

    A bare word ("x") is refused: `redirect()` would take it for a URL name and fail, and a
    browser would resolve it against the current page.
    """
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
